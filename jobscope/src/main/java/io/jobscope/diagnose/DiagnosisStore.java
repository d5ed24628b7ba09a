package io.jobscope.diagnose;

import io.jobscope.client.Json;
import io.jobscope.store.Database;
import io.jobscope.store.Dialect;
import io.jobscope.store.Rows;
import io.jobscope.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The SQL of diagnosis: failed jobs to classify, stored diagnoses, and the rows failures are grouped from. */
final class DiagnosisStore {
    static final String FAILED = "j.status IN ('failed', 'error', 'timeout', 'held')";

    private static final String UPSERT = "INSERT INTO job_diagnosis (job_id, category, rule, title, service, signature,"
            + " stream, line_no, excerpt, retryable, hint, rules_version, classified_ms)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (job_id) DO UPDATE SET"
            + " category = excluded.category, rule = excluded.rule, title = excluded.title,"
            + " service = excluded.service, signature = excluded.signature, stream = excluded.stream,"
            + " line_no = excluded.line_no, excerpt = excluded.excerpt, retryable = excluded.retryable,"
            + " hint = excluded.hint, rules_version = excluded.rules_version, classified_ms = excluded.classified_ms";

    private final Database db;

    DiagnosisStore(Database db) {
        this.db = db;
    }

    /** A diagnosis as stored, with the job facts a report shows. */
    record Row(
            String jobId,
            Diagnosis diagnosis,
            String host,
            String site,
            String app,
            String workflow,
            Instant start,
            Instant end,
            Instant sort,
            boolean hasOutput) {}

