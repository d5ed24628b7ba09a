package io.jobscope.demo;

import io.jobscope.client.Event;
import io.jobscope.client.Reporter;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Feeds a server the demo workload through a {@link Reporter} (the real HTTP path): a day of history at
 * once, then the two workflows live, each task started when what it depends on succeeded, on a few
 * slots, and cancelled when a dependency failed.
 */
public final class DemoFeeder {
    private final Reporter reporter;
    private final TaskRunner runner;
    private final PrintWriter log;
    private final String host;
    private final String cpuModel;
    private final DemoServices services;

    DemoFeeder(
            Reporter reporter,
            TaskRunner runner,
            PrintWriter log,
            String host,
            String cpuModel,
            DemoServices services) {
        this.reporter = reporter;
        this.runner = runner;
        this.log = log;
        this.host = host;
        this.cpuModel = cpuModel;
        this.services = services;
    }

    /** A feeder that plays the tasks in real time ({@code speed} 1) on this machine's name and CPU model. */
    public static DemoFeeder simulated(Reporter reporter, PrintWriter log, double speed) {
        String host = hostName();
        String cpu = cpuModel();
        return new DemoFeeder(reporter, new SimulatedTaskRunner(host, cpu, speed), log, host, cpu, null);
    }

    /**
     * A feeder that also reports service status through {@code services}; with {@code wrapped}, each task is
     * a real command run by {@code jobscope run} reporting to {@code server} (scripts, logs and spool under
     * {@code dir}), else tasks are simulated.
     */
    public static DemoFeeder create(
            Reporter reporter,
            DemoServices services,
            boolean wrapped,
            java.net.URI server,
            java.nio.file.Path dir,
            PrintWriter log,
            double speed) {
        String host = hostName();
        String cpu = cpuModel();
        TaskRunner runner = wrapped
                ? WrappedTaskRunner.create(server, dir, speed, log)
                        .<TaskRunner>map(r -> r)
                        .orElseGet(() -> new SimulatedTaskRunner(host, cpu, speed))
                : new SimulatedTaskRunner(host, cpu, speed);
        if (runner instanceof WrappedTaskRunner) {
            log.println("demo: tasks are real commands wrapped by 'jobscope run' (scripts and logs in " + dir + ")");
        }
        return new DemoFeeder(reporter, runner, log, host, cpu, services);
    }

    /** Sends the history, then runs both workflows to their end; returns the number of tasks that failed. */
    public int run() throws Exception {
        if (services != null) {
            services.history(Instant.now());
            log.println("demo: reported 30 days of service status, maintenance and an announcement");
        }
        reporter.send(DemoWorkload.history(Instant.now(), host, cpuModel));
        log.println("demo: loaded a day of history (6 earlier workflows); starting the live workflows");
        log.flush();
        ExecutorService workflows = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> reco = workflows.submit(
                    () -> runWorkflow(DemoWorkload.RECO, "reco-v9 (demo)", "alice", DemoWorkload.reco(), 4, 0));
            Future<Integer> scan = workflows.submit(
                    () -> runWorkflow(DemoWorkload.SCAN, "lambda scan (demo)", "bob", DemoWorkload.scan(), 2, 15_000));
            return reco.get() + scan.get();
        } finally {
            workflows.shutdownNow();
        }
    }

    private int runWorkflow(String wf, String name, String user, List<DemoTask> tasks, int slots, long delayMs)
            throws Exception {
        Thread.sleep(delayMs);
        Instant start = Instant.now();
        List<Event> submitted = new ArrayList<>();
        submitted.add(Event.workflow(Event.WORKFLOW_STARTED, wf, start)
                .put("name", name)
                .put("user", user));
        for (DemoTask t : tasks) {
            submitted.add(Event.job(Event.JOB_SUBMITTED, t.id(), start)
                    .put("workflow", wf)
                    .put("app", t.app())
                    .put("script", t.script())
                    .put("params", Map.of("cores", t.cores(), "seconds", t.seconds()))
                    .put("depends_on", t.dependsOn().isEmpty() ? null : t.dependsOn()));
        }
        reporter.send(submitted);
        log.printf("demo: workflow %s started with %d tasks%n", wf, tasks.size());
        log.flush();
        Map<String, Boolean> done = new HashMap<>(); // task id -> succeeded
        Map<String, DemoTask> waiting = new LinkedHashMap<>();
        tasks.forEach(t -> waiting.put(t.id(), t));
        Map<String, Future<Boolean>> running = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(slots);
        int failed = 0;
        try {
            while (!waiting.isEmpty() || !running.isEmpty()) {
                for (var it = running.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (e.getValue().isDone()) {
                        boolean ok;
                        try {
                            ok = e.getValue().get();
                        } catch (Exception ex) {
                            log.printf("demo: task %s could not report: %s%n", e.getKey(), ex.getMessage());
                            ok = false;
                        }
                        done.put(e.getKey(), ok);
                        failed += ok ? 0 : 1;
                        it.remove();
                    }
                }
                for (var it = waiting.values().iterator(); it.hasNext(); ) {
                    DemoTask t = it.next();
                    boolean blocked = t.dependsOn().stream().anyMatch(d -> Boolean.FALSE.equals(done.get(d)));
                    if (blocked) {
                        reporter.send(List.of(Event.job(Event.JOB_FINISHED, t.id(), Instant.now())
                                .put("status", "cancelled")
                                .put("error", "not run: a task it depends on failed")));
                        done.put(t.id(), false);
                        it.remove();
                        continue;
                    }
                    boolean ready = t.dependsOn().stream().allMatch(d -> Boolean.TRUE.equals(done.get(d)));
                    if (ready && running.size() < slots) {
                        String slot = "slot-" + (running.size() + 1);
                        if (services != null
                                && t.failure() != null
                                && t.failure().service() != null) {
                            // monitoring notices the outage this task is about to run into
                            services.outage(
                                    t.failure().service(),
                                    "door dcache-door.demo:22125 not responding (probe failed 3 times)",
                                    java.time.Duration.ofSeconds(45));
                        }
                        running.put(t.id(), pool.submit(() -> runner.run(t, slot, reporter)));
                        it.remove();
                    }
                }
                Thread.sleep(200);
            }
            boolean anyFailed = done.values().stream().anyMatch(ok -> !ok);
            reporter.send(List.of(Event.workflow(Event.WORKFLOW_FINISHED, wf, Instant.now())
                    .put("status", anyFailed ? "failed" : "success")));
            log.printf("demo: workflow %s finished, %d task(s) failed%n", wf, failed);
            log.flush();
            return failed;
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    private static String cpuModel() {
        try {
            String name = new oshi.SystemInfo()
                    .getHardware()
                    .getProcessor()
                    .getProcessorIdentifier()
                    .getName();
            return name == null || name.isBlank() ? "unknown CPU" : name.strip();
        } catch (RuntimeException | LinkageError e) {
            return "unknown CPU";
        }
    }
}
