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
    private static EmbeddedPostgres checkingPasswords;

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

    /** A role with a password and a database of its own, on a PostgreSQL that checks passwords. */
    public record Login(int port, String user, String password, String database) {}

    /**
     * A new role with {@code password}, owning a new database, on an embedded PostgreSQL that asks every role but
     * the superuser for its password over TCP (started once per test JVM), as a real server does.
     */
    public static synchronized Login postgresLogin(String password) {
        try {
            if (checkingPasswords == null) {
                checkingPasswords = EmbeddedPostgres.builder()
                        .setDataDirectoryCustomizer(dir -> {
                            try {
                                java.nio.file.Files.writeString(
                                        dir.toPath().resolve("pg_hba.conf"),
                                        String.join(
                                                "\n",
                                                "local all all trust",
                                                "host all postgres 127.0.0.1/32 trust",
                                                "host all postgres ::1/128 trust",
                                                "host all all 127.0.0.1/32 md5",
                                                "host all all ::1/128 md5",
                                                ""));
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        })
                        .start();
                closeAtExit(checkingPasswords);
            }
            String user = "ju_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
            try (Connection c = checkingPasswords.getPostgresDatabase().getConnection();
                    Statement st = c.createStatement()) {
                st.execute("CREATE ROLE " + user + " LOGIN PASSWORD '" + password.replace("'", "''") + "'");
                st.execute("CREATE DATABASE " + user + " OWNER " + user);
            }
            return new Login(checkingPasswords.getPort(), user, password, user);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PostgreSQL of the caller's own, to stop under a running server; the caller closes it. */
    public static EmbeddedPostgres startPostgres() {
        try {
            return EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of {@code pg}'s default database. */
    public static String url(EmbeddedPostgres pg) {
        return "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres?user=postgres";
    }

    private static void closeAtExit(EmbeddedPostgres pg) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                pg.close();
            } catch (IOException ignored) {
                // shutting down anyway
            }
        }));
    }

    /** A URL of a new, empty PostgreSQL database (the server starts once per test JVM). */
    public static synchronized String postgresUrl() {
        try {
            if (postgres == null) {
                postgres = EmbeddedPostgres.builder().start();
                closeAtExit(postgres);
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
