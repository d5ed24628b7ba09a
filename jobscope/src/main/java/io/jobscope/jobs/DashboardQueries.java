package io.jobscope.jobs;

import com.fasterxml.jackson.core.type.TypeReference;
import io.jobscope.client.Json;
import io.jobscope.client.Statuses;
import io.jobscope.store.Database;
import io.jobscope.store.Rows;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.Query;

/**
 * What the dashboard's pages show, aggregated in SQL so that every page stays fast on millions of jobs:
 * counts and sums come from indexes, listings are paged, and timelines and DAGs of large workflows are
 * aggregated rather than drawn job by job.
 */
public final class DashboardQueries {
    /** Past this many jobs a workflow's timeline and DAG are aggregated (by time bucket, by app). */
    public static final int DETAIL_LIMIT = 2000;

    static final String FAILURE_STATUSES = "('failed', 'error', 'timeout')";
    private static final String CPU = "(COALESCE(cpu_user_s, 0) + COALESCE(cpu_system_s, 0))";
    private static final long HOUR = 3_600_000L;

    /** How the stats page may group jobs. */
    public static final List<String> STATS_GROUPS = StatsSummaries.GROUPINGS;

    /** The sort orders of the jobs listing. */
    public static final Map<String, String> SORTS = sorts();

    private final Database db;
    private final Clock clock;
    private final StatsSummaries summaries;

    public DashboardQueries(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.summaries = new StatsSummaries(db);
    }

