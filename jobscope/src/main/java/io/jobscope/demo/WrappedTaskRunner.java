package io.jobscope.demo;

import io.jobscope.client.Reporter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs each demo task as a real command wrapped by {@code jobscope run} (its own JVM, so that the kernel's
 * accounting of CPU and memory is the task's alone), reporting over HTTP to the demo's server: a Python
 * script that burns CPU, touches memory, marks its phases with {@code JOBSCOPE PHASE} lines and fails for
 * real (traceback, MemoryError, segfault, refused connection, time limit), or a shell script doing I/O.
 */
final class WrappedTaskRunner implements TaskRunner {
    /** Real tasks hold this fraction of the memory the workload names, to stay kind to a shared machine. */
    static final int MEMORY_DIVISOR = 8;

    private static final long MB = 1L << 20;

    private final URI server;
    private final Path dir;
    private final Path scripts;
    private final Path logs;
    private final double speed;
    private final List<String> wrapper;

    private WrappedTaskRunner(URI server, Path dir, double speed, List<String> java) throws IOException {
        this.server = server;
        this.dir = dir;
        this.speed = speed;
        this.wrapper = java;
        this.scripts = Files.createDirectories(dir.resolve("scripts"));
        this.logs = Files.createDirectories(dir.resolve("logs"));
        Files.createDirectories(dir.resolve("spool"));
        for (String name : List.of("demo_task.py", "fetch.sh")) {
            try (InputStream in = WrappedTaskRunner.class.getResourceAsStream("/demo/" + name)) {
                if (in == null) {
                    throw new IOException("demo script " + name + " is missing from the jar");
                }
                Path target = scripts.resolve(name);
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                target.toFile().setExecutable(true);
            }
        }
    }

    /**
     * A runner writing its scripts, logs and spool under {@code dir}; empty (with the reason on {@code log})
     * when this machine lacks what it needs: python3 and bash on the PATH, a java launcher.
     */
    static Optional<WrappedTaskRunner> create(URI server, Path dir, double speed, PrintWriter log) {
        Optional<String> javaBin = ProcessHandle.current().info().command();
        String missing = javaBin.isEmpty() ? "the java launcher of this JVM" : null;
        for (String tool : List.of("python3", "bash")) {
            if (missing == null && onPath(tool).isEmpty()) {
                missing = tool;
            }
        }
        if (missing != null) {
            log.println("demo: cannot run real commands (" + missing + " not found); simulating the tasks instead");
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>(List.of(
                javaBin.get(),
                // what bin/jobscope gives the wrapper: fast start, a small heap
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xms8m",
                "-Xmx96m",
                "-Xss512k",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                "io.jobscope.cli.Main",
                "run"));
        try {
            return Optional.of(new WrappedTaskRunner(server, dir, speed, List.copyOf(cmd)));
        } catch (IOException e) {
            log.println("demo: cannot prepare real commands (" + e.getMessage() + "); simulating the tasks instead");
            return Optional.empty();
        }
    }

    private static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String d : path.split(File.pathSeparator)) {
            Path p = Path.of(d, tool);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The {@code jobscope run} command line for a task. */
    List<String> command(DemoTask task, String slot) {
        double seconds = task.seconds() / speed;
        List<String> c = new ArrayList<>(wrapper);
        c.addAll(List.of(
                "--server",
                server.toString(),
                "--id",
                task.id(),
                "--workflow",
                task.workflow(),
                "--app",
                task.app(),
                "--site",
                "demo",
                "--param",
                "slot=" + slot,
                "--param",
                "cores=" + task.cores(),
                "--sample-interval",
                "2s",
                "--kill-grace",
                "2s",
                "--log-dir",
                logs.toString()));
        DemoTask.Failure f = task.failure();
        if (f != null && "timeout".equals(f.mode())) {
            c.addAll(List.of("--timeout", Math.max(2, Math.round(seconds)) + "s"));
        }
        if (task.app().equals("fetch")) {
            c.addAll(List.of(
                    "--script",
                    scripts.resolve("fetch.sh").toString(),
                    "--",
                    "bash",
                    scripts.resolve("fetch.sh").toString(),
                    task.id(),
                    String.valueOf(Math.max(1, task.memBytes() / MB / MEMORY_DIVISOR)),
                    dir.toString()));
            return c;
        }
        c.addAll(List.of(
                "--script",
                scripts.resolve("demo_task.py").toString(),
                "--",
                "python3",
                "-X",
                "faulthandler",
                scripts.resolve("demo_task.py").toString(),
                "--task",
                task.id(),
                "--phases",
                String.join(",", task.phases()),
                "--seconds",
                String.format(Locale.ROOT, "%.2f", seconds),
                "--mem-mb",
                String.valueOf(Math.max(8, task.memBytes() / MB / MEMORY_DIVISOR))));
        if (f != null && f.mode() != null) {
            c.addAll(List.of("--fail", f.mode(), "--fail-phase", f.phase()));
        }
        return c;
    }

    @Override
    public boolean run(DemoTask task, String slot, Reporter reporter) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(task, slot))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve(task.id() + ".console").toFile());
        pb.environment().put("JOBSCOPE_SPOOL", dir.resolve("spool").toString());
        // The cores the task was given: for the task's threads, and for jobscope run to record as its allocation.
        pb.environment().put("OMP_NUM_THREADS", String.valueOf(task.cores()));
        pb.environment().put("JOBSCOPE_CORES", String.valueOf(task.cores()));
        pb.environment().remove("JOBSCOPE_DB");
        Process p = pb.start();
        try {
            // The wrapper ends the task itself on a timeout; this only guards against a wedged wrapper.
            if (!p.waitFor((long) (task.seconds() / speed) + 120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (InterruptedException e) {
            p.destroy(); // the wrapper forwards SIGTERM to the task and reports it cancelled
            p.waitFor(5, TimeUnit.SECONDS);
            throw e;
        }
    }
}
