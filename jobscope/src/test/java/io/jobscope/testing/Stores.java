package io.jobscope.testing;

import io.jobscope.store.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** Real stores for tests: a SQLite file in a temp dir, or a fresh database on one embedded PostgreSQL. */
public final class Stores {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private Stores() {}

    /** The two kinds of store every store-level test runs on. */
    public enum Kind {
        SQLITE,
        POSTGRES
    }

    public static Database open(Kind kind, Path tempDir) {
        return kind == Kind.SQLITE ? sqlite(tempDir) : Database.open(postgresUrl());
    }

    public static Database sqlite(Path dir) {
        return Database.open(
                dir.resolve("jobscope-" + COUNTER.incrementAndGet() + ".db").toString());
    }

    /** A URL of a new, empty PostgreSQL database (the server starts once per test JVM). */
    public static synchronized String postgresUrl() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        postgres.close();
                    } catch (IOException ignored) {
                        // shutting down anyway
                    }
                }));
            }
            String name = "js_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + name);
            }
            return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name + "?user=postgres";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