    /**
     * Streams the failed jobs in {@code scope} that have no diagnosis, or one made under other rules or
     * before the job last changed (all of them when {@code all}).
     */
    void forEachPending(DiagnoseScope scope, String rulesVersion, boolean all, Consumer<FailedJob> action) {
        StringBuilder sql = new StringBuilder("SELECT j.id, j.app, j.workflow_id, j.status, j.exit_code, j.signal,"
                + " j.held_reason, j.error, j.mem_peak_bytes, j.attributes, o.tail AS stdout_tail, e.tail AS stderr_tail"
                + " FROM job j LEFT JOIN job_diagnosis d ON d.job_id = j.id"
                + " LEFT JOIN job_log o ON o.job_id = j.id AND o.stream = 'stdout'"
                + " LEFT JOIN job_log e ON e.job_id = j.id AND e.stream = 'stderr'"
                + " WHERE " + FAILED);
        if (!all) {
            sql.append(" AND (d.job_id IS NULL OR d.rules_version <> ? OR d.classified_ms < j.updated_ms)");
        }
        List<Object> args = new ArrayList<>();
        if (!all) {
            args.add(rulesVersion);
        }
        scope.where(sql, args);
        boolean sqlite = db.dialect() == Dialect.SQLITE;
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                bind(ps, args);
                ps.setFetchSize(200);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        action.accept(new FailedJob(
                                rs.getString("id"),
                                rs.getString("app"),
                                rs.getString("workflow_id"),
                                rs.getString("status"),
                                Rows.intOrNull(rs, "exit_code"),
                                Rows.intOrNull(rs, "signal"),
                                rs.getString("held_reason"),
                                rs.getString("error"),
                                Rows.longOrNull(rs, "mem_peak_bytes"),
                                attributes(rs.getString("attributes")),
                                tail(rs, "stdout_tail", sqlite),
                                tail(rs, "stderr_tail", sqlite)));
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read failed jobs: " + e.getMessage(), e);
        }
    }

    private static byte[] tail(ResultSet rs, String column, boolean sqlite) throws SQLException {
        if (sqlite) {
            return rs.getBytes(column); // SQLite hands TEXT over as its UTF-8 bytes: no decoding
        }
        String s = rs.getString(column);
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> attributes(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return Json.mapper().readValue(json, Map.class);
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** Stores diagnoses (job id → diagnosis) in one transaction. */
    void save(List<Map.Entry<String, Diagnosis>> diagnoses, String rulesVersion) {
        if (diagnoses.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (Map.Entry<String, Diagnosis> e : diagnoses) {
                    Diagnosis d = e.getValue();
                    ps.setString(1, e.getKey());
                    ps.setString(2, d.category().label());
                    ps.setString(3, d.rule());
                    ps.setString(4, d.title());
                    ps.setString(5, d.service());
                    ps.setString(6, d.signature());
                    ps.setString(7, d.stream());
                    if (d.lineNo() == null) {
                        ps.setNull(8, Types.BIGINT);
                    } else {
                        ps.setLong(8, d.lineNo());
                    }
                    ps.setString(9, d.excerpt());
                    ps.setInt(10, d.retryable() ? 1 : 0);
                    ps.setString(11, d.hint());
                    ps.setString(12, rulesVersion);
                    ps.setLong(13, now);
                    ps.addBatch();
                }
                ps.executeBatch();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store diagnoses: " + e.getMessage(), e);
        }
    }

    /** The stored diagnoses of the failed jobs in {@code scope}, oldest first. */
    List<Row> rows(DiagnoseScope scope) {
        StringBuilder sql = new StringBuilder("SELECT d.*, j.host, j.site, j.app, j.workflow_id, j.start_time_ms,"
                + " j.end_time_ms, j.sort_time_ms,"
                + " EXISTS (SELECT 1 FROM job_log l WHERE l.job_id = j.id AND l.tail <> '') AS has_output"
                + " FROM job_diagnosis d JOIN job j ON j.id = d.job_id WHERE "
                + FAILED);
        List<Object> args = new ArrayList<>();
        scope.where(sql, args);
        sql.append(" ORDER BY j.sort_time_ms, j.id");
        List<Row> out = new ArrayList<>();
        query(sql.toString(), args, rs -> out.add(row(rs)));
        return out;
    }

    /** The stored diagnosis of one job. */
    Optional<Diagnosis> find(String jobId) {
        List<Diagnosis> out = new ArrayList<>(1);
        query("SELECT * FROM job_diagnosis WHERE job_id = ?", List.of(jobId), rs -> out.add(diagnosis(rs)));
        return out.stream().findFirst();
    }

    /** The stored category of each of the given jobs that has a diagnosis (job id → category label). */
    Map<String, String> categories(java.util.Collection<String> jobIds) {
        Map<String, String> out = new java.util.HashMap<>();
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(jobIds));
        for (int from = 0; from < ids.size(); from += 500) {
            List<Object> chunk = new ArrayList<>(ids.subList(from, Math.min(ids.size(), from + 500)));
            String marks = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
            query(
                    "SELECT job_id, category FROM job_diagnosis WHERE job_id IN (" + marks + ")",
                    chunk,
                    rs -> out.put(rs.getString("job_id"), rs.getString("category")));
        }
        return out;
    }

    private interface RowAction {
        void accept(ResultSet rs) throws SQLException;
    }

    private void query(String sql, List<Object> args, RowAction action) {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    action.accept(rs);
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read diagnoses: " + e.getMessage(), e);
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(
                rs.getString("job_id"),
                diagnosis(rs),
                rs.getString("host"),
                rs.getString("site"),
                rs.getString("app"),
                rs.getString("workflow_id"),
                instant(Rows.longOrNull(rs, "start_time_ms")),
                instant(Rows.longOrNull(rs, "end_time_ms")),
                instant(Rows.longOrNull(rs, "sort_time_ms")),
                rs.getBoolean("has_output"));
    }

    private static Diagnosis diagnosis(ResultSet rs) throws SQLException {
        return new Diagnosis(
                Category.parse(rs.getString("category")),
                rs.getString("rule"),
                rs.getString("title"),
                rs.getString("service"),
                rs.getString("signature"),
                rs.getString("stream"),
                Rows.longOrNull(rs, "line_no"),
                rs.getString("excerpt"),
                rs.getInt("retryable") != 0,
                rs.getString("hint"));
    }

    private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof Long l) {
                ps.setLong(i + 1, l);
            } else {
                ps.setString(i + 1, (String) a);
            }
        }
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }
}
