package io.jobscope.store;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.sqlite.SQLiteException;

/** Which failures mean the store cannot be used just now (a 503), as opposed to a bug (a 500). */
final class StoreFailures {
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;

    private StoreFailures() {}

    /**
     * One line saying why the store cannot be used, when {@code failure} says it cannot: no connection (JDBI's
     * ConnectionException, the pool's SQLTransientConnectionException, SQLState class 08), the server shutting
     * down or gone (57P0x), SQLite busy or locked past its timeout; else null.
     */
    static String unavailable(Throwable failure) {
        boolean unavailable = false;
        String driver = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectionException || t instanceof SQLTransientConnectionException) {
                unavailable = true;
            }
            if (t instanceof SQLiteException e && isBusy(e)) {
                return "the store is busy: another process has held its lock for more than "
                        + Database.BUSY_TIMEOUT_MS / 1000 + " s; try again";
            }
            if (t instanceof SQLException e) {
                String state = e.getSQLState();
                if (state != null && (state.startsWith("08") || state.startsWith("57P0"))) {
                    unavailable = true;
                }
                if (e.getMessage() != null && !e.getMessage().isBlank()) {
                    driver = e.getMessage(); // the deepest says why: "Connection to host:port refused. ..."
                }
            }
        }
        if (!unavailable) {
            return null;
        }
        String why = driver != null ? driver : Database.rootMessage(failure);
        return "the store cannot be used: " + why.lines().findFirst().orElse("").strip();
    }

    /**
     * One line saying which value the store refused, when {@code failure} is a data exception (SQLState class
     * 22: a NUL in text, a number out of a column's range) — a value the request carried that validation let
     * through, the client's to mend rather than retry; else null.
     */
    static String refusedValue(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException e
                    && e.getSQLState() != null
                    && e.getSQLState().startsWith("22")) {
                String why = e.getMessage() == null ? e.getSQLState() : e.getMessage();
                return "the store cannot hold a value of this request: "
                        + why.lines().findFirst().orElse("").strip();
            }
        }
        return null;
    }

    private static boolean isBusy(SQLiteException e) {
        int code = e.getResultCode().code & 0xff; // the primary code of an extended one (SQLITE_BUSY_SNAPSHOT...)
        return code == SQLITE_BUSY || code == SQLITE_LOCKED;
    }
}
