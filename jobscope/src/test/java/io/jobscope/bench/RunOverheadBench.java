package io.jobscope.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Benchmark of {@code jobscope run} (not a test): the wall time it adds to {@code true} with several JVM
 * set-ups, and what sampling a tree of 50 processes every second costs the wrapper (CPU, RSS). Prints a
 * table with the machine. See docs/benchmarks.md for how to run it.
 */
public final class RunOverheadBench {
    private RunOverheadBench() {}

    public static void main(String[] args) throws Exception {
        int runs = 15;
        int sampleSeconds = 60;
        Path jar = Path.of("jobscope/target/jobscope.jar");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--sample-seconds" -> sampleSeconds = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + " (known: --runs N, --sample-seconds S, --jar PATH)");
            }
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " not found: build it first with ./mvnw -B -DskipTests package");
        }
        jar = jar.toAbsolutePath();
        Path work = Files.createTempDirectory("jobscope-bench-");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path spool = work.resolve("spool");
        List<String> light = List.of(
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xms8m",
                "-Xmx96m",
                "-XX:ReservedCodeCacheSize=16m",
                "-Xss512k");
        Path jsa = work.resolve("run.jsa");
        List<String> cds = new ArrayList<>(light);
        cds.add("-XX:ArchiveClassesAtExit=" + jsa);
        cds.add("-Xlog:cds=off");
        cds.add("-Xlog:cds+dynamic=off");
        exec(work, wrapper(java, cds, jar, spool, "true")); // records the archive
        List<String> withArchive = new ArrayList<>(light);
        withArchive.add("-XX:SharedArchiveFile=" + jsa);
        withArchive.add("-Xlog:cds=off");

        System.out.println("# jobscope run overhead");
        System.out.println();
        System.out.printf(
                "machine: %d cores (nproc), %s, %s%n",
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        System.out.printf(
                "load average at start: %s%n",
                Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.println();
        System.out.printf(
                "%-52s %10s %10s %12s %10s%n",
                "wall time of `true`, " + runs + " runs", "median s", "p90 s", "added s", "CPU s");
        double base = row("true alone", work, List.of("true"), runs, 0);
        row("jobscope run (default JVM)", work, wrapper(java, List.of(), jar, spool, "true"), runs, base);
        row("jobscope run (C1 only, SerialGC, 96m heap)", work, wrapper(java, light, jar, spool, "true"), runs, base);
        row(
                "jobscope run (as bin/jobscope: + AppCDS archive)",
                work,
                wrapper(java, withArchive, jar, spool, "true"),
                runs,
                base);
        System.out.printf(
                "load average after these runs: %s%n",
                Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.println();
        sampling(java, withArchive, jar, work, sampleSeconds);
    }

    private static List<String> wrapper(String java, List<String> opts, Path jar, Path spool, String... cmd) {
        List<String> c = new ArrayList<>();
        c.add(java);
        c.addAll(opts);
        c.addAll(List.of("-jar", jar.toString(), "run", "--spool", spool.toString(), "--id", "bench", "--"));
        c.addAll(Arrays.asList(cmd));
        return c;
    }

    private static double row(String name, Path work, List<String> cmd, int runs, double base) throws Exception {
        exec(work, cmd); // warm the page cache
        double[] t = new double[runs];
        double[] cpu = new double[runs];
        for (int i = 0; i < runs; i++) {
            long c0 = childrenCpuTicks();
            long t0 = System.nanoTime();
            exec(work, cmd);
            t[i] = (System.nanoTime() - t0) / 1e9;
            cpu[i] = (childrenCpuTicks() - c0) / 100.0;
        }
        Arrays.sort(t);
        Arrays.sort(cpu);
        double median = t[runs / 2];
        double p90 = t[Math.min(runs - 1, (int) Math.ceil(runs * 0.9) - 1)];
        System.out.printf(
                Locale.ROOT,
                "%-52s %10.3f %10.3f %12s %10.2f%n",
                name,
                median,
                p90,
                base == 0 ? "-" : String.format(Locale.ROOT, "%.3f", median - base),
                cpu[runs / 2]);
        return median;
    }

    /** User+system CPU of this JVM's reaped children (and theirs), in ticks of 10 ms. */
    private static long childrenCpuTicks() {
        try {
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (Exception e) {
            return 0;
        }
    }

    private static void sampling(String java, List<String> opts, Path jar, Path work, int seconds) throws Exception {
        String tree = "for i in $(seq 49); do sleep " + seconds + " & done; wait";
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(opts);
        cmd.addAll(List.of(
                "-jar",
                jar.toString(),
                "run",
                "--spool",
                work.resolve("spool").toString(),
                "--id",
                "bench-tree",
                "--sample-interval",
                "1s",
                "--",
                "bash",
                "-c",
                tree));
        Process p = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectOutput(new File("/dev/null"))
                .redirectError(new File("/dev/null"))
                .start();
        long pid = p.pid();
        long t0 = System.nanoTime();
        Thread.sleep(5000); // past the JVM's start-up: what follows is the cost of sampling
        long cpu5 = ownCpuTicks(pid);
        long t5 = System.nanoTime();
        long lastCpu = cpu5;
        long lastT = t5;
        long hwm = 0;
        int maxProcs = 0;
        while (p.isAlive()) {
            long c = ownCpuTicks(pid);
            if (c >= 0) {
                lastCpu = c;
                lastT = System.nanoTime();
                hwm = Math.max(hwm, hwmKb(pid));
                maxProcs = Math.max(maxProcs, countTree(pid));
            }
            Thread.sleep(500);
        }
        double window = (lastT - t5) / 1e9;
        double cpuS = (lastCpu - cpu5) / 100.0;
        System.out.printf(
                "sampling a tree of %d processes every 1 s for %d s (wrapper = jobscope run with the bin/jobscope flags)%n",
                maxProcs - 1, seconds);
        System.out.printf("%-52s %12s%n", "measure", "value");
        System.out.printf(Locale.ROOT, "%-52s %12.3f%n", "wrapper CPU after start-up, s", cpuS);
        System.out.printf(Locale.ROOT, "%-52s %12.1f%n", "window measured, s", window);
        System.out.printf(Locale.ROOT, "%-52s %11.2f%%%n", "wrapper CPU, % of one core", cpuS / window * 100);
        System.out.printf(Locale.ROOT, "%-52s %12.1f%n", "wrapper peak RSS (VmHWM), MB", hwm / 1024.0);
        System.out.printf(Locale.ROOT, "%-52s %12.1f%n", "total wall, s", (System.nanoTime() - t0) / 1e9);
    }

    /** The process's own user+system ticks, children excluded; -1 once it is gone. */
    private static long ownCpuTicks(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (Exception e) {
            return -1;
        }
    }

    private static long hwmKb(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmHWM:")) {
                    return Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
        } catch (Exception e) {
            // gone
        }
        return 0;
    }

    private static int countTree(long pid) {
        return ProcessHandle.of(pid).map(h -> (int) h.descendants().count() + 1).orElse(0);
    }

    private static void exec(Path work, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd)
                .directory(work.toFile())
                .redirectOutput(new File("/dev/null"))
                .redirectError(new File("/dev/null"))
                .start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("exit " + p.exitValue() + " from " + String.join(" ", cmd));
        }
    }

    private static String cpuModel() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).trim();
                }
            }
        } catch (Exception e) {
            // unknown
        }
        return System.getProperty("os.arch");
    }
}
