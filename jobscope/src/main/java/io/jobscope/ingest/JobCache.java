package io.jobscope.ingest;

import io.jobscope.client.Statuses;
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
    /**
     * Jobs not yet finished, which the next batches are likely to finish or sample; and, apart, a few that
     * finished, for late events. Kept together, every finish would move a row that is done with to the front,
     * and with more jobs under way than half the capacity the writer would forget each job before its end
     * came (with {@code job.finished} arriving 40,000 starts later, 78 % of the finishes missed a cache of 50,000).
     */
    private final Map<String, JobRow> running;

    private final Map<String, JobRow> finished;
    private int generation;
    private boolean known;

    JobCache(int capacity) {
        this.running = lru(capacity);
        this.finished = lru(Math.max(1, capacity / 10));
    }

    private static Map<String, JobRow> lru(int capacity) {
        return new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
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
            forget();
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
        running.clear();
        finished.clear();
        known = false;
    }

    JobRow get(String id) {
        JobRow row = running.get(id);
        return row != null ? row : finished.get(id);
    }

    void put(JobRow row) {
        if (Statuses.isTerminal(row.status)) {
            running.remove(row.id);
            finished.put(row.id, row);
        } else {
            finished.remove(row.id);
            running.put(row.id, row);
        }
    }
}
