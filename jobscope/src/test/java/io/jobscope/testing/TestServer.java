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
        // as `jobscope server` builds it: the services board and diagnosis with it
        io.jobscope.services.ServicesConfig services = io.jobscope.services.ServicesConfig.empty();
        io.jobscope.services.ServiceBoard board =
                new io.jobscope.services.ServiceBoard(database, Clock.systemUTC(), services.alerting());
        io.jobscope.diagnose.DiagnoseService diagnose = new io.jobscope.diagnose.DiagnoseService(
                database,
                io.jobscope.diagnose.Classifier.standard(io.jobscope.diagnose.RuleBook.load(java.util.List.of(), true)),
                board.outageLookup());
        server = new ApiServer(
                        ApiServer.Config.loopback(0),
                        new JobService(database),
                        new Ingestor(writer),
                        Clock.systemUTC(),
                        board,
                        diagnose)
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
