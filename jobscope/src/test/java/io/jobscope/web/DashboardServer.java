package io.jobscope.web;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** A real jobscope server on a random port over a real SQLite store, for dashboard tests. */
final class DashboardServer implements AutoCloseable {
    final Database db;
    final EventWriter writer;
    final Ingestor ingestor;
    final ApiServer server;

    DashboardServer(Path dir, Tokens tokens) {
        db = Stores.sqlite(dir);
        writer = new EventWriter(db);
        ingestor = new Ingestor(writer);
        server = new ApiServer(
                        new ApiServer.Config("127.0.0.1", 0, tokens, 64L << 20, 1 << 20),
                        new JobService(db),
                        ingestor,
                        Clock.systemUTC())
                .start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    void ingest(List<Event> events) {
        StringBuilder sb = new StringBuilder();
        events.forEach(e -> sb.append(e.toLine()).append('\n'));
        Ingestor.Report r =
                ingestor.ingest(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
        if (r.rejectedCount() > 0) {
            throw new IllegalStateException("seed rejected: " + r.result().rejected());
        }
    }

    @Override
    public void close() {
        server.close();
        writer.close();
        db.close();
    }
}
