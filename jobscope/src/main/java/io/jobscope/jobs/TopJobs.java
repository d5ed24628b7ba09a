package io.jobscope.jobs;

import io.jobscope.store.Database;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.Query;

/**
 * The jobs with the longest duration and the largest peak memory ({@code job_stats_top}), so that the jobs
 * listing sorted by either finds a page without an index in that order (one would cost every ingest
 * transaction a random page per job) and without sorting the whole table.
 *
 * <p>For each listing the list holds, for every clean hour, exactly the jobs of that hour whose value is at
 * least the listing's cutoff; the refresher ({@link StatsSummaries#refresh}) rewrites an hour's part with the
 * hour's summaries. A page needing the first n jobs takes the top n of the list outside marked hours, adds the
 * jobs of marked hours at or above the cutoff, and sorts those few in SQL: when at least n jobs are at or
 * above the cutoff, the first n of all jobs are among them, so the page is the plain sort's. Otherwise (too
 * few above the cutoff, no list yet, many marked hours) the caller sorts the table.
 */
final class TopJobs {
    /** A cutoff below every value: the list holds every job that has one. */
    static final double FLOOR = -Double.MAX_VALUE;

    /** A listing and the column it is sorted by; memory also goes stale when only a peak rose. */
    enum Listing {
        LONGEST("longest", "duration_s", false),
        MEMORY("memory", "mem_peak_bytes", true);

        final String name;
        final String column;
        final boolean peakMarks;

        Listing(String name, String column, boolean peakMarks) {
            this.name = name;
            this.column = column;
            this.peakMarks = peakMarks;
        }

        static Listing of(String sort) {
            for (Listing l : values()) {
                if (l.name.equals(sort)) {
                    return l;
                }
            }
            return null;
        }

        /** The hours whose part of this list may be stale. */
        String markedCondition() {
            return peakMarks ? "(changes <> summarised OR peak_changes <> peak_summarised)" : "changes <> summarised";
        }
    }

    /** One job in a list. */
    record Entry(String jobId, double value) {}

    private static final String FLOOR_HOUR = "CASE WHEN sort_time_ms >= 0 THEN (sort_time_ms / 3600000) * 3600000"
            + " ELSE ((sort_time_ms + 1) / 3600000 - 1) * 3600000 END";

    private final Database db;
    private final int rows;

