package io.jobscope.jobs;

import io.jobscope.store.Database;
import io.jobscope.store.Dialect;
import io.jobscope.store.StoreException;
import io.jobscope.store.WritersLock;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The dashboard's statistics (per app, site, host, CPU model, hour of day or workflow: jobs, outcomes, wall,
 * CPU, efficiency) over any window at the cost of a few thousand summary rows instead of a scan of every job.
 *
 * <p>The summaries ({@code job_stats_hour}, {@code job_stats_day}) are a cache, never the truth. The ingest
 * writer marks each hour whose jobs it changed ({@code job_stats_mark}); {@link #refresh} re-summarises marked
 * hours from the jobs and rewrites their day; {@link #figures} reads, in one snapshot, the summaries of the
 * window, takes out what they hold for marked hours, and scans the jobs of those hours and of the part of the
 * first hour. So an answer equals the plain scan's ({@link #scanned}) whether or not the refresher has run:
 * counts exactly, sums up to the order floating-point additions are done in.
 */
public final class StatsSummaries {
    /** The groupings kept, as the stats page names them. */
    public static final List<String> GROUPINGS = List.of("app", "site", "host", "cpu_model", "hour", "workflow");

    static final long HOUR = 3_600_000L;
    static final long DAY = 86_400_000L;

    private static final String CPU = "(COALESCE(cpu_user_s, 0) + COALESCE(cpu_system_s, 0))";
    private static final String HAS_EFFICIENCY =
            "duration_s > 0 AND (cpu_user_s IS NOT NULL OR cpu_system_s IS NOT NULL)";
    private static final String SUMMARY_FIGURES = "SUM(jobs) AS n, SUM(success) AS ok, SUM(failed) AS bad,"
            + " SUM(wall_s) AS wall, SUM(with_duration) AS ndur, SUM(cpu_s) AS cpu, SUM(with_cpu) AS ncpu,"
            + " SUM(eff_cpu_s) AS effcpu, SUM(eff_wall_s) AS effwall, SUM(with_efficiency) AS neff";
    private static final String SUMMARY_COLUMNS =
            "k, jobs, success, failed, wall_s, with_duration, cpu_s, with_cpu, eff_cpu_s, eff_wall_s, with_efficiency";
    /** Past this many marked hours in a window, a read scans the whole window instead of hour by hour. */
    static final int MAX_MARKED_HOURS = 2000;
    /** Refreshers of several servers on one PostgreSQL take turns (the ingest writers use {@link WritersLock}). */
    private static final long REFRESH_LOCK = 7264021L;

    /** About how many jobs each list of {@link TopJobs} holds: pages of sorted listings up to this rank. */
    static final int TOP_ROWS = 5000;

    private final Database db;
    private final String jobFigures;
    private final TopJobs tops;

    public StatsSummaries(Database db) {
        this(db, TOP_ROWS);
    }

    StatsSummaries(Database db, int topRows) {
        this.db = db;
        this.tops = new TopJobs(db, topRows);
        String cores = CpuEfficiency.coresSql(db.dialect());
        this.jobFigures = "COUNT(*) AS n, SUM(CASE WHEN status = 'success' THEN 1 ELSE 0 END) AS ok,"
                + " SUM(CASE WHEN status IN " + DashboardQueries.FAILURE_STATUSES + " THEN 1 ELSE 0 END) AS bad,"
                + " SUM(duration_s) AS wall, COUNT(duration_s) AS ndur, SUM(" + CPU + ") AS cpu,"
                + " SUM(CASE WHEN cpu_user_s IS NOT NULL OR cpu_system_s IS NOT NULL THEN 1 ELSE 0 END) AS ncpu,"
                + " SUM(CASE WHEN " + HAS_EFFICIENCY + " THEN " + CPU + " ELSE 0 END) AS effcpu,"
                + " SUM(CASE WHEN " + HAS_EFFICIENCY + " THEN duration_s * " + cores + " ELSE 0 END) AS effwall,"
                + " SUM(CASE WHEN " + HAS_EFFICIENCY + " THEN 1 ELSE 0 END) AS neff";
    }

    /**
     * The sums of one group, with how many jobs each sum is over: wall over the jobs with a duration, CPU over
     * those with a CPU time, efficiency ({@code effCpuS / effWallS}, wall weighted by cores) over those with
     * both and a duration above 0.
     */
    public record Figures(
            long jobs,
            long success,
            long failed,
            double wallS,
            long withDuration,
            double cpuS,
            long withCpu,
            double effCpuS,
            double effWallS,
            long withEfficiency) {
        Figures plus(Figures o) {
            return new Figures(
                    jobs + o.jobs,
                    success + o.success,
                    failed + o.failed,
                    wallS + o.wallS,
                    withDuration + o.withDuration,
                    cpuS + o.cpuS,
                    withCpu + o.withCpu,
                    effCpuS + o.effCpuS,
                    effWallS + o.effWallS,
                    withEfficiency + o.withEfficiency);
        }

        Figures negated() {
            return new Figures(
                    -jobs,
                    -success,
                    -failed,
                    -wallS,
                    -withDuration,
                    -cpuS,
                    -withCpu,
                    -effCpuS,
                    -effWallS,
                    -withEfficiency);
        }

        /**
         * After subtractions, a sum over no job is exactly 0, not the rounding left of (a + b) - b; no job, no
         * group.
         */
        Figures settled() {
            return new Figures(
                    jobs,
                    success,
                    failed,
                    withDuration == 0 ? 0 : wallS,
                    withDuration,
                    withCpu == 0 ? 0 : cpuS,
                    withCpu,
                    withEfficiency == 0 ? 0 : effCpuS,
                    withEfficiency == 0 ? 0 : effWallS,
                    withEfficiency);
        }

        static Figures read(ResultSet rs) throws SQLException {
            return new Figures(
                    rs.getLong("n"),
                    rs.getLong("ok"),
                    rs.getLong("bad"),
                    rs.getDouble("wall"),
                    rs.getLong("ndur"),
                    rs.getDouble("cpu"),
                    rs.getLong("ncpu"),
                    rs.getDouble("effcpu"),
                    rs.getDouble("effwall"),
                    rs.getLong("neff"));
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Figures per key (null for jobs without one) of the jobs whose sort time is at or after {@code sinceMs}
     * (all jobs when null), read in one snapshot as: the stored summaries of every hour from the first whole
     * hour on (day rows, and hour rows for the part of a day), minus the stored rows of marked hours, plus a
     * scan of the jobs of marked hours and of the part of the first hour. A day's row is always the sum of its
     * hours' rows as stored (the refresher rewrites both in one transaction), so marked hours cost their own
     * rows and a scan, not a read of their whole day by hours.
     */
    public Map<String, Figures> figures(String by, Long sinceMs) {
        String key = keyExpression(by);
        return inSnapshot(h -> {
            Map<String, Figures> out = new HashMap<>();
            long firstHour = sinceMs == null ? Long.MIN_VALUE : ceil(sinceMs, HOUR);
            List<Long> marked = h.createQuery(
                            "SELECT hour_ms FROM job_stats_mark WHERE changes <> summarised AND hour_ms >= :from"
                                    + " ORDER BY hour_ms")
                    .bind("from", firstHour)
                    .mapTo(Long.class)
                    .list();
            if (marked.size() > MAX_MARKED_HOURS) {
                // The refresher is catching up (a store just migrated): one scan beats thousands.
                scan(h, key, sinceMs == null ? Long.MIN_VALUE : sinceMs, Long.MAX_VALUE, out);
                return out;
            }
            if (sinceMs != null && sinceMs < firstHour) {
                scan(h, key, sinceMs, firstHour, out);
            }
            if (sinceMs == null) {
                summaryRange(h, "job_stats_day", "day_ms", by, Long.MIN_VALUE, Long.MAX_VALUE, out, false);
            } else {
                // [firstHour, next day) by its hours, or its whole day less the hours before firstHour: the shorter.
                long day = Math.floorDiv(firstHour, DAY) * DAY;
                if (firstHour - day <= DAY / 2) {
                    summaryRange(h, "job_stats_day", "day_ms", by, day, Long.MAX_VALUE, out, false);
                    summaryRange(h, "job_stats_hour", "hour_ms", by, day, firstHour, out, true);
                } else {
                    summaryRange(h, "job_stats_day", "day_ms", by, day + DAY, Long.MAX_VALUE, out, false);
                    summaryRange(h, "job_stats_hour", "hour_ms", by, firstHour, day + DAY, out, false);
                }
            }
            if (!marked.isEmpty()) {
                // What the summaries hold for marked hours may be stale: take it out, and scan those hours.
                // (At most MAX_MARKED_HOURS values to bind; a join makes SQLite read every hour's rows.)
                add(
                        h.createQuery("SELECT k, " + SUMMARY_FIGURES + " FROM job_stats_hour"
                                        + " WHERE grouped_by = :by AND hour_ms IN (<marked>) GROUP BY k")
                                .bind("by", by)
                                .bindList("marked", marked),
                        out,
                        true);
                List<long[]> runs = new ArrayList<>();
                for (long hour : marked) {
                    append(runs, hour, hour + HOUR);
                }
                for (long[] r : runs) {
                    scan(h, key, r[0], r[1], out);
                }
            }
            Map<String, Figures> settled = new HashMap<>();
            out.forEach((k, f) -> {
                if (f.jobs() != 0) {
                    settled.put(k, f.settled());
                }
            });
            return settled;
        });
    }

    private static void summaryRange(
            Handle h,
            String table,
            String time,
            String by,
            long from,
            long to,
            Map<String, Figures> out,
            boolean minus) {
        if (from >= to) {
            return;
        }
        add(
                h.createQuery("SELECT k, " + SUMMARY_FIGURES + " FROM " + table + " WHERE grouped_by = :by AND " + time
                                + " >= :from AND " + time + " < :to GROUP BY k")
                        .bind("by", by)
                        .bind("from", from)
                        .bind("to", to),
                out,
                minus);
    }

    /** The same figures from a scan of every job in the window, not using the summaries: the reference. */
    public Map<String, Figures> scanned(String by, Long sinceMs) {
        String key = keyExpression(by);
        return db.jdbi().withHandle(h -> {
            Map<String, Figures> out = new HashMap<>();
            Query q = h.createQuery("SELECT " + key + " AS k, " + jobFigures + " FROM job"
                    + (sinceMs == null ? "" : " WHERE sort_time_ms >= :from") + " GROUP BY " + key);
            if (sinceMs != null) {
                q.bind("from", sinceMs);
            }
            add(q, out, false);
            return out;
        });
    }

    /** Adds the figures of the jobs with a sort time in [from, to) ({@code to} MAX: no upper bound). */
    private void scan(Handle h, String key, long from, long to, Map<String, Figures> out) {
        Query q = h.createQuery("SELECT " + key + " AS k, " + jobFigures + " FROM job WHERE sort_time_ms >= :from"
                        + (to == Long.MAX_VALUE ? "" : " AND sort_time_ms < :to") + " GROUP BY " + key)
                .bind("from", from);
        if (to != Long.MAX_VALUE) {
            q.bind("to", to);
        }
        add(q, out, false);
    }

    private static void add(Query q, Map<String, Figures> out, boolean minus) {
        q.map((rs, c) -> {
                    String k = rs.getString("k");
                    Figures f = Figures.read(rs);
                    out.merge(k, minus ? f.negated() : f, Figures::plus);
                    return 0;
                })
                .list();
    }

    /** Adds [from, to) to ranges sorted by start, joining it to the last range when they touch. */
    static void append(List<long[]> ranges, long from, long to) {
        if (!ranges.isEmpty() && ranges.get(ranges.size() - 1)[1] >= from) {
            long[] last = ranges.get(ranges.size() - 1);
            last[1] = Math.max(last[1], to);
        } else {
            ranges.add(new long[] {from, to});
        }
    }

    /**
     * One page of the jobs listing sorted by {@code sort} ({@code longest} or {@code memory}; null for the
     * others) from {@link TopJobs}, of the jobs matching {@code filters} ({@code AND} conditions on job
     * {@code j}, with their {@code args}); null when the lists cannot tell it (the caller sorts the jobs).
     */
    <T> List<T> topPage(
            String sort,
            String filters,
            Map<String, Object> args,
            String columns,
            int offset,
            int limit,
            RowMapper<T> mapper) {
        TopJobs.Listing l = TopJobs.Listing.of(sort);
        return l == null ? null : inSnapshot(h -> tops.page(h, l, filters, args, columns, offset, limit, mapper));
    }

    /** One consistent view of the store for the marks, the summaries and the jobs. */
    private <T> T inSnapshot(HandleCallback<T, RuntimeException> callback) {
        if (db.dialect() == Dialect.POSTGRES) {
            return db.jdbi().inTransaction(TransactionIsolationLevel.REPEATABLE_READ, callback);
        }
        // A SQLite read transaction in WAL mode sees the database as of its first read.
        return db.jdbi().inTransaction(callback);
    }

    // ---------------------------------------------------------------- refreshing

    /**
     * Re-summarises the marked hours that have not changed for {@code quietMs} (by the writer's clock), newest
     * day first, and rewrites their days. An hour the writer changes meanwhile stays marked. Returns the number
     * of hours made clean. Stops early, between days, when the thread is interrupted.
     */
    public int refresh(long quietMs) {
        tops.maintain();
        long quietSince = System.currentTimeMillis() - quietMs;
        List<long[]> marked = db.jdbi()
                .withHandle(h -> h.createQuery("SELECT hour_ms, changes, peak_changes FROM job_stats_mark"
                                + " WHERE (changes <> summarised AND changed_ms <= :quiet)"
                                + " OR (peak_changes <> peak_summarised AND peak_changed_ms <= :quiet)"
                                + " ORDER BY hour_ms DESC")
                        .bind("quiet", quietSince)
                        .map((rs, c) ->
                                new long[] {rs.getLong("hour_ms"), rs.getLong("changes"), rs.getLong("peak_changes")})
                        .list());
        Map<Long, List<long[]>> byDay = new LinkedHashMap<>();
        for (long[] m : marked) {
            byDay.computeIfAbsent(Math.floorDiv(m[0], DAY) * DAY, d -> new ArrayList<>())
                    .add(m);
        }
        int cleaned = 0;
        for (Map.Entry<Long, List<long[]>> day : byDay.entrySet()) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            cleaned += refreshDay(day.getKey(), day.getValue());
        }
        if (cleaned > 0) {
            tops.maintain(); // the hours just stored may have made a list outgrow its cutoff
        }
        return cleaned;
    }

    /** Hours of one day, summarised from the jobs, then stored where their mark did not move meanwhile. */
    int refreshDay(long day, List<long[]> hours) {
        List<HourSummary> work = new ArrayList<>(hours.size());
        db.jdbi().useHandle(h -> {
            Map<String, Double> cutoffs = TopJobs.cutoffs(h);
            for (long[] m : hours) {
                work.add(summarise(h, m[0], m[1], m[2], cutoffs));
            }
        });
        return store(day, work);
    }

    /**
     * What the jobs of one hour add up to, per grouping and key, and its jobs at or above the listings'
     * cutoffs, as of marks {@code changes} and {@code peakChanges}.
     */
    record HourSummary(
            long hour,
            long changes,
            long peakChanges,
            Map<String, Map<String, Figures>> groups,
            Map<String, Double> cutoffs,
            Map<String, List<TopJobs.Entry>> tops) {}

    HourSummary summarise(Handle h, long hour, long changes, long peakChanges, Map<String, Double> cutoffs) {
        Map<String, Map<String, Figures>> groups = new LinkedHashMap<>();
        for (String by : GROUPINGS) {
            Map<String, Figures> keys = new HashMap<>();
            scan(h, keyExpression(by), hour, hour + HOUR, keys);
            groups.put(by, keys);
        }
        return new HourSummary(hour, changes, peakChanges, groups, cutoffs, TopJobs.readHour(h, hour, cutoffs));
    }

    int store(long day, List<HourSummary> work) {
        List<HourSummary> ascending = new ArrayList<>(work);
        ascending.sort((a, b) -> Long.compare(a.hour(), b.hour()));
        return db.jdbi().inTransaction(h -> {
            lockRefresh(h, db.dialect());
            Map<String, Double> cutoffs = TopJobs.cutoffs(h);
            int stored = 0;
            for (HourSummary s : ascending) {
                if (!s.cutoffs().equals(cutoffs)) {
                    continue; // a list was rebuilt since it was read: still marked
                }
                int claimed = h.createUpdate("UPDATE job_stats_mark SET summarised = :v, peak_summarised = :p"
                                + " WHERE hour_ms = :hour AND changes = :v AND peak_changes = :p"
                                + " AND (summarised <> :v OR peak_summarised <> :p)")
                        .bind("v", s.changes())
                        .bind("p", s.peakChanges())
                        .bind("hour", s.hour())
                        .execute();
                if (claimed == 0) {
                    continue; // changed since it was read (or stored by another refresher): still marked
                }
                replaceHour(h, s);
                TopJobs.replaceHour(h, s.hour(), s.tops());
                stored++;
            }
            if (stored > 0) {
                rewriteDay(h, day);
            }
            return stored;
        });
    }

    private static void replaceHour(Handle h, HourSummary s) {
        PreparedBatch delete = h.prepareBatch("DELETE FROM job_stats_hour WHERE grouped_by = :by AND hour_ms = :hour");
        for (String by : GROUPINGS) {
            delete.bind("by", by).bind("hour", s.hour()).add();
        }
        delete.execute();
        PreparedBatch insert = h.prepareBatch("INSERT INTO job_stats_hour (hour_ms, grouped_by, " + SUMMARY_COLUMNS
                + ") VALUES (:hour, :by, :k, :n, :ok, :bad, :wall, :ndur, :cpu, :ncpu, :effcpu, :effwall, :neff)");
        int rows = 0;
        for (Map.Entry<String, Map<String, Figures>> g : s.groups().entrySet()) {
            for (Map.Entry<String, Figures> e : g.getValue().entrySet()) {
                Figures f = e.getValue();
                insert.bind("hour", s.hour())
                        .bind("by", g.getKey())
                        .bind("k", e.getKey())
                        .bind("n", f.jobs())
                        .bind("ok", f.success())
                        .bind("bad", f.failed())
                        .bind("wall", f.wallS())
                        .bind("ndur", f.withDuration())
                        .bind("cpu", f.cpuS())
                        .bind("ncpu", f.withCpu())
                        .bind("effcpu", f.effCpuS())
                        .bind("effwall", f.effWallS())
                        .bind("neff", f.withEfficiency())
                        .add();
                rows++;
            }
        }
        if (rows > 0) {
            insert.execute();
        }
    }

    /**
     * Refreshers (and list rebuilds) of several servers on one PostgreSQL take turns. They also hold the ingest
     * writers' lock shared, as the writers' lanes do, so they wait for an import, which writes alone: an
     * import's transaction marks hours batch by batch, in no overall order, and a refresher taking mark rows in
     * between could deadlock with it (and the import lose its transaction).
     */
    static void lockRefresh(Handle h, Dialect dialect) {
        if (dialect == Dialect.POSTGRES) {
            try {
                WritersLock.holdShared(h.getConnection());
            } catch (java.sql.SQLException e) {
                throw new StoreException("could not take the writers' lock: " + e.getMessage(), e);
            }
            h.createQuery("SELECT pg_advisory_xact_lock(" + REFRESH_LOCK + ")")
                    .mapToMap()
                    .list();
        }
    }

    /** A day's summary is the sum of its hours', rewritten with any of them. */
    private static void rewriteDay(Handle h, long day) {
        for (String by : GROUPINGS) {
            h.createUpdate("DELETE FROM job_stats_day WHERE grouped_by = :by AND day_ms = :day")
                    .bind("by", by)
                    .bind("day", day)
                    .execute();
            h.createUpdate("INSERT INTO job_stats_day (day_ms, grouped_by, " + SUMMARY_COLUMNS + ")"
                            + " SELECT :day, grouped_by, k, SUM(jobs), SUM(success), SUM(failed), SUM(wall_s),"
                            + " SUM(with_duration), SUM(cpu_s), SUM(with_cpu), SUM(eff_cpu_s), SUM(eff_wall_s),"
                            + " SUM(with_efficiency) FROM job_stats_hour"
                            + " WHERE grouped_by = :by AND hour_ms >= :day AND hour_ms < :end GROUP BY grouped_by, k")
                    .bind("by", by)
                    .bind("day", day)
                    .bind("end", day + DAY)
                    .execute();
        }
    }

    /** Hours still marked (any age): zero once the refresher has caught up with a quiet store. */
    public long markedHours() {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM job_stats_mark WHERE changes <> summarised")
                        .mapTo(Long.class)
                        .one());
    }

    // ---------------------------------------------------------------- SQL of a grouping

    /** The SQL that gives a job's key in grouping {@code by}, as text. */
    String keyExpression(String by) {
        return switch (by) {
            case "app", "site", "host" -> by;
            case "workflow" -> "workflow_id";
            // Cast: a number in the attributes is the same group as the same text.
            case "cpu_model" ->
                db.dialect() == Dialect.SQLITE
                        ? "CAST(json_extract(attributes, '$.cpu_model') AS TEXT)"
                        : "(CAST(attributes AS jsonb) ->> 'cpu_model')";
            case "hour" -> "(COALESCE(start_time_ms, sort_time_ms) / " + HOUR + ") % 24";
            default ->
                throw new IllegalArgumentException(
                        "by: cannot group by '" + by + "'; use one of " + String.join(", ", GROUPINGS));
        };
    }

    private static long ceil(long t, long unit) {
        return Math.floorDiv(t, unit) * unit + (Math.floorMod(t, unit) == 0 ? 0 : unit);
    }

    /** For tests: the figures per grouping and key of one hour's summary as stored. */
    Map<String, Map<String, Figures>> storedHour(long hour) {
        return db.jdbi().withHandle(h -> {
            Map<String, Map<String, Figures>> out = new TreeMap<>();
            h.createQuery(
                            "SELECT grouped_by, k, jobs AS n, success AS ok, failed AS bad, wall_s AS wall,"
                                    + " with_duration AS ndur, cpu_s AS cpu, with_cpu AS ncpu, eff_cpu_s AS effcpu,"
                                    + " eff_wall_s AS effwall, with_efficiency AS neff FROM job_stats_hour WHERE hour_ms = :hour")
                    .bind("hour", hour)
                    .map((rs, c) -> {
                        out.computeIfAbsent(rs.getString("grouped_by"), g -> new HashMap<>())
                                .put(rs.getString("k"), Figures.read(rs));
                        return 0;
                    })
                    .list();
            return out;
        });
    }
}
