package io.jobscope.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark of {@code jobscope summarize} on a generated worker log (not a test): writes a server.log of
 * N work items on 512 clients, runs {@code java -jar jobscope.jar summarize --dir D --show_all} in fresh
 * JVMs under {@code /usr/bin/time -v}, {@code grep -c done} on the same file, and a {@code --watch}-style
 * incremental pass after an append; prints a table.
 *
 * <pre>
 * ./mvnw -B -q -o package -DskipTests
 * java -cp jobscope/target/test-classes:jobscope/target/jobscope.jar io.jobscope.bench.WorkerSummarizeBench \
 *     [--items 1000000] [--clients 512] [--dir bench-data/worker_bench] [--runs 3]
 * </pre>
 */
public final class WorkerSummarizeBench {
    private WorkerSummarizeBench() {}

    public static void main(String[] args) throws Exception {
        int items = 1_000_000;
        int clients = 512;
        int runs = 3;
        Path dir = Path.of("bench-data", "worker_9999");
        Path jar = Path.of("jobscope", "target", "jobscope.jar");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--items" -> items = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println(jar + " is missing: run ./mvnw -B -q package -DskipTests first");
            System.exit(2);
        }
        Files.createDirectories(dir);
        Path log = dir.resolve("server.log");
        long t0 = System.nanoTime();
        long[] counts = generate(log, items, clients, 42);
        double genS = (System.nanoTime() - t0) / 1e9;
        long size = Files.size(log);
        System.out.printf(
                Locale.ROOT,
                "generated %s: %,d items, %d clients, %,d lines, %.1f MB in %.1f s%n",
                log,
                items,
                clients,
                counts[0],
                size / 1048576.0,
                genS);

        List<String[]> rows = new ArrayList<>();
        // warm the page cache the same way for both
        run(List.of("grep", "-c", "done", log.toString()));
        boolean gnuTime = Files.isExecutable(Path.of("/usr/bin/time"));
        double[] grep = new double[runs];
        double[] grepCpu = new double[runs];
        for (int r = 0; r < runs; r++) {
            List<String> cmd = new ArrayList<>();
            if (gnuTime) {
                cmd.addAll(List.of("/usr/bin/time", "-v"));
            }
            cmd.addAll(List.of("grep", "-c", "done", log.toString()));
            long s = System.nanoTime();
            Measured m = measure(cmd, gnuTime);
            grep[r] = (System.nanoTime() - s) / 1e9;
            grepCpu[r] = m.cpuS;
        }
        double grepBest = Arrays.stream(grep).min().orElse(0);
        rows.add(new String[] {
            "grep -c done server.log", fmt(grepBest), fmt(median(grep)), cpu(grepCpu), "-", "same file, same run"
        });

        double[] wall = new double[runs];
        double[] cpu = new double[runs];
        long[] rss = new long[runs];
        for (int r = 0; r < runs; r++) {
            List<String> cmd = new ArrayList<>();
            if (gnuTime) {
                cmd.addAll(List.of("/usr/bin/time", "-v"));
            }
            cmd.addAll(List.of("java", "-jar", jar.toString(), "summarize", "--dir", dir.toString(), "--show_all"));
            long s = System.nanoTime();
            Measured m = measure(cmd, gnuTime);
            wall[r] = (System.nanoTime() - s) / 1e9;
            rss[r] = m.maxRssKb;
            cpu[r] = m.cpuS;
        }
        double best = Arrays.stream(wall).min().orElse(0);
        long maxRss = Arrays.stream(rss).max().orElse(0);
        rows.add(new String[] {
            "jobscope summarize --show_all (fresh JVM)",
            fmt(best),
            fmt(median(wall)),
            cpu(cpu),
            maxRss == 0 ? "?" : String.format(Locale.ROOT, "%.0f", maxRss / 1024.0),
            String.format(
                    Locale.ROOT,
                    "%.2fx grep (best/best), %.2fx (median/median)",
                    best / grepBest,
                    median(wall) / median(grep))
        });

