package io.jobscope.diagnose;

import io.jobscope.store.Database;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The diagnosis benchmarks: classify N stored failed-job tails from a real SQLite store, and scan a large
 * log with the built-in packs next to {@code grep -E -f} with the same patterns. Generates its own data.
 */
public final class DiagnoseBench {
    private static final String[] NOISE = {
        "%s INFO  [reco.TrackFinder] event %d: %d hits, %d tracks, %.3f ms",
        "%s DEBUG [io.RootOutput] wrote basket %d of branch hits.wire (%d bytes)",
        "%s INFO  [calib.Service] loaded constants for run %d subrun %d from cache",
        "%s INFO  [framework] Begin processing the %dth record. run: %d subRun: %d",
        "%s WARN  [geo.Geometry] wire %d has no neighbour in plane %d of run %d (offset %.1f)",
    };
    private static final String[] ERRORS = {
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total)",
        "slurmstepd: error: *** JOB 4471 ON cn12 CANCELLED AT 2025-11-21T12:00:04 DUE TO TIME LIMIT ***",
        "samweb.exceptions.SAMWebHTTPError: HTTP Error 503: Service Unavailable for url: https://samweb.fnal.gov:8483/sam",
        "KeyError: 'plane_17'",
        "psycopg2.OperationalError: could not connect to server: Connection refused",
        "Segmentation fault (core dumped)",
        "SysError in <TFile::WriteBuffer>: error writing to file out.root (-1) (No space left on device)",
        "Error: Proxy certificate has expired (Tue Nov 21 09:00:00 2025)",
    };

    private DiagnoseBench() {}

    /** One log line of generated noise. */
    static String noise(Random rnd, int i) {
        String f = NOISE[rnd.nextInt(NOISE.length)];
        return String.format(
                Locale.ROOT,
                f,
                "2025-11-21 10:" + (10 + i % 50) + ":" + (10 + i % 49),
                rnd.nextInt(100000),
                rnd.nextInt(5000),
                rnd.nextInt(100),
                rnd.nextDouble() * 10);
    }

    /** A tail of about {@code bytes} bytes ending in a traceback-style error of kind {@code kind}. */
    static String tail(Random rnd, int bytes, int kind) {
        StringBuilder sb = new StringBuilder(bytes + 256);
        int i = 0;
        while (sb.length() < bytes - 300) {
            sb.append(noise(rnd, i++)).append('\n');
        }
        sb.append("Traceback (most recent call last):\n  File \"/srv/app/run.py\", line ")
                .append(10 + kind)
                .append(", in main\n    step()\n");
        sb.append(ERRORS[kind % ERRORS.length]).append('\n');
        return sb.toString();
    }

    public static void run(PrintWriter out, int jobs, int tailKb, int scanMb, Path workDir) throws Exception {
        out.println(machine());
        out.println("load average at start: " + loadAverage());
        out.println();
        out.printf("%-52s %12s %12s %14s %10s%n", "benchmark", "data", "seconds", "rate", "CPU s");
        Path dbFile = workDir.resolve("bench.db");
        try (Database db = Database.open(dbFile.toString())) {
            long t0 = System.nanoTime();
            double c0 = cpuSeconds();
            fill(db, jobs, tailKb);
            double fillS = (System.nanoTime() - t0) / 1e9;
            out.printf(
                    "%-52s %12s %12.2f %14s %10.2f%n",
                    "store " + jobs + " failed jobs with " + tailKb + " KiB stderr tails",
                    mb((long) jobs * tailKb * 1024),
                    fillS,
                    String.format(Locale.ROOT, "%.0f jobs/s", jobs / fillS),
                    cpuSeconds() - c0);
            out.flush();
            DiagnoseService svc = new DiagnoseService(
                    db, new Classifier(RuleBook.builtIn(), Classifier.loadPlugins(workDir)), OutageLookup.NONE);
            t0 = System.nanoTime();
            c0 = cpuSeconds();
            int n = svc.classifyPending(DiagnoseScope.ALL, true);
            double s = (System.nanoTime() - t0) / 1e9;
            out.printf(
                    "%-52s %12s %12.2f %14s %10.2f%n",
                    "classify " + n + " stored tails (read, classify, store)",
                    mb((long) n * tailKb * 1024),
                    s,
                    String.format(Locale.ROOT, "%.0f jobs/s", n / s),
                    cpuSeconds() - c0);
            out.flush();
        } finally {
            Files.deleteIfExists(dbFile);
            Files.deleteIfExists(workDir.resolve("bench.db-wal"));
            Files.deleteIfExists(workDir.resolve("bench.db-shm"));
        }
        Path log = workDir.resolve("bench.log");
        try {
            long size = writeLog(log, (long) scanMb << 20);
            RuleBook book = RuleBook.builtIn();
            CompiledRules rules = book.rulesFor(null, null);
            scanOnce(rules, log); // warm the page cache and the JIT
            long t0 = System.nanoTime();
            double c0 = cpuSeconds();
            long lines = scanOnce(rules, log);
            double s = (System.nanoTime() - t0) / 1e9;
            out.printf(
                    "%-52s %12s %12.2f %14s %10.2f%n",
                    "jobscope scan, built-in packs (" + lines + " matching lines)",
                    mb(size),
                    s,
                    String.format(Locale.ROOT, "%.0f MB/s", size / 1048576.0 / s),
                    cpuSeconds() - c0);
            out.flush();
            double[] grep = grep(rules, log, workDir);
            if (grep != null) {
                out.printf(
                        "%-52s %12s %12.2f %14s %10.2f%n",
                        "grep -E -f, same patterns (" + (long) grep[1] + " matching lines)",
                        mb(size),
                        grep[0],
                        String.format(Locale.ROOT, "%.0f MB/s", size / 1048576.0 / grep[0]),
                        grep[2]);
                out.printf("%-52s %12s %12s %14s%n", "", "", "", String.format(Locale.ROOT, "x%.1f", grep[0] / s));
                out.println("load average at the end: " + loadAverage());
            }
        } finally {
            Files.deleteIfExists(log);
        }
        out.flush();
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.0f MB", bytes / 1048576.0);
    }

    private static void fill(Database db, int jobs, int tailKb) throws Exception {
        Random rnd = new Random(42);
        long now = System.currentTimeMillis();
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement job = c.prepareStatement("INSERT INTO job (id, status, exit_code, sort_time_ms,"
                            + " end_time_ms, host, site, app, updated_ms) VALUES (?,?,?,?,?,?,?,?,?)");
                    PreparedStatement log =
                            c.prepareStatement("INSERT INTO job_log (job_id, stream, tail) VALUES (?,?,?)")) {
                String[] tails = new String[64];
                for (int k = 0; k < tails.length; k++) {
                    tails[k] = tail(rnd, tailKb * 1024, k);
                }
                for (int i = 0; i < jobs; i++) {
                    String id = "bench-" + i;
                    job.setString(1, id);
                    job.setString(2, "failed");
                    job.setInt(3, 1);
                    job.setLong(4, now - i * 1000L);
                    job.setLong(5, now - i * 1000L);
                    job.setString(6, "wn" + (i % 97));
                    job.setString(7, "site" + (i % 5));
                    job.setString(8, "reco");
                    job.setLong(9, now);
                    job.addBatch();
                    log.setString(1, id);
                    log.setString(2, "stderr");
                    log.setString(3, tails[i % tails.length]);
                    log.addBatch();
                    if (i % 500 == 499) {
                        job.executeBatch();
                        log.executeBatch();
                        c.commit();
                    }
                }
                job.executeBatch();
                log.executeBatch();
                c.commit();
            }
        }
    }

    private static long writeLog(Path log, long bytes) throws IOException {
        Random rnd = new Random(7);
        long written = 0;
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(log), 1 << 20)) {
            int i = 0;
            while (written < bytes) {
                String line = (i % 50_000 == 49_999 ? ERRORS[(i / 50_000) % ERRORS.length] : noise(rnd, i)) + "\n";
                byte[] b = line.getBytes(StandardCharsets.UTF_8);
                o.write(b);
                written += b.length;
                i++;
            }
        }
        return written;
    }

    private static long scanOnce(CompiledRules rules, Path log) {
        long[] lines = {0, -1};
        LogScan scan = new LogScan(rules, h -> {
            if (h.lineNo() != lines[1]) {
                lines[1] = h.lineNo();
                lines[0]++;
            }
        });
        scan.scan(LogSource.of("stderr", log));
        return lines[0];
    }

    /** Seconds and matching lines of grep -E over the same line patterns (case-sensitive and -i sets). */
    private static double[] grep(CompiledRules rules, Path log, Path dir) throws Exception {
        List<String> exact = new ArrayList<>();
        List<String> folded = new ArrayList<>();
        for (Rule r : rules.lineRules) {
            ((r.pattern().flags() & Pattern.CASE_INSENSITIVE) != 0 ? folded : exact)
                    .add(r.pattern().pattern());
        }
        Path fe = dir.resolve("bench-patterns.txt");
        Path fi = dir.resolve("bench-patterns-i.txt");
        Files.write(fe, exact);
        Files.write(fi, folded);
        try {
            double total = 0;
            long count = 0;
            long ticks0 = childrenCpuTicks();
            for (String[] cmd : new String[][] {
                {"grep", "-c", "-E", "-f", fe.toString(), log.toString()},
                {"grep", "-c", "-E", "-i", "-f", fi.toString(), log.toString()}
            }) {
                long t0 = System.nanoTime();
                Process p;
                try {
                    p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                } catch (IOException e) {
                    return null;
                }
                String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                p.waitFor(10, TimeUnit.MINUTES);
                total += (System.nanoTime() - t0) / 1e9;
                try {
                    count += Long.parseLong(outText);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
            return new double[] {total, count, (childrenCpuTicks() - ticks0) / 100.0};
        } finally {
            Files.deleteIfExists(fe);
            Files.deleteIfExists(fi);
        }
    }

    /** CPU time of this process (all its threads), in seconds. */
    private static double cpuSeconds() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() / 1e9
                : 0;
    }

    /** User+system CPU of the reaped child processes (grep), in ticks of 10 ms. */
    private static long childrenCpuTicks() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).strip();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "machine: " + Runtime.getRuntime().availableProcessors() + " CPU(s) (nproc), " + cpu + ", Java "
                + System.getProperty("java.version");
    }
}
