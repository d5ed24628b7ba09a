package io.jobscope.ingest;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Where an importer hands validated events: the store's writer, or a server ({@link ServerSink}). */
public interface EventSink {
    /** Stores the events; the future completes once they are committed. */
    CompletableFuture<EventWriter.Result> submit(List<IngestEvent> events);
}