        // --watch: a second pass after an append reads only the appended bytes
        io.jobscope.worker.WorkerLog wl = io.jobscope.worker.WorkerLog.open(dir);
        long s1 = System.nanoTime();
        wl.update();
        double first = (System.nanoTime() - s1) / 1e9;
        long before = Files.size(log);
        append(log, items, Math.max(1, items / 1000), clients);
        long appended = Files.size(log) - before;
        long s2 = System.nanoTime();
        wl.update();
        double second = (System.nanoTime() - s2) / 1e9;
        long s3 = System.nanoTime();
        wl.summary();
        double stats = (System.nanoTime() - s3) / 1e9;
        rows.add(new String[] {
            "in-process: first --watch pass, read",
            fmt(first),
            "-",
            "-",
            "-",
            "read " + mb(wl.bytesRead() - wl.lastPassBytes())
        });
        rows.add(new String[] {
            "in-process: next pass after appending " + Math.max(1, items / 1000) + " items",
            fmt(second),
            "-",
            "-",
            "-",
            "read " + wl.lastPassBytes() + " bytes (appended " + appended + ")"
        });
        rows.add(new String[] {
            "in-process: statistics after that pass", fmt(stats), "-", "-", "-", "all items, cold code"
        });

        System.out.println();
        System.out.printf(
                "machine: %s CPUs (nproc), %s, %s%n",
                run(List.of("nproc")).strip(),
                cpuModel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.printf(
                Locale.ROOT,
                "file: %.1f MB, %,d lines, %,d items, %d clients%n%n",
                size / 1048576.0,
                counts[0],
                items,
                clients);
        String fmt = "| %-48s | %8s | %8s | %10s | %10s | %-40s |%n";
        System.out.printf(fmt, "what", "best s", "median s", "CPU s", "max RSS MB", "note");
        System.out.printf(
                fmt, "-".repeat(48), "-".repeat(8), "-".repeat(8), "-".repeat(10), "-".repeat(10), "-".repeat(40));
        for (String[] r : rows) {
            System.out.printf(fmt, (Object[]) r);
        }
        System.out.printf(
                Locale.ROOT,
                "%ntarget: <= 2 s wall, <= 256 MB RSS, <= 3x grep; %d run(s) each; CPU s = user + system (median)%n",
                runs);
        System.out.println("load average at the end: "
                + Files.readString(Path.of("/proc/loadavg")).strip());
    }

    private static String mb(long b) {
        return String.format(Locale.ROOT, "%.1f MB", b / 1048576.0);
    }