    private static Map<String, String> sorts() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("newest", "sort_time_ms DESC, id DESC");
        m.put("oldest", "sort_time_ms ASC, id ASC");
        m.put("longest", "duration_s DESC, id DESC");
        m.put("memory", "mem_peak_bytes DESC, id DESC");
        return m;
    }

    // ---------------------------------------------------------------- records

    /** One job as listings show it. */
    public record JobLine(
            String id,
            String workflow,
            String app,
            String status,
            Integer exitCode,
            String host,
            String site,
            Instant startTime,
            Instant endTime,
            Double durationS,
            Double cpuS,
            Long memPeakBytes) {}

    /** A failed job with the line of its output that best says why. */
    public record Failure(
            String id,
            String workflow,
            String app,
            String status,
            Integer exitCode,
            String host,
            Instant endTime,
            String firstErrorLine) {}

    /** What the overview shows. */
    public record Overview(
            Instant asOf,
            long running,
            long pending,
            long succeededHour,
            long failedHour,
            long succeededDay,
            long failedDay,
            List<Failure> recentFailures,
            List<JobLine> runningJobs) {}

    /** A page of rows; {@code page} counts from 1. */
    public record Page<T>(List<T> rows, int page, int size, boolean hasNext) {}

    /** A workflow with its job counts. */
    public record WorkflowLine(
            String id,
            String name,
            String user,
            String status,
            Instant startTime,
            Instant endTime,
            Double durationS,
            long jobs,
            long pending,
            long running,
            long success,
            long failed) {}

    /** Per-app figures inside one workflow. */
    public record AppLine(
            String app, long jobs, long success, long failed, Double meanWallS, Double medianWallS, Long maxMemBytes) {}

    /** The workflow page's numbers. */
    public record WorkflowSummary(
            WorkflowLine workflow,
            Double successRate,
            double cpuHours,
            double wastedCpuHours,
            double wastedWallHours,
            List<AppLine> apps,
            List<Failure> failures) {}

    /** One row of the stats page. */
    public record StatsLine(
            String key,
            long jobs,
            long success,
            long failed,
            Double failureRate,
            double wallHours,
            Double meanWallS,
            double cpuHours,
            Double efficiency) {}

    /** Filters of the jobs listing, as the URL holds them. */
    public record JobFilter(
            String status,
            String app,
            String workflow,
            String site,
            String host,
            Instant since,
            Instant until,
            String sort,
            int page,
            int size) {
        public JobFilter {
            if (sort == null || sort.isBlank()) {
                sort = "newest";
            }
            if (!SORTS.containsKey(sort)) {
                throw new IllegalArgumentException(
                        "sort: unknown order '" + sort + "'; use one of " + String.join(", ", SORTS.keySet()));
            }
            if (page < 1) {
                throw new IllegalArgumentException("page: expecting a number >= 1, found " + page);
            }
            if (page > 1000) {
                throw new IllegalArgumentException("page: at most 1000 pages are shown; narrow the filters instead");
            }
            if (size < 1 || size > 500) {
                throw new IllegalArgumentException("size: expecting 1..500, found " + size);
            }
            if (status != null && !Statuses.isKnown(status)) {
                throw new IllegalArgumentException(
                        "status: unknown status '" + status + "'; use one of " + String.join(", ", Statuses.ALL));
            }
        }
    }

    // ---------------------------------------------------------------- overview

    public Overview overview() {
        long now = clock.millis();
        return db.jdbi().withHandle(h -> {
            Map<String, Long> current = new HashMap<>();
            h.createQuery("SELECT status, COUNT(*) AS n FROM job WHERE status IN ('running', 'pending', 'held')"
                            + " GROUP BY status")
                    .map((rs, c) -> Map.entry(rs.getString("status"), rs.getLong("n")))
                    .forEach(e -> current.put(e.getKey(), e.getValue()));
            long[] hour = finishedSince(h, now - HOUR);
            long[] day = finishedSince(h, now - 24 * HOUR);
            List<Failure> failures = failures(
                    h,
                    // COALESCE keeps the planner on the end-time index, read backwards from now.
                    "SELECT id, workflow_id, app, status, exit_code, host, end_time_ms, error FROM job"
                            + " WHERE COALESCE(status, '') IN " + FAILURE_STATUSES + " AND end_time_ms >= :since"
                            + " ORDER BY end_time_ms DESC LIMIT 10",
                    Map.of("since", now - 7 * 24 * HOUR));
            List<JobLine> running = h.createQuery("SELECT " + LINE_COLUMNS
                            + " FROM job WHERE status = 'running' ORDER BY sort_time_ms DESC, id DESC LIMIT 15")
                    .map((rs, c) -> line(rs))
                    .list();
            return new Overview(
                    Instant.ofEpochMilli(now),
                    current.getOrDefault(Statuses.RUNNING, 0L),
                    current.getOrDefault(Statuses.PENDING, 0L) + current.getOrDefault(Statuses.HELD, 0L),
                    hour[0],
                    hour[1],
                    day[0],
                    day[1],
                    failures,
                    running);
        });
    }

    /** Succeeded and failed jobs that finished at or after {@code since}. */
    private static long[] finishedSince(Handle h, long since) {
        // Sums rather than GROUP BY status, so that the planner reads the (end time, status) range.
        return h.createQuery("SELECT SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS ok,"
                        + " SUM(CASE WHEN status IN " + FAILURE_STATUSES + " THEN 1 ELSE 0 END) AS bad"
                        + " FROM job WHERE end_time_ms >= :since")
                .bind("since", since)
                .map((rs, c) -> new long[] {rs.getLong("ok"), rs.getLong("bad")})
                .one();
    }

    /** Jobs finished per hour over the last 24 hours, by outcome: for the throughput chart. */
    public Map<String, Object> throughput() {
        long now = clock.millis();
        long end = (now / HOUR + 1) * HOUR;
        long start = end - 24 * HOUR;
        long[] ok = new long[24];
        long[] failed = new long[24];
        long[] other = new long[24];
        db.jdbi()
                .useHandle(h -> h.createQuery("SELECT (end_time_ms - :start) / " + HOUR
                                + " AS b, status, COUNT(*) AS n FROM job WHERE end_time_ms >= :start"
                                + " GROUP BY 1, 2")
                        .bind("start", start)
                        .map((rs, c) -> {
                            int b = (int) rs.getLong("b");
                            if (b >= 0 && b < 24) {
                                String s = rs.getString("status");
                                long n = rs.getLong("n");
                                if (Statuses.SUCCESS.equals(s)) {
                                    ok[b] += n;
                                } else if (Statuses.isFailure(s)) {
                                    failed[b] += n;
                                } else {
                                    other[b] += n;
                                }
                            }
                            return 0;
                        })
                        .list());
        List<String> times = new ArrayList<>(24);
        for (int i = 0; i < 24; i++) {
            times.add(Instant.ofEpochMilli(start + i * HOUR).toString());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bucket_s", 3600);
        m.put("times", times);
        m.put("succeeded", ok);
        m.put("failed", failed);
        m.put("other", other);
        return m;
    }

    // ---------------------------------------------------------------- workflows

    /** Workflows, newest first, filtered by a text in the id or name, a status and a user. */
    public Page<WorkflowLine> workflows(String text, String status, String user, int page, int size) {
        if (page < 1 || size < 1 || size > 500) {
            throw new IllegalArgumentException("page must be >= 1 and size 1..500");
        }
        StringBuilder sql = new StringBuilder("SELECT id, name, user_name, status, status_time_ms, start_time_ms,"
                + " end_time_ms FROM workflow WHERE 1=1");
        Map<String, Object> args = new LinkedHashMap<>();
        if (text != null && !text.isBlank()) {
            sql.append(" AND (LOWER(id) LIKE :text ESCAPE '!' OR LOWER(COALESCE(name, '')) LIKE :text ESCAPE '!')");
            args.put("text", "%" + likeEscape(text.toLowerCase(Locale.ROOT)) + "%");
        }
        if (user != null && !user.isBlank()) {
            sql.append(" AND user_name = :user");
            args.put("user", user);
        }
        boolean derivedStatusFilter = status != null && !status.isBlank();
        // The status shown may be derived from the jobs' statuses, so a status filter is applied after counting.
        sql.append(" ORDER BY COALESCE(start_time_ms, updated_ms) DESC, id");
        int offset = (page - 1) * size;
        if (!derivedStatusFilter) {
            sql.append(" LIMIT :limit OFFSET :offset");
            args.put("limit", size + 1);
            args.put("offset", offset);
        }
        return db.jdbi().withHandle(h -> {
            Query q = h.createQuery(sql.toString());
            args.forEach(q::bind);
            List<Map<String, Object>> rows = q.mapToMap().list();
            if (!derivedStatusFilter) {
                boolean more = rows.size() > size;
                List<WorkflowLine> lines = workflowLines(h, more ? rows.subList(0, size) : rows);
                return new Page<>(lines, page, size, more);
            }
            List<WorkflowLine> matching = new ArrayList<>();
            for (int i = 0; i < rows.size() && matching.size() <= offset + size; i += 500) {
                for (WorkflowLine w : workflowLines(h, rows.subList(i, Math.min(rows.size(), i + 500)))) {
                    if (w.status().equals(status)) {
                        matching.add(w);
                    }
                }
            }
            boolean more = matching.size() > offset + size;
            List<WorkflowLine> pageRows = offset >= matching.size()
                    ? List.of()
                    : matching.subList(offset, Math.min(matching.size(), offset + size));
            return new Page<>(List.copyOf(pageRows), page, size, more);
        });
    }

    /**
     * A LIKE pattern's text with its wildcards taken literally, for {@code ESCAPE '!'}. Not a backslash: Jdbi's
     * parser reads {@code '\'} as an unterminated string and hides the named parameters after it.
     */
    private static String likeEscape(String s) {
        return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    private List<WorkflowLine> workflowLines(Handle h, List<Map<String, Object>> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(rows.size());
        rows.forEach(r -> ids.add((String) r.get("id")));
        Map<String, Map<String, Long>> counts = new HashMap<>();
        Map<String, long[]> times = new HashMap<>();
        h.createQuery("SELECT workflow_id, status, COUNT(*) AS n FROM job WHERE workflow_id IN (<ids>)"
                        + " GROUP BY workflow_id, status")
                .bindList("ids", ids)
                .map((rs, c) -> {
                    counts.computeIfAbsent(rs.getString("workflow_id"), k -> new TreeMap<>())
                            .put(rs.getString("status"), rs.getLong("n"));
                    return 0;
                })
                .list();
        // Start and end from the jobs only where the workflow's own events did not say (an index-only scan).
        List<String> missing = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            if (r.get("start_time_ms") == null || r.get("end_time_ms") == null) {
                missing.add((String) r.get("id"));
            }
        }
        if (!missing.isEmpty()) {
            h.createQuery("SELECT workflow_id, MIN(sort_time_ms) AS s, MAX(end_time_ms) AS e FROM job"
                            + " WHERE workflow_id IN (<ids>) GROUP BY workflow_id")
                    .bindList("ids", missing)
                    .map((rs, c) -> {
                        long[] t = {Long.MAX_VALUE, Long.MIN_VALUE};
                        long s = rs.getLong("s");
                        if (!rs.wasNull()) {
                            t[0] = s;
                        }
                        long e = rs.getLong("e");
                        if (!rs.wasNull()) {
                            t[1] = e;
                        }
                        times.put(rs.getString("workflow_id"), t);
                        return 0;
                    })
                    .list();
        }
        List<WorkflowLine> out = new ArrayList<>(rows.size());
        for (Map<String, Object> r : rows) {
            String id = (String) r.get("id");
            out.add(workflowLine(r, counts.getOrDefault(id, Map.of()), times.getOrDefault(id, new long[] {
                Long.MAX_VALUE, Long.MIN_VALUE
            })));
        }
        return out;
    }

    private WorkflowLine workflowLine(Map<String, Object> r, Map<String, Long> byStatus, long[] times) {
        WorkflowCounts counts = WorkflowCounts.of(byStatus);
        long total = counts.total();
        long running = counts.running();
        long pending = counts.pending();
        long success = counts.success();
        long failed = counts.failed();
        String status = (String) r.get("status");
        if (r.get("status_time_ms") == null || status == null) {
            status = counts.derivedStatus();
        }
        Long start = number(r.get("start_time_ms"));
        Long end = number(r.get("end_time_ms"));
        if (start == null && times[0] != Long.MAX_VALUE) {
            start = times[0];
        }
        if (end == null && running + pending == 0 && times[1] != Long.MIN_VALUE) {
            end = times[1];
        }
        Double duration = start == null
                ? null
                : ((end != null ? end : Statuses.RUNNING.equals(status) ? clock.millis() : start) - start) / 1000.0;
        return new WorkflowLine(
                (String) r.get("id"),
                (String) r.get("name"),
                (String) r.get("user_name"),
                status,
                instant(start),
                instant(end),
                duration,
                total,
                pending,
                running,
                success,
                failed);
    }

    /** The workflow page's numbers, or empty when there is no such workflow. */
    public Optional<WorkflowSummary> workflow(String id) {
        return db.jdbi().withHandle(h -> {
            Optional<Map<String, Object>> row = h.createQuery("SELECT id, name, user_name, status, status_time_ms,"
                            + " start_time_ms, end_time_ms FROM workflow WHERE id = :id")
                    .bind("id", id)
                    .mapToMap()
                    .findOne();
            if (row.isEmpty()) {
                return Optional.empty();
            }
            WorkflowLine wf = workflowLines(h, List.of(row.get())).get(0);
            double[] sums = new double[3]; // cpu, wasted cpu, wasted wall (seconds)
            List<AppLine> apps = new ArrayList<>();
            Map<String, long[]> appCounts = new LinkedHashMap<>();
            h.createQuery("SELECT app, status, COUNT(*) AS n, SUM(" + CPU + ") AS cpu, SUM(duration_s) AS wall"
                            + " FROM job WHERE workflow_id = :id GROUP BY app, status")
                    .bind("id", id)
                    .map((rs, c) -> {
                        String status = rs.getString("status");
                        double cpu = rs.getDouble("cpu");
                        sums[0] += cpu;
                        if (Statuses.isFailure(status)) {
                            sums[1] += cpu;
                            sums[2] += rs.getDouble("wall");
                        }
                        return 0;
                    })
                    .list();
            h.createQuery("SELECT app, COUNT(*) AS n,"
                            + " SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS ok,"
                            + " SUM(CASE WHEN status IN " + FAILURE_STATUSES + " THEN 1 ELSE 0 END) AS bad,"
                            + " AVG(duration_s) AS mean, COUNT(duration_s) AS ndur, MAX(mem_peak_bytes) AS mem"
                            + " FROM job WHERE workflow_id = :id GROUP BY app ORDER BY COUNT(*) DESC, app")
                    .bind("id", id)
                    .map((rs, c) -> {
                        String app = rs.getString("app");
                        appCounts.put(app == null ? "" : app, new long[] {rs.getLong("ndur")});
                        return new AppLine(
                                app,
                                rs.getLong("n"),
                                rs.getLong("ok"),
                                rs.getLong("bad"),
                                doubleOrNull(rs, "mean"),
                                null,
                                longOrNull(rs, "mem"));
                    })
                    .forEach(apps::add);
            List<AppLine> withMedian = new ArrayList<>(apps.size());
            for (AppLine a : apps) {
                long n = appCounts.get(a.app() == null ? "" : a.app())[0];
                Double median = n == 0 ? null : median(h, id, a.app(), n);
                withMedian.add(new AppLine(
                        a.app(), a.jobs(), a.success(), a.failed(), a.meanWallS(), median, a.maxMemBytes()));
            }
            long finished = wf.success() + wf.failed();
            Double rate = finished == 0 ? null : 100.0 * wf.success() / finished;
            List<Failure> failures = failures(
                    h,
                    "SELECT id, workflow_id, app, status, exit_code, host, end_time_ms, error FROM job"
                            + " WHERE workflow_id = :id AND status IN " + FAILURE_STATUSES
                            + " ORDER BY end_time_ms DESC, id LIMIT 50",
                    Map.of("id", id));
            return Optional.of(new WorkflowSummary(
                    wf, rate, sums[0] / 3600.0, sums[1] / 3600.0, sums[2] / 3600.0, withMedian, failures));
        });
    }

    /** The median walltime of an app's jobs in a workflow, read from the (workflow, app, duration) index. */
    private static Double median(Handle h, String workflow, String app, long n) {
        String appCond = app == null ? "app IS NULL" : "app = :app";
        Query q = h.createQuery("SELECT duration_s FROM job WHERE workflow_id = :id AND " + appCond
                        + " AND duration_s IS NOT NULL ORDER BY duration_s LIMIT 2 OFFSET :off")
                .bind("id", workflow)
                .bind("off", (n - 1) / 2);
        if (app != null) {
            q.bind("app", app);
        }
        List<Double> v = q.mapTo(Double.class).list();
        if (v.isEmpty()) {
            return null;
        }
        return n % 2 == 1 || v.size() < 2 ? v.get(0) : (v.get(0) + v.get(1)) / 2;
    }

    /**
     * The jobs of a workflow on a time line: each job (start to end) up to {@link #DETAIL_LIMIT} jobs, past
     * that the number of jobs running per app in each of about 200 time buckets.
     */
    public Map<String, Object> timeline(String workflow) {
        long now = clock.millis();
        return db.jdbi().withHandle(h -> {
            long[] span = h.createQuery("SELECT COUNT(*) AS n, MIN(COALESCE(start_time_ms, sort_time_ms)) AS s,"
                            + " MAX(COALESCE(end_time_ms, start_time_ms, sort_time_ms)) AS e"
                            + " FROM job WHERE workflow_id = :id")
                    .bind("id", workflow)
                    .map((rs, c) -> new long[] {rs.getLong("n"), rs.getLong("s"), rs.getLong("e")})
                    .one();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("jobs_total", span[0]);
            if (span[0] == 0) {
                m.put("mode", "jobs");
                m.put("jobs", List.of());
                return m;
            }
            if (span[0] <= DETAIL_LIMIT) {
                List<Map<String, Object>> jobs = new ArrayList<>();
                h.createQuery("SELECT id, app, status, start_time_ms, end_time_ms, submit_time_ms FROM job"
                                + " WHERE workflow_id = :id ORDER BY COALESCE(start_time_ms, sort_time_ms), id")
                        .bind("id", workflow)
                        .map((rs, c) -> {
                            Map<String, Object> j = new LinkedHashMap<>();
                            j.put("id", rs.getString("id"));
                            j.put("app", rs.getString("app"));
                            j.put("status", rs.getString("status"));
                            Long start = longOrNull(rs, "start_time_ms");
                            Long end = longOrNull(rs, "end_time_ms");
                            j.put(
                                    "start",
                                    start == null
                                            ? null
                                            : Instant.ofEpochMilli(start).toString());
                            j.put(
                                    "end",
                                    end != null
                                            ? Instant.ofEpochMilli(end).toString()
                                            : Statuses.RUNNING.equals(rs.getString("status"))
                                                    ? Instant.ofEpochMilli(now).toString()
                                                    : null);
                            return j;
                        })
                        .forEach(jobs::add);
                m.put("mode", "jobs");
                m.put("jobs", jobs);
                return m;
            }
            long start = span[1];
            long end = Math.max(span[2], start + 1000);
            long width = Math.max(1000, (end - start + 199) / 200);
            int buckets = (int) ((end - start) / width) + 1;
            Map<String, long[]> delta = new TreeMap<>();
            h.createQuery("SELECT app, (start_time_ms - :t0) / :w AS sb,"
                            + " (COALESCE(end_time_ms, :now) - :t0) / :w AS eb, COUNT(*) AS n FROM job"
                            + " WHERE workflow_id = :id AND start_time_ms IS NOT NULL"
                            + " GROUP BY 1, 2, 3")
                    .bind("id", workflow)
                    .bind("t0", start)
                    .bind("w", width)
                    .bind("now", Math.min(now, end))
                    .map((rs, c) -> {
                        String app = rs.getString("app");
                        long[] d = delta.computeIfAbsent(app == null ? "(none)" : app, k -> new long[buckets + 1]);
                        int sb = clamp(rs.getLong("sb"), buckets);
                        int eb = clamp(rs.getLong("eb"), buckets);
                        long n = rs.getLong("n");
                        d[sb] += n;
                        d[Math.min(buckets, Math.max(eb, sb) + 1)] -= n;
                        return 0;
                    })
                    .list();
            Map<String, long[]> series = new LinkedHashMap<>();
            delta.forEach((app, d) -> {
                long[] s = new long[buckets];
                long run = 0;
                for (int i = 0; i < buckets; i++) {
                    run += d[i];
                    s[i] = run;
                }
                series.put(app, s);
            });
            List<String> times = new ArrayList<>(buckets);
            for (int i = 0; i < buckets; i++) {
                times.add(Instant.ofEpochMilli(start + i * width).toString());
            }
            m.put("mode", "aggregate");
            m.put("bucket_s", width / 1000.0);
            m.put("times", times);
            m.put("running", series);
            return m;
        });
    }

    private static int clamp(long v, int buckets) {
        return (int) Math.max(0, Math.min(buckets - 1, v));
    }

    /**
     * The DAG of a workflow from its jobs' {@code depends_on}: one node per job up to {@link #DETAIL_LIMIT}
     * jobs, past that one node per app with the dependencies between apps.
     */
    public Map<String, Object> dag(String workflow) {
        return db.jdbi().withHandle(h -> {
            long n = h.createQuery("SELECT COUNT(*) FROM job WHERE workflow_id = :id")
                    .bind("id", workflow)
                    .mapTo(Long.class)
                    .one();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("jobs_total", n);
            List<Map<String, Object>> nodes = new ArrayList<>();
            List<Map<String, Object>> edges = new ArrayList<>();
            if (n <= DETAIL_LIMIT) {
                Map<String, List<String>> deps = new LinkedHashMap<>();
                h.createQuery("SELECT id, app, status, depends_on FROM job WHERE workflow_id = :id ORDER BY id")
                        .bind("id", workflow)
                        .map((rs, c) -> {
                            Map<String, Object> node = new LinkedHashMap<>();
                            node.put("id", rs.getString("id"));
                            node.put("app", rs.getString("app"));
                            node.put("status", rs.getString("status"));
                            deps.put(rs.getString("id"), parseList(rs.getString("depends_on")));
                            return node;
                        })
                        .forEach(nodes::add);
                Set<String> known = deps.keySet();
                deps.forEach((target, sources) -> {
                    for (String source : sources) {
                        if (known.contains(source)) {
                            edges.add(Map.of("source", source, "target", target));
                        }
                    }
                });
                m.put("mode", "jobs");
            } else {
                Map<String, String> appOf = new HashMap<>();
                Map<String, Map<String, Long>> byApp = new TreeMap<>();
                Map<String, Long> edgeCounts = new TreeMap<>();
                List<String[]> pending = new ArrayList<>();
                h.createQuery("SELECT id, app, status, depends_on FROM job WHERE workflow_id = :id")
                        .bind("id", workflow)
                        .setFetchSize(5000)
                        .map((rs, c) -> {
                            String app = rs.getString("app") == null ? "(none)" : rs.getString("app");
                            appOf.put(rs.getString("id"), app);
                            byApp.computeIfAbsent(app, k -> new TreeMap<>())
                                    .merge(rs.getString("status"), 1L, Long::sum);
                            for (String d : parseList(rs.getString("depends_on"))) {
                                pending.add(new String[] {d, app});
                            }
                            return 0;
                        })
                        .list();
                for (String[] p : pending) {
                    String from = appOf.get(p[0]);
                    if (from != null) {
                        edgeCounts.merge(from + "\u0000" + p[1], 1L, Long::sum);
                    }
                }
                byApp.forEach((app, counts) -> {
                    Map<String, Object> node = new LinkedHashMap<>();
                    node.put("id", app);
                    node.put("app", app);
                    node.put("status", dominantStatus(counts));
                    node.put(
                            "jobs",
                            counts.values().stream().mapToLong(Long::longValue).sum());
                    node.put("by_status", counts);
                    nodes.add(node);
                });
                edgeCounts.forEach((k, v) -> {
                    String[] p = k.split("\u0000", 2);
                    edges.add(Map.of("source", p[0], "target", p[1], "count", v));
                });
                m.put("mode", "apps");
            }
            m.put("nodes", nodes);
            m.put("edges", edges);
            return m;
        });
    }

    /** The status that colours an app node: failures first, then running, pending, success. */
    private static String dominantStatus(Map<String, Long> counts) {
        for (String s : List.of(Statuses.FAILED, Statuses.ERROR, Statuses.TIMEOUT)) {
            if (counts.containsKey(s)) {
                return Statuses.FAILED;
            }
        }
        for (String s : List.of(Statuses.RUNNING, Statuses.PENDING, Statuses.HELD, Statuses.SUCCESS)) {
            if (counts.containsKey(s)) {
                return s;
            }
        }
        return counts.keySet().stream().findFirst().orElse("unknown");
    }

    /**
     * CPU cores and memory in use across a workflow over time, from its jobs' samples: each job's samples
     * are averaged per time bucket, then summed across jobs.
     */
    public Map<String, Object> resources(String workflow) {
        return db.jdbi().withHandle(h -> {
            long[] span = h.createQuery("SELECT MIN(s.time_ms) AS a, MAX(s.time_ms) AS b, COUNT(*) AS n"
                            + " FROM resource_sample s JOIN job j ON j.id = s.job_id WHERE j.workflow_id = :id")
                    .bind("id", workflow)
                    .map((rs, c) -> new long[] {rs.getLong("a"), rs.getLong("b"), rs.getLong("n")})
                    .one();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("samples", span[2]);
            if (span[2] == 0) {
                m.put("times", List.of());
                m.put("cores", List.of());
                m.put("mem_bytes", List.of());
                return m;
            }
            // A bucket at least as wide as the jobs' sampling interval holds a sample of every running job.
            double interval = h.createQuery("SELECT SUM(b - a) AS spans, SUM(n) - COUNT(*) AS gaps FROM ("
                            + " SELECT MIN(s.time_ms) AS a, MAX(s.time_ms) AS b, COUNT(*) AS n FROM resource_sample s"
                            + " JOIN job j ON j.id = s.job_id WHERE j.workflow_id = :id GROUP BY s.job_id) per_job")
                    .bind("id", workflow)
                    .map((rs, c) -> rs.getLong("gaps") <= 0 ? 0.0 : rs.getDouble("spans") / rs.getLong("gaps"))
                    .one();
            long width = Math.max(Math.max(1000, (span[1] - span[0] + 149) / 150), (long) Math.ceil(interval));
            TreeMap<Long, double[]> buckets = new TreeMap<>();
            h.createQuery("SELECT b, SUM(cpu) AS cpu, SUM(rss) AS rss FROM ("
                            + " SELECT (s.time_ms - :t0) / :w AS b, s.job_id, AVG(s.cpu_percent) AS cpu,"
                            + " AVG(s.rss_bytes) AS rss FROM resource_sample s JOIN job j ON j.id = s.job_id"
                            + " WHERE j.workflow_id = :id GROUP BY 1, 2) per_job"
                            + " GROUP BY b ORDER BY b")
                    .bind("id", workflow)
                    .bind("t0", span[0])
                    .bind("w", width)
                    .map((rs, c) -> {
                        buckets.put(rs.getLong("b"), new double[] {rs.getDouble("cpu"), rs.getDouble("rss")});
                        return 0;
                    })
                    .list();
            List<String> times = new ArrayList<>();
            List<Double> cores = new ArrayList<>();
            List<Long> mem = new ArrayList<>();
            long last = buckets.isEmpty() ? 0 : buckets.lastKey();
            for (long b = 0; b <= last; b++) {
                double[] v = buckets.getOrDefault(b, new double[2]);
                times.add(Instant.ofEpochMilli(span[0] + b * width).toString());
                cores.add(Math.round(v[0]) / 100.0);
                mem.add(Math.round(v[1]));
            }
            m.put("bucket_s", width / 1000.0);
            m.put("times", times);
            m.put("cores", cores);
            m.put("mem_bytes", mem);
            return m;
        });
    }

    // ---------------------------------------------------------------- jobs

    static final String LINE_COLUMNS = "id, workflow_id, app, status, exit_code, host, site, start_time_ms,"
            + " end_time_ms, duration_s, cpu_user_s, cpu_system_s, mem_peak_bytes";

    /** One page of jobs matching {@code f}. */
    public Page<JobLine> jobs(JobFilter f) {
        Map<String, Object> args = new LinkedHashMap<>();
        String filters = filters(f, "", args);
        int offset = (f.page() - 1) * f.size();
        // By duration or memory, from the lists of the longest and largest jobs when they can tell the page
        // (TopJobs): there is no index in those orders, which would cost every ingest transaction a random
        // page per job. Else the matching jobs are sorted.
        List<JobLine> top = summaries.topPage(
                f.sort(),
                filters(f, "j.", new LinkedHashMap<>()),
                args,
                LINE_COLUMNS,
                offset,
                f.size() + 1,
                (rs, c) -> line(rs));
        List<JobLine> rows = top != null
                ? top
                : db.jdbi().withHandle(h -> {
                    StringBuilder sql = new StringBuilder("SELECT " + LINE_COLUMNS + " FROM job WHERE 1=1" + filters);
                    if (f.sort().equals("longest")) {
                        sql.append(" AND duration_s IS NOT NULL");
                    } else if (f.sort().equals("memory")) {
                        sql.append(" AND mem_peak_bytes IS NOT NULL");
                    }
                    sql.append(" ORDER BY ").append(SORTS.get(f.sort())).append(" LIMIT :limit OFFSET :offset");
                    Query q = h.createQuery(sql.toString());
                    args.forEach(q::bind);
                    return q.bind("limit", f.size() + 1)
                            .bind("offset", offset)
                            .map((rs, c) -> line(rs))
                            .list();
                });
        boolean more = rows.size() > f.size();
        return new Page<>(more ? rows.subList(0, f.size()) : rows, f.page(), f.size(), more);
    }

    /** The listing's filters as {@code AND} conditions on columns prefixed by {@code prefix}; binds into args. */
    private static String filters(JobFilter f, String prefix, Map<String, Object> args) {
        StringBuilder sql = new StringBuilder();
        eq(sql, args, prefix, "status", f.status());
        eq(sql, args, prefix, "app", f.app());
        eq(sql, args, prefix, "workflow_id", f.workflow());
        eq(sql, args, prefix, "site", f.site());
        eq(sql, args, prefix, "host", f.host());
        if (f.since() != null) {
            sql.append(" AND ").append(prefix).append("sort_time_ms >= :since");
            args.put("since", f.since().toEpochMilli());
        }
        if (f.until() != null) {
            sql.append(" AND ").append(prefix).append("sort_time_ms < :until");
            args.put("until", f.until().toEpochMilli());
        }
        return sql.toString();
    }

    /** Distinct values of a column for the filter menus (apps, sites, hosts), at most {@code limit}. */
    public List<String> distinct(String column, int limit) {
        if (!Set.of("app", "site", "host").contains(column)) {
            throw new IllegalArgumentException("no menu for '" + column + "'");
        }
        // A loose index scan: each step seeks the next value, so this costs per value, not per job.
        List<String> out = new ArrayList<>();
        db.jdbi().useHandle(h -> {
            String last = null;
            while (out.size() < limit) {
                Query q = h.createQuery("SELECT MIN(" + column + ") FROM job WHERE " + column + " IS NOT NULL"
                        + (last == null ? "" : " AND " + column + " > :last"));
                if (last != null) {
                    q.bind("last", last);
                }
                Optional<String> v = q.mapTo(String.class).findOne();
                if (v.isEmpty() || v.get() == null) {
                    break;
                }
                last = v.get();
                out.add(last);
            }
        });
        return out;
    }

    private static void eq(StringBuilder sql, Map<String, Object> args, String prefix, String column, String value) {
        if (value != null && !value.isBlank()) {
            sql.append(" AND ").append(prefix).append(column).append(" = :").append(column);
            args.put(column, value);
        }
    }

    // ---------------------------------------------------------------- stats

    /**
     * Walltime, CPU efficiency and failure rate per group of the jobs that began at or after {@code since}
     * (all jobs when null), the 200 largest groups. Efficiency is CPU time / (wall × cores), cores from the
     * job's attribute {@code cores}, else 1. Read from the summaries where they are clean (StatsSummaries).
     */
    public List<StatsLine> stats(String by, Instant since) {
        if (!STATS_GROUPS.contains(by)) {
            throw new IllegalArgumentException(
                    "by: cannot group by '" + by + "'; use one of " + String.join(", ", STATS_GROUPS));
        }
        return statsLines(by, summaries.figures(by, since == null ? null : since.toEpochMilli()));
    }

    /** The 200 groups with the most jobs (ties by key), by hour of day in the hour's order. */
    static List<StatsLine> statsLines(String by, Map<String, StatsSummaries.Figures> groups) {
        List<Map.Entry<String, StatsSummaries.Figures>> entries = new ArrayList<>(groups.entrySet());
        entries.removeIf(e -> e.getValue().jobs() == 0);
        entries.sort(Comparator.comparingLong((Map.Entry<String, StatsSummaries.Figures> e) ->
                        -e.getValue().jobs())
                .thenComparing(Map.Entry::getKey, Comparator.nullsLast(Comparator.naturalOrder())));
        List<StatsLine> out = new ArrayList<>();
        for (Map.Entry<String, StatsSummaries.Figures> e : entries.subList(0, Math.min(200, entries.size()))) {
            StatsSummaries.Figures f = e.getValue();
            String k = e.getKey();
            if (by.equals("hour") && k != null) {
                k = String.format(Locale.ROOT, "%02d:00", Long.parseLong(k.replaceAll("\\..*", "")));
            }
            long ok = f.success();
            long bad = f.failed();
            out.add(new StatsLine(
                    k,
                    f.jobs(),
                    ok,
                    bad,
                    ok + bad == 0 ? null : 100.0 * bad / (ok + bad),
                    f.wallS() / 3600.0,
                    f.withDuration() == 0 ? null : f.wallS() / f.withDuration(),
                    f.cpuS() / 3600.0,
                    f.effWallS() <= 0 ? null : 100.0 * f.effCpuS() / f.effWallS()));
        }
        if (by.equals("hour")) {
            out.sort((a, b) -> String.valueOf(a.key()).compareTo(String.valueOf(b.key())));
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private List<Failure> failures(Handle h, String sql, Map<String, Object> args) {
        Query q = h.createQuery(sql);
        args.forEach(q::bind);
        List<Failure> rows = q.map((rs, c) -> new Failure(
                        rs.getString("id"),
                        rs.getString("workflow_id"),
                        rs.getString("app"),
                        rs.getString("status"),
                        intOrNull(rs, "exit_code"),
                        rs.getString("host"),
                        instant(longOrNull(rs, "end_time_ms")),
                        rs.getString("error")))
                .list();
        if (rows.isEmpty()) {
            return rows;
        }
        Map<String, String> stderr = new HashMap<>();
        Map<String, String> stdout = new HashMap<>();
        List<String> ids = new ArrayList<>(
                new LinkedHashSet<>(rows.stream().map(Failure::id).toList()));
        h.createQuery("SELECT job_id, stream, tail FROM job_log WHERE job_id IN (<ids>)")
                .bindList("ids", ids)
                .map((rs, c) -> {
                    ("stderr".equals(rs.getString("stream")) ? stderr : stdout)
                            .put(rs.getString("job_id"), rs.getString("tail"));
                    return 0;
                })
                .list();
        List<Failure> out = new ArrayList<>(rows.size());
        for (Failure f : rows) {
            String line = ErrorLines.first(f.firstErrorLine(), stderr.get(f.id()), stdout.get(f.id()), f.exitCode());
            out.add(new Failure(f.id(), f.workflow(), f.app(), f.status(), f.exitCode(), f.host(), f.endTime(), line));
        }
        return out;
    }

    static JobLine line(ResultSet rs) throws SQLException {
        Double user = doubleOrNull(rs, "cpu_user_s");
        Double system = doubleOrNull(rs, "cpu_system_s");
        return new JobLine(
                rs.getString("id"),
                rs.getString("workflow_id"),
                rs.getString("app"),
                rs.getString("status"),
                intOrNull(rs, "exit_code"),
                rs.getString("host"),
                rs.getString("site"),
                instant(longOrNull(rs, "start_time_ms")),
                instant(longOrNull(rs, "end_time_ms")),
                doubleOrNull(rs, "duration_s"),
                user == null && system == null ? null : (user == null ? 0 : user) + (system == null ? 0 : system),
                longOrNull(rs, "mem_peak_bytes"));
    }

    private static List<String> parseList(String json) {
        if (json == null || json.isBlank()) {
            return List.of();
        }
        try {
            List<String> v = Json.mapper().readValue(json, new TypeReference<List<String>>() {});
            return v == null ? List.of() : v;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }

    private static Long number(Object o) {
        return o == null ? null : ((Number) o).longValue();
    }

    private static Long longOrNull(ResultSet rs, String c) throws SQLException {
        return Rows.longOrNull(rs, c);
    }

    private static Integer intOrNull(ResultSet rs, String c) throws SQLException {
        return Rows.intOrNull(rs, c);
    }

    private static Double doubleOrNull(ResultSet rs, String c) throws SQLException {
        return Rows.doubleOrNull(rs, c);
    }
}
