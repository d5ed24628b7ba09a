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

    /** The outcome of one stream; {@code tooLarge} when it stopped at the size limit. */
    public record Report(IngestResult result, long rejectedCount, boolean tooLarge, String tooLargeMessage) {}

    public Report ingest(InputStream in) {
        List<CompletableFuture<EventWriter.Result>> pending = new ArrayList<>();
        List<IngestResult.Rejection> rejected = new ArrayList<>();
        long[] rejectedCount = {0};
        List<IngestEvent>[] batch = new List[] {new ArrayList<>(Math.min(chunk, 1024))};
        boolean tooLarge = false;
        String tooLargeMessage = null;
        try {
            reader.read(in, new EventStreamReader.Sink() {
                @Override
                public void accept(long line, IngestEvent event) {
                    batch[0].add(event);
                    if (batch[0].size() >= chunk) {
                        pending.add(writer.submit(batch[0]));
                        batch[0] = new ArrayList<>(chunk);
                    }
                }

                @Override
                public void reject(long line, String error) {
                    rejectedCount[0]++;
                    if (rejected.size() < MAX_LISTED_REJECTIONS) {
                        rejected.add(new IngestResult.Rejection(line, error));
                    }
                }
            });
        } catch (EventStreamReader.TooLargeException e) {
            tooLarge = true;
            tooLargeMessage = e.getMessage();
        } catch (IOException e) {
            rejectedCount[0]++;
            rejected.add(new IngestResult.Rejection(0, "could not read the request body: " + e.getMessage()));
        }
        if (!batch[0].isEmpty()) {
            pending.add(writer.submit(batch[0]));
        }
        EventWriter.Result total = EventWriter.Result.EMPTY;
        RuntimeException failure = null;
        for (CompletableFuture<EventWriter.Result> f : pending) {
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
                new IngestResult(total.accepted(), total.duplicates(), rejected),
                rejectedCount[0],
                tooLarge,
                tooLargeMessage);
    }
}
