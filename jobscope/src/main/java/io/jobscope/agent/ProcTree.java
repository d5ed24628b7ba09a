package io.jobscope.agent;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a process tree from {@code /proc}: the descendants of a root (through each thread's
 * {@code children} file, or a scan of every process where the kernel lacks it), and their summed CPU,
 * resident memory, threads and I/O.
 */
final class ProcTree {
    private static final Path PROC = Path.of("/proc");
    private static final long PAGE_SIZE = 4096;

    /** One reading of the live tree; CPU includes what live members have reaped (their cutime/cstime). */
    record Snapshot(
            List<Long> pids,
            int processes,
            int threads,
            long rssBytes,
            long maxHwmBytes,
            long cpuTicks,
            long readBytes,
            long writeBytes,
            Map<Long, long[]> ioByPid) {
        static final Snapshot EMPTY = new Snapshot(List.of(), 0, 0, 0, 0, 0, 0, 0, Map.of());
    }

    private final boolean childrenFiles;

    ProcTree() {
        this.childrenFiles = Files.isReadable(PROC.resolve("self/task")
                .resolve(Long.toString(ProcessHandle.current().pid()))
                .resolve("children"));
    }

    static boolean available() {
        return Files.isDirectory(PROC.resolve("self"));
    }

    /** The root and every live descendant, parents before children. */
    List<Long> pids(long root) {
        if (!Files.isDirectory(PROC.resolve(Long.toString(root)))) {
            return List.of();
        }
        return childrenFiles ? walkChildren(root) : scan(root);
    }

    private List<Long> walkChildren(long root) {
        Set<Long> seen = new LinkedHashSet<>();
        Deque<Long> todo = new ArrayDeque<>();
        todo.add(root);
        while (!todo.isEmpty()) {
            long pid = todo.poll();
            if (seen.add(pid)) {
                addChildren(pid, 0, todo);
            }
        }
        return new ArrayList<>(seen);
    }

    /**
     * Adds the children of {@code pid} to {@code todo}: from each thread's {@code children} file, or only
     * the main thread's when the process is known to have one thread (no directory to list then).
     */
    private static void addChildren(long pid, int threads, Deque<Long> todo) {
        Path tasks = PROC.resolve(Long.toString(pid)).resolve("task");
        if (threads == 1) {
            addPids(readOrNull(tasks.resolve(Long.toString(pid)).resolve("children")), todo);
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path task : ds) {
                addPids(readOrNull(task.resolve("children")), todo);
            }
        } catch (IOException | RuntimeException e) {
            // the process exited while we looked: its children are reparented, found next time
        }
    }

    private static void addPids(String text, Deque<Long> todo) {
        if (text == null) {
            return;
        }
        for (String s : text.trim().split("\\s+")) {
            if (!s.isEmpty()) {
                todo.add(Long.parseLong(s));
            }
        }
    }

    private static List<Long> scan(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(PROC)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                String stat = readOrNull(p.resolve("stat"));
                if (stat == null) {
                    continue;
                }
                String[] f = statFields(stat);
                children.computeIfAbsent(Long.parseLong(f[3]), k -> new ArrayList<>())
                        .add(Long.parseLong(name));
            }
        } catch (IOException | RuntimeException e) {
            return List.of(root);
        }
        List<Long> out = new ArrayList<>();
        Deque<Long> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            long pid = todo.poll();
            out.add(pid);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return out;
    }

    /** Sums the tree under {@code root} now. */
    Snapshot snapshot(long root) {
        // With children files, the walk and the reading go together: each stat is read once, and its
        // thread count spares listing the task directory of a single-threaded process.
        boolean walk = childrenFiles && Files.isDirectory(PROC.resolve(Long.toString(root)));
        List<Long> pids = walk ? new ArrayList<>() : pids(root);
        Deque<Long> todo = new ArrayDeque<>(walk ? List.of(root) : pids);
        Set<Long> seen = new HashSet<>();
        int processes = 0;
        int threads = 0;
        long rss = 0;
        long hwm = 0;
        long ticks = 0;
        long read = 0;
        long write = 0;
        Map<Long, long[]> ioByPid = new HashMap<>();
        while (!todo.isEmpty()) {
            long pid = todo.poll();
            if (!seen.add(pid)) {
                continue;
            }
            if (walk) {
                pids.add(pid);
            }
            Path dir = PROC.resolve(Long.toString(pid));
            String stat = readOrNull(dir.resolve("stat"));
            if (stat == null) {
                continue;
            }
            String[] f = statFields(stat);
            if (walk) {
                addChildren(pid, parseIntOr(f[19], 0), todo);
            }
            // A zombie's CPU reaches its parent's cutime only when the parent reaps it: until then it
            // is counted here, or a phase ending just as a process exits would lose that process's CPU.
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]) + Long.parseLong(f[15]) + Long.parseLong(f[16]);
            if ("Z".equals(f[2])) {
                continue;
            }
            processes++;
            threads += Integer.parseInt(f[19]);
            rss += Long.parseLong(f[23]) * PAGE_SIZE;
            hwm = Math.max(hwm, hwmBytes(dir.resolve("status")));
            String io = readOrNull(dir.resolve("io"));
            if (io != null) {
                long r = ioField(io, "read_bytes");
                long w = ioField(io, "write_bytes");
                read += r;
                write += w;
                ioByPid.put(pid, new long[] {r, w});
            }
        }
        return new Snapshot(pids, processes, threads, rss, hwm, ticks, read, write, ioByPid);
    }

    private static int parseIntOr(String s, int fallback) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /**
     * The fields of a {@code /proc/PID/stat} line, numbered from 0 as in proc(5) minus one; the command name
     * (field 2, which may hold spaces and parentheses) is taken between the first '(' and the last ')'.
     */
    static String[] statFields(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String[] rest = stat.substring(close + 2).trim().split(" ");
        String[] f = new String[rest.length + 2];
        f[0] = stat.substring(0, open).trim();
        f[1] = stat.substring(open + 1, close);
        System.arraycopy(rest, 0, f, 2, rest.length);
        return f;
    }

    /** The peak resident memory of one process since its last exec (VmHWM), or 0. */
    static long hwmBytes(Path status) {
        String text = readOrNull(status);
        if (text == null) {
            return 0;
        }
        int i = text.indexOf("VmHWM:");
        if (i < 0) {
            return 0;
        }
        int end = text.indexOf('\n', i);
        String v = text.substring(i + 6, end < 0 ? text.length() : end).trim();
        try {
            return Long.parseLong(v.replace("kB", "").trim()) * 1024;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static long ioField(String io, String name) {
        int i = io.indexOf(name + ":");
        if (i < 0) {
            return 0;
        }
        int end = io.indexOf('\n', i);
        try {
            return Long.parseLong(io.substring(i + name.length() + 1, end < 0 ? io.length() : end)
                    .trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A buffer per sampling thread: /proc files are small, and read about 150 times a second. */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[8192]);

    /** A /proc file's text (ASCII), or null when it is gone or unreadable. */
    private static String readOrNull(Path p) {
        try (FileInputStream in = new FileInputStream(p.toString())) {
            byte[] buf = BUFFER.get();
            int len = 0;
            int n;
            while ((n = in.read(buf, len, buf.length - len)) > 0) {
                len += n;
                if (len == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                    BUFFER.set(buf);
                }
            }
            return new String(buf, 0, len, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
