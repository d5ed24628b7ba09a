package io.jobscope.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.store.Dialect;
import io.jobscope.store.Rows;
import io.jobscope.store.WritersLock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The SQL of one write transaction: append new events, then fold them into the projections. */
final class BatchStore {
    private static final int SELECT_CHUNK = 500;

    private static final String INSERT_JOB = "INSERT INTO job (" + JobRow.COLUMNS + ") VALUES ("
            + String.join(",", java.util.Collections.nCopies(JobRow.COLUMN_NAMES.length, "?")) + ")";

    /** A job assumed new: SQLite reports 0 changes for one that was there after all. */
    private static final String INSERT_NEW_JOB = INSERT_JOB + " ON CONFLICT (id) DO NOTHING";

    /** A row that is there takes every column of the new one. */
    private static final String ON_CONFLICT_REPLACE = " ON CONFLICT (id) DO UPDATE SET "
            + java.util.Arrays.stream(JobRow.COLUMN_NAMES)
                    .skip(1)
                    .map(c -> c + " = excluded." + c)
                    .collect(java.util.stream.Collectors.joining(", "));

    private static final String UPSERT_WORKFLOW = "INSERT INTO workflow (id, name, user_name, status, status_time_ms,"
            + " start_time_ms, end_time_ms, attributes, updated_ms) VALUES (?,?,?,?,?,?,?,?,?)"
            + " ON CONFLICT (id) DO UPDATE SET"
            + " name = COALESCE(excluded.name, workflow.name),"
            + " user_name = COALESCE(excluded.user_name, workflow.user_name),"
            + " status = CASE WHEN excluded.status_time_ms IS NOT NULL AND (workflow.status_time_ms IS NULL"
            + "   OR excluded.status_time_ms >= workflow.status_time_ms) THEN excluded.status ELSE workflow.status END,"
            + " status_time_ms = CASE WHEN excluded.status_time_ms IS NOT NULL AND (workflow.status_time_ms IS NULL"
            + "   OR excluded.status_time_ms >= workflow.status_time_ms) THEN excluded.status_time_ms ELSE workflow.status_time_ms END,"
            + " start_time_ms = COALESCE(excluded.start_time_ms, workflow.start_time_ms),"
            + " end_time_ms = COALESCE(excluded.end_time_ms, workflow.end_time_ms),"
            + " attributes = COALESCE(excluded.attributes, workflow.attributes),"
            + " updated_ms = excluded.updated_ms";

    private static final String UPSERT_PHASE = "INSERT INTO job_phase (job_id, name, state, state_time_ms,"
            + " start_time_ms, end_time_ms, wall_s, cpu_s) VALUES (?,?,?,?,?,?,?,?)"
            + " ON CONFLICT (job_id, name) DO UPDATE SET"
            + " state = CASE WHEN job_phase.state_time_ms IS NULL OR excluded.state_time_ms > job_phase.state_time_ms"
            + "   OR (excluded.state_time_ms = job_phase.state_time_ms AND excluded.state <> 'running')"
            + "   THEN excluded.state ELSE job_phase.state END,"
            + " state_time_ms = CASE WHEN job_phase.state_time_ms IS NULL OR excluded.state_time_ms > job_phase.state_time_ms"
            + "   THEN excluded.state_time_ms ELSE job_phase.state_time_ms END,"
            + " start_time_ms = COALESCE(excluded.start_time_ms, job_phase.start_time_ms),"
            + " end_time_ms = COALESCE(excluded.end_time_ms, job_phase.end_time_ms),"
            + " wall_s = COALESCE(excluded.wall_s, job_phase.wall_s),"
            + " cpu_s = COALESCE(excluded.cpu_s, job_phase.cpu_s)";

    private static final String INSERT_SAMPLE = "INSERT INTO resource_sample (job_id, time_ms, cpu_percent, rss_bytes,"
            + " threads, processes, read_bytes, write_bytes, extra) VALUES (?,?,?,?,?,?,?,?,?)"
            + " ON CONFLICT (job_id, time_ms) DO NOTHING";

    private static final String UPSERT_LOG = "INSERT INTO job_log (job_id, stream, tail) VALUES (?,?,?)"
            + " ON CONFLICT (job_id, stream) DO UPDATE SET tail = excluded.tail";

