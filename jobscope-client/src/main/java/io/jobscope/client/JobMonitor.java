package io.jobscope.client;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Records jobs run inside a Java program: {@code start}/{@code stop} around the work, or {@code track} for a
 * block. CPU time is the calling thread's own (what the block really used, not the whole JVM's). Events go
 * to a {@link Reporter} from a background thread, so a slow or unreachable server never holds the job up or
 * stretches its times; {@link #flush} waits for them, {@link #close} too. A reporter failure never fails the
 * job: it is passed to the warning handler. Jobs still running when the JVM exits are reported {@code error}.
 *
 * <pre>{@code
 * JobMonitor monitor = JobMonitor.toServer(URI.create("http://127.0.0.1:8080"), token);
 * double energy = monitor.track("task-456", "lammps", "example.lammps", Map.of(), () -> runSimulation());
 * try (var t = monitor.track("task-457", "lammps", "example.lammps", Map.of())) {
 *     int rc = runStep();
 *     if (rc != 0) t.setStatus("failed", rc, "step failed"); else t.success();
 * } // closed without success() or setStatus(): an exception left the block, the job is marked error
 * }</pre>
 */
public final class JobMonitor implements AutoCloseable {
    private final Reporter reporter;
    private final Clock clock;
    private final Consumer<String> warnings;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private volatile String workflow;

    /** Events not yet handed to the reporter; bounded, so a dead destination cannot eat the heap. */
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>(100_000);

    private final AtomicLong pending = new AtomicLong();
    private final Object delivered = new Object();
    private final Thread sender;
    private final Thread exitHook;
    private volatile boolean closed;

    public JobMonitor(Reporter reporter, Clock clock, Consumer<String> warnings) {
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        this.clock = clock;
        this.warnings = warnings;
        this.sender = new Thread(this::deliver, "jobscope-monitor");
        this.sender.setDaemon(true);
        this.sender.start();
        this.exitHook = new Thread(this::atExit, "jobscope-monitor-exit");
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    public JobMonitor(Reporter reporter) {
        this(reporter, Clock.systemUTC(), w -> System.err.println("jobscope: warning: " + w));
    }

    /**
     * Delivers to a server; when it cannot be reached, events wait in {@code spool} (if not null) until a
     * server started with {@code --spool} on it, or {@code jobscope flush}, takes them. Said once as a warning.
     */
    public static JobMonitor toServer(URI server, String token, Path spool) {
        Reporter http = new HttpReporter(server, token);
        if (spool == null) {
            return new JobMonitor(http);
        }
        JobMonitor[] self = new JobMonitor[1];
        FallbackReporter r = new FallbackReporter(
                http,
                new SpoolReporter(spool),
                why -> self[0].warn(why
                        + "; events wait in " + spool + " (send them with: jobscope flush --spool " + spool
                        + " --server "
                        + server + ")"));
        return self[0] = new JobMonitor(r);
    }

    /**
     * Delivers to a server; when it cannot be reached, events wait in {@code $JOBSCOPE_SPOOL}, else
     * {@code ~/.jobscope/spool} (where {@code jobscope run} and {@code jobscope flush} look too).
     */
    public static JobMonitor toServer(URI server, String token) {
        return toServer(server, token, SpoolReporter.defaultDir());
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
        Event e = Event.job(Event.JOB_STARTED, id, now)
                .put("workflow", workflow)
                .put("app", app)
                .put("script", script)
                .put("host", Host.NAME);
        try {
            e.put("params", params);
        } catch (IllegalArgumentException notJson) {
            // A value Jackson cannot write must not keep the job from running: its text instead.
            warn("params of job " + id + " are not all JSON values (" + notJson.getMessage() + "): sent as text");
            Map<String, String> text = new java.util.LinkedHashMap<>();
            params.forEach((k, v) -> text.put(k, String.valueOf(v)));
            e.put("params", text);
        }
        report(e);
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

    /**
     * Tracks a block: the job ends {@code success} when {@link Tracker#success} was called, with the status
     * given to {@link Tracker#setStatus} or {@link Tracker#fail}, else (an exception left the block) {@code
     * error}. Java does not show {@code close()} the exception; {@link #track(String, String, String, Map,
     * Callable)} reports its message.
     */
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
                T result = body.call();
                t.success();
                return result;
            } catch (Exception | Error e) {
                t.fail(e);
                throw e;
            }
        }
    }

    private void report(Event e) {
        if (closed) {
            warn("monitor closed: " + e.type() + " of job " + e.jobId() + " not reported");
            return;
        }
        pending.incrementAndGet();
        if (!queue.offer(e)) {
            done(1);
            warn("could not report " + e.type() + " of job " + e.jobId() + ": 100,000 events wait already");
        }
    }

    /** The background thread: hands what waits to the reporter, up to 500 events at a time. */
    private void deliver() {
        List<Event> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException stop) {
                return;
            }
            queue.drainTo(batch, 499);
            try {
                reporter.send(batch);
            } catch (IOException | RuntimeException ex) {
                Event first = batch.get(0);
                warn("could not report "
                        + (batch.size() == 1
                                ? first.type() + " of job " + first.jobId()
                                : batch.size() + " events (" + first.type() + " of job " + first.jobId() + ", …)")
                        + ": " + ex.getMessage());
            }
            done(batch.size());
            batch.clear();
        }
    }

    private void done(int events) {
        if (pending.addAndGet(-events) == 0) {
            synchronized (delivered) {
                delivered.notifyAll();
            }
        }
    }

    private void warn(String message) {
        try {
            warnings.accept(message);
        } catch (RuntimeException ignored) {
            // a warning handler's failure is not the job's
        }
    }

    /**
     * Waits until every event reported so far has been handed over (delivered, spooled, or warned about), at
     * most {@code timeout}; returns whether they all were.
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (delivered) {
            while (pending.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    delivered.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return pending.get() == 0;
                }
            }
        }
        return true;
    }

    /** The JVM is exiting: jobs still running will never stop; they are reported {@code error}. */
    private void atExit() {
        for (String id : new ArrayList<>(running.keySet())) {
            stop(id, Statuses.ERROR, null, "the program exited while the job was running");
        }
        if (!flush(Duration.ofSeconds(10))) {
            System.err.println("jobscope: warning: " + pending.get() + " event(s) not delivered before exit");
        }
    }

    private long cpuNanos() {
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
    }

    private long userNanos() {
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadUserTime() : 0;
    }

    /** Delivers what waits (up to 30 s), then stops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (!flush(Duration.ofSeconds(30))) {
            warn(pending.get() + " event(s) not delivered within 30 s of close()");
        }
        closed = true;
        sender.interrupt();
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException exiting) {
            // closed from another shutdown hook
        }
        reporter.close();
    }

    /** This machine's name, for the jobs it runs. */
    private static final class Host {
        static final String NAME = name();

        private static String name() {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) {
                return env.trim();
            }
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                return null;
            }
        }
    }

    private record Running(Instant start, long cpuNanos, long userNanos) {}

    /** A job tracked by a block; closing it reports the outcome. */
    public final class Tracker implements AutoCloseable {
        private final String id;
        private String status;
        private Integer exitCode;
        private String error;
        private boolean closed;

        private Tracker(String id) {
            this.id = id;
        }

        /** The block did its work: the job ends {@code success}. */
        public Tracker success() {
            return setStatus(Statuses.SUCCESS, null, null);
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
                if (status == null) {
                    stop(id, Statuses.ERROR, null, "the tracked block ended without success(): an exception left it");
                } else {
                    stop(id, status, exitCode, error);
                }
            }
        }
    }
}
