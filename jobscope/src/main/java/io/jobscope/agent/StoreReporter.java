package io.jobscope.agent;

import io.jobscope.client.Event;
import io.jobscope.client.Reporter;
import io.jobscope.ingest.EventValidator;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.IngestEvent;
import io.jobscope.ingest.InvalidEventException;
import io.jobscope.store.Database;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Delivers events into a local store through the single batching writer (the embedded default). */
public final class StoreReporter implements Reporter {
    private final Database db;
    private final EventWriter writer;
    private final boolean ownsDatabase;

    public StoreReporter(Database db, boolean ownsDatabase) {
        this.db = db;
        this.writer = new EventWriter(db, 5000);
        this.ownsDatabase = ownsDatabase;
    }

    /** Opens the store at {@code location} (default: $JOBSCOPE_DB, else ~/.jobscope/jobscope.db). */
    public static StoreReporter open(String location) {
        return new StoreReporter(Database.open(Database.defaultLocation(location), 2), true);
    }

    @Override
    public void send(List<Event> events) throws IOException {
        List<IngestEvent> valid = new ArrayList<>(events.size());
        List<io.jobscope.client.IngestResult.Rejection> refused = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            try {
                valid.add(EventValidator.validate(events.get(i).toJson(), null));
            } catch (InvalidEventException ex) {
                refused.add(new io.jobscope.client.IngestResult.Rejection(i + 1, ex.getMessage()));
            }
        }
        EventWriter.Result stored;
        try {
            stored = writer.write(valid);
        } catch (RuntimeException ex) {
            throw new IOException(
                    "the store " + db.location() + " could not take the events: " + db.redact(ex.getMessage()), ex);
        }
        if (!refused.isEmpty()) {
            // As a server answers: the valid events are stored, the others named.
            throw new io.jobscope.client.HttpReporter.RejectedEventsException(
                    new io.jobscope.client.IngestResult(stored.accepted(), stored.duplicates(), refused));
        }
    }

    @Override
    public void close() {
        writer.close();
        if (ownsDatabase) {
            db.close();
        }
    }
}