    private static final Set<String> SAMPLE_COLUMNS = Set.of(
            "id",
            "type",
            "time",
            "job",
            "workflow",
            "cpu_percent",
            "rss_bytes",
            "threads",
            "processes",
            "read_bytes",
            "write_bytes");

    private final Dialect dialect;
    private final Map<Long, String> updateSql = new HashMap<>();
    private final JobCache cache;
    private final boolean exclusive;

    /**
     * {@code cachedJobs}: how many job rows the SQLite writer remembers (see {@link JobCache}); {@code exclusive}:
     * a PostgreSQL transaction that writes alone (see {@link #lockSlots}).
     */
    BatchStore(Dialect dialect, int cachedJobs, boolean exclusive) {
        this.dialect = dialect;
        this.cache = dialect == Dialect.SQLITE ? new JobCache(cachedJobs) : null;
        this.exclusive = exclusive;
    }

    /** Told by the writer that its transaction was rolled back. */
    void rolledBack() {
        if (cache != null) {
            cache.forget();
        }
    }

    /** Writes the parts (one per submission) in the caller's transaction; returns one result per part. */
    List<EventWriter.Result> write(Connection c, List<List<IngestEvent>> parts) throws SQLException {
        if (dialect == Dialect.POSTGRES) {
            lockSlots(c, parts, exclusive);
        }
        Map<String, IngestEvent> firstById = new LinkedHashMap<>();
        for (List<IngestEvent> part : parts) {
            for (IngestEvent e : part) {
                firstById.putIfAbsent(e.id(), e);
            }
        }
        long now = System.currentTimeMillis();
        // PostgreSQL: the rows of the batch's jobs, with the time of their latest event, read before the batch's
        // events are stored (SQLite's writer remembers its rows; it may not read before it writes, see below).
        Map<String, JobRow> stored = dialect == Dialect.POSTGRES ? storedJobs(c, firstById.values()) : Map.of();
        Set<String> inserted = insertEvents(c, new ArrayList<>(firstById.values()), now);
        if (cache != null) {
            // Only now, holding the write lock the inserts took (waiting for it as long as the busy timeout
            // allows): a read first would make the lock an upgrade, which SQLite refuses at once when another
            // connection (a checkpoint, another process) holds it.
            cache.begin(c);
        }
        List<IngestEvent> fresh = new ArrayList<>(inserted.size());
        for (IngestEvent e : firstById.values()) {
            if (inserted.contains(e.id())) {
                fresh.add(e);
            }
        }
        project(c, fresh, now, stored);
        if (cache != null) {
            cache.stamp(c);
        }

        List<EventWriter.Result> results = new ArrayList<>(parts.size());
        Set<String> credited = new HashSet<>();
        for (List<IngestEvent> part : parts) {
            long accepted = 0;
            for (IngestEvent e : part) {
                if (inserted.contains(e.id()) && credited.add(e.id())) {
                    accepted++;
                }
            }
            results.add(new EventWriter.Result(accepted, part.size() - accepted));
        }
        return results;
    }

    /** How many advisory locks PostgreSQL writers share out the jobs among. */
    private static final int SLOTS = 64;

    /**
     * The slot of a job event's job, which a PostgreSQL writer holds while it folds the job's row ({@code -1}:
     * not a job event). The same in every process: {@code String.hashCode} is specified.
     */
    static int slot(IngestEvent e) {
        return e.isJobEvent() && e.jobId() != null ? Math.floorMod(e.jobId().hashCode(), SLOTS) : -1;
    }

    /**
     * PostgreSQL: the writer reads a job's row and writes back its fold, so two transactions must not fold one
     * job at once (several lanes of one server, several servers on one store): each holds the writers' lock
     * shared and its jobs' slots ({@link WritersLock}); lanes of one server never share a slot. A transaction
     * that spans many batches (an import), whose row locks could not be taken in one order, writes alone
     * instead, as every writer did before there were lanes.
     */
    private static void lockSlots(Connection c, List<List<IngestEvent>> parts, boolean exclusive) throws SQLException {
        if (exclusive) {
            WritersLock.holdExclusive(c);
            return;
        }
        WritersLock.holdShared(c);
        java.util.BitSet slots = new java.util.BitSet(SLOTS);
        for (List<IngestEvent> part : parts) {
            for (IngestEvent e : part) {
                int s = slot(e);
                if (s >= 0) {
                    slots.set(s);
                }
            }
        }
        WritersLock.holdSlots(c, slots);
    }

