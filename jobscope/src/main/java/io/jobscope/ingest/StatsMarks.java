package io.jobscope.ingest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The hours whose summaries a batch made stale, marked in {@code job_stats_mark} (io.jobscope.jobs.StatsSummaries
 * re-makes them). A job marks its old and its new hour when something statistics read changed, and its hour
 * as a peak change when only its peak memory rose (a sample): that concerns the memory listing alone, so the
 * statistics of the hour stay usable. A sample that sets no new peak marks nothing. One small upsert per
 * distinct hour per transaction.
 */
final class StatsMarks {
    private static final long HOUR = 3_600_000L;
    private static final int STATS = 1;
    private static final int PEAK = 2;
    private static final String UPSERT = "INSERT INTO job_stats_mark (hour_ms, changes, summarised, changed_ms,"
            + " peak_changes, peak_summarised, peak_changed_ms) VALUES (?, ?, 0, ?, ?, 0, ?)"
            + " ON CONFLICT (hour_ms) DO UPDATE SET changes = job_stats_mark.changes + excluded.changes,"
            + " changed_ms = CASE WHEN excluded.changes > 0 THEN excluded.changed_ms ELSE job_stats_mark.changed_ms END,"
            + " peak_changes = job_stats_mark.peak_changes + excluded.peak_changes,"
            + " peak_changed_ms = CASE WHEN excluded.peak_changes > 0 THEN excluded.peak_changed_ms"
            + " ELSE job_stats_mark.peak_changed_ms END";

    private final Map<String, Figures> before = new HashMap<>();
    private final Map<String, Long> peaksBefore = new HashMap<>();
    // Ascending, so that concurrent transactions on PostgreSQL lock mark rows in the same order.
    private final TreeMap<Long, Integer> hours = new TreeMap<>();

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
            peaksBefore.put(row.id, row.memPeakBytes);
            return;
        }
        Figures now = Figures.of(row);
        Figures was = before.get(row.id);
        if (!Objects.equals(now, was)) {
            hours.merge(now.hour(), STATS, (a, b) -> a | b);
            if (was != null) {
                hours.merge(was.hour(), STATS, (a, b) -> a | b);
            }
        } else if (!Objects.equals(row.memPeakBytes, peaksBefore.get(row.id))) {
            hours.merge(now.hour(), PEAK, (a, b) -> a | b);
        }
    }

    void write(Connection c) throws SQLException {
        if (hours.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            for (Map.Entry<Long, Integer> h : hours.entrySet()) {
                boolean stats = (h.getValue() & STATS) != 0;
                boolean peak = (h.getValue() & PEAK) != 0;
                ps.setLong(1, h.getKey());
                ps.setLong(2, stats ? 1 : 0);
                ps.setLong(3, stats ? now : 0);
                ps.setLong(4, peak ? 1 : 0);
                ps.setLong(5, peak ? now : 0);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
