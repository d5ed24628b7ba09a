package io.jobscope.agent;

import io.jobscope.client.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Start-up work of {@code jobscope run} done on a second thread while the command line is parsed: loading
 * JNA (needed just before the job starts), initialising Jackson and the random-number source (the first
 * event), and reading the host's facts for {@code job.started}. The main thread would otherwise do each
 * of these in turn on the job's critical path; whatever is not ready when needed is waited for or redone.
 */
public final class Warmup {
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private Warmup() {}

    /** Starts the work once per JVM; {@code env} is the environment the job will be described with. */
    public static void start(Map<String, String> env) {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> run(env), "jobscope-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void run(Map<String, String> env) {
        try {
            LibC.preload();
            // An event shaped like job.started: Jackson's node factory, serialisers of maps, lists and
            // numbers, and the SecureRandom behind event ids, all initialised once.
            Event.job(Event.JOB_STARTED, "warmup", Instant.EPOCH)
                    .put("attributes", Map.of("command", List.of("true"), "pid", 1L, "cpu_s", 0.5))
                    .toLine();
            HostInfo.prefetch(env);
        } catch (RuntimeException | LinkageError e) {
            // each piece is done again, and reported, where it is really needed
        }
    }
}
