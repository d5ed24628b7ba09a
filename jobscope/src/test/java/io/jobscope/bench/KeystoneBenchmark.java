package io.jobscope.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Generates keystone histories of N records in two shapes — as the issue sizes them (no
 * {@code detailed_profile}: 1M ≈ 443 MB) and shaped like the fixture (every record with its profile: 1M ≈ 963
 * MB) — imports each with {@code java -Xmx512m -jar jobscope.jar import keystone} in a fresh JVM into a fresh
 * store, then times whole CLI commands on the fixture-shaped store of N jobs: {@code stats}, {@code stats --by
 * app}, {@code history --status failed --limit 20}. Prints a table.
 *
 * <p>Run: {@code scripts/bench keystone [records]}
 */
public final class KeystoneBenchmark {
    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path dir = Files.createTempDirectory("jobscope-keystone-bench");
        Path jar = Path.of("jobscope/target/jobscope.jar").toAbsolutePath();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"command", "wall s", "max RSS MB", "target"});
        String db = null;
        for (boolean profile : new boolean[] {false, true}) {
            Path file = dir.resolve(profile ? "jobs_history.jsonl" : "jobs_history_no_profile.jsonl");
            System.out.printf("generating %,d records into %s ...%n", records, file);
            generate(file, records, profile);
            long size = Files.size(file);
            db = dir.resolve(profile ? "bench.db" : "bench-no-profile.db").toString();
            Run imp = run(List.of(
                    "java", "-Xmx512m", "-jar", jar.toString(), "import", "keystone", "--db", db, file.toString()));
            rows.add(new String[] {
                String.format(
                        Locale.ROOT,
                        "import keystone (%,d records, %,d MB, %s), -Xmx512m",
                        records,
                        size >> 20,
                        profile ? "shaped like the fixture" : "no detailed_profile, as the issue sizes it"),
                BenchSupport.fmt(imp.seconds),
                BenchSupport.fmt(imp.rssMb),
                "<= 15 s"
            });
            Files.delete(file);
        }
        String[][] queries = {{"stats"}, {"stats", "--by", "app"}, {"history", "--status", "failed", "--limit", "20"}};
        String launcher = Path.of("bin/jobscope").toAbsolutePath().toString();
        for (String[] q : queries) {
            // As a user runs it (bin/jobscope: C1, serial GC, a class-data archive made on the first run), and as
            // a bare `java -jar`; each the second of two runs, the page cache warm as a user's second look finds it.
            for (List<String> start : List.of(List.of(launcher), List.of("java", "-jar", jar.toString()))) {
                List<String> cmd = new ArrayList<>(start);
                cmd.addAll(List.of(q));
                cmd.addAll(List.of("--db", db));
                run(cmd);
                Run r = run(cmd);
                rows.add(new String[] {
                    (start.size() == 1 ? "bin/jobscope " : "java -jar jobscope.jar ") + String.join(" ", q) + " ("
                            + String.format("%,d", records) + " jobs)",
                    BenchSupport.fmt(r.seconds),
                    BenchSupport.fmt(r.rssMb),
                    "<= 1 s"
                });
            }
        }
        BenchSupport.table("keystone import and queries benchmark (whole commands, fresh JVM each)", rows);
        System.out.println("imported store: " + db + " (" + (Files.size(Path.of(db)) >> 20) + " MB)");
    }

    record Run(double seconds, double rssMb, String out) {}

    /** Runs a command, timing it and sampling its peak RSS (VmHWM) from /proc. */
    static Run run(List<String> cmd) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process gone
            }
        });
        reader.start();
        long hwm = 0;
        Path status = Path.of("/proc/" + p.pid() + "/status");
        while (!p.waitFor(20, TimeUnit.MILLISECONDS)) {
            try {
                for (String l : Files.readAllLines(status)) {
                    if (l.startsWith("VmHWM:")) {
                        hwm = Math.max(hwm, Long.parseLong(l.replaceAll("\\D", "")));
                    }
                }
            } catch (IOException ignored) {
                // exited between checks
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        reader.join();
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + out);
        }
        return new Run(secs, hwm / 1024.0, out.toString());
    }

    static void generate(Path file, int records, boolean profile) throws IOException {
        String[] tools = {"fenicsx", "lammps", "openfoam", "gromacs", "cp2k"};
        String[] scripts = {"poisson.py", "elasticity.py", "heat.py", "example.lammps", "pitzDaily.py"};
        String[] statuses = {
            "success", "success", "success", "success", "success", "success", "failed", "error", "timeout"
        };
        java.util.Random rnd = new java.util.Random(42);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder(600);
            long base = java.time.LocalDateTime.parse("2025-10-15T00:00:00").toEpochSecond(java.time.ZoneOffset.UTC);
            for (int i = 0; i < records; i++) {
                int k = rnd.nextInt(tools.length);
                String status = statuses[rnd.nextInt(statuses.length)];
                double dur = 1 + rnd.nextInt(30000) / 100.0;
                long startMicros = (base + i * 3L) * 1_000_000L + rnd.nextInt(1_000_000);
                String start = java.time.LocalDateTime.ofEpochSecond(
                                startMicros / 1_000_000,
                                (int) (startMicros % 1_000_000) * 1000,
                                java.time.ZoneOffset.UTC)
                        .toString();
                long endMicros = startMicros + (long) (dur * 1_000_000);
                String end = java.time.LocalDateTime.ofEpochSecond(
                                endMicros / 1_000_000, (int) (endMicros % 1_000_000) * 1000, java.time.ZoneOffset.UTC)
                        .toString();
                double user = Math.round(dur * (0.5 + rnd.nextDouble()) * 100) / 100.0;
                double sys = Math.round(rnd.nextDouble() * 300) / 100.0;
                sb.setLength(0);
                sb.append("{\"task_id\": \"")
                        .append(new UUID(rnd.nextLong(), rnd.nextLong()))
                        .append("\", \"tool\": \"")
                        .append(tools[k])
                        .append("\", \"script\": \"")
                        .append(scripts[k])
                        .append("\", \"params\": {\"mesh_size\": ")
                        .append(16 << rnd.nextInt(4))
                        .append("}, \"start_time\": \"")
                        .append(start)
                        .append("\", \"end_time\": \"")
                        .append(end)
                        .append("\", \"duration_seconds\": ")
                        .append(dur)
                        .append(", \"status\": \"")
                        .append(status)
                        .append("\", \"returncode\": ")
                        .append(status.equals("success") ? 0 : status.equals("error") ? -1 : 1)
                        .append(", \"resource_usage\": {\"cpu_user_seconds\": ")
                        .append(user)
                        .append(", \"cpu_system_seconds\": ")
                        .append(sys)
                        .append(", \"cpu_total_seconds\": ")
                        .append(Math.round((user + sys) * 100) / 100.0)
                        .append(", \"memory_peak_mb\": ")
                        .append(Math.round(rnd.nextDouble() * 400000) / 100.0)
                        .append("}, \"error\": ")
                        .append(status.equals("success") ? "null" : "\"Simulation failed with non-zero exit code\"")
                        .append(", \"has_result\": false");
                if (!profile) {
                    w.append(sb).append("}\n");
                    continue;
                }
                sb.append(", \"detailed_profile\": {\"duration_seconds\": ")
                        .append(dur)
                        .append(", \"samples_collected\": ")
                        .append((int) (dur * 2))
                        .append(
                                ", \"sampling_interval_seconds\": 0.5, \"cpu\": {\"mean_percent\": 67.37, \"max_percent\": 95.41, \"min_percent\": 5.5}, \"memory\": {\"mean_used_mb\": 2794.27, \"max_used_mb\": 5722.04, \"min_used_mb\": 1231.92}, \"process_cpu\": {\"mean_percent\": 0.76, \"max_percent\": 18.89}, \"process_memory\": {\"mean_mb\": 75.6, \"max_mb\": 100.3, \"min_mb\": 57.77}, \"io_stats\": {\"read_mb\": 31.88, \"write_mb\": 95.75, \"read_count\": 350, \"write_count\": 2467, \"total_io_mb\": 127.63}, \"container_stats\": {}, \"gpu_stats\": {}}}\n");
                w.append(sb);
            }
        }
    }
}
