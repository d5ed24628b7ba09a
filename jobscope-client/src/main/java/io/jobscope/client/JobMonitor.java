package io.jobscope.client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Records jobs run inside a Java program: {@code start}/{@code stop} around the work, or {@code track} for a
 * block. CPU time is the calling thread's own (what the block really used, not the whole JVM's). Events go
 * to a {@link Reporter}; a reporter failure never fails the job, it is passed to the warning handler.
 *
 * <pre>{@code
 * JobMonitor monitor = JobMonitor.toServer(URI.create("http://127.0.0.1:8080"), null);
 * monitor.track("task-456", "lammps", "example.lammps", Map.of(), t -> runSimulation());
 * try (var t = monitor.track("task-457", "lammps", "example.lammps", Map.of())) {
 *     if (rc != 0) t.setStatus("failed", rc, stderr);
 * }
 * }</pre>
 */
public final class JobMonitor implements AutoCloseable {
    private final Reporter reporter;
    private final Clock clock;
    private final Consumer<String> warnings;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private volatile String workflow;

    public JobMonitor(Reporter reporter, Clock clock, Consumer<String> warnings) {
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        this.clock = clock;
        this.warnings = warnings;
    }

    public JobMonitor(Reporter reporter) {
        this(reporter, Clock.systemUTC(), w -> System.err.println("jobscope: warning: " + w));
    }

    /** Delivers to a server; when it cannot be reached, events wait in {@code spool} (if not null). */
    public static JobMonitor toServer(URI server, String token, Path spool) {
        Reporter http = new HttpReporter(server, token);
        return new JobMonitor(spool == null ? http : new FallbackReporter(http, new SpoolReporter(spool)));
    }

    /** Writes events into a spool directory, for nodes that cannot reach a server. */
    public static JobMonitor toSpool(Path spool) {
        return new JobMonitor(new SpoolReporter(spool));
    }

    /** Jobs started from now on belong to this workflow. */
    public JobMonitor workflow(String workflowId) {
        this.workflow = workflowId;
        return this;
    }

    /** Marks the job started now (event {@code job.started}). */
    public void start(String id, String app, String script, Map<String, ?> params) {
        Objects.requireNonNull(id, "id");
        Instant now = clock.instant();
        running.put(id, new Running(now, cpuNanos(), userNanos()));
        report(Event.job(Event.JOB_STARTED, id, now)
                .put("workflow", workflow)
                .put("app", app)
                .put("script", script)
                .put("params", params));
    }

    /**
     * Marks the job finished (event {@code job.finished}) with its duration and the CPU time the calling
     * thread used since {@link #start}.
     */
    public void stop(String id, String status, Integer exitCode, String error) {
        if (!Statuses.isKnown(status)) {
            throw new IllegalArgumentException("status must be one of " + Statuses.ALL + ", got '" + status + "'");
        }
        Running r = running.remove(id);
        Instant now = clock.instant();
        Event e = Event.job(Event.JOB_FINISHED, id, now)
                .put("status", status)
                .put("exit_code", exitCode)
                .put("error", error);
        if (r != null) {
            double total = Math.max(0, cpuNanos() - r.cpuNanos) / 1e9;
            double user = Math.max(0, userNanos() - r.userNanos) / 1e9;
            e.put("cpu_user_s", user).put("cpu_system_s", Math.max(0, total - user));
        }
        report(e);
    }

    /** Tracks a block: the job ends {@code success} unless the tracker was given another status. */
    public Tracker track(String id, String app, String script, Map<String, ?> params) {
        start(id, app, script, params);
        return new Tracker(id);
    }

    /**
     * Runs {@code body} as the job: {@code success} when it returns, {@code error} with the exception's
     * message when it throws (the exception is rethrown).
     */
    public <T> T track(String id, String app, String script, Map<String, ?> params, Callable<T> body) throws Exception {
        try (Tracker t = track(id, app, script, params)) {
            try {
                return body.call();
            } catch (Exception | Error e) {
                t.fail(e);
                throw e;
            }
        }
    }

    private void report(Event e) {
        try {
            reporter.send(List.of(e));
        } catch (IOException | RuntimeException ex) {
            warnings.accept("could not report " + e.type() + " of job " + e.jobId() + ": " + ex.getMessage());
        }
    }

    private long cpuNanos() {
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
    }

    private long userNanos() {
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadUserTime() : 0;
    }

    @Override
    public void close() {
        reporter.close();
    }

    private record Running(Instant start, long cpuNanos, long userNanos) {}

    /** A job tracked by a block; closing it reports the outcome. */
    public final class Tracker implements AutoCloseable {
        private final String id;
        private String status = Statuses.SUCCESS;
        private Integer exitCode;
        private String error;
        private boolean closed;

        private Tracker(String id) {
            this.id = id;
        }

        /** Sets the outcome reported on close. */
        public Tracker setStatus(String status, Integer exitCode, String error) {
            if (!Statuses.isKnown(status)) {
                throw new IllegalArgumentException("status must be one of " + Statuses.ALL + ", got '" + status + "'");
            }
            this.status = status;
            this.exitCode = exitCode;
            this.error = error;
            return this;
        }

        /** Marks the job {@code error} with the exception's class and message. */
        public Tracker fail(Throwable t) {
            String msg = t.getMessage() == null
                    ? t.getClass().getName()
                    : t.getClass().getName() + ": " + t.getMessage();
            return setStatus(Statuses.ERROR, null, msg);
        }

        public String id() {
            return id;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                stop(id, status, exitCode, error);
            }
        }
    }
}
