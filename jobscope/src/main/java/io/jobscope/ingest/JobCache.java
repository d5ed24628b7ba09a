package io.jobscope.ingest;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The SQLite writer's memory of the job rows it wrote last. A batch that finishes jobs the writer started a
 * moment ago takes their rows from here instead of reading them back, and a job the writer does not
 * remember is first assumed new (inserted if absent; read and merged only if it was there after all).
 *
 * <p>The rows are exactly what the store holds only while no other writer touches the store. Every
 * transaction of this writer stamps the database header's {@code user_version} with a new generation; a
 * transaction that finds a different generation than the one it stamped last (another process wrote jobs —
 * a CLI import beside a running server, say) forgets every row first. A rolled-back transaction forgets
 * everything too, since its rows were changed in place.
 */
final class JobCache {
    private final Map<String, JobRow> rows;
    private int generation;
    private boolean known;

    JobCache(int capacity) {
        this.rows = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, JobRow> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * Once the transaction holds the write lock (after its first write): forgets every row if anyone else
     * wrote since this writer's last commit.
     */
    void begin(Connection c) throws SQLException {
        int current;
        try (Statement st = c.createStatement();
                var rs = st.executeQuery("PRAGMA user_version")) {
            current = rs.next() ? rs.getInt(1) : 0;
        }
        if (!known || current != generation) {
            rows.clear();
        }
        generation = current;
        known = true;
    }

    /** Before the commit: stamps the store with this transaction's generation. */
    void stamp(Connection c) throws SQLException {
        generation++;
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = " + generation);
        }
    }

    /** After a rollback: nothing remembered can be trusted. */
    void forget() {
        rows.clear();
        known = false;
    }

    JobRow get(String id) {
        return rows.get(id);
    }

    void put(JobRow row) {
        rows.put(row.id, row);
    }
}