    /** {@code rows}: about how many jobs each list holds above its cutoff. */
    TopJobs(Database db, int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: expecting a value > 0, found " + rows);
        }
        this.db = db;
        this.rows = rows;
    }

    // ---------------------------------------------------------------- reading

    /**
     * The rows (mapped by {@code mapper} from {@code columns} of {@code job}) of one page of a listing, in its
     * order (value, then id, descending), of the jobs matching {@code filters} ({@code AND} conditions on job
     * {@code j}, bound from {@code args}; empty for all); null when the list cannot tell it exactly. Filters
     * are read from the jobs' rows as they are now, so only the values need the list to be clean.
     */
    <T> List<T> page(
            Handle h,
            Listing l,
            String filters,
            Map<String, Object> args,
            String columns,
            int offset,
            int limit,
            RowMapper<T> mapper) {
        int needed = offset + limit;
        if (needed > rows) {
            return null;
        }
        Double cutoff = cutoffs(h).get(l.name);
        if (cutoff == null) {
            return null;
        }
        List<Long> marked = h.createQuery(
                        "SELECT hour_ms FROM job_stats_mark WHERE " + l.markedCondition() + " ORDER BY hour_ms")
                .mapTo(Long.class)
                .list();
        if (marked.size() > StatsSummaries.MAX_MARKED_HOURS) {
            return null;
        }
        Query top = h.createQuery("SELECT t.job_id FROM job_stats_top t"
                        + (filters.isEmpty() ? "" : " JOIN job j ON j.id = t.job_id")
                        + " WHERE t.listing = :listing"
                        + (marked.isEmpty() ? "" : " AND t.hour_ms NOT IN (<marked>)")
                        + filters + " ORDER BY t.value DESC, t.job_id DESC LIMIT :n")
                .bind("listing", l.name)
                .bind("n", needed);
        args.forEach(top::bind);
        if (!marked.isEmpty()) {
            top.bindList("marked", marked);
        }
        Set<String> candidates = new LinkedHashSet<>(top.mapTo(String.class).list());
        List<long[]> runs = new ArrayList<>();
        for (long hour : marked) {
            StatsSummaries.append(runs, hour, hour + StatsSummaries.HOUR);
        }
        for (long[] r : runs) {
            Query scan = h.createQuery("SELECT j.id FROM job j WHERE j.sort_time_ms >= :from_hour"
                            + " AND j.sort_time_ms < :to_hour AND j." + l.column + " >= :cutoff" + filters)
                    .bind("from_hour", r[0])
                    .bind("to_hour", r[1])
                    .bind("cutoff", cutoff);
            args.forEach(scan::bind);
            candidates.addAll(scan.mapTo(String.class).list());
            if (candidates.size() > 4 * rows) {
                return null;
            }
        }
        if (candidates.size() < needed && cutoff != FLOOR) {
            return null; // jobs below the cutoff may belong to the page
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        // The candidates match the filters already (same snapshot); repeating them could lead the planner to
        // an index on a filter column (all of an app's jobs) instead of the ids.
        return h.createQuery("SELECT " + columns + " FROM job WHERE id IN (<ids>) ORDER BY " + l.column
                        + " DESC, id DESC LIMIT :limit OFFSET :offset")
                .bindList("ids", new ArrayList<>(candidates))
                .bind("limit", limit)
                .bind("offset", offset)
                .map(mapper)
                .list();
    }

    static Map<String, Double> cutoffs(Handle h) {
        Map<String, Double> out = new HashMap<>();
        h.createQuery("SELECT listing, cutoff FROM job_stats_top_cutoff")
                .map((rs, c) -> out.put(rs.getString("listing"), rs.getDouble("cutoff")))
                .list();
        return out;
    }

    // ---------------------------------------------------------------- refreshing

    /** The jobs of one hour at or above each listing's cutoff (a listing without one: none). */
    static Map<String, List<Entry>> readHour(Handle h, long hour, Map<String, Double> cutoffs) {
        Map<String, List<Entry>> out = new HashMap<>();
        for (Listing l : Listing.values()) {
            Double cutoff = cutoffs.get(l.name);
            if (cutoff == null) {
                continue;
            }
            out.put(
                    l.name,
                    h.createQuery("SELECT id, " + l.column + " AS v FROM job WHERE sort_time_ms >= :from"
                                    + " AND sort_time_ms < :to AND " + l.column + " >= :cutoff")
                            .bind("from", hour)
                            .bind("to", hour + StatsSummaries.HOUR)
                            .bind("cutoff", cutoff)
                            .map((rs, c) -> new Entry(rs.getString("id"), rs.getDouble("v")))
                            .list());
        }
        return out;
    }

    /** Replaces an hour's part of the lists, in the refresher's transaction that claims the hour. */
    static void replaceHour(Handle h, long hour, Map<String, List<Entry>> entries) {
        h.createUpdate("DELETE FROM job_stats_top WHERE hour_ms = :hour")
                .bind("hour", hour)
                .execute();
        PreparedBatch insert = h.prepareBatch(
                "INSERT INTO job_stats_top (listing, job_id, hour_ms, value) VALUES (:listing, :job, :hour, :value)");
        int n = 0;
        for (Map.Entry<String, List<Entry>> l : entries.entrySet()) {
            for (Entry e : l.getValue()) {
                insert.bind("listing", l.getKey())
                        .bind("job", e.jobId())
                        .bind("hour", hour)
                        .bind("value", e.value())
                        .add();
                n++;
            }
        }
        if (n > 0) {
            insert.execute();
        }
    }

    /**
     * Gives each listing a cutoff and its list when it has none, and a new cutoff when the list grew past four
     * times its size or shrank below half of it; returns the listings rebuilt. A rebuild reads every job twice
     * (the value at rank {@code rows}, then the jobs at or above it) and writes the list in one transaction.
     */
    List<String> maintain() {
        List<String> rebuilt = new ArrayList<>();
        for (Listing l : Listing.values()) {
            Object[] state = db.jdbi().withHandle(h -> new Object[] {
                cutoffs(h).get(l.name),
                h.createQuery("SELECT COUNT(*) FROM job_stats_top WHERE listing = :listing")
                        .bind("listing", l.name)
                        .mapTo(Long.class)
                        .one()
            });
            Double cutoff = (Double) state[0];
            long size = (Long) state[1];
            if (cutoff == null || size > 4L * rows || (size < rows / 2 && cutoff != FLOOR)) {
                rebuild(l);
                rebuilt.add(l.name);
            }
        }
        return rebuilt;
    }

    void rebuild(Listing l) {
        double cutoff = db.jdbi()
                .withHandle(h -> h.createQuery("SELECT " + l.column + " FROM job WHERE " + l.column
                                + " IS NOT NULL ORDER BY " + l.column + " DESC LIMIT 1 OFFSET :k")
                        .bind("k", rows - 1)
                        .mapTo(Double.class)
                        .findOne()
                        .orElse(FLOOR));
        db.jdbi().useTransaction(h -> {
            StatsSummaries.lockRefresh(h, db.dialect());
            h.createUpdate("DELETE FROM job_stats_top WHERE listing = :listing")
                    .bind("listing", l.name)
                    .execute();
            h.createUpdate("INSERT INTO job_stats_top (listing, job_id, hour_ms, value) SELECT :listing, id, "
                            + FLOOR_HOUR + ", " + l.column + " FROM job WHERE " + l.column + " >= :cutoff")
                    .bind("listing", l.name)
                    .bind("cutoff", cutoff)
                    .execute();
            h.createUpdate("INSERT INTO job_stats_top_cutoff (listing, cutoff) VALUES (:listing, :cutoff)"
                            + " ON CONFLICT (listing) DO UPDATE SET cutoff = excluded.cutoff")
                    .bind("listing", l.name)
                    .bind("cutoff", cutoff)
                    .execute();
        });
    }
}
