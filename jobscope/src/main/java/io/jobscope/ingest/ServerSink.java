package io.jobscope.ingest;

import io.jobscope.client.IngestResult;
import io.jobscope.client.JobscopeClient;
import io.jobscope.client.JobscopeException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Posts an importer's events to a jobscope server, a batch at a time, and waits for each answer: the server
 * validates, stores and acknowledges them as it does any client's.
 */
public final class ServerSink implements EventSink {
    private final JobscopeClient client;

    public ServerSink(JobscopeClient client) {
        this.client = client;
    }

    /** Sends now; fails (a {@link JobscopeException}) when the server cannot be reached or refuses an event. */
    @Override
    public CompletableFuture<EventWriter.Result> submit(List<IngestEvent> events) {
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(EventWriter.Result.EMPTY);
        }
        StringBuilder body = new StringBuilder(events.size() * 300);
        for (IngestEvent e : events) {
            body.append(e.json()).append('\n');
        }
        IngestResult r = client.sendNdjson(body.toString());
        if (!r.rejected().isEmpty()) {
            // Each event was validated here already: a refusal means the server differs (an older version).
            IngestResult.Rejection first = r.rejected().get(0);
            throw new JobscopeException(
                    400,
                    "server " + client.base() + " refused event '"
                            + events.get((int) Math.max(0, first.line() - 1)).id() + "': " + first.error());
        }
        return CompletableFuture.completedFuture(new EventWriter.Result(r.accepted(), r.duplicates()));
    }
}
