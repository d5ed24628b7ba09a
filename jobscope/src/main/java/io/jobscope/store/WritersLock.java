package io.jobscope.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.BitSet;

/**
 * PostgreSQL: how the transactions that change jobs on one store take turns (docs/schema.md, "PostgreSQL
 * specifics"), across the lanes of a server, several servers, imports and the statistics refresher. Each holds
 * the transaction-level advisory lock {@value #KEY} shared, or exclusively to write alone (an import, whose
 * transaction spans many batches); one that folds jobs into their rows also holds the lock {@code (KEY, slot)}
 * of each job's slot. All are released when the transaction ends.
 */
public final class WritersLock {
    /** The advisory lock key (also what writers of older builds took, exclusively, on every transaction). */
    public static final int KEY = 7264019;

    private WritersLock() {}

    /** Waits for, then holds until the transaction ends, the lock shared with other writers. */
    public static void holdShared(Connection c) throws SQLException {
        execute(c, "SELECT pg_advisory_xact_lock_shared(" + KEY + ")");
    }

    /** Waits for every other writer's transaction to end, then writes alone until this one ends. */
    public static void holdExclusive(Connection c) throws SQLException {
        execute(c, "SELECT pg_advisory_xact_lock(" + KEY + ")");
    }

    /** The locks of the given job slots, taken in ascending order (so that two transactions cannot deadlock). */
    public static void holdSlots(Connection c, BitSet slots) throws SQLException {
        if (slots.isEmpty()) {
            return;
        }
        try (PreparedStatement ps =
                c.prepareStatement("SELECT pg_advisory_xact_lock(" + KEY + ", s) FROM unnest(?::int4[]) AS s")) {
            ps.setArray(1, c.createArrayOf("int4", slots.stream().boxed().toArray()));
            ps.execute();
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
