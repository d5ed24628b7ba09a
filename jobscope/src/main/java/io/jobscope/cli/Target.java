package io.jobscope.cli;

import io.jobscope.client.JobQueries;
import io.jobscope.client.JobscopeClient;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import java.net.URI;
import picocli.CommandLine.Option;

/** Where a command reads from: the store in-process ({@code --db}), or a server ({@code --server}). */
final class Target implements AutoCloseable {
    @Option(
            names = "--db",
            paramLabel = "PATH|URL",
            description =
                    "Store: a SQLite file or a postgresql:// URL (default: $JOBSCOPE_DB, else ~/.jobscope/jobscope.db).")
    String db;

    @Option(
            names = "--server",
            paramLabel = "URL",
            defaultValue = "${env:JOBSCOPE_SERVER}",
            description = "Go through a jobscope server instead of the store (default: $JOBSCOPE_SERVER).")
    String server;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:JOBSCOPE_TOKEN}",
            description = "API token for --server (default: $JOBSCOPE_TOKEN).")
    String token;

    private Database database;

    boolean remote() {
        return server != null && !server.isBlank() && (db == null || db.isBlank());
    }

    /**
     * When a command filtered by {@code workflow} found nothing: a workflow that does not exist is the user's
     * mistake (a typo), said as such, rather than an empty answer.
     */
    void requireWorkflow(String workflow) {
        if (workflow != null && queries().workflow(workflow).isEmpty()) {
            throw new UserException("no workflow '" + workflow + "' " + (remote() ? "on " + server : "in the store"));
        }
    }

    JobQueries queries() {
        if (remote()) {
            return new JobscopeClient(serverUri(), token);
        }
        return new JobService(existingDatabase());
    }

    /**
     * The store, for reading: a SQLite file that is not there is a mistyped path (or nothing recorded yet),
     * said as such, rather than a new empty store made and reported as "no jobs".
     */
    Database existingDatabase() {
        String location = Database.defaultLocation(db);
        if (database == null
                && !Database.isPostgres(location)
                && !java.nio.file.Files.exists(Database.sqliteFile(location))) {
            String env = System.getenv("JOBSCOPE_DB");
            String from = db != null && !db.isBlank()
                    ? "--db"
                    : env != null && !env.isBlank() ? "$JOBSCOPE_DB" : "the default store";
            throw new UserException("no jobscope store at " + location + " (" + from
                    + "): nothing has been recorded there; give the store with --db PATH|URL or $JOBSCOPE_DB,"
                    + " or a server with --server URL");
        }
        return database();
    }

    /** Where an importer's events go: the server, when reading through one (see {@link #remote()}). */
    io.jobscope.ingest.EventSink serverSink() {
        return new io.jobscope.ingest.ServerSink(new JobscopeClient(serverUri(), token));
    }

    /**
     * For a command that works on the store itself: the store of --db, else of $JOBSCOPE_DB; with neither, refuses
     * a server (given with --server or $JOBSCOPE_SERVER) rather than quietly using the default store instead.
     */
    Target storeOnly(String command) {
        String env = System.getenv("JOBSCOPE_DB");
        if (remote() && env != null && !env.isBlank()) {
            db = env; // the store is named, by $JOBSCOPE_DB: the server is for the commands that read through it
        }
        if (remote()) {
            throw new UserException(command + " works on the store itself, not through a server (--server or"
                    + " $JOBSCOPE_SERVER is " + server.trim() + "): give the store with --db PATH|URL");
        }
        return this;
    }

    URI serverUri() {
        return serverUri(server, UserException::new);
    }

    /** {@code server} as a URL with a scheme and a host, else {@code bad}'s exception naming --server. */
    static URI serverUri(String server, java.util.function.Function<String, RuntimeException> bad) {
        try {
            URI u = URI.create(server.trim());
            if (u.getScheme() == null || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw bad.apply("--server: '" + server + "' is not a URL such as http://127.0.0.1:8080");
        }
    }

    Database database() {
        if (database == null) {
            database = Database.open(Database.defaultLocation(db), 2);
        }
        return database;
    }

    @Override
    public void close() {
        if (database != null) {
            database.close();
        }
    }
}
