package io.jobscope.worker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The log of one worker job, read incrementally: each {@link #update()} reads only what the file gained
 * since the last one (a last line still being written waits for its line end), keeping the state of
 * every work item between reads. Nothing is imported; the file is only read.
 */
public final class WorkerLog {
    /** The two log formats of the worker framework. */
    public enum Format {
        /** Worker 1.x: {@code server.log} with timestamped {@code workitem <n> started/done} lines. */
        SERVER,
        /** The older MPI worker: {@code <name>.log<jobid>} with {@code <n> started by <rank> at <date>} lines. */
        MPI
    }

    private static final Pattern MPI_LOG = Pattern.compile(".+\\.log(\\d+)");
    private static final Pattern TRAILING_DIGITS = Pattern.compile(".*?(\\d+)$");

    private final Path path;
    private final Format format;
    private final String name;
    private final int threads;
    private final long parallelMin;
    private LineParser state;
    private long offset;
    private boolean inLongLine;
    private long size;
    private long bytesRead;
    private long lastPassBytes;
    private int passes;
    /** The last summary, valid while no update has read a new line. */
    private Summary cached;

    private WorkerLog(Path path, Format format, String name, int threads, long parallelMin) {
        this.path = path;
        this.format = format;
        this.name = name;
        this.threads = threads;
        this.parallelMin = parallelMin;
        this.state = emptyParser();
    }

    /** The log of the worker job in {@code dirOrFile}: a worker job directory, or a log file itself. */
    public static WorkerLog open(Path dirOrFile) throws IOException {
        return open(dirOrFile, Math.min(4, Runtime.getRuntime().availableProcessors()), LogScanner.PARALLEL_MIN);
    }

    /** With {@code threads} parsing ranges of at least {@code parallelMin} bytes in parallel. */
    static WorkerLog open(Path dirOrFile, int threads, long parallelMin) throws IOException {
        Path p = dirOrFile.toAbsolutePath().normalize();
        if (Files.isDirectory(p)) {
            String dirName =
                    p.getFileName() == null ? p.toString() : p.getFileName().toString();
            Path server = p.resolve("server.log");
            if (Files.exists(server)) {
                return checked(new WorkerLog(server, Format.SERVER, dirName, threads, parallelMin));
            }
            Path mpi = mpiLog(p, dirName);
            if (mpi != null) {
                return checked(new WorkerLog(mpi, Format.MPI, dirName, threads, parallelMin));
            }
            throw new NoSuchFileException(
                    dirOrFile.toString(),
                    null,
                    "no worker log here: expected server.log (worker 1.x) or <name>.log<jobid> (MPI worker)");
        }
        if (!Files.exists(p)) {
            throw new NoSuchFileException(dirOrFile.toString(), null, "no such worker job directory or log file");
        }
        String file = p.getFileName().toString();
        Format f = file.equals("server.log")
                ? Format.SERVER
                : MPI_LOG.matcher(file).matches() ? Format.MPI : sniff(p);
        Path parent = p.getParent();
        String jobName = parent != null && parent.getFileName() != null
                ? parent.getFileName().toString()
                : file;
        return checked(new WorkerLog(p, f, jobName, threads, parallelMin));
    }

    private static WorkerLog checked(WorkerLog log) throws IOException {
        if (!Files.isReadable(log.path)) {
            throw new java.nio.file.AccessDeniedException(log.path.toString(), null, "cannot read the worker log");
        }
        return log;
    }

    private static Path mpiLog(Path dir, String dirName) throws IOException {
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(f -> MPI_LOG.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f))
                    .forEach(logs::add);
        }
        if (logs.isEmpty()) {
            return null;
        }
        Matcher m = TRAILING_DIGITS.matcher(dirName);
        if (m.matches()) {
            for (Path l : logs) {
                Matcher lm = MPI_LOG.matcher(l.getFileName().toString());
                if (lm.matches() && lm.group(1).equals(m.group(1))) {
                    return l;
                }
            }
        }
        logs.sort(Comparator.comparing((Path l) -> l.toFile().lastModified()).reversed());
        return logs.get(0);
    }

    /** A log named neither way: the first line that is not blank says which format it is. */
    private static Format sniff(Path p) throws IOException {
        byte[] head = new byte[4096];
        int n;
        try (InputStream in = Files.newInputStream(p)) {
            n = in.readNBytes(head, 0, head.length);
        }
        String text = new String(head, 0, n, StandardCharsets.ISO_8859_1).stripLeading();
        return text.matches("(?s)^\\d+ (started|completed|failed) by .*") ? Format.MPI : Format.SERVER;
    }

    private LineParser emptyParser() {
        return format == Format.SERVER ? new ServerLogParser(16) : new MpiLogParser(16);
    }

    public Path path() {
        return path;
    }

    public Format format() {
        return format;
    }

    /** The worker job's name: its directory's (e.g. {@code worker_4242}). */
    public String name() {
        return name;
    }

    /** Bytes read from the file over all updates. */
    public long bytesRead() {
        return bytesRead;
    }

    /** Bytes read by the last update. */
    public long lastPassBytes() {
        return lastPassBytes;
    }

    /** The file's size at the last update. */
    public long size() {
        return size;
    }

    public int passes() {
        return passes;
    }

    /**
     * Reads what the log gained since the last update. A log that shrank (rotated, rewritten) is read
     * again from its start.
     */
    public synchronized void update() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long now = ch.size();
            if (now < offset) {
                cached = null;
                state = emptyParser();
                offset = 0;
                inLongLine = false;
            }
            LogScanner.Scan scan = LogScanner.scan(ch, offset, now, state, inLongLine, threads, parallelMin);
            if (state.lines == 0 && state.items.size() == 0 && state.skipped == 0) {
                state = scan.parser();
            } else {
                LogScanner.fold(state, scan.parser());
            }
            if (scan.resumeAt() != offset || scan.inLongLine() != inLongLine) {
                cached = null;
            }
            offset = scan.resumeAt();
            inLongLine = scan.inLongLine();
            size = now;
            lastPassBytes = scan.bytesRead();
            bytesRead += lastPassBytes;
            passes++;
        }
    }

    /** The summary of everything read so far. */
    public synchronized Summary summary() {
        boolean unfinished = offset < size && !inLongLine;
        if (cached != null && cached.unfinishedLastLine() == unfinished) {
            return cached;
        }
        SummaryBuilder b = new SummaryBuilder(state.clients.names(), state.items.size());
        collect(state.items, b);
        cached = b.build(
                path.toString(),
                state.skipped,
                state.firstSkipped == 0 ? null : state.firstSkipped,
                state.lines,
                state.blank,
                unfinished);
        return cached;
    }

    /** Every item's outcome into {@code b}; a method of its own so that its loop compiles small. */
    private static void collect(ItemTable items, SummaryBuilder b) {
        for (int i = 0; i < items.size(); i++) {
            byte f = items.flags(i);
            boolean started = (f & ItemTable.STARTED) != 0;
            if (started && (f & ItemTable.DONE_AFTER_START) == 0) {
                b.incomplete(items.item(i), items.client(i));
            } else if ((f & ItemTable.DONE) != 0) {
                double seconds = started ? (items.end(i) - items.start(i)) / 1e6 : Double.NaN;
                if (items.exit(i) == 0) {
                    b.succeeded(items.client(i), seconds);
                } else {
                    b.finished(items.item(i), items.client(i), false, seconds);
                }
            }
        }
    }

    /** Visits every work item read so far, in the order first seen, for imports. */
    public synchronized void forEachItem(ItemVisitor visitor) {
        ItemTable items = state.items;
        for (int i = 0; i < items.size(); i++) {
            byte f = items.flags(i);
            boolean started = (f & ItemTable.STARTED) != 0;
            boolean done = (f & ItemTable.DONE) != 0 && (!started || (f & ItemTable.DONE_AFTER_START) != 0);
            int c = items.client(i);
            visitor.item(
                    items.item(i),
                    started ? items.start(i) : Long.MIN_VALUE,
                    c >= 0 ? state.clients.name(c) : null,
                    done ? items.end(i) : Long.MIN_VALUE,
                    done ? items.exit(i) : 0);
        }
    }

    /** Receives one work item: times in µs of local time read as UTC, Long.MIN_VALUE when absent. */
    @FunctionalInterface
    public interface ItemVisitor {
        void item(long item, long startMicros, String client, long endMicros, int exit);
    }
}
