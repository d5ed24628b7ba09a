package io.jobscope.jobs;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Job;
import io.jobscope.client.JobPage;
import io.jobscope.client.JobQueries;
import io.jobscope.client.JobQuery;
import io.jobscope.client.Json;
import io.jobscope.client.Sample;
import io.jobscope.client.Stats;
import io.jobscope.client.Statuses;
import io.jobscope.client.Workflow;
import io.jobscope.store.Database;
import io.jobscope.store.Rows;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/** History, details, statistics and workflows, answered from the store's projections. */
public final class JobService implements JobQueries {
    /** The keys {@code stats --by} accepts, and the column each groups on. */
    public static final Map<String, String> GROUP_COLUMNS = groupColumns();

    private static final String SUMMARY_COLUMNS = "id, workflow_id, app, script, params, status, exit_code,"
            + " submit_time_ms, start_time_ms, end_time_ms, duration_s, cpu_user_s, cpu_system_s, mem_peak_bytes,"
            + " host, site, client, error";
    private static final double MB = 1024.0 * 1024.0;

    private final Database db;

    public JobService(Database db) {
        this.db = db;
    }

    /** The store this service reads (for services beside it, such as {@link PhaseStatsService}). */
    public Database database() {
        return db;
    }

    private static Map<String, String> groupColumns() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("app", "app");
        m.put("site", "site");
        m.put("host", "host");
        m.put("status", "status");
        m.put("workflow", "workflow_id");
        m.put("client", "client");
        return m;
    }

    @Override
    public JobPage history(JobQuery q) {
        StringBuilder sql =
                new StringBuilder("SELECT ").append(SUMMARY_COLUMNS).append(", sort_time_ms FROM job WHERE 1=1");
        Map<String, Object> args = new LinkedHashMap<>();
        filter(sql, args, "status", q.status());
        filter(sql, args, "app", q.app());
        filter(sql, args, "workflow_id", q.workflow());
        filter(sql, args, "site", q.site());
        filter(sql, args, "host", q.host());
        if (q.since() != null) {
            sql.append(" AND sort_time_ms >= :since");
            args.put("since", q.since().toEpochMilli());
        }
        if (q.until() != null) {
            sql.append(" AND sort_time_ms < :until");
            args.put("until", q.until().toEpochMilli());
        }
        if (q.cursor() != null) {
            Cursor c = Cursor.decode(q.cursor());
            sql.append(" AND (sort_time_ms < :csort OR (sort_time_ms = :csort AND id < :cid))");
            args.put("csort", c.sortTime);
            args.put("cid", c.id);
        }
        sql.append(" ORDER BY sort_time_ms DESC, id DESC LIMIT :limit");
        args.put("limit", q.limit() + 1);
        List<Row> rows = db.jdbi().withHandle(h -> {
            Query query = h.createQuery(sql.toString());
            args.forEach(query::bind);
            return query.map((rs, ctx) -> new Row(summary(rs), rs.getLong("sort_time_ms")))
                    .list();
        });
        String next = null;
        if (rows.size() > q.limit()) {
            rows = rows.subList(0, q.limit());
            Row last = rows.get(rows.size() - 1);
            next = new Cursor(last.sortTime, last.job.id()).encode();
        }
        List<Job> jobs = new ArrayList<>(rows.size());
        rows.forEach(r -> jobs.add(r.job));
        return new JobPage(jobs, next);
    }

    private record Row(Job job, long sortTime) {}

    private static void filter(StringBuilder sql, Map<String, Object> args, String column, String value) {
        if (value != null) {
            sql.append(" AND ").append(column).append(" = :").append(column);
            args.put(column, value);
        }
    }

    @Override
    public Optional<Job> job(String id) {
        return db.jdbi().withHandle(h -> {
            Optional<Job> base = h.createQuery("SELECT " + SUMMARY_COLUMNS
                            + ", sort_time_ms, signal, held_reason, read_bytes, write_bytes, depends_on, attributes"
                            + " FROM job WHERE id = :id")
                    .bind("id", id)
                    .map((rs, ctx) -> withDetails(h, rs))
                    .findOne();
            return base;
        });
    }

    private Job withDetails(Handle h, ResultSet rs) throws SQLException {
        Job s = summary(rs);
        String id = s.id();
        List<Job.Phase> phases = h.createQuery("SELECT p.name, p.state, p.start_time_ms, p.end_time_ms, "
                        + PhaseStatsService.wallSql("p") + " AS wall_s, p.cpu_s FROM job_phase p WHERE p.job_id = :id"
                        + " ORDER BY COALESCE(p.start_time_ms, p.end_time_ms), p.name")
                .bind("id", id)
                .map((r, c) -> {
                    Long start = Rows.longOrNull(r, "start_time_ms");
                    Long end = Rows.longOrNull(r, "end_time_ms");
                    Double wall = Rows.doubleOrNull(r, "wall_s");
                    return new Job.Phase(
                            r.getString("name"),
                            r.getString("state"),
                            instant(start),
                            instant(end),
                            wall,
                            Rows.doubleOrNull(r, "cpu_s"));
                })
                .list();
        Job.SampleSummary samples = h.createQuery("SELECT COUNT(*) AS n, MIN(time_ms) AS first, MAX(time_ms) AS last,"
                        + " MAX(cpu_percent) AS cpu, MAX(rss_bytes) AS rss, MAX(processes) AS procs"
                        + " FROM resource_sample WHERE job_id = :id")
                .bind("id", id)
                .map((r, c) -> r.getLong("n") == 0
                        ? null
                        : new Job.SampleSummary(
                                r.getLong("n"),
                                instant(Rows.longOrNull(r, "first")),
                                instant(Rows.longOrNull(r, "last")),
                                Rows.doubleOrNull(r, "cpu"),
                                Rows.longOrNull(r, "rss"),
                                Rows.intOrNull(r, "procs")))
                .findOne()
                .orElse(null);
        Map<String, String> tails = new TreeMap<>();
        h.createQuery("SELECT stream, tail FROM job_log WHERE job_id = :id")
                .bind("id", id)
                .map((r, c) -> Map.entry(r.getString("stream"), r.getString("tail")))
                .forEach(e -> tails.put(e.getKey(), e.getValue()));
        List<Job.StatusChange> history = h.createQuery("SELECT id, type, time_ms, payload FROM job_event"
                        + " WHERE job_id = :id AND type IN ('job.submitted', 'job.started', 'job.finished')"
                        + " ORDER BY time_ms, id")
                .bind("id", id)
                .map((r, c) -> new Job.StatusChange(
                        Instant.ofEpochMilli(r.getLong("time_ms")),
                        statusOf(r.getString("type"), r.getString("payload")),
                        r.getString("id")))
                .list();
        Long peak = Rows.longOrNull(rs, "mem_peak_bytes");
        Job.Details d = new Job.Details(
                Rows.intOrNull(rs, "signal"),
                rs.getString("held_reason"),
                peak,
                Rows.longOrNull(rs, "read_bytes"),
                Rows.longOrNull(rs, "write_bytes"),
                parse(rs.getString("depends_on"), new TypeReference<List<String>>() {}),
                parse(rs.getString("attributes"), new TypeReference<Map<String, Object>>() {}),
                phases,
                samples,
                tails.get("stdout"),
                tails.get("stderr"),
                history);
        return s.withDetails(d);
    }

    private static String statusOf(String type, String payload) {
        switch (type) {
            case "job.submitted":
                return Statuses.PENDING;
            case "job.started":
                return Statuses.RUNNING;
            default:
                try {
                    JsonNode n = Json.mapper().readTree(payload);
                    if (n.hasNonNull("status")) {
                        return n.get("status").asText();
                    }
                    return n.path("exit_code").asInt(1) == 0 && !n.hasNonNull("signal")
                            ? Statuses.SUCCESS
                            : Statuses.FAILED;
                } catch (IOException e) {
                    return "finished";
                }
        }
    }

    @Override
    public Stats stats(String by, Instant since, String workflow) {
        String column = null;
        if (by != null) {
            column = GROUP_COLUMNS.get(by);
            if (column == null) {
                throw new IllegalArgumentException(
                        "cannot group by '" + by + "'; use one of " + String.join(", ", GROUP_COLUMNS.keySet()));
            }
        }
        List<StatsAccumulator.Cell> cells;
        if (workflow == null && (by == null || ROLLUP_KEYS.contains(by))) {
            cells = fromRollup(column, since);
        } else {
            cells = fromJobs(column, since == null ? null : since.toEpochMilli(), null, workflow);
        }
        return StatsAccumulator.build(by, cells);
    }

    /** Keys the hourly rollup can group by; others (host, workflow, client) scan the jobs. */
    private static final java.util.Set<String> ROLLUP_KEYS = java.util.Set.of("app", "site", "status");

    private static final long HOUR_MS = 3_600_000L;

    /**
     * Whole hours from {@code job_rollup}; the part of the first hour after {@code since} (when it is not on
     * an hour) from the jobs themselves, so the answer is exact.
     */
    private List<StatsAccumulator.Cell> fromRollup(String column, Instant since) {
        Long from = since == null ? null : since.toEpochMilli();
        long firstWholeHour = from == null ? Long.MIN_VALUE : Math.floorDiv(from + HOUR_MS - 1, HOUR_MS) * HOUR_MS;
        String key = column == null ? "NULL" : column.equals("status") ? "status" : "NULLIF(" + column + ", '')";
        String sql = "SELECT " + key + " AS k, status, SUM(jobs) AS n, SUM(cpu_s) AS cpu, SUM(duration_s) AS dur,"
                + " SUM(with_duration) AS ndur FROM job_rollup"
                + (from == null ? "" : " WHERE hour_ms >= :hour")
                + " GROUP BY " + (column == null ? "status" : column + ", status");
        List<StatsAccumulator.Cell> cells = new java.util.ArrayList<>(db.jdbi().withHandle(h -> {
            Query q = h.createQuery(sql);
            if (from != null) {
                q.bind("hour", firstWholeHour);
            }
            return q.map((rs, ctx) -> cell(rs)).list();
        }));
        if (from != null && from < firstWholeHour) {
            cells.addAll(fromJobs(column, from, firstWholeHour, null));
        }
        cells.removeIf(c -> c.count() == 0);
        return cells;
    }

    private List<StatsAccumulator.Cell> fromJobs(String column, Long from, Long until, String workflow) {
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(column == null ? "NULL" : column)
                .append(" AS k, status, COUNT(*) AS n,")
                .append(" SUM(COALESCE(cpu_user_s, 0) + COALESCE(cpu_system_s, 0)) AS cpu,")
                .append(" SUM(duration_s) AS dur, COUNT(duration_s) AS ndur FROM job WHERE 1=1");
        Map<String, Object> args = new LinkedHashMap<>();
        if (from != null) {
            sql.append(" AND sort_time_ms >= :since");
            args.put("since", from);
        }
        if (until != null) {
            sql.append(" AND sort_time_ms < :until");
            args.put("until", until);
        }
        if (workflow != null) {
            sql.append(" AND workflow_id = :workflow");
            args.put("workflow", workflow);
        }
        sql.append(" GROUP BY ").append(column == null ? "status" : column + ", status");
        return db.jdbi().withHandle(h -> {
            Query q = h.createQuery(sql.toString());
            args.forEach(q::bind);
            return q.map((rs, ctx) -> cell(rs)).list();
        });
    }

    private static StatsAccumulator.Cell cell(ResultSet rs) throws SQLException {
        return new StatsAccumulator.Cell(
                rs.getString("k"),
                rs.getString("status"),
                rs.getLong("n"),
                rs.getDouble("cpu"),
                rs.getDouble("dur"),
                rs.getLong("ndur"));
    }

    @Override
    public List<Workflow> workflows(int limit) {
        return db.jdbi().withHandle(h -> {
            List<Map<String, Object>> rows = h.createQuery("SELECT id, name, user_name, status, status_time_ms,"
                            + " start_time_ms, end_time_ms FROM workflow"
                            + " ORDER BY COALESCE(start_time_ms, updated_ms) DESC, id LIMIT :limit")
                    .bind("limit", limit)
                    .mapToMap()
                    .list();
            List<Workflow> out = new ArrayList<>(rows.size());
            for (Map<String, Object> r : rows) {
                out.add(workflow(h, r));
            }
            return out;
        });
    }

    /** One workflow with its counts, or empty. */
    @Override
    public Optional<Workflow> workflow(String id) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT id, name, user_name, status, status_time_ms,"
                                + " start_time_ms, end_time_ms FROM workflow WHERE id = :id")
                        .bind("id", id)
                        .mapToMap()
                        .findOne()
                        .map(r -> workflow(h, r)));
    }

    private Workflow workflow(Handle h, Map<String, Object> r) {
        String id = (String) r.get("id");
        Map<String, Long> byStatus = new TreeMap<>();
        long[] times = {Long.MAX_VALUE, Long.MIN_VALUE};
        h.createQuery("SELECT status, COUNT(*) AS n FROM job WHERE workflow_id = :id GROUP BY status")
                .bind("id", id)
                .map((rs, c) -> Map.entry(rs.getString("status"), rs.getLong("n")))
                .forEach(e -> byStatus.put(e.getKey(), e.getValue()));
        Long start = number(r.get("start_time_ms"));
        Long end = number(r.get("end_time_ms"));
        if (start == null || end == null) {
            h.createQuery("SELECT MIN(sort_time_ms) AS s, MAX(end_time_ms) AS e FROM job WHERE workflow_id = :id")
                    .bind("id", id)
                    .map((rs, c) -> {
                        times[0] = rs.getLong("s");
                        times[1] = rs.getLong("e");
                        return 0;
                    })
                    .one();
        }
        WorkflowCounts counts = WorkflowCounts.of(byStatus);
        long total = counts.total();
        long running = counts.running();
        long pending = counts.pending();
        long success = counts.success();
        long failed = counts.failed();
        String status = (String) r.get("status");
        if (number(r.get("status_time_ms")) == null) {
            status = counts.derivedStatus();
        }
        if (start == null && times[0] != Long.MAX_VALUE && times[0] != 0) {
            start = times[0];
        }
        if (end == null && running + pending == 0 && times[1] != Long.MIN_VALUE && times[1] != 0) {
            end = times[1];
        }
        Double duration = start != null && end != null ? (end - start) / 1000.0 : null;
        return new Workflow(
                id,
                (String) r.get("name"),
                (String) r.get("user_name"),
                status,
                instant(start),
                instant(end),
                duration,
                total,
                running,
                success,
                failed,
                byStatus);
    }

    /**
     * Streams every job, oldest first, with its attributes (the only detail filled in), without holding
     * more than one row in memory: for exports.
     */
    public void forEachJob(java.util.function.Consumer<Job> action) {
        // PostgreSQL streams rows (fetch size) only inside a transaction.
        db.jdbi().useTransaction(h -> {
            try (var rows = h
                    .createQuery("SELECT " + SUMMARY_COLUMNS + ", attributes FROM job ORDER BY sort_time_ms, id")
                    .setFetchSize(1000)
                    .map((rs, ctx) -> {
                        Job s = summary(rs);
                        Job.Details d = new Job.Details(
                                null,
                                null,
                                Rows.longOrNull(rs, "mem_peak_bytes"),
                                null,
                                null,
                                null,
                                parse(rs.getString("attributes"), new TypeReference<Map<String, Object>>() {}),
                                null,
                                null,
                                null,
                                null,
                                null);
                        return s.withDetails(d);
                    })
                    .stream()) {
                rows.forEach(action);
            }
        });
    }

    @Override
    public List<Sample> samples(String jobId) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT time_ms, cpu_percent, rss_bytes, threads, processes,"
                                + " read_bytes, write_bytes FROM resource_sample WHERE job_id = :id ORDER BY time_ms")
                        .bind("id", jobId)
                        .map((rs, c) -> new Sample(
                                Instant.ofEpochMilli(rs.getLong("time_ms")),
                                Rows.doubleOrNull(rs, "cpu_percent"),
                                Rows.longOrNull(rs, "rss_bytes"),
                                Rows.intOrNull(rs, "threads"),
                                Rows.intOrNull(rs, "processes"),
                                Rows.longOrNull(rs, "read_bytes"),
                                Rows.longOrNull(rs, "write_bytes")))
                        .list());
    }

    static Job summary(ResultSet rs) throws SQLException {
        Double user = Rows.doubleOrNull(rs, "cpu_user_s");
        Double system = Rows.doubleOrNull(rs, "cpu_system_s");
        Double total = user == null && system == null
                ? null
                : round((user == null ? 0 : user) + (system == null ? 0 : system));
        Long peak = Rows.longOrNull(rs, "mem_peak_bytes");
        return new Job(
                rs.getString("id"),
                rs.getString("workflow_id"),
                rs.getString("app"),
                rs.getString("script"),
                parse(rs.getString("params"), new TypeReference<Map<String, Object>>() {}),
                rs.getString("status"),
                Rows.intOrNull(rs, "exit_code"),
                instant(Rows.longOrNull(rs, "submit_time_ms")),
                instant(Rows.longOrNull(rs, "start_time_ms")),
                instant(Rows.longOrNull(rs, "end_time_ms")),
                Rows.doubleOrNull(rs, "duration_s"),
                user,
                system,
                total,
                peak == null ? null : Math.round(peak / MB * 100.0) / 100.0,
                rs.getString("host"),
                rs.getString("site"),
                rs.getString("client"),
                rs.getString("error"),
                null);
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }

    private static <T> T parse(String json, TypeReference<T> type) {
        if (json == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(json, type);
        } catch (IOException e) {
            return null;
        }
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }

    private static Long number(Object o) {
        return o == null ? null : ((Number) o).longValue();
    }

    /** A position in a newest-first listing: the sort time and id of the last job shown. */
    record Cursor(long sortTime, String id) {
        String encode() {
            return Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((sortTime + ":" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor decode(String s) {
            try {
                String raw = new String(Base64.getUrlDecoder().decode(s), StandardCharsets.UTF_8);
                int colon = raw.indexOf(':');
                return new Cursor(Long.parseLong(raw.substring(0, colon)), raw.substring(colon + 1));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        "cursor '" + s + "' is not one jobscope handed out (give a page's next_cursor as it came)");
            }
        }
    }
}