    private static final String INSERT_EVENT_SQLITE =
            "INSERT INTO job_event (id, type, time_ms, job_id, workflow_id, payload,"
                    + " received_ms) VALUES (?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING";

    private Set<String> insertEvents(Connection c, List<IngestEvent> events, long now) throws SQLException {
        Set<String> inserted = new HashSet<>(events.size() * 2);
        if (dialect == Dialect.SQLITE) {
            // SQLite reports 0 changes for a row the conflict clause skipped: that is the duplicate.
            try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT_SQLITE)) {
                for (IngestEvent e : events) {
                    ps.setString(1, e.id());
                    ps.setString(2, e.type());
                    ps.setLong(3, e.timeMs());
                    ps.setString(4, e.jobId());
                    ps.setString(5, e.workflowId());
                    ps.setString(6, e.json());
                    ps.setLong(7, now);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] > 0) {
                        inserted.add(events.get(i).id());
                    }
                }
            }
            return inserted;
        }
        // PostgreSQL: the batch as one array per column, one statement however many events (a multi-row
        // VALUES list is parsed and set up again, value by value, for every execution).
        int n = events.size();
        String[] ids = new String[n];
        String[] types = new String[n];
        Long[] times = new Long[n];
        String[] jobs = new String[n];
        String[] workflows = new String[n];
        String[] payloads = new String[n];
        for (int k = 0; k < n; k++) {
            IngestEvent e = events.get(k);
            ids[k] = e.id();
            types[k] = e.type();
            times[k] = e.timeMs();
            jobs[k] = e.jobId();
            workflows[k] = e.workflowId();
            payloads[k] = e.json();
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENTS_POSTGRES)) {
            ps.setLong(1, now);
            ps.setArray(2, c.createArrayOf("text", ids));
            ps.setArray(3, c.createArrayOf("text", types));
            ps.setArray(4, c.createArrayOf("bigint", times));
            ps.setArray(5, c.createArrayOf("text", jobs));
            ps.setArray(6, c.createArrayOf("text", workflows));
            ps.setArray(7, c.createArrayOf("text", payloads));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getString(1));
                }
            }
        }
        return inserted;
    }

    private static final String INSERT_EVENTS_POSTGRES =
            "INSERT INTO job_event (id, type, time_ms, job_id, workflow_id, payload, received_ms)"
                    + " SELECT e.id, e.type, e.time_ms, e.job_id, e.workflow_id, e.payload, ?"
                    + " FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[])"
                    + " AS e(id, type, time_ms, job_id, workflow_id, payload)"
                    + " ON CONFLICT (id) DO NOTHING RETURNING id";

    /**
     * PostgreSQL, before the batch's events are stored: the rows of the jobs the batch names that the store has,
     * each with the time of its latest job event (null when it has none).
     */
    private Map<String, JobRow> storedJobs(Connection c, java.util.Collection<IngestEvent> events) throws SQLException {
        Set<String> ids = new LinkedHashSet<>();
        for (IngestEvent e : events) {
            if (e.isJobEvent()) {
                ids.add(e.jobId());
            }
        }
        Map<String, JobRow> rows = new HashMap<>();
        selectIn(
                c,
                "SELECT " + JobRow.COLUMNS + ", (SELECT MAX(time_ms) FROM job_event e WHERE e.job_id = job.id"
                        + " AND e.type LIKE 'job.%') AS last_event_ms FROM job WHERE ",
                "id",
                ids,
                rs -> {
                    JobRow row = JobRow.read(rs);
                    row.lastEventMs = Rows.longOrNull(rs, "last_event_ms");
                    rows.put(row.id, row);
                });
        return rows;
    }

    private void project(Connection c, List<IngestEvent> fresh, long now, Map<String, JobRow> stored)
            throws SQLException {
        Map<String, JobRow> jobs = new LinkedHashMap<>();
        Map<String, List<IngestEvent>> jobEvents = new LinkedHashMap<>();
        // By id: concurrent transactions on PostgreSQL lock workflow rows in one order.
        Map<String, WorkflowDelta> workflows = new java.util.TreeMap<>();
        for (IngestEvent e : fresh) {
            if (e.isJobEvent()) {
                jobs.put(e.jobId(), null);
                jobEvents.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e);
            }
            if (e.workflowId() != null) {
                WorkflowDelta w = workflows.computeIfAbsent(e.workflowId(), WorkflowDelta::new);
                if (!e.isJobEvent()) {
                    w.apply(e);
                }
            }
        }
        // Where each job's row comes from: the writer's memory (with its column values, to see what the batch
        // changes), else the store (PostgreSQL). A job SQLite's writer does not remember is assumed new and
        // checked when it is inserted.
        Map<String, Object[]> before = new HashMap<>();
        if (cache != null) {
            for (Map.Entry<String, JobRow> j : jobs.entrySet()) {
                JobRow known = cache.get(j.getKey());
                if (known != null) {
                    before.put(known.id, known.values());
                }
                j.setValue(known);
            }
        } else {
            jobs.replaceAll((id, none) -> stored.get(id));
        }
        Rollup rollup = new Rollup();
        for (JobRow row : jobs.values()) {
            if (row != null) {
                rollup.add(row, -1);
            }
        }
        Map<String, String[]> tails = new LinkedHashMap<>();
        foldBatches(c, jobs, jobEvents, tails);
        // PostgreSQL rewrites a batch into one multi-row upsert, which may touch a key only once:
        // everything keyed is merged here first, one row per key.
        Map<String, PhaseDelta> phases = new LinkedHashMap<>();
        try (PreparedStatement samples = c.prepareStatement(INSERT_SAMPLE)) {
            int nSamples = 0;
            for (IngestEvent e : fresh) {
                if (!e.isJobEvent()) {
                    continue;
                }
                switch (e.type()) {
                    case Event.JOB_PHASE -> {
                        String name = JobProjection.text(e.fields(), "phase");
                        phases.computeIfAbsent(e.jobId() + "\u0000" + name, k -> new PhaseDelta(e.jobId(), name))
                                .apply(e);
                    }
                    case Event.JOB_SAMPLE -> {
                        bindSample(samples, e);
                        samples.addBatch();
                        nSamples++;
                    }
                    default -> {}
                }
            }
            if (nSamples > 0) {
                samples.executeBatch();
            }
        }
        if (!phases.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_PHASE)) {
                for (PhaseDelta p : phases.values()) {
                    p.bind(ps);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (!jobs.isEmpty()) {
            List<JobRow> upsert = new ArrayList<>();
            List<JobRow> inserts = new ArrayList<>();
            Map<Long, List<Object[]>> updates = new HashMap<>();
            for (JobRow row : jobs.values()) {
                Object[] old = before.get(row.id);
                if (old != null) {
                    fileChanges(old, row, updates, rollup);
                } else {
                    (cache != null ? inserts : upsert).add(row);
                }
            }
            if (!inserts.isEmpty()) {
                insertNew(c, inserts, jobEvents, tails, rollup, updates, now);
            }
            updateChanged(c, updates, now);
            if (!upsert.isEmpty()) {
                upsertPostgres(c, upsert, now);
                for (JobRow row : upsert) {
                    rollup.add(row, +1);
                }
            }
            rollup.write(c);
        }
        if (!tails.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_LOG)) {
                for (String[] t : tails.values()) {
                    ps.setString(1, t[0]);
                    ps.setString(2, t[1]);
                    ps.setString(3, t[2]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (!workflows.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(UPSERT_WORKFLOW)) {
                for (WorkflowDelta w : workflows.values()) {
                    w.bind(ps, now);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    /** The job rows as one array per column but {@code updated_ms} (the last parameter). */
    private static final String UPSERT_JOBS_POSTGRES = "INSERT INTO job (" + JobRow.COLUMNS + ") SELECT j.*, ?"
            + " FROM unnest("
            + java.util.Arrays.stream(JobRow.POSTGRES_TYPES)
                    .map(t -> "?::" + t + "[]")
                    .collect(java.util.stream.Collectors.joining(", "))
            + ") AS j(" + String.join(", ", java.util.Arrays.copyOf(JobRow.COLUMN_NAMES, JobRow.POSTGRES_TYPES.length))
            + ")" + ON_CONFLICT_REPLACE;

    /**
     * PostgreSQL: the rows as one array per column, one statement however many rows (a multi-row VALUES
     * list is parsed and set up again, value by value, for every execution).
     */
    private static void upsertPostgres(Connection c, List<JobRow> rows, long now) throws SQLException {
        Object[][] columns = new Object[JobRow.POSTGRES_TYPES.length][rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            Object[] v = rows.get(r).values();
            for (int k = 0; k < columns.length; k++) {
                columns[k][r] = v[k];
            }
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT_JOBS_POSTGRES)) {
            ps.setLong(1, now);
            for (int k = 0; k < columns.length; k++) {
                ps.setArray(k + 2, c.createArrayOf(JobRow.POSTGRES_TYPES[k], columns[k]));
            }
            ps.executeUpdate();
        }
    }

    /**
     * Files a remembered row under the set of columns the batch changed (nothing, when it changed none: a
     * sample that set no new peak). Updating only those leaves the indexes on the others alone.
     */
    private static void changedColumns(Object[] old, JobRow row, Map<Long, List<Object[]>> updates) {
        Object[] now = row.values();
        long mask = 0;
        for (int i = 1; i < now.length; i++) {
            if (!java.util.Objects.equals(old[i], now[i])) {
                mask |= 1L << i;
            }
        }
        if (mask != 0) {
            updates.computeIfAbsent(mask, m -> new ArrayList<>()).add(now);
        }
    }

    private void updateChanged(Connection c, Map<Long, List<Object[]>> updates, long now) throws SQLException {
        for (Map.Entry<Long, List<Object[]>> u : updates.entrySet()) {
            long mask = u.getKey();
            String sql = updateSql.computeIfAbsent(mask, BatchStore::updateSql);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (Object[] values : u.getValue()) {
                    int p = 1;
                    for (int i = 1; i < values.length; i++) {
                        if ((mask & (1L << i)) != 0) {
                            Rows.set(ps, p++, values[i]);
                        }
                    }
                    ps.setLong(p++, now);
                    ps.setString(p, (String) values[0]);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
    }

    private static String updateSql(long mask) {
        StringBuilder sb = new StringBuilder("UPDATE job SET ");
        for (int i = 1; i < JobRow.COLUMN_NAMES.length - 1; i++) {
            if ((mask & (1L << i)) != 0) {
                sb.append(JobRow.COLUMN_NAMES[i]).append(" = ?, ");
            }
        }
        return sb.append("updated_ms = ? WHERE id = ?").toString();
    }

    /**
     * SQLite: inserts the rows of jobs assumed new; those that were there after all (a job the writer forgot, or
     * one another process wrote) are read, merged with the batch, and filed under the columns it changed.
     */
    private void insertNew(
            Connection c,
            List<JobRow> rows,
            Map<String, List<IngestEvent>> jobEvents,
            Map<String, String[]> tails,
            Rollup rollup,
            Map<Long, List<Object[]>> updates,
            long now)
            throws SQLException {
        int[] counts;
        try (PreparedStatement ps = c.prepareStatement(INSERT_NEW_JOB)) {
            for (JobRow row : rows) {
                row.bind(ps, now);
                ps.addBatch();
            }
            counts = ps.executeBatch();
        }
        Map<String, JobRow> stored = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            JobRow row = rows.get(i);
            if (counts[i] > 0) {
                rollup.add(row, +1);
                cache.put(row);
            } else {
                stored.put(row.id, null);
            }
        }
        if (stored.isEmpty()) {
            return;
        }
        loadJobs(c, stored);
        Map<String, Long> prior = priorEventTimes(c, stored.keySet(), jobEvents);
        Map<String, Object[]> before = new HashMap<>();
        for (Map.Entry<String, JobRow> j : stored.entrySet()) {
            JobRow row = j.getValue();
            if (row == null) {
                throw new SQLException("job " + j.getKey() + " was neither inserted nor found");
            }
            rollup.add(row, -1);
            before.put(row.id, row.values());
            row.lastEventMs = prior.get(row.id);
        }
        // Folded as a remembered row is, not always from its history: that would read every sample of a long job
        // the writer forgot at each new sample.
        foldBatches(c, stored, jobEvents, tails);
        for (JobRow row : stored.values()) {
            fileChanges(before.get(row.id), row, updates, rollup);
        }
    }

    /**
     * Folds each job's batch onto its row ({@code null}: a job new to the store) when the batch's events all come
     * after those the row holds (a running job's samples, its end, a sample at the same second as the last one);
     * a job with an event that comes before any of them has its whole stored history folded again, so that the
     * row is the same whatever order the events arrived in. Each value becomes the folded row.
     */
    private void foldBatches(
            Connection c,
            Map<String, JobRow> rows,
            Map<String, List<IngestEvent>> jobEvents,
            Map<String, String[]> tails)
            throws SQLException {
        List<String> refold = new ArrayList<>();
        for (Map.Entry<String, JobRow> j : rows.entrySet()) {
            JobRow row = j.getValue();
            if (row != null && !JobProjection.comesAfter(jobEvents.get(j.getKey()), row)) {
                refold.add(j.getKey());
            }
        }
        Map<String, List<IngestEvent>> histories = loadEvents(c, refold);
        if (histories.size() != refold.size()) {
            throw new SQLException("the stored events of " + (refold.size() - histories.size()) + " job(s) vanished");
        }
        for (Map.Entry<String, JobRow> j : rows.entrySet()) {
            List<IngestEvent> history = histories.get(j.getKey());
            JobRow row;
            List<IngestEvent> events;
            if (history != null) {
                row = new JobRow(j.getKey());
                events = history;
            } else {
                row = j.getValue() != null ? j.getValue() : new JobRow(j.getKey());
                events = jobEvents.get(j.getKey());
            }
            JobProjection.fold(row, events);
            collectTails(events, tails);
            j.setValue(row);
        }
    }

    /** SQLite: a stored row the batch changed, filed under the columns it changed, counted, and remembered. */
    private void fileChanges(Object[] before, JobRow row, Map<Long, List<Object[]>> updates, Rollup rollup) {
        changedColumns(before, row, updates);
        rollup.add(row, +1);
        cache.put(row);
    }

    /**
     * The latest time of each job's stored job events other than the batch's (written already); absent when
     * it has none. One query for all the jobs; SQLite finds each job's latest from the top of the events-by-job
     * index, so a long job's samples are not read.
     */
    private static Map<String, Long> priorEventTimes(
            Connection c, java.util.Collection<String> jobIds, Map<String, List<IngestEvent>> jobEvents)
            throws SQLException {
        List<String> batch = new ArrayList<>();
        for (String job : jobIds) {
            for (IngestEvent e : jobEvents.get(job)) {
                batch.add(e.id());
            }
        }
        Map<String, Long> latest = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(PRIOR_EVENT_TIMES)) {
            ps.setString(1, jsonArray(batch));
            ps.setString(2, jsonArray(jobIds));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long t = rs.getLong(2);
                    if (!rs.wasNull()) {
                        latest.put(rs.getString(1), t);
                    }
                }
            }
        }
        return latest;
    }

    private static final String PRIOR_EVENT_TIMES = "SELECT j.value, (SELECT MAX(e.time_ms) FROM job_event e"
            + " WHERE e.job_id = j.value AND e.type LIKE 'job.%' AND e.id NOT IN (SELECT value FROM json_each(?)))"
            + " FROM json_each(?) j";

    private static String jsonArray(java.util.Collection<String> values) throws SQLException {
        try {
            return Json.mapper().writeValueAsString(values);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SQLException("cannot write ids as JSON", e);
        }
    }

    /** The log tails of the finished events (sorted by {@link JobProjection#ORDER}): the last to carry one wins. */
    private static void collectTails(List<IngestEvent> sorted, Map<String, String[]> tails) {
        for (IngestEvent e : sorted) {
            if (!Event.JOB_FINISHED.equals(e.type())) {
                continue;
            }
            for (String stream : new String[] {"stdout", "stderr"}) {
                String tail = JobProjection.text(e.fields(), stream + "_tail");
                if (tail != null) {
                    tails.put(e.jobId() + "\u0000" + stream, new String[] {e.jobId(), stream, tail});
                }
            }
        }
    }

    /** Every stored event of the jobs (the batch's included), by job. */
    private Map<String, List<IngestEvent>> loadEvents(Connection c, java.util.Collection<String> jobIds)
            throws SQLException {
        Map<String, List<IngestEvent>> byJob = new LinkedHashMap<>();
        // Job events only: a workflow event may name a job too, and the in-order path does not fold it either.
        selectIn(
                c,
                "SELECT id, type, time_ms, job_id, workflow_id, payload FROM job_event WHERE type LIKE 'job.%' AND ",
                "job_id",
                jobIds,
                rs -> {
                    IngestEvent e = storedEvent(rs);
                    byJob.computeIfAbsent(e.jobId(), k -> new ArrayList<>()).add(e);
                });
        return byJob;
    }

    private static IngestEvent storedEvent(ResultSet rs) throws SQLException {
        String payload = rs.getString("payload");
        ObjectNode fields;
        try {
            fields = (ObjectNode) Json.mapper().readTree(payload);
        } catch (java.io.IOException | ClassCastException x) {
            throw new SQLException("stored event " + rs.getString("id") + " is not a JSON object", x);
        }
        return new IngestEvent(
                rs.getString("id"),
                rs.getString("type"),
                rs.getLong("time_ms"),
                rs.getString("job_id"),
                rs.getString("workflow_id"),
                fields,
                payload);
    }

    private void loadJobs(Connection c, Map<String, JobRow> jobs) throws SQLException {
        selectIn(c, "SELECT " + JobRow.COLUMNS + " FROM job WHERE ", "id", new ArrayList<>(jobs.keySet()), rs -> {
            JobRow row = JobRow.read(rs);
            jobs.put(row.id, row);
        });
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    /**
     * Reads the rows of {@code select} (ending in {@code WHERE } or {@code AND }) whose {@code column} is one of
     * {@code ids}: one array on PostgreSQL, lists of at most {@value #SELECT_CHUNK} on SQLite.
     */
    private void selectIn(Connection c, String select, String column, java.util.Collection<String> ids, RowReader read)
            throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        List<String> all = new ArrayList<>(ids);
        if (dialect == Dialect.POSTGRES) {
            try (PreparedStatement ps = c.prepareStatement(select + column + " = ANY (?::text[])")) {
                ps.setArray(1, c.createArrayOf("text", all.toArray()));
                readAll(ps, read);
            }
            return;
        }
        for (int from = 0; from < all.size(); from += SELECT_CHUNK) {
            int to = Math.min(all.size(), from + SELECT_CHUNK);
            StringBuilder sb = new StringBuilder(select).append(column).append(" IN (");
            for (int k = from; k < to; k++) {
                sb.append(k == from ? "?" : ",?");
            }
            try (PreparedStatement ps = c.prepareStatement(sb.append(')').toString())) {
                for (int k = from; k < to; k++) {
                    ps.setString(k - from + 1, all.get(k));
                }
                readAll(ps, read);
            }
        }
    }

    private static void readAll(PreparedStatement ps, RowReader read) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                read.read(rs);
            }
        }
    }

    /**
     * The batch's net change to {@code job_rollup}: minus each changed job's old share, plus its new one; and
     * the hours whose statistics it changed ({@link StatsMarks}).
     */
    private static final class Rollup {
        private static final String UPSERT =
                "INSERT INTO job_rollup (hour_ms, app, site, status, jobs, cpu_s, duration_s,"
                        + " with_duration) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (hour_ms, app, site, status) DO UPDATE SET"
                        + " jobs = job_rollup.jobs + excluded.jobs, cpu_s = job_rollup.cpu_s + excluded.cpu_s,"
                        + " duration_s = job_rollup.duration_s + excluded.duration_s,"
                        + " with_duration = job_rollup.with_duration + excluded.with_duration";
        // In key order, so that concurrent transactions on PostgreSQL (lanes, servers) lock its rows in one order.
        private final Map<JobRow.RollupKey, double[]> deltas = new java.util.TreeMap<>(JobRow.RollupKey.ORDER);
        private final StatsMarks marks = new StatsMarks();

        void add(JobRow row, int sign) {
            double[] d = deltas.computeIfAbsent(row.rollupKey(), k -> new double[4]);
            d[0] += sign;
            d[1] += sign * row.cpuTotal();
            d[2] += sign * (row.durationS == null ? 0 : row.durationS);
            d[3] += row.durationS == null ? 0 : sign;
            marks.add(row, sign);
        }

        void write(Connection c) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                int n = 0;
                for (Map.Entry<JobRow.RollupKey, double[]> e : deltas.entrySet()) {
                    double[] d = e.getValue();
                    if (d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 0) {
                        continue; // a job that changed within its key and figures: nothing to add
                    }
                    JobRow.RollupKey k = e.getKey();
                    ps.setLong(1, k.hourMs());
                    ps.setString(2, k.app());
                    ps.setString(3, k.site());
                    ps.setString(4, k.status());
                    ps.setLong(5, (long) d[0]);
                    ps.setDouble(6, d[1]);
                    ps.setDouble(7, d[2]);
                    ps.setLong(8, (long) d[3]);
                    ps.addBatch();
                    n++;
                }
                if (n > 0) {
                    ps.executeBatch();
                }
            }
            marks.write(c);
        }
    }

    /** What a batch says about one phase of one job, merged in SQL with what the store has. */
    private static final class PhaseDelta {
        final String jobId;
        final String name;
        String state;
        long stateTime = Long.MIN_VALUE;
        Long start;
        Long end;
        Double wall;
        Double cpu;

        PhaseDelta(String jobId, String name) {
            this.jobId = jobId;
            this.name = name;
        }

        void apply(IngestEvent e) {
            ObjectNode f = e.fields();
            String s = JobProjection.text(f, "state");
            boolean isStart = "start".equals(s);
            String stored = isStart ? "running" : s;
            if (state == null || e.timeMs() > stateTime || e.timeMs() == stateTime && !isStart) {
                state = stored;
                stateTime = e.timeMs();
            }
            if (isStart) {
                start = start == null ? e.timeMs() : Math.min(start, e.timeMs());
            } else {
                end = end == null ? e.timeMs() : Math.max(end, e.timeMs());
            }
            Double w = JobProjection.doubleValue(f, "wall_s");
            Double c = JobProjection.doubleValue(f, "cpu_s");
            wall = w != null ? w : wall;
            cpu = c != null ? c : cpu;
        }

        void bind(PreparedStatement ps) throws SQLException {
            ps.setString(1, jobId);
            ps.setString(2, name);
            ps.setString(3, state);
            ps.setLong(4, stateTime);
            Rows.setLong(ps, 5, start);
            Rows.setLong(ps, 6, end);
            Rows.setDouble(ps, 7, wall);
            Rows.setDouble(ps, 8, cpu);
        }
    }

    private static void bindSample(PreparedStatement ps, IngestEvent e) throws SQLException {
        ObjectNode f = e.fields();
        ps.setString(1, e.jobId());
        ps.setLong(2, e.timeMs());
        Rows.setDouble(ps, 3, JobProjection.doubleValue(f, "cpu_percent"));
        Rows.setLong(ps, 4, JobProjection.longValue(f, "rss_bytes"));
        Rows.setInt(ps, 5, f.hasNonNull("threads") ? f.get("threads").asInt() : null);
        Rows.setInt(ps, 6, f.hasNonNull("processes") ? f.get("processes").asInt() : null);
        Rows.setLong(ps, 7, JobProjection.longValue(f, "read_bytes"));
        Rows.setLong(ps, 8, JobProjection.longValue(f, "write_bytes"));
        ObjectNode extra = null;
        var it = f.fieldNames();
        while (it.hasNext()) {
            String name = it.next();
            if (!SAMPLE_COLUMNS.contains(name)) {
                if (extra == null) {
                    extra = f.objectNode();
                }
                extra.set(name, f.get(name));
            }
        }
        ps.setString(9, extra == null ? null : extra.toString());
    }

    /** What a batch says about one workflow, merged in SQL with what the store has. */
    private static final class WorkflowDelta {
        final String id;
        String name;
        String user;
        String status = "unknown";
        Long statusTime;
        Long start;
        Long end;
        String attributes;

        WorkflowDelta(String id) {
            this.id = id;
        }

        void apply(IngestEvent e) {
            ObjectNode f = e.fields();
            name = coalesce(JobProjection.text(f, "name"), name);
            user = coalesce(JobProjection.text(f, "user"), user);
            if (e.attributesJson() != null) {
                attributes = JobProjection.mergeObjects(attributes, e.attributesJson());
            }
            String s;
            if (Event.WORKFLOW_STARTED.equals(e.type())) {
                start = start == null ? e.timeMs() : Math.min(start, e.timeMs());
                s = coalesce(JobProjection.text(f, "status"), "running");
            } else {
                end = end == null ? e.timeMs() : Math.max(end, e.timeMs());
                s = coalesce(JobProjection.text(f, "status"), "success");
            }
            if (statusTime == null || e.timeMs() >= statusTime) {
                status = s;
                statusTime = e.timeMs();
            }
        }

        void bind(PreparedStatement ps, long now) throws SQLException {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, user);
            ps.setString(4, status);
            Rows.setLong(ps, 5, statusTime);
            Rows.setLong(ps, 6, start);
            Rows.setLong(ps, 7, end);
            ps.setString(8, attributes);
            ps.setLong(9, now);
        }

        private static String coalesce(String a, String b) {
            return a != null ? a : b;
        }
    }
}
