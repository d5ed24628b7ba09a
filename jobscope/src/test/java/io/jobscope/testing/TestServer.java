package io.jobscope.testing;

import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.web.ApiServer;
import java.time.Clock;

/** A real jobscope API server on a loopback port over the store at {@code location}, as CLI tests reach one. */
public final class TestServer implements AutoCloseable {
    private final Database database;
    private final EventWriter writer;
    private final ApiServer server;

    public TestServer(String location) {
        database = Database.open(location);
        writer = new EventWriter(database);
        server = new ApiServer(
                        ApiServer.Config.loopback(0), new JobService(database), new Ingestor(writer), Clock.systemUTC())
                .start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.close();
        writer.close();
        database.close();
    }
}
