package io.jobscope.client;

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
 * Make one monitor per program and share it between threads (each has its own sender thread and exit hook);
 * close it when the program is done.
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
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    /** Put in the queue by {@link #close}: the sender delivers what is before it, then ends. */
    private final Event endMarker = Event.job("end", "-", Instant.EPOCH);

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
        this(reporter, Clock.systemUTC(), STDERR);
    }

    private static final Consumer<String> STDERR = w -> System.err.println("jobscope: warning: " + w);

    /**
     * Delivers to a server; when it cannot be reached, events wait in {@code spool} (if not null) until a
     * server started with {@code --spool} on it, or {@code jobscope flush}, takes them. Said once as a warning.
     */
    public static JobMonitor toServer(URI server, String token, Path spool) {
        // Two tries of at most 10 s each: a server that does not answer has its events spooled well within
        // the 30 s close() waits.
        Reporter http = new HttpReporter(server, token, 2, Duration.ofMillis(250), Duration.ofSeconds(10));
        if (spool == null) {
            return new JobMonitor(http);
        }
        FallbackReporter r = new FallbackReporter(
                http,
                new SpoolReporter(spool),
                why -> STDERR.accept(FallbackReporter.spooled(why, spool, server, "send them with")));
        return new JobMonitor(r);
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
                .put("script", script);
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
        report(finished(id, status, exitCode, error, running.remove(id)));
    }

    /** The {@code job.finished} event; with the CPU time the calling thread used since {@code r} when given. */
    private Event finished(String id, String status, Integer exitCode, String error, Running r) {
        Event e = Event.job(Event.JOB_FINISHED, id, clock.instant())
                .put("status", status)
                .put("exit_code", exitCode)
                .put("error", error);
        if (r != null) {
            long total = Math.max(0, cpuNanos() - r.cpuNanos);
            long user = Math.max(0, userNanos() - r.userNanos);
            // Microseconds: the thread clock's resolution is coarser; doubles of nanoseconds print 0.0070092019999.
            e.put("cpu_user_s", Math.round(user / 1e3) / 1e6)
                    .put("cpu_system_s", Math.round(Math.max(0, total - user) / 1e3) / 1e6);
        }
        return e;
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
        if (closed.get()) {
            warn("monitor closed: " + e.type() + " of job " + e.jobId() + " not reported");
            return;
        }
        pending.incrementAndGet();
        if (!queue.offer(e)) {
            done(1);
            warn("could not report " + e.type() + " of job " + e.jobId() + ": 100,000 events wait already");
        }
    }

    /**
     * The background thread: hands what waits to the reporter, up to 500 events at a time, until {@link
     * #endMarker}; then what was queued behind it (a report racing with close), and ends. Never interrupted, so a
     * batch being sent is never cut off half-way (a spool file half-written).
     */
    private void deliver() {
        List<Event> batch = new ArrayList<>();
        boolean last = false;
        while (!last) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(batch, 499);
            last = batch.removeIf(e -> e == endMarker);
            if (last) {
                queue.drainTo(batch);
            }
            send(batch);
            batch.clear();
        }
    }

    private void send(List<Event> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            for (Event e : batch) {
                if (Event.JOB_STARTED.equals(e.type()) && Host.NAME != null) {
                    e.put("host", Host.NAME); // looked up here: a slow name service must not hold a job up
                }
            }
            reporter.send(batch);
        } catch (Throwable ex) { // whatever a reporter throws, the thread goes on and flush() hears of it
            Event first = batch.get(0);
            warn("could not report "
                    + (batch.size() == 1
                            ? first.type() + " of job " + first.jobId()
                            : batch.size() + " events (" + first.type() + " of job " + first.jobId() + ", …)")
                    + ": " + ex.getMessage());
        } finally {
            done(batch.size());
        }
    }

    private void done(int events) {
        if (pending.addAndGet(-events) <= 0) {
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
     * most {@code timeout}; returns whether they all were (false too while other threads keep reporting).
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
        end("the program exited while the job was running", Duration.ofSeconds(10));
    }

    private long cpuNanos() {
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
    }

    private long userNanos() {
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadUserTime() : 0;
    }

    /**
     * Reports jobs still running as {@code error} (the monitor is going away), delivers what waits (up to
     * 30 s; a server that does not answer has its events spooled by then, when there is a spool), then stops.
     */
    @Override
    public void close() {
        if (end("the monitor was closed while the job was running", Duration.ofSeconds(30))) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException exiting) {
                // closed from another shutdown hook
            }
        }
    }

    /** Ends the monitor once (close or exit, whichever comes first); returns whether this call did. */
    private boolean end(String stillRunning, Duration wait) {
        for (String id : new ArrayList<>(running.keySet())) {
            // Once per job however close and exit race; without CPU time: this thread did not run the job.
            if (running.remove(id) != null) {
                report(finished(id, Statuses.ERROR, null, stillRunning, null));
            }
        }
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        try {
            if (queue.offer(endMarker, wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                sender.join(wait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            warn(pending.get() + " event(s) not delivered within " + wait.toSeconds() + " s");
        } else {
            reporter.close();
        }
        return true;
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

        /** The block did its work: the job ends {@code success} (exit code 0). */
        public Tracker success() {
            return setStatus(Statuses.SUCCESS, 0, null);
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
