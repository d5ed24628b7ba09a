package io.jobscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.client.Job;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/events.md, "Order does not matter": a job's row is the same whatever order its events arrive in. */
class EventOrderStoreTest {
    @TempDir
    Path tmp;

    private static final Instant T = Instant.parse("2026-11-21T01:00:00Z");

    private static void ingest(Ingestor ingestor, List<Event> events) {
        StringBuilder sb = new StringBuilder();
        for (Event e : events) {
            sb.append(e.toLine()).append('\n');
        }
        Ingestor.Report r =
                ingestor.ingest(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
        assertThat(r.result().rejected()).isEmpty();
    }

    /** The walkthrough's job: two job.finished at the same time, one with the outcome, one with memory only. */
    private static List<Event> twoFinishedAtOnce(String job) {
        return List.of(
                Event.job(Event.JOB_STARTED, job, T).id(job + "-start").put("app", "sim"),
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(600))
                        .id(job + "-fin-outcome")
                        .put("exit_code", 0)
                        .put("cpu_user_s", 5.0),
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(600))
                        .id(job + "-fin-memory")
                        .put("mem_peak_bytes", 2_000_000));
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aFinishedWithoutAnOutcomeDoesNotEraseTheExitCodeAnotherCarried(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            List<Event> inOrder = twoFinishedAtOnce("in-order");
            ingest(ingestor, inOrder);
            List<Event> swapped = twoFinishedAtOnce("swapped");
            ingest(ingestor, List.of(swapped.get(0), swapped.get(2), swapped.get(1)));
            List<Event> separately = twoFinishedAtOnce("one-by-one");
            for (Event e : separately) {
                ingest(ingestor, List.of(e));
            }
            List<Event> finishedFirst = twoFinishedAtOnce("started-last");
            ingest(ingestor, List.of(finishedFirst.get(1), finishedFirst.get(2)));
            ingest(ingestor, List.of(finishedFirst.get(0)));

            for (String id : List.of("in-order", "swapped", "one-by-one", "started-last")) {
                Job job = new JobService(db).job(id).orElseThrow();
                assertThat(job.status()).as(id).isEqualTo("success");
                assertThat(job.exitCode()).as(id).isZero();
                assertThat(job.cpuTotalS()).as(id).isEqualTo(5.0);
                assertThat(job.details().memPeakBytes()).as(id).isEqualTo(2_000_000L);
                assertThat(job.durationS()).as(id).isEqualTo(600.0);
            }
        }
    }

    /** A run that failed, then a rerun under the same job id that succeeded 100 s later. */
    private static List<Event> failedThenSucceeded(String job) {
        return List.of(
                Event.job(Event.JOB_FINISHED, job, T)
                        .id(job + "-1")
                        .put("status", "failed")
                        .put("error", "no benchmark result")
                        .put("exit_code", 1),
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(100))
                        .id(job + "-2")
                        .put("status", "success"));
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aLaterOutcomeReplacesTheWholeEarlierOneSoASuccessKeepsNoErrorOfTheFailure(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            List<Event> inOrder = failedThenSucceeded("rerun");
            ingest(ingestor, List.of(inOrder.get(0)));
            ingest(ingestor, List.of(inOrder.get(1)));
            List<Event> late = failedThenSucceeded("rerun-late");
            ingest(ingestor, List.of(late.get(1)));
            ingest(ingestor, List.of(late.get(0)));

            for (String id : List.of("rerun", "rerun-late")) {
                Job job = new JobService(db).job(id).orElseThrow();
                assertThat(job.status()).as(id).isEqualTo("success");
                assertThat(job.error()).as(id).isNull();
                assertThat(job.exitCode()).as(id).isNull();
            }
        }
    }

    /**
     * Everything the rule has to decide: fields carried by several events (later time wins; at the same time
     * the greater id), an outcome without a status, a status given later, a retry, a start given only by
     * job.finished's start_time, samples and phases, log tails.
     */
    private static List<Event> history(String job) {
        Function<String, String> id = s -> job + "-" + s;
        return List.of(
                Event.job(Event.JOB_SUBMITTED, job, T.minusSeconds(60))
                        .id(id.apply("a-sub"))
                        .put("site", "leuven"),
                Event.job(Event.JOB_STARTED, job, T)
                        .id(id.apply("b-start"))
                        .put("app", "sim")
                        .put("host", "cn1")
                        .put("attributes", new java.util.TreeMap<>(Map.of("queue", "short", "cores", 2))),
                Event.job(Event.JOB_SAMPLE, job, T.plusSeconds(30))
                        .id(id.apply("c-sample"))
                        .put("rss_bytes", 3_000_000),
                Event.job(Event.JOB_PHASE, job, T.plusSeconds(40))
                        .id(id.apply("d-phase"))
                        .put("phase", "load")
                        .put("state", "done"),
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(100))
                        .id(id.apply("e-fin"))
                        .put("exit_code", 1)
                        .put("error", "first attempt")
                        .put("stderr_tail", "first tail")
                        .put("cpu_user_s", 50.0),
                Event.job(Event.JOB_STARTED, job, T.plusSeconds(200))
                        .id(id.apply("f-retry"))
                        .put("host", "cn2")
                        .put("attributes", Map.of("queue", "long")),
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(500))
                        .id(id.apply("g-fin"))
                        .put("exit_code", 0)
                        .put("cpu_user_s", 250.0)
                        .put("cpu_system_s", 3.0)
                        .put("stderr_tail", "second tail"),
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(500))
                        .id(id.apply("h-fin"))
                        .put("mem_peak_bytes", 1_000_000)
                        .put("site", "ghent"),
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(520))
                        .id(id.apply("i-fin"))
                        .put("status", "timeout")
                        .put("held_reason", "walltime"));
    }

    /** A job known only from an import: job.finished events giving its start, in any order. */
    private static List<Event> imported(String job) {
        return List.of(
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(300))
                        .id(job + "-x")
                        .put("start_time", T.toString())
                        .put("status", "failed")
                        .put("error", "x"),
                Event.job(Event.JOB_FINISHED, job, T.plusSeconds(300))
                        .id(job + "-y")
                        .put("status", "error")
                        .put("error", "y"),
                Event.job(Event.JOB_SAMPLE, job, T.plusSeconds(10))
                        .id(job + "-z")
                        .put("rss_bytes", 10));
    }

    private static final String ROW = "SELECT workflow_id, app, script, params, status, status_time_ms, exit_code,"
            + " signal, submit_time_ms, start_time_ms, end_time_ms, sort_time_ms, duration_s, cpu_user_s,"
            + " cpu_system_s, mem_peak_bytes, read_bytes, write_bytes, host, site, client, error, held_reason,"
            + " depends_on, attributes, (SELECT tail FROM job_log l WHERE l.job_id = job.id AND stream = 'stderr')"
            + " AS stderr_tail FROM job WHERE id = :id";

    /** Jobs named by scenario and order: the history in file order (order 0), then shuffled 59 times. */
    private static final Map<String, Function<String, List<Event>>> SCENARIOS = Map.of(
            "h", EventOrderStoreTest::history,
            "i", EventOrderStoreTest::imported,
            "t", EventOrderStoreTest::twoFinishedAtOnce);

    private static final int ORDERS = 60;

    /**
     * Every scenario's events in {@value #ORDERS} orders, split into batches at random; the batches of different
     * jobs interleave (and those of one job may swap), several to a batch at times.
     */
    private static List<List<Event>> inManyOrders(Random rnd) {
        List<List<Event>> batches = new ArrayList<>();
        for (String s : new java.util.TreeSet<>(SCENARIOS.keySet())) {
            for (int k = 0; k < ORDERS; k++) {
                List<Event> events = new ArrayList<>(SCENARIOS.get(s).apply(s + k));
                if (k > 0) {
                    Collections.shuffle(events, rnd);
                }
                for (int from = 0; from < events.size(); ) {
                    int to = Math.min(events.size(), from + 1 + rnd.nextInt(3));
                    batches.add(events.subList(from, to));
                    from = to;
                }
            }
        }
        List<List<Event>> merged = new ArrayList<>();
        List<Event> pending = new ArrayList<>();
        List<List<Event>> perJob = new ArrayList<>(batches);
        while (!perJob.isEmpty()) {
            pending.addAll(perJob.remove(rnd.nextInt(Math.min(perJob.size(), 4))));
            if (rnd.nextInt(3) == 0) {
                merged.add(pending);
                pending = new ArrayList<>();
            }
        }
        merged.add(pending);
        merged.removeIf(List::isEmpty);
        return merged;
    }

    private static void assertEveryOrderGaveTheRowOfTheFirst(Database db) {
        for (String s : SCENARIOS.keySet()) {
            Map<String, Object> reference = row(db, s + 0);
            for (int k = 1; k < ORDERS; k++) {
                assertThat(row(db, s + k)).as("job %s%d", s, k).isEqualTo(reference);
            }
        }
    }

    /**
     * The same events of a job, in many orders, split into batches at random and written by two writers
     * taking turns (so that a row comes from one writer's memory, from the store, or is new), give one row.
     */
    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void everyArrivalOrderOfAJobsEventsGivesTheSameRow(Stores.Kind kind) {
        Random rnd = new Random(2026);
        List<List<Event>> merged = inManyOrders(rnd);
        try (Database shared = Stores.open(kind, tmp);
                Database other = Database.open(shared.location());
                EventWriter first = new EventWriter(shared);
                EventWriter second = new EventWriter(other)) {
            Ingestor[] writers = {new Ingestor(first), new Ingestor(second)};
            for (List<Event> batch : merged) {
                ingest(writers[rnd.nextInt(4) == 0 ? 1 : 0], batch);
            }
            assertEveryOrderGaveTheRowOfTheFirst(shared);
            assertThat(row(shared, "h0"))
                    .containsEntry("status", "timeout")
                    // the timeout gives the outcome whole: the exit code 0 of the finished before it does not stay
                    .containsEntry("exit_code", null)
                    .containsEntry("error", null)
                    .containsEntry("held_reason", "walltime")
                    .containsEntry("host", "cn2")
                    .containsEntry("site", "ghent")
                    .containsEntry("start_time_ms", T.plusSeconds(200).toEpochMilli())
                    .containsEntry("end_time_ms", T.plusSeconds(520).toEpochMilli())
                    .containsEntry("stderr_tail", "second tail")
                    .containsEntry("attributes", "{\"cores\":2,\"queue\":\"long\"}");
            assertThat(((Number) row(shared, "h0").get("cpu_user_s")).doubleValue())
                    .isEqualTo(250.0);
            assertThat(((Number) row(shared, "h0").get("mem_peak_bytes")).longValue())
                    .isEqualTo(3_000_000L);
            assertThat(row(shared, "i0"))
                    .containsEntry("status", "error")
                    .containsEntry("error", "y")
                    .containsEntry("start_time_ms", T.toEpochMilli());
            assertThat(row(shared, "t0")).containsEntry("status", "success").containsEntry("exit_code", 0);
        }
    }

    /**
     * A SQLite writer that remembers only three unfinished jobs reads the others back from the store, as after a
     * restart or with more jobs under way than it remembers, and still folds every arrival order into one row,
     * with the statistics rollup counting each job once under its status.
     */
    @Test
    void aWriterThatForgetsJobsFoldsEveryArrivalOrderAsOneThatRemembers() {
        try (Database db = Stores.open(Stores.Kind.SQLITE, tmp);
                EventWriter writer = EventWriter.remembering(db, 3)) {
            Ingestor ingestor = new Ingestor(writer);
            for (List<Event> batch : inManyOrders(new Random(2026))) {
                ingest(ingestor, batch);
            }
            assertEveryOrderGaveTheRowOfTheFirst(db);
            String byStatus = "SELECT status, SUM(n) AS n, ROUND(SUM(cpu), 3) AS cpu FROM (%s) GROUP BY status"
                    + " HAVING SUM(n) <> 0 ORDER BY status";
            List<Map<String, Object>> rolledUp = db.jdbi()
                    .withHandle(h -> h.createQuery(
                                    String.format(byStatus, "SELECT status, jobs AS n, cpu_s AS cpu FROM job_rollup"))
                            .mapToMap()
                            .list());
            List<Map<String, Object>> counted = db.jdbi()
                    .withHandle(h -> h.createQuery(String.format(
                                    byStatus,
                                    "SELECT status, 1 AS n, COALESCE(cpu_user_s, 0) + COALESCE(cpu_system_s, 0) AS cpu"
                                            + " FROM job"))
                            .mapToMap()
                            .list());
            assertThat(rolledUp).hasSize(3).isEqualTo(counted);
        }
    }

    /**
     * A server's PostgreSQL writer works in parallel lanes, and another server's writer shares the store: jobs
     * whose events arrive concurrently, in any order and split anyhow, through both, fold as one writer given
     * them in order folds them, and the statistics rollup counts every job once under its final status.
     */
    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void concurrentSubmissionsThroughLanesAndAnotherWriterFoldEveryJobAsOneWriterWould(Stores.Kind kind)
            throws Exception {
        Random rnd = new Random(7);
        int jobs = 80;
        List<Event> all = new ArrayList<>();
        for (int k = 0; k < jobs; k++) {
            all.addAll(history("c" + k));
        }
        Collections.shuffle(all, rnd);
        List<List<Event>> batches = new ArrayList<>();
        for (int from = 0; from < all.size(); ) {
            int to = Math.min(all.size(), from + 1 + rnd.nextInt(12));
            batches.add(all.subList(from, to));
            from = to;
        }
        try (Database created = Stores.open(kind, tmp);
                // a server's pool, as 'jobscope server' opens it
                Database shared = Database.open(created.location(), 8);
                Database other = Database.open(shared.location(), 8);
                EventWriter first = new EventWriter(shared);
                EventWriter second = new EventWriter(other)) {
            if (kind == Stores.Kind.POSTGRES) {
                assertThat(first.lanes()).isEqualTo(2);
            }
            ingest(new Ingestor(first), history("reference"));
            Ingestor[] writers = {new Ingestor(first), new Ingestor(second)};
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Ingestor ingestor = writers[t % 2];
                done.add(pool.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < batches.size()) {
                        ingest(ingestor, batches.get(i));
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(120, java.util.concurrent.TimeUnit.SECONDS);
            }
            pool.shutdown();
            Map<String, Object> reference = row(shared, "reference");
            for (int k = 0; k < jobs; k++) {
                assertThat(row(shared, "c" + k)).as("job c%d", k).isEqualTo(reference);
            }
            Map<String, Object> counted = shared.jdbi()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) AS jobs, SUM(cpu_user_s + cpu_system_s) AS cpu"
                                    + " FROM job WHERE status = 'timeout'")
                            .mapToMap()
                            .one());
            Map<String, Object> rolledUp = shared.jdbi()
                    .withHandle(h -> h.createQuery("SELECT SUM(jobs) AS jobs, SUM(cpu_s) AS cpu FROM job_rollup"
                                    + " WHERE status = 'timeout'")
                            .mapToMap()
                            .one());
            assertThat(((Number) rolledUp.get("jobs")).longValue()).isEqualTo(jobs + 1L);
            assertThat(((Number) counted.get("jobs")).longValue()).isEqualTo(jobs + 1L);
            assertThat(((Number) rolledUp.get("cpu")).doubleValue())
                    .isEqualTo(((Number) counted.get("cpu")).doubleValue());
            long elsewhere = shared.jdbi()
                    .withHandle(h -> h.createQuery(
                                    "SELECT COALESCE(SUM(ABS(jobs)), 0) FROM job_rollup" + " WHERE status <> 'timeout'")
                            .mapTo(Long.class)
                            .one());
            assertThat(elsewhere).as("rollup rows of statuses no job ended in").isZero();
        }
    }

    private static Map<String, Object> row(Database db, String id) {
        return db.jdbi()
                .withHandle(h -> h.createQuery(ROW).bind("id", id).mapToMap().one());
    }
}
