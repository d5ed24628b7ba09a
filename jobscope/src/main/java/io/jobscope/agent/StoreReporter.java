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
        for (Event e : events) {
            try {
                valid.add(EventValidator.validate(e.toJson(), null));
            } catch (InvalidEventException ex) {
                throw new IOException("event " + e.id() + " refused: " + ex.getMessage(), ex);
            }
        }
        try {
            writer.write(valid);
        } catch (RuntimeException ex) {
            throw new IOException("the store " + db.location() + " could not take the events: " + ex.getMessage(), ex);
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
