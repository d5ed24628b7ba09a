package io.jobscope.services;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link ServiceBoard#checkHeartbeats()} periodically. A failing store (locked, down, migrating) is
 * logged and the next run tries again: a scheduled task that threw once would never run again.
 */
public final class HeartbeatChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatChecker.class);

    private final ServiceBoard board;
    private final ScheduledExecutorService executor;
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    public HeartbeatChecker(ServiceBoard board) {
        this.board = board;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jobscope-heartbeat-checker");
            t.setDaemon(true);
            return t;
        });
    }

    public HeartbeatChecker start(Duration every) {
        long ms = Math.max(1, every.toMillis());
        executor.scheduleWithFixedDelay(this::runOnce, ms, ms, TimeUnit.MILLISECONDS);
        return this;
    }

    /** One check; never throws. */
    void runOnce() {
        long t0 = System.nanoTime();
        try {
            int changed = board.checkHeartbeats();
            if (changed > 0) {
                LOG.info(
                        "heartbeat check: {} service(s) went silent ({} ms)",
                        changed,
                        (System.nanoTime() - t0) / 1_000_000);
            }
        } catch (RuntimeException | Error e) {
            failures.incrementAndGet();
            LOG.warn("heartbeat check failed, will retry: {}", e.toString());
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
        } finally {
            runs.incrementAndGet();
        }
    }

    /** Completed runs, failed or not. */
    public long runs() {
        return runs.get();
    }

    public long failures() {
        return failures.get();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
