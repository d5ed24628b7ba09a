package io.jobscope.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark of {@code jobscope sweep} (not a test): items per second of a sweep of {@code true} at several
 * parallelisms, to the spool and to a SQLite store, against {@code xargs -P} running the same bare
 * commands and against one {@code jobscope run} JVM per item. Prints a table with the machine; see
 * docs/benchmarks.md.
 */
public final class SweepBench {
    private SweepBench() {}

    public static void main(String[] args) throws Exception {
        int items = 500;
        int perItemRuns = 10;
        Path jar = Path.of("jobscope/target/jobscope.jar");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--items" -> items = Integer.parseInt(args[++i]);
                case "--run-items" -> perItemRuns = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + " (known: --items N, --run-items N, --jar PATH)");
            }
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " not found: build it first with ./mvnw -B -DskipTests package");
        }
        jar = jar.toAbsolutePath();
        Path work = Files.createTempDirectory("jobscope-sweep-bench-");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path csv = work.resolve("params.csv");
        StringBuilder sb = new StringBuilder("i\n");
        for (int i = 1; i <= items; i++) {
            sb.append(i).append('\n');
        }
        Files.writeString(csv, sb);

        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"what", "items", "parallel", "wall s", "items/s", "ms/item", "peak RSS MB"});
        for (int n : new int[] {1, 4}) {
            double t = time(work, List.of("sh", "-c", "seq 1 " + items_(csv) + " | xargs -P " + n + " -n 1 true"))[0];
            rows.add(row("xargs -P (no monitoring)", items, n, t, 0));
        }
        for (String dest : new String[] {"spool", "sqlite"}) {
            for (int n : new int[] {1, 4, 8}) {
                String wf = "bench-" + dest + "-" + n;
                List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-jar", jar.toString(), "sweep"));
                cmd.addAll(
                        dest.equals("spool")
                                ? List.of("--spool", work.resolve("spool-" + n).toString())
                                : List.of(
                                        "--db",
                                        work.resolve("store-" + n + ".db").toString()));
                cmd.addAll(List.of(
                        "--data",
                        csv.toString(),
                        "--workflow",
                        wf,
                        "-j",
                        Integer.toString(n),
                        "--log-dir",
                        work.resolve("logs").toString(),
                        "--",
                        "true",
                        "{i}"));
                double[] r = time(work, cmd);
                rows.add(row(
                        "jobscope sweep --" + (dest.equals("spool") ? "spool" : "db (SQLite)"), items, n, r[0], r[1]));
            }
        }
        List<String> one = List.of(
                "sh",
                "-c",
                "for i in $(seq 1 " + perItemRuns + "); do " + java + " -XX:TieredStopAtLevel=1"
                        + " -XX:+UseSerialGC -Xmx96m -jar " + jar + " run --spool " + work.resolve("spool-run")
                        + " --log-dir " + work.resolve("logs-run") + " -- true $i || exit 1; done");
        rows.add(row("one jobscope run JVM per item", perItemRuns, 1, time(work, one)[0], 0));
        BenchSupport.table("# jobscope sweep: items of `true`", rows);
        deleteTree(work);
    }

    private static String items_(Path csv) throws Exception {
        return Long.toString(Files.lines(csv).count() - 1);
    }

    private static String[] row(String what, int items, int parallel, double wall, double rssMb) {
        return new String[] {
            what,
            Integer.toString(items),
            Integer.toString(parallel),
            String.format(Locale.ROOT, "%.2f", wall),
            String.format(Locale.ROOT, "%.0f", items / wall),
            String.format(Locale.ROOT, "%.1f", wall * 1000 / items),
            rssMb > 0 ? String.format(Locale.ROOT, "%.0f", rssMb) : "–"
        };
    }

    /** Wall seconds of {@code cmd}, and the peak RSS (VmHWM, MB) of its process seen while it ran. */
    private static double[] time(Path dir, List<String> cmd) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("bench.err").toFile())
                .start();
        double hwm = 0;
        Path status = Path.of("/proc/" + p.pid() + "/status");
        while (p.isAlive()) {
            try {
                for (String l : Files.readAllLines(status)) {
                    if (l.startsWith("VmHWM:")) {
                        hwm = Math.max(hwm, Long.parseLong(l.replaceAll("\\D", "")) / 1024.0);
                    }
                }
            } catch (Exception ignored) {
                // ended meanwhile
            }
            Thread.sleep(20);
        }
        double wall = (System.nanoTime() - start) / 1e9;
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException(
                    String.join(" ", cmd) + " exited " + rc + ": " + Files.readString(dir.resolve("bench.err")));
        }
        return new double[] {wall, hwm};
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }
}
