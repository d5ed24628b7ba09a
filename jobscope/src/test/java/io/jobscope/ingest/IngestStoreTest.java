package io.jobscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.client.Job;
import io.jobscope.client.JobQuery;
import io.jobscope.client.Stats;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.store.WritersLock;
import io.jobscope.testing.LockWaits;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The store's write path, the same suite on SQLite and on a real PostgreSQL. */
class IngestStoreTest {
    @TempDir
    Path tmp;

    private static final Instant T0 = Instant.parse("2026-11-21T10:30:00Z");

    private Ingestor.Report ingest(Ingestor ingestor, String ndjson) {
        return ingestor.ingest(new ByteArrayInputStream(ndjson.getBytes(StandardCharsets.UTF_8)));
    }

    private static IngestEvent validated(Event e) {
        try {
            return EventValidator.validate(e.toJson(), null);
        } catch (InvalidEventException x) {
            throw new IllegalArgumentException(x);
        }
    }

    private static String lines(Event... events) {
        StringBuilder sb = new StringBuilder();
        for (Event e : events) {
            sb.append(e.toLine()).append('\n');
        }
        return sb.toString();
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void finishedBeforeStartedStillProjectsTheFinalStatus(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            ingest(
                    ingestor,
                    lines(Event.job(Event.JOB_FINISHED, "j1", T0.plusSeconds(60))
                            .put("status", "failed")
                            .put("exit_code", 3)
                            .put("cpu_user_s", 10.0)
                            .put("cpu_system_s", 1.0)));
            ingest(
                    ingestor,
                    lines(Event.job(Event.JOB_STARTED, "j1", T0)
                            .put("app", "sim")
                            .put("host", "cn1")));

            Job job = new JobService(db).job("j1").orElseThrow();
            assertThat(job.status()).isEqualTo("failed");
            assertThat(job.exitCode()).isEqualTo(3);
            assertThat(job.app()).isEqualTo("sim");
            assertThat(job.durationS()).isEqualTo(60.0);
            assertThat(job.cpuTotalS()).isEqualTo(11.0);
        }
    }

