package io.jobscope.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The hours whose statistics a batch changed, marked in {@code job_stats_mark} so that the dashboard's
 * summaries of those hours are no longer trusted (io.jobscope.jobs.StatsSummaries re-makes them). A job marks
 * its old and its new hour only when something statistics read changed: a sample of a running job marks
 * nothing. One small upsert per distinct hour per transaction.
 */
final class StatsMarks {
    private static final long HOUR = 3_600_000L;
    private static final String UPSERT = "INSERT INTO job_stats_mark (hour_ms, changes, summarised, changed_ms)"
            + " VALUES (?, 1, 0, ?) ON CONFLICT (hour_ms) DO UPDATE SET changes = job_stats_mark.changes + 1,"
            + " changed_ms = excluded.changed_ms";

    private final Map<String, Figures> before = new HashMap<>();
    // Ascending, so that concurrent transactions on PostgreSQL lock mark rows in the same order.
    private final TreeSet<Long> hours = new TreeSet<>();

    /** What statistics read of a job: its hour and every column a grouping or a figure comes from. */
    private record Figures(
            long hour,
            String status,
            String app,
            String site,
            String host,
            String workflowId,
            Long startTimeMs,
            Double durationS,
            Double cpuUserS,
            Double cpuSystemS,
            String attributes) {
        static Figures of(JobRow r) {
            return new Figures(
                    Math.floorDiv(r.sortTimeMs, HOUR) * HOUR,
                    r.status,
                    r.app,
                    r.site,
                    r.host,
                    r.workflowId,
                    r.startTimeMs,
                    r.durationS,
                    r.cpuUserS,
                    r.cpuSystemS,
                    r.attributes);
        }
    }

    /** A job as it was before the batch (sign -1: a stored job), or as the batch leaves it (sign +1). */
    void add(JobRow row, int sign) {
        if (sign < 0) {
            before.put(row.id, Figures.of(row));
            return;
        }
        Figures now = Figures.of(row);
        Figures was = before.get(row.id);
        if (!Objects.equals(now, was)) {
            hours.add(now.hour());
            if (was != null) {
                hours.add(was.hour());
            }
        }
    }

    void write(Connection c) throws SQLException {
        if (hours.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (long hour : hours) {
                ps.setLong(1, hour);
                ps.setLong(2, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
