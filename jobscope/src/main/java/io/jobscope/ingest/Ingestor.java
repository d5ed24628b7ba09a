package io.jobscope.ingest;

import io.jobscope.client.IngestResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads a stream of events, hands the valid ones to the writer in chunks while it reads, and reports
 * what was stored, what was known already, and which lines were refused and why.
 */
public final class Ingestor {
    /** Lines refused beyond this many are counted, not listed. */
    public static final int MAX_LISTED_REJECTIONS = 1000;

    private final EventWriter writer;
    private final EventStreamReader reader;
    private final int chunk;

    public Ingestor(EventWriter writer, int maxLineBytes, long maxBodyBytes, int chunk) {
        this.writer = writer;
        this.reader = new EventStreamReader(maxLineBytes, maxBodyBytes);
        this.chunk = chunk;
    }

    public Ingestor(EventWriter writer) {
        this(writer, 1 << 20, Long.MAX_VALUE, 5000);
    }

    /** Hands valid events to the writer a chunk at a time while the stream is read; keeps the refusals. */
    private final class Collector implements EventStreamReader.Sink {
        final List<CompletableFuture<EventWriter.Result>> pending = new ArrayList<>();
        final List<IngestResult.Rejection> rejected = new ArrayList<>();
        long rejectedCount;
        private List<IngestEvent> batch = new ArrayList<>(Math.min(chunk, 1024));

        @Override
        public void accept(long line, IngestEvent event) {
            batch.add(event);
            if (batch.size() >= chunk) {
                flush();
            }
        }

        @Override
        public void reject(long line, String error) {
            rejectedCount++;
            if (rejected.size() < MAX_LISTED_REJECTIONS) {
                rejected.add(new IngestResult.Rejection(line, error));
            }
        }

        void flush() {
            if (!batch.isEmpty()) {
                pending.add(writer.submit(batch));
                batch = new ArrayList<>(chunk);
            }
        }
    }

    /** The outcome of one stream; {@code tooLarge} when it stopped at the size limit. */
    public record Report(IngestResult result, long rejectedCount, boolean tooLarge, String tooLargeMessage) {}

    public Report ingest(InputStream in) {
        Collector c = new Collector();
        boolean tooLarge = false;
        String tooLargeMessage = null;
        try {
            reader.read(in, c);
        } catch (EventStreamReader.TooLargeException e) {
            tooLarge = true;
            tooLargeMessage = e.getMessage();
        } catch (IOException e) {
            c.reject(0, "could not read the request body: " + e.getMessage());
        }
        c.flush();
        EventWriter.Result total = EventWriter.Result.EMPTY;
        RuntimeException failure = null;
        for (CompletableFuture<EventWriter.Result> f : c.pending) {
            try {
                total = total.plus(f.join());
            } catch (CompletionException e) {
                failure = e.getCause() instanceof RuntimeException re ? re : e;
            }
        }
        if (failure != null) {
            throw failure;
        }
        return new Report(
                new IngestResult(total.accepted(), total.duplicates(), c.rejected),
                c.rejectedCount,
                tooLarge,
                tooLargeMessage);
    }
}