    private static String fmt(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    private static double median(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    private record Measured(long maxRssKb, double cpuS) {}

    private static String cpu(double[] c) {
        return c[0] < 0 ? "?" : fmt(median(c));
    }

    private static Measured measure(List<String> cmd, boolean gnuTime) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Path err = Files.createTempFile("bench", ".err");
        Path out = Files.createTempFile("bench", ".out");
        pb.redirectError(err.toFile());
        // a real file, not /dev/null: GNU grep stops at the first match when its output is /dev/null
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        long hwm = 0;
        if (!gnuTime) {
            while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
                hwm = Math.max(hwm, vmHwm(p.pid()));
            }
        }
        int code = p.waitFor();
        String errText = Files.readString(err);
        Files.delete(err);
        Files.delete(out);
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + code + ": " + errText);
        }
        double cpu = -1;
        if (gnuTime) {
            cpu = 0;
            for (String l : errText.split("\n")) {
                String v = l.substring(l.lastIndexOf(':') + 1).strip();
                if (l.contains("Maximum resident set size")) {
                    hwm = Long.parseLong(v);
                } else if (l.contains("User time (seconds)") || l.contains("System time (seconds)")) {
                    cpu += Double.parseDouble(v);
                }
            }
        }
        return new Measured(hwm, cpu);
    }

    private static long vmHwm(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // the process ended
        }
        return 0;
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /**
     * Writes a server.log as the worker server does: per item, query, work, started, result, done and ack
     * messages; 512 clients take items as they finish; 5 % fail; the items still running at the end are
     * incomplete. Returns {lines}.
     */
    static long[] generate(Path log, int items, int clients, long seed) throws IOException {
        Random rnd = new Random(seed);
        String[] ids = new String[clients];
        for (int c = 0; c < clients; c++) {
            ids[c] = new UUID(rnd.nextLong(), rnd.nextLong()).toString();
        }
        long t = LocalDateTime.of(2024, 3, 11, 9, 15, 2).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        long lines = 0;
        try (Writer w = new Writer(Files.newOutputStream(log))) {
            w.line(t, "server ID " + UUID.randomUUID());
            w.line(t, "server address tcp://r23i13n05:5555");
            lines += 2;
            // (time of next completion, client, item)
            PriorityQueue<long[]> running = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
            int next = 1;
            for (int c = 0; c < clients && next <= items; c++) {
                t += 30_000;
                lines += w.start(t, ids[c], next);
                running.add(new long[] {t + duration(rnd), c, next});
                next++;
            }
            while (next <= items) {
                long[] r = running.poll();
                t = Math.max(t, r[0]);
                int c = (int) r[1];
                lines += w.done(t, ids[c], r[2], rnd.nextInt(100) < 5 ? 1 + rnd.nextInt(2) : 0);
                t += 300;
                lines += w.start(t, ids[c], next);
                running.add(new long[] {t + duration(rnd), c, next});
                next++;
            }
            // half of what still runs finishes before the log ends
            for (int k = running.size() / 2; k > 0; k--) {
                long[] r = running.poll();
                t = Math.max(t, r[0]);
                lines += w.done(t, ids[(int) r[1]], r[2], 0);
            }
        }
        return new long[] {lines};
    }

    /** Appends {@code n} more items (ids after {@code items}) in the same style, for the watch pass. */
    static void append(Path log, int items, int n, int clients) throws IOException {
        long t = LocalDateTime.of(2024, 3, 20, 0, 0).toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        try (Writer w = new Writer(Files.newOutputStream(log, StandardOpenOption.APPEND))) {
            for (int i = 1; i <= n; i++) {
                String c = "appended-client-" + (i % clients);
                w.start(t, c, items + i);
                t += 1_000_000;
                w.done(t, c, items + i, 0);
            }
        }
    }

    private static long duration(Random rnd) {
        double s = Math.exp(4 + 0.6 * rnd.nextGaussian()); // about a minute
        return (long) (s * 1_000_000);
    }

    /** Formats log lines into bytes by hand: the generator must not be the slow part. */
    private static final class Writer implements AutoCloseable {
        private final OutputStream out;
        private final byte[] stamp = new byte[26];
        private long stampSecond = Long.MIN_VALUE;

        Writer(OutputStream out) {
            this.out = new BufferedOutputStream(out, 1 << 20);
        }

        int start(long t, String client, long item) throws IOException {
            line(t, "query message from " + client);
            line(t + 20, "work message " + item + " to " + client);
            line(t + 31, "workitem " + item + " started: " + client);
            return 3;
        }

        int done(long t, String client, long item, int exit) throws IOException {
            line(t, "result message for " + item + " from " + client);
            line(t + 150, "workitem " + item + " done: " + exit);
            line(t + 195, "ack message to " + client);
            return 3;
        }

        void line(long micros, String message) throws IOException {
            long second = Math.floorDiv(micros, 1_000_000L);
            if (second != stampSecond) {
                String s = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC)
                        .toString()
                        .replace('T', ' ');
                if (s.length() == 16) {
                    s += ":00";
                }
                System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, stamp, 0, 19);
                stamp[19] = '.';
                stampSecond = second;
            }
            long frac = Math.floorMod(micros, 1_000_000L);
            for (int i = 25; i >= 20; i--) {
                stamp[i] = (byte) ('0' + frac % 10);
                frac /= 10;
            }
            out.write(stamp);
            out.write(" [info]: ".getBytes(StandardCharsets.US_ASCII));
            out.write(message.getBytes(StandardCharsets.US_ASCII));
            out.write('\n');
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
