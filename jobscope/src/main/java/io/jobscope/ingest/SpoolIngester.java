package io.jobscope.ingest;

import io.jobscope.client.IngestResult;
import io.jobscope.client.SpoolReporter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingests {@code *.ndjson} files that jobs drop into a spool directory (written under a temporary name,
 * then renamed) and deletes each once its events are committed. Refused lines are kept in
 * {@code rejected/<file>.errors} beside the spool, never silently dropped.
 */
public final class SpoolIngester implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolIngester.class);
    private final Path dir;
    private final Ingestor ingestor;
    private final ScheduledExecutorService timer;
    private String failing; // the last pass's failure, on the timer's thread
    private long failingSaid;

    public SpoolIngester(Path dir, Ingestor ingestor) {
        this.dir = dir;
        this.ingestor = ingestor;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jobscope-spool");
            t.setDaemon(true);
            return t;
        });
    }

    /** Polls the directory every {@code periodMillis}. */
    public void start(long periodMillis) {
        timer.scheduleWithFixedDelay(this::safePass, 0, periodMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * A periodic task that throws is never run again: logs and goes on. A failure that repeats (the store
     * down for an hour) is logged with its stack once, then one line a minute, not a stack every pass.
     */
    private void safePass() {
        try {
            pass();
            if (failing != null) {
                LOG.info("spool pass over {} works again", dir);
                failing = null;
            }
        } catch (Throwable t) {
            String what = String.valueOf(t);
            long now = System.nanoTime();
            if (!what.equals(failing)) {
                LOG.error("spool pass over {} failed; will retry", dir, t);
                failing = what;
                failingSaid = now;
            } else if (now - failingSaid > TimeUnit.MINUTES.toNanos(1)) {
                LOG.error("spool pass over {} still failing: {}", dir, what);
                failingSaid = now;
            }
        }
    }

    /** Ingests every complete file now; returns how many files were consumed. */
    public int pass() throws IOException {
        int n = 0;
        for (Path file : SpoolReporter.pending(dir)) {
            Ingestor.Report report;
            try (InputStream in = Files.newInputStream(file)) {
                report = ingestor.ingest(in);
            }
            IngestResult r = report.result();
            if (!r.rejected().isEmpty()) {
                keepRejected(file, report);
            }
            Files.deleteIfExists(file);
            n++;
        }
        return n;
    }

    /**
     * Keeps the whole file in {@code rejected/} (its good lines are stored already and would count as
     * duplicates if the file, mended, is dropped in again) with a {@code .errors} file naming each refused
     * line.
     */
    private void keepRejected(Path file, Ingestor.Report report) throws IOException {
        Path kept = SpoolReporter.setAside(
                dir, file, SpoolReporter.errorsText(report.result().rejected(), report.rejectedCount()));
        LOG.warn("spool file {}: {} line(s) refused, kept as {}", file.getFileName(), report.rejectedCount(), kept);
    }

    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
