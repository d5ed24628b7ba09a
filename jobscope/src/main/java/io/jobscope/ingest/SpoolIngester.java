package io.jobscope.ingest;

import io.jobscope.client.IngestResult;
import io.jobscope.client.SpoolReporter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    private void safePass() {
        try {
            pass();
        } catch (Throwable t) { // a periodic task that throws is never run again: log and go on
            LOG.error("spool pass over {} failed; will retry", dir, t);
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
                Path rejectedDir = dir.resolve("rejected");
                Files.createDirectories(rejectedDir);
                StringBuilder sb = new StringBuilder();
                r.rejected()
                        .forEach(x -> sb.append("line ")
                                .append(x.line())
                                .append(": ")
                                .append(x.error())
                                .append('\n'));
                Files.writeString(
                        rejectedDir.resolve(file.getFileName() + ".errors"),
                        sb,
                        StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                Files.copy(
                        file,
                        rejectedDir.resolve(file.getFileName()),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                LOG.warn(
                        "spool file {}: {} line(s) refused, kept in {}",
                        file.getFileName(),
                        report.rejectedCount(),
                        rejectedDir);
            }
            Files.deleteIfExists(file);
            n++;
        }
        return n;
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
