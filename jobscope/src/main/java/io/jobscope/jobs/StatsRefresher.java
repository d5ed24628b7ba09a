package io.jobscope.jobs;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link StatsSummaries#refresh} periodically in the server, so that statistics over long windows read
 * summaries rather than scan jobs. Only a cache is at stake: a failed run (store locked, down) is logged and
 * the next one tries again, and queries stay exact meanwhile by scanning what is not summarised.
 */
public final class StatsRefresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatsRefresher.class);

    /** An hour is re-summarised once the writer has left it alone this long: busy hours are not redone per batch. */
    public static final Duration QUIET = Duration.ofSeconds(30);

    private final StatsSummaries summaries;
    private final ScheduledExecutorService executor;

    public StatsRefresher(StatsSummaries summaries) {
        this.summaries = summaries;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jobscope-stats-refresher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs the first refresh at once (it catches up with a migrated store), then every {@code every}. */
    public StatsRefresher start(Duration every) {
        executor.scheduleWithFixedDelay(this::runOnce, 0, Math.max(1, every.toMillis()), TimeUnit.MILLISECONDS);
        return this;
    }

    /** One refresh; never throws. */
    void runOnce() {
        long t0 = System.nanoTime();
        try {
            int hours = summaries.refresh(QUIET.toMillis());
            long ms = (System.nanoTime() - t0) / 1_000_000;
            if (hours > 0 && (ms >= 1000 || LOG.isDebugEnabled())) {
                LOG.info("statistics summaries: {} hour(s) re-summarised in {} ms", hours, ms);
            }
        } catch (RuntimeException | Error e) {
            LOG.warn("statistics summaries: refresh failed, will retry: {}", e.toString());
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