    /**
     * A server's PostgreSQL writer sends each job's events to one of its lanes: a submission split between them
     * is acknowledged, with one count for all of it, only once every part is stored (here one lane has one
     * event to write and the other two thousand).
     */
    @org.junit.jupiter.api.Test
    void aSubmissionSplitBetweenPostgresLanesIsAcknowledgedOnceAllOfItIsStored() {
        try (Database created = Stores.open(Stores.Kind.POSTGRES, tmp);
                Database db = Database.open(created.location(), 8);
                EventWriter writer = new EventWriter(db)) {
            assertThat(writer.lanes()).isEqualTo(2);
            List<IngestEvent> events = new java.util.ArrayList<>();
            int inLaneZero = 0;
            for (int k = 0; events.size() < 2001; k++) {
                IngestEvent e = validated(Event.job(Event.JOB_STARTED, "split-" + k, T0.plusSeconds(k))
                        .id("split-" + k)
                        .put("app", "sim"));
                boolean laneZero = BatchStore.slot(e) % 2 == 0;
                if (laneZero && inLaneZero == 0) {
                    events.add(0, e);
                    inLaneZero++;
                } else if (!laneZero) {
                    events.add(e);
                }
            }

            EventWriter.Result first = writer.write(events);
            long stored = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM job WHERE id LIKE 'split-%'")
                            .mapTo(Long.class)
                            .one());

            assertThat(stored).isEqualTo(2001);
            assertThat(first).isEqualTo(new EventWriter.Result(2001, 0));
            assertThat(writer.write(events)).isEqualTo(new EventWriter.Result(0, 2001));
        }
    }

    /**
     * Another transaction on PostgreSQL holds a workflow row the writer needs and then waits for an event the
     * writer has inserted: the server aborts the writer's transaction as a deadlock, and the writer writes the
     * batch again instead of failing the caller.
     */
    @org.junit.jupiter.api.Test
    void aBatchPostgresAbortsAsADeadlockIsWrittenAgain() throws Exception {
        try (Database db = Stores.open(Stores.Kind.POSTGRES, tmp);
                EventWriter writer = new EventWriter(db)) {
            writer.write(List.of(validated(
                    Event.job(Event.JOB_STARTED, "before", T0).id("before").put("workflow", "wf-dl"))));
            try (java.sql.Connection other = db.dataSource().getConnection()) {
                other.setAutoCommit(false);
                try (var st = other.createStatement()) {
                    st.execute("SELECT id FROM workflow WHERE id = 'wf-dl' FOR UPDATE");
                }
                java.util.concurrent.CompletableFuture<EventWriter.Result> done = writer.submit(List.of(validated(
                        Event.job(Event.JOB_STARTED, "dl", T0).id("dl-start").put("workflow", "wf-dl"))));
                LockWaits.awaitSessionWaitingForALock(db); // the writer, for the workflow row
                try (var st = other.createStatement()) {
                    // waits for the writer's uncommitted event: a cycle, which the writer, waiting longer, breaks
                    st.execute("INSERT INTO job_event (id, type, time_ms, payload, received_ms)"
                            + " VALUES ('dl-start', 'job.started', 0, '{}', 0)");
                }
                other.rollback();

                assertThat(done.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new EventWriter.Result(1, 0));
                assertThat(writer.rewritten()).isEqualTo(1);
            }
            assertThat(new JobService(db).job("dl").orElseThrow().workflow()).isEqualTo("wf-dl");
        }
    }

    /**
     * Writers that share a PostgreSQL store: a server's lanes hold the writers' lock shared, so a transaction
     * holding it exclusively (an import; a writer of an older build, which had one lane) writes alone, and an
     * import waits for the lanes' transactions in turn.
     */
    @org.junit.jupiter.api.Test
    void anImportOrAnOlderWriterHoldingTheStoresLockWritesAloneOnPostgres() throws Exception {
        try (Database db = Stores.open(Stores.Kind.POSTGRES, tmp);
                EventWriter lanes = new EventWriter(db);
                EventWriter bulk = EventWriter.bulk(db, 100)) {
            assertThat(LockWaits.waitsWhileHeld(
                            db,
                            WritersLock::holdExclusive,
                            () -> lanes.submit(List.of(validated(Event.job(Event.JOB_STARTED, "after-older", T0)
                                    .id("after-older"))))))
                    .isEqualTo(new EventWriter.Result(1, 0));
            assertThat(LockWaits.waitsWhileHeld(
                            db,
                            WritersLock::holdShared,
                            () -> bulk.submit(List.of(validated(Event.job(Event.JOB_FINISHED, "imported", T0)
                                    .id("imported"))))))
                    .isEqualTo(new EventWriter.Result(1, 0));
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void duplicateEventIsStoredOnce(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            String body = lines(
                    Event.job(Event.JOB_STARTED, "j1", T0).id("a"),
                    Event.job(Event.JOB_SAMPLE, "j1", T0.plusSeconds(1)).id("b").put("rss_bytes", 1000));
            Ingestor.Report first = ingest(ingestor, body + body);
            Ingestor.Report second = ingest(ingestor, body);

            assertThat(first.result().accepted()).isEqualTo(2);
            assertThat(first.result().duplicates()).isEqualTo(2);
            assertThat(second.result().accepted()).isZero();
            assertThat(second.result().duplicates()).isEqualTo(2);
            Long events = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM job_event")
                            .mapTo(Long.class)
                            .one());
            assertThat(events).isEqualTo(2);
            assertThat(new JobService(db).samples("j1")).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void invalidLinesAreRejectedByNumberAndValidOnesStored(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            String body = Event.job(Event.JOB_STARTED, "ok1", T0).toLine() + "\n"
                    + "{\"id\":\"x\",\"type\":\"job.started\",\"time\":\"yesterday\",\"job\":\"bad\"}\n"
                    + "{not json\n"
                    + "{\"id\":\"y\",\"type\":\"job.finished\",\"time\":\"2026-11-21T10:00:00Z\",\"job\":\"bad2\",\"cpu_user_s\":-3}\n"
                    + "{\"type\":\"job.started\",\"time\":\"2026-11-21T10:00:00Z\",\"job\":\"bad3\"}\n"
                    + Event.job(Event.JOB_STARTED, "ok2", T0).toLine() + "\n";
            Ingestor.Report r = ingest(new Ingestor(writer), body);

            assertThat(r.result().accepted()).isEqualTo(2);
            assertThat(r.result().rejected())
                    .extracting(x -> x.line() + ": " + x.error())
                    .satisfiesExactly(
                            l -> assertThat(l).startsWith("2: field 'time'"),
                            l -> assertThat(l).startsWith("3: malformed JSON"),
                            l -> assertThat(l).startsWith("4: field 'cpu_user_s' must not be negative"),
                            l -> assertThat(l).startsWith("5: field 'id' is missing"));
            assertThat(new JobService(db).history(JobQuery.latest(10)).jobs())
                    .extracting(Job::id)
                    .containsExactlyInAnyOrder("ok1", "ok2");
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aNulInTextIsStoredAsAReplacementCharacterAndANulInAnIdOrAnUnstorableTimeOrNumberIsThatLinesError(
            Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            String body = Event.job(Event.JOB_STARTED, "ok1", T0)
                            .put("host", "cn" + '\0' + "1")
                            .put(
                                    "attributes",
                                    java.util.Map.of("note", "a" + '\0' + "b", "k" + '\0', List.of("x" + '\0')))
                            .toLine()
                    + "\n"
                    + "{\"id\":\"n1\",\"type\":\"job.started\",\"time\":\"2026-11-21T10:00:00Z\",\"job\":\"nul\\u0000job\"}\n"
                    + "{\"id\":\"f1\",\"type\":\"job.started\",\"time\":\"+999999999-12-31T23:59:59Z\",\"job\":\"far\"}\n"
                    + "{\"id\":\"f2\",\"type\":\"job.started\",\"time\":\"0000-01-01T00:00:00Z\",\"job\":\"far\"}\n"
                    + "{\"id\":\"s1\",\"type\":\"job.sample\",\"time\":\"2026-11-21T10:00:00Z\",\"job\":\"ok1\",\"threads\":3000000000}\n"
                    + "{\"id\":\"s2\",\"type\":\"job.finished\",\"time\":\"2026-11-21T10:00:00Z\",\"job\":\"big\",\"mem_peak_bytes\":1e30}\n"
                    + "{\"id\":\"s3\",\"type\":\"job.sample\",\"time\":\"2026-11-21T10:00:00Z\",\"job\":\"ok1\",\"rss_bytes\":9223372036854775808}\n"
                    + Event.job(Event.JOB_FINISHED, "ok1", T0.plusSeconds(5))
                            .put("exit_code", 1)
                            .put("error", "binary" + '\0' + "output")
                            .put("stderr_tail", "a" + '\0' + "b\n")
                            .toLine()
                    + "\n";
            Ingestor.Report r = ingest(new Ingestor(writer), body);

            assertThat(r.result().accepted()).isEqualTo(2);
            assertThat(r.result().rejected())
                    .extracting(x -> x.line() + ": " + x.error())
                    .satisfiesExactly(
                            l -> assertThat(l).startsWith("2: field 'job' must not contain the NUL character"),
                            l -> assertThat(l).startsWith("3: field 'time' is not a time jobscope can store"),
                            l -> assertThat(l).startsWith("4: field 'time' is not a time jobscope can store"),
                            l -> assertThat(l).startsWith("5: field 'threads' is too large"),
                            l -> assertThat(l).startsWith("6: field 'mem_peak_bytes' is too large"),
                            l -> assertThat(l).startsWith("7: field 'rss_bytes' is too large"));
            Job job = new JobService(db).job("ok1").orElseThrow();
            assertThat(job.host()).isEqualTo("cn\uFFFD1");
            assertThat(job.details().attributes())
                    .containsEntry("note", "a\uFFFDb")
                    .containsEntry("k\uFFFD", List.of("x\uFFFD"));
            assertThat(job.error()).isEqualTo("binary\uFFFDoutput");
            assertThat(job.details().stderrTail()).isEqualTo("a\uFFFDb\n");
            String payload = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT payload FROM job_event WHERE job_id = 'ok1' AND type = :t")
                            .bind("t", Event.JOB_FINISHED)
                            .mapTo(String.class)
                            .one());
            assertThat(payload).contains("binary\uFFFDoutput").doesNotContain("\\u0000");
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void statsCountFailuresAsTheTaskQueueMonitorDid(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            String[] statuses = {"success", "success", "failed", "error", "timeout", "cancelled"};
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < statuses.length; i++) {
                sb.append(lines(
                        Event.job(Event.JOB_STARTED, "j" + i, T0).put("app", i < 3 ? "a" : "b"),
                        Event.job(Event.JOB_FINISHED, "j" + i, T0.plusSeconds(10))
                                .put("status", statuses[i])
                                .put("cpu_user_s", 2.0)));
            }
            ingest(ingestor, sb.toString());

            Stats s = new JobService(db).stats("app", null, null);
            assertThat(s.total()).isEqualTo(6);
            assertThat(s.success()).isEqualTo(2);
            assertThat(s.failed()).isEqualTo(3);
            assertThat(s.byStatus()).containsEntry("cancelled", 1L);
            assertThat(s.successRate()).isEqualTo(33.33);
            assertThat(s.totalCpuS()).isEqualTo(12.0);
            assertThat(s.avgDurationS()).isEqualTo(10.0);
            assertThat(s.groups())
                    .extracting(Stats.Group::key, Stats.Group::total, Stats.Group::failed)
                    .containsExactlyInAnyOrder(
                            org.assertj.core.groups.Tuple.tuple("a", 3L, 1L),
                            org.assertj.core.groups.Tuple.tuple("b", 3L, 2L));
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void historyPagesNewestFirstWithACursor(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 25; i++) {
                sb.append(lines(Event.job(Event.JOB_STARTED, String.format("j%02d", i), T0.plusSeconds(i))));
            }
            ingest(new Ingestor(writer), sb.toString());
            JobService svc = new JobService(db);

            var first = svc.history(JobQuery.latest(10));
            var second = svc.history(JobQuery.latest(10).withCursor(first.nextCursor()));
            var third = svc.history(JobQuery.latest(10).withCursor(second.nextCursor()));

            assertThat(first.jobs()).extracting(Job::id).startsWith("j24", "j23");
            assertThat(second.jobs()).extracting(Job::id).startsWith("j14");
            assertThat(third.jobs()).extracting(Job::id).hasSize(5).endsWith("j00");
            assertThat(third.nextCursor()).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void phasesSamplesAndTailsAppearInDetails(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            ingest(
                    new Ingestor(writer),
                    lines(
                            Event.job(Event.JOB_STARTED, "j", T0).put("workflow", "wf"),
                            Event.job(Event.JOB_PHASE, "j", T0.plusSeconds(1))
                                    .put("phase", "reco")
                                    .put("state", "start"),
                            Event.job(Event.JOB_PHASE, "j", T0.plusSeconds(56))
                                    .put("phase", "reco")
                                    .put("state", "done")
                                    .put("cpu_s", 54.1),
                            Event.job(Event.JOB_SAMPLE, "j", T0.plusSeconds(10))
                                    .put("cpu_percent", 197.5)
                                    .put("rss_bytes", 734003200L),
                            Event.job(Event.JOB_FINISHED, "j", T0.plusSeconds(60))
                                    .put("exit_code", 0)
                                    .put("stdout_tail", "all good\n")));

            Job job = new JobService(db).job("j").orElseThrow();
            assertThat(job.status()).isEqualTo("success");
            assertThat(job.details().phases()).singleElement().satisfies(p -> {
                assertThat(p.state()).isEqualTo("done");
                assertThat(p.wallS()).isEqualTo(55.0);
                assertThat(p.cpuS()).isEqualTo(54.1);
            });
            assertThat(job.details().samples().maxRssBytes()).isEqualTo(734003200L);
            assertThat(job.memPeakMb()).isEqualTo(700.0);
            assertThat(job.details().stdoutTail()).isEqualTo("all good\n");
            assertThat(new JobService(db).workflows(10)).singleElement().satisfies(w -> {
                assertThat(w.id()).isEqualTo("wf");
                assertThat(w.success()).isEqualTo(1);
                assertThat(w.status()).isEqualTo("success");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aRetryAfterFinishingRunsAgain(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            ingest(
                    new Ingestor(writer),
                    lines(
                            Event.job(Event.JOB_STARTED, "j", T0),
                            Event.job(Event.JOB_FINISHED, "j", T0.plusSeconds(5))
                                    .put("status", "failed"),
                            Event.job(Event.JOB_STARTED, "j", T0.plusSeconds(30))));
            assertThat(new JobService(db).job("j").orElseThrow().status()).isEqualTo("running");
            assertThat(new JobService(db).job("j").orElseThrow().endTime()).isNull();

            ingest(
                    new Ingestor(writer),
                    lines(Event.job(Event.JOB_FINISHED, "j", T0.plusSeconds(90)).put("exit_code", 0)));
            Job retried = new JobService(db).job("j").orElseThrow();
            assertThat(retried.status()).isEqualTo("success");
            assertThat(retried.error()).as("the failed attempt's error is gone").isNull();
            assertThat(retried.durationS()).isEqualTo(60.0);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void anOlderFinishedEventArrivingLateDoesNotOverrideTheLatestOutcome(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            ingest(
                    new Ingestor(writer),
                    lines(
                            Event.job(Event.JOB_STARTED, "j", T0.plusSeconds(30)),
                            Event.job(Event.JOB_FINISHED, "j", T0.plusSeconds(90))
                                    .put("exit_code", 0)));
            ingest(
                    new Ingestor(writer),
                    lines(Event.job(Event.JOB_FINISHED, "j", T0.plusSeconds(5))
                            .put("exit_code", 2)
                            .put("error", "first attempt")));
            Job job = new JobService(db).job("j").orElseThrow();
            assertThat(job.status()).isEqualTo("success");
            assertThat(job.exitCode()).isZero();
            assertThat(job.durationS()).isEqualTo(60.0);
        }
    }

    /** 300 jobs' events in random order: submitted, started, mostly finished, some retried later. */
    private static List<Event> shuffledHistory(java.util.Random rnd) {
        List<Event> events = new java.util.ArrayList<>();
        String[] apps = {"sim", "reco", null};
        String[] statuses = {"success", "failed", "timeout", "error", "cancelled"};
        for (int j = 0; j < 300; j++) {
            Instant start = T0.plusSeconds(rnd.nextInt(5 * 3600));
            String app = apps[rnd.nextInt(apps.length)];
            events.add(Event.job(Event.JOB_SUBMITTED, "j" + j, start.minusSeconds(rnd.nextInt(4000)))
                    .put("site", j % 2 == 0 ? "leuven" : null));
            events.add(Event.job(Event.JOB_STARTED, "j" + j, start).put("app", app));
            if (rnd.nextInt(4) > 0) {
                events.add(Event.job(Event.JOB_FINISHED, "j" + j, start.plusSeconds(rnd.nextInt(7200)))
                        .put("status", statuses[rnd.nextInt(statuses.length)])
                        .put("cpu_user_s", rnd.nextInt(1000) / 10.0)
                        .put("cpu_system_s", 1.5));
            }
            if (rnd.nextInt(10) == 0) { // a retry, later
                events.add(Event.job(Event.JOB_STARTED, "j" + j, start.plusSeconds(9000))
                        .put("app", "retried"));
            }
        }
        java.util.Collections.shuffle(events, rnd);
        return events;
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void statisticsFromTheHourlyRollupMatchTheJobsWhateverTheEventOrder(Stores.Kind kind) {
        java.util.Random rnd = new java.util.Random(7);
        List<Event> events = shuffledHistory(rnd);
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            for (int from = 0; from < events.size(); ) {
                int to = Math.min(events.size(), from + 1 + rnd.nextInt(60));
                ingest(ingestor, lines(events.subList(from, to).toArray(new Event[0])));
                from = to;
            }
            JobService svc = new JobService(db);
            Instant since = T0.plusSeconds(5400 + 17); // not on an hour
            for (String by : new String[] {null, "app", "site", "status"}) {
                for (Instant s : new Instant[] {null, since}) {
                    Stats rolled = svc.stats(by, s, null);
                    String col = by == null ? "'all'" : by;
                    String where = s == null ? "" : " WHERE sort_time_ms >= " + s.toEpochMilli();
                    List<java.util.Map<String, Object>> expected = db.jdbi()
                            .withHandle(h -> h.createQuery("SELECT " + col
                                            + " AS k, COUNT(*) AS n, SUM(COALESCE(cpu_user_s,0)+COALESCE(cpu_system_s,0)) AS cpu,"
                                            + " SUM(COALESCE(duration_s,0)) AS dur FROM job" + where + " GROUP BY 1")
                                    .mapToMap()
                                    .list());
                    long total = expected.stream()
                            .mapToLong(m -> ((Number) m.get("n")).longValue())
                            .sum();
                    double cpu = expected.stream()
                            .mapToDouble(m -> ((Number) m.get("cpu")).doubleValue())
                            .sum();
                    double dur = expected.stream()
                            .mapToDouble(m -> ((Number) m.get("dur")).doubleValue())
                            .sum();
                    assertThat(rolled.total()).as("total by %s since %s", by, s).isEqualTo(total);
                    assertThat(rolled.totalCpuS())
                            .as("cpu by %s since %s", by, s)
                            .isCloseTo(cpu, org.assertj.core.api.Assertions.within(0.02));
                    assertThat(rolled.totalDurationS())
                            .as("duration by %s", by)
                            .isCloseTo(dur, org.assertj.core.api.Assertions.within(0.02));
                    if (by != null) {
                        assertThat(rolled.groups())
                                .as("groups by %s since %s", by, s)
                                .hasSize(expected.size());
                        for (java.util.Map<String, Object> m : expected) {
                            String key =
                                    m.get("k") == null ? "(none)" : m.get("k").toString();
                            assertThat(rolled.groups())
                                    .filteredOn(g -> g.key().equals(key))
                                    .singleElement()
                                    .satisfies(g -> assertThat(g.total()).isEqualTo(((Number) m.get("n")).longValue()));
                        }
                    }
                }
            }
        }
    }

    /**
     * The SQLite writer remembers the job rows it wrote; another writer on the same store (an import beside a
     * running server), a restarted writer and a bulk writer must all leave the store exactly as one writer
     * would: same job rows, same rollup.
     */
    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void writersTakingTurnsOnOneStoreLeaveWhatOneWriterWould(Stores.Kind kind) {
        java.util.Random rnd = new java.util.Random(11);
        List<Event> events = shuffledHistory(rnd);
        try (Database alone = Stores.open(kind, tmp);
                Database shared = Stores.open(kind, tmp);
                Database other = Database.open(shared.location());
                EventWriter single = new EventWriter(alone);
                EventWriter first = new EventWriter(shared);
                EventWriter second = new EventWriter(other)) {
            Ingestor reference = new Ingestor(single);
            Ingestor[] turns = {new Ingestor(first), new Ingestor(second)};
            for (int from = 0; from < events.size(); ) {
                int to = Math.min(events.size(), from + 1 + rnd.nextInt(40));
                String body = lines(events.subList(from, to).toArray(new Event[0]));
                ingest(reference, body);
                int turn = rnd.nextInt(5);
                if (turn < 2) {
                    ingest(turns[turn], body);
                } else if (turn == 2) {
                    try (EventWriter bulk = EventWriter.bulk(shared, 25)) {
                        ingest(new Ingestor(bulk), body);
                    }
                } else {
                    ingest(turns[0], body); // the same writer again: its memory is what it wrote
                }
                from = to;
            }
            String jobs = "SELECT id, workflow_id, app, site, host, status, status_time_ms, exit_code, submit_time_ms,"
                    + " start_time_ms, end_time_ms, sort_time_ms, duration_s, cpu_user_s, cpu_system_s FROM job ORDER BY id";
            String rollup = "SELECT hour_ms, app, site, status, jobs, ROUND(cpu_s * 1000) AS cpu,"
                    + " ROUND(duration_s * 1000) AS dur, with_duration FROM job_rollup WHERE jobs <> 0"
                    + " ORDER BY hour_ms, app, site, status";
            for (String sql : new String[] {jobs, rollup}) {
                List<java.util.Map<String, Object>> expected = alone.jdbi()
                        .withHandle(h -> h.createQuery(sql).mapToMap().list());
                List<java.util.Map<String, Object>> actual = shared.jdbi()
                        .withHandle(h -> h.createQuery(sql).mapToMap().list());
                assertThat(expected).hasSizeGreaterThan(10);
                assertThat(actual).isEqualTo(expected);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aBulkWriterStoresAndAcknowledgesEverySubmissionAcrossItsTransactions(Stores.Kind kind) throws Exception {
        try (Database db = Stores.open(kind, tmp)) {
            List<java.util.concurrent.CompletableFuture<EventWriter.Result>> acks = new java.util.ArrayList<>();
            try (EventWriter bulk = EventWriter.bulk(db, 1000)) {
                for (int chunk = 0; chunk < 7; chunk++) {
                    List<IngestEvent> events = new java.util.ArrayList<>();
                    for (int j = chunk * 300; j < chunk * 300 + 300; j++) {
                        events.add(validated(Event.job(Event.JOB_FINISHED, "b" + j, T0.plusSeconds(j))
                                .put("status", "success")));
                    }
                    acks.add(bulk.submit(events));
                }
            }
            long accepted = 0;
            for (var ack : acks) {
                accepted += ack.get(10, java.util.concurrent.TimeUnit.SECONDS).accepted();
            }
            assertThat(accepted).isEqualTo(2100);
            assertThat(new JobService(db).stats(null, null, null).total()).isEqualTo(2100);
        }
    }

    /**
     * A writer that never pauses (sustained ingest) keeps appending while a checkpoint copies the log, so
     * the log never starts over by itself: without the writer restarting it, it keeps everything written
     * until ingest pauses for a second.
     */
    @org.junit.jupiter.api.Test
    void underSustainedIngestTheSqliteLogKeepsStartingOver() throws Exception {
        try (Database db = Stores.sqlite(tmp);
                EventWriter writer = new EventWriter(db, 1L << 20)) {
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread ingest = new Thread(() -> {
                for (int job = 0; !stop.get(); ) {
                    List<IngestEvent> events = new java.util.ArrayList<>();
                    for (int k = 0; k < 200; k++, job++) {
                        events.add(validated(
                                Event.job(Event.JOB_FINISHED, String.format("s%08d", job), T0.plusSeconds(job))
                                        .put("error", "x".repeat(200))));
                    }
                    writer.submit(events).join();
                }
            });
            ingest.start();
            // Each time the log starts over, SQLite writes a new log header with its checkpoint sequence
            // number one higher. Read from the file, that number tells restarts apart without the probe
            // itself checkpointing (which would compete with the writer's restart).
            java.nio.file.Path wal = java.nio.file.Path.of(db.location() + "-wal");
            java.util.Set<Integer> sequences = new java.util.LinkedHashSet<>();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
            while (sequences.size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
                logSequence(wal).ifPresent(sequences::add);
            }
            stop.set(true);
            ingest.join();

            // Started over every second or so, the log shows a new sequence number now and then; never
            // started over, it keeps its first one and only grows.
            assertThat(sequences)
                    .as("checkpoint sequence numbers of the log seen under sustained ingest")
                    .hasSizeGreaterThanOrEqualTo(3);
        }
    }

    /** The checkpoint sequence number in a SQLite write-ahead log's header (bytes 12-15, big-endian). */
    private static java.util.OptionalInt logSequence(java.nio.file.Path wal) throws java.io.IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(wal)) {
            java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(16);
            while (header.hasRemaining() && ch.read(header) > 0) {}
            return header.hasRemaining() ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(header.getInt(12));
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /**
     * Another connection holding SQLite's write lock (a checkpoint, an import in another process) makes the
     * writer wait, within the busy timeout, never fail the batch: its transaction must start with a write.
     */
    @org.junit.jupiter.api.Test
    void theWriterWaitsWhileAnotherConnectionHoldsTheWriteLock() throws Exception {
        try (Database db = Stores.sqlite(tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            ingest(ingestor, lines(Event.job(Event.JOB_STARTED, "w1", T0)));
            try (java.sql.Connection other = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db.location());
                    java.sql.Statement st = other.createStatement()) {
                st.execute("PRAGMA busy_timeout = 5000");
                st.execute("BEGIN IMMEDIATE");
                st.execute("UPDATE job SET host = 'held' WHERE id = 'w1'");
                var pending = java.util.concurrent.CompletableFuture.supplyAsync(() -> ingest(
                        ingestor,
                        lines(Event.job(Event.JOB_FINISHED, "w1", T0.plusSeconds(5))
                                .put("status", "success"))));
                Thread.sleep(700);
                assertThat(pending).isNotDone();
                st.execute("COMMIT");
                Ingestor.Report report = pending.get(30, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(report.result().accepted()).isEqualTo(1);
            }
            Job job = new JobService(db).job("w1").orElseThrow();
            assertThat(job.status()).isEqualTo("success");
            assertThat(job.host())
                    .as("a column the batch did not change is not written from the writer's memory")
                    .isEqualTo("held");
        }
    }
}
