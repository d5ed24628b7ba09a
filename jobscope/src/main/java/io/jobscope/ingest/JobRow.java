package io.jobscope.ingest;

import io.jobscope.store.Rows;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The mutable state of one row of the {@code job} projection while a batch is applied to it. */
final class JobRow {
    static final String COLUMNS = "id, workflow_id, app, script, params, status, status_time_ms, exit_code, signal,"
            + " submit_time_ms, start_time_ms, end_time_ms, sort_time_ms, duration_s, cpu_user_s, cpu_system_s,"
            + " mem_peak_bytes, read_bytes, write_bytes, host, site, client, error, held_reason, depends_on,"
            + " attributes, updated_ms";
    /** The names of the columns, in {@link #COLUMNS} order. */
    static final String[] COLUMN_NAMES = COLUMNS.split(",\\s*");
    /** PostgreSQL's type of each column but {@code updated_ms}, as {@link #values()} holds them. */
    static final String[] POSTGRES_TYPES = {
        "text", "text", "text", "text", "text", "text", "int8", "int4", "int4", "int8", "int8", "int8", "int8",
        "float8", "float8", "float8", "int8", "int8", "int8", "text", "text", "text", "text", "text", "text", "text"
    };

    final String id;
    String workflowId;
    String app;
    String script;
    String params;
    String status;
    Long statusTimeMs;
    Integer exitCode;
    Integer signal;
    Long submitTimeMs;
    Long startTimeMs;
    Long endTimeMs;
    long sortTimeMs;
    Double durationS;
    boolean durationGiven;
    Double cpuUserS;
    Double cpuSystemS;
    Long memPeakBytes;
    Long readBytes;
    Long writeBytes;
    String host;
    String site;
    String client;
    String error;
    String heldReason;
    String dependsOn;
    String attributes;
    /**
     * The latest time of the events folded into this row, when known (not stored): a batch whose events all
     * come later may be folded onto the row; otherwise the job's events are folded again from the start.
     */
    Long lastEventMs;
    /** Rank and id of the last event folded in, when the row was folded here (not read back): see JobProjection. */
    int lastRank;

    String lastId;

    JobRow(String id) {
        this.id = id;
    }

    static JobRow read(ResultSet rs) throws SQLException {
        JobRow r = new JobRow(rs.getString("id"));
        r.workflowId = rs.getString("workflow_id");
        r.app = rs.getString("app");
        r.script = rs.getString("script");
        r.params = rs.getString("params");
        r.status = rs.getString("status");
        r.statusTimeMs = Rows.longOrNull(rs, "status_time_ms");
        r.exitCode = Rows.intOrNull(rs, "exit_code");
        r.signal = Rows.intOrNull(rs, "signal");
        r.submitTimeMs = Rows.longOrNull(rs, "submit_time_ms");
        r.startTimeMs = Rows.longOrNull(rs, "start_time_ms");
        r.endTimeMs = Rows.longOrNull(rs, "end_time_ms");
        r.sortTimeMs = rs.getLong("sort_time_ms");
        r.durationS = Rows.doubleOrNull(rs, "duration_s");
        r.cpuUserS = Rows.doubleOrNull(rs, "cpu_user_s");
        r.cpuSystemS = Rows.doubleOrNull(rs, "cpu_system_s");
        r.memPeakBytes = Rows.longOrNull(rs, "mem_peak_bytes");
        r.readBytes = Rows.longOrNull(rs, "read_bytes");
        r.writeBytes = Rows.longOrNull(rs, "write_bytes");
        r.host = rs.getString("host");
        r.site = rs.getString("site");
        r.client = rs.getString("client");
        r.error = rs.getString("error");
        r.heldReason = rs.getString("held_reason");
        r.dependsOn = rs.getString("depends_on");
        r.attributes = rs.getString("attributes");
        // A stored duration that differs from end - start was given explicitly by an event.
        r.durationGiven = r.durationS != null
                && (r.startTimeMs == null
                        || r.endTimeMs == null
                        || Math.abs(r.durationS - (r.endTimeMs - r.startTimeMs) / 1000.0) > 0.0005);
        return r;
    }

    /** Binds every column, {@code updated_ms} last. */
    void bind(PreparedStatement ps, long now) throws SQLException {
        Object[] v = values();
        for (int i = 0; i < v.length; i++) {
            Rows.set(ps, i + 1, v[i]);
        }
        ps.setLong(v.length + 1, now);
    }

    /** The row's column values in {@link #COLUMNS} order, without {@code updated_ms}: to see what a batch changed. */
    Object[] values() {
        return new Object[] {
            id,
            workflowId,
            app,
            script,
            params,
            status,
            statusTimeMs,
            exitCode,
            signal,
            submitTimeMs,
            startTimeMs,
            endTimeMs,
            sortTimeMs,
            durationS,
            cpuUserS,
            cpuSystemS,
            memPeakBytes,
            readBytes,
            writeBytes,
            host,
            site,
            client,
            error,
            heldReason,
            dependsOn,
            attributes
        };
    }

    /** This row's share of the hourly rollup: its (hour, app, site, status) key. */
    RollupKey rollupKey() {
        return new RollupKey(
                Math.floorDiv(sortTimeMs, 3_600_000L) * 3_600_000L,
                app == null ? "" : app,
                site == null ? "" : site,
                status);
    }

    record RollupKey(long hourMs, String app, String site, String status) {
        static final java.util.Comparator<RollupKey> ORDER = java.util.Comparator.comparingLong(RollupKey::hourMs)
                .thenComparing(RollupKey::app, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                .thenComparing(RollupKey::site, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                .thenComparing(RollupKey::status, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
    }

    double cpuTotal() {
        return (cpuUserS == null ? 0 : cpuUserS) + (cpuSystemS == null ? 0 : cpuSystemS);
    }
}
