package io.jobscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.store.Database;
import io.jobscope.store.WritersLock;
import io.jobscope.testing.LockWaits;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The statistics the dashboard reads from summaries equal a plain scan of the jobs, on SQLite and on a real
 * PostgreSQL: before the refresher ran, after it, and after late events changed jobs of summarised hours.
 */
class StatsSummariesStoreTest {
    private static final Instant NOW = Instant.parse("2026-11-20T15:37:12.345Z");
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 86_400_000L;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void summariesGiveTheScansFiguresForEveryGroupingAndWindow(Stores.Kind kind) {
        Random rnd = new Random(11);
        List<Event> first = new ArrayList<>();
        List<Event> late = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            seedJob(rnd, "job-" + i, first, late);
        }
        Collections.shuffle(first, rnd);
        Collections.shuffle(late, rnd);
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            StatsSummaries summaries = new StatsSummaries(db);
            ingestInParts(writer, first, 4);

            assertThat(summaries.markedHours()).isPositive();
            assertSameAsScan(summaries, "every hour marked");

            assertThat(summaries.refresh(0)).isPositive();
            assertThat(summaries.markedHours()).isZero();
            assertSameAsScan(summaries, "every hour summarised");

            ingestInParts(writer, late, 3);
            assertThat(summaries.markedHours()).isPositive();
            assertSameAsScan(summaries, "late events marked hours again");

            summaries.refresh(0);
            assertThat(summaries.markedHours()).isZero();
            assertSameAsScan(summaries, "re-summarised after late events");

            DashboardQueries q = new DashboardQueries(db, Clock.fixed(NOW, ZoneOffset.UTC));
            for (String by : StatsSummaries.GROUPINGS) {
                assertThat(q.stats(by, NOW.minusSeconds(30L * 86_400))).as(by).hasSize(Math.min(200, (int)
                        summaries.scanned(by, NOW.toEpochMilli() - 30 * DAY).size()));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aDayChangedAfterItWasSummarisedIsReadFromTheJobsUntilReSummarised(Stores.Kind kind) {
        long hour = NOW.toEpochMilli() / HOUR * HOUR - 3 * DAY; // a whole day, three days back
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            StatsSummaries summaries = new StatsSummaries(db);
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                Instant s = Instant.ofEpochMilli(hour + i * 60_000L);
                events.add(Event.job(Event.JOB_STARTED, "d-" + i, s)
                        .put("app", i % 2 == 0 ? "sim" : "reco")
                        .put("host", "cn0" + (i % 3))
                        .put("attributes", Map.of("cores", 4, "cpu_model", "EPYC")));
                events.add(Event.job(Event.JOB_FINISHED, "d-" + i, s.plusSeconds(600))
                        .put("status", "success")
                        .put("cpu_user_s", 1200.0));
            }
            ingestInParts(writer, events, 1);
            summaries.refresh(0);
            Map<String, StatsSummaries.Figures> before = summaries.figures("app", hour - DAY);
            assertThat(before.get("sim").jobs()).isEqualTo(10);

            // Late news about that day: a job failed after all, another ran on 8 cores, a third moves a day back.
            ingestInParts(
                    writer,
                    List.of(
                            Event.job(Event.JOB_FINISHED, "d-0", Instant.ofEpochMilli(hour + 3_600_000L))
                                    .put("status", "failed")
                                    .put("exit_code", 3),
                            Event.job(Event.JOB_STARTED, "d-2", Instant.ofEpochMilli(hour + 2 * 60_000L))
                                    .put("attributes", Map.of("cores", 8)),
                            Event.job(Event.JOB_SUBMITTED, "d-4", Instant.ofEpochMilli(hour - DAY + 5))),
                    1);
            assertThat(summaries.markedHours()).isEqualTo(2); // the jobs' hour, and the hour a day back d-4 moved to
            // The stored summary of the hour is stale now, and not used: the answer is the scan's.
            assertThat(summaries.storedHour(hour).get("app").get("sim").failed())
                    .isZero();
            Map<String, StatsSummaries.Figures> during = summaries.figures("app", hour - DAY);
            assertThat(during.get("sim").failed()).isEqualTo(1);
            assertSame(during, summaries.scanned("app", hour - DAY), "app while marked");
            assertSame(
                    summaries.figures("cpu_model", null), summaries.scanned("cpu_model", null), "cores while marked");

            assertThat(summaries.refresh(0)).isEqualTo(2);
            assertThat(summaries.storedHour(hour).get("app").get("sim").failed())
                    .isEqualTo(1);
            assertSame(summaries.figures("app", hour - DAY), summaries.scanned("app", hour - DAY), "app");
            assertSame(summaries.figures("cpu_model", null), summaries.scanned("cpu_model", null), "cpu model");
            assertSame(summaries.figures("hour", hour), summaries.scanned("hour", hour), "hour of day");
        }
    }

    /**
     * An import on PostgreSQL marks hours batch by batch within one long transaction, holding the writers' lock
     * exclusively: the refresher waits for it rather than take mark rows in between (a deadlock that
     * could cost the import its transaction), and summarises once it has committed.
     */
    @org.junit.jupiter.api.Test
    void onPostgresTheRefresherWaitsForAnImportsTransaction() throws Exception {
        long hour = NOW.toEpochMilli() / HOUR * HOUR - 10 * HOUR;
        try (Database db = Stores.open(Stores.Kind.POSTGRES, tmp);
                EventWriter writer = new EventWriter(db)) {
            StatsSummaries summaries = new StatsSummaries(db);
            ingestInParts(writer, List.of(finished("imp-1", hour + 1000, 60, "success")), 1);
            assertThat(LockWaits.waitsWhileHeld(
                            db,
                            WritersLock::holdExclusive,
                            () -> java.util.concurrent.CompletableFuture.supplyAsync(() -> summaries.refresh(0))))
                    .isEqualTo(1);
            assertThat(summaries.markedHours()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void anHourChangedWhileBeingSummarisedStaysMarked(Stores.Kind kind) {
        long hour = NOW.toEpochMilli() / HOUR * HOUR - 10 * HOUR;
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            StatsSummaries summaries = new StatsSummaries(db);
            ingestInParts(writer, List.of(finished("h-1", hour + 1000, 60, "success")), 1);
            long changes = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT changes FROM job_stats_mark WHERE hour_ms = :h")
                            .bind("h", hour)
                            .mapTo(Long.class)
                            .one());
            StatsSummaries.HourSummary read =
                    db.jdbi().withHandle(h -> summaries.summarise(h, hour, changes, 0, TopJobs.cutoffs(h)));
            // The writer changes the hour between the refresher's read and its write.
            ingestInParts(writer, List.of(finished("h-2", hour + 2000, 60, "failed")), 1);

            assertThat(summaries.store(hour / DAY * DAY, List.of(read))).isZero();
            assertThat(summaries.markedHours()).isEqualTo(1);
            assertThat(summaries.figures("app", null).get("sim").jobs()).isEqualTo(2);

            assertThat(summaries.refresh(0)).isEqualTo(1);
            assertThat(summaries.figures("app", null).get("sim").jobs()).isEqualTo(2);
            assertThat(summaries.storedHour(hour).get("app").get("sim").jobs()).isEqualTo(2);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aStoreWithMoreMarkedHoursThanTheLimitIsScannedWhole(Stores.Kind kind) {
        long first = NOW.toEpochMilli() / HOUR * HOUR - (StatsSummaries.MAX_MARKED_HOURS + 50) * HOUR;
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < StatsSummaries.MAX_MARKED_HOURS + 50; i++) {
            events.add(finished("m-" + i, first + i * HOUR + 7, 30 + i % 7, i % 9 == 0 ? "failed" : "success")
                    .put("host", "cn0" + (i % 4)));
        }
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            StatsSummaries summaries = new StatsSummaries(db);
            ingestInParts(writer, events, 2);
            assertThat(summaries.markedHours()).isGreaterThan(StatsSummaries.MAX_MARKED_HOURS);
            for (Long since : new Long[] {null, first + 20 * DAY + 5}) {
                assertSame(summaries.figures("host", since), summaries.scanned("host", since), "host since " + since);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void samplesOfARunningJobMarkItsHourForTheMemoryListOnlyAndOnlyWhenThePeakRises(Stores.Kind kind) {
        long start = NOW.toEpochMilli() - 5 * HOUR;
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            StatsSummaries summaries = new StatsSummaries(db);
            ingestInParts(
                    writer,
                    List.of(Event.job(Event.JOB_STARTED, "r-1", Instant.ofEpochMilli(start))
                            .put("app", "sim")),
                    1);
            summaries.refresh(0);
            ingestInParts(writer, List.of(sample("r-1", start + 60_000L, 5_000_000L)), 1);
            assertThat(summaries.markedHours()).as("statistics").isZero();
            assertThat(peakMarkedHours(db)).as("the memory list").isEqualTo(1);

            summaries.refresh(0);
            assertThat(peakMarkedHours(db)).isZero();
            // Below the peak: nothing to mark.
            ingestInParts(
                    writer,
                    List.of(sample("r-1", start + 120_000L, 4_000_000L), sample("r-1", start + 180_000L, 5_000_000L)),
                    1);
            assertThat(summaries.markedHours()).isZero();
            assertThat(peakMarkedHours(db)).isZero();

            ingestInParts(writer, List.of(finished("r-1", start, 120, "success")), 1);
            assertThat(summaries.markedHours()).isEqualTo(1);
        }
    }

    private static Event sample(String job, long timeMs, long rss) {
        return Event.job(Event.JOB_SAMPLE, job, Instant.ofEpochMilli(timeMs))
                .put("cpu_percent", 95.0)
                .put("rss_bytes", rss);
    }

    private static long peakMarkedHours(Database db) {
        return db.jdbi()
                .withHandle(
                        h -> h.createQuery("SELECT COUNT(*) FROM job_stats_mark WHERE peak_changes <> peak_summarised")
                                .mapTo(Long.class)
                                .one());
    }

    // ---------------------------------------------------------------- seed

    private static final String[] APPS = {"gen", "sim", "reco", null};
    private static final String[] HOSTS = {"cn01", "cn02", "cn03", "cn04", "gpu1", null};
    private static final String[] SITES = {"leuven", "cern", null};
    private static final Object[] CORES = {1, 2, 4, "8", 1.5, null};
    private static final Object[] MODELS = {"AMD EPYC 7763", "Intel Xeon Gold", 7, null};
    private static final String[] OUTCOMES = {"success", "success", "success", "failed", "timeout", "cancelled"};

    /** One job's events over 40 days (a few ahead of now), in {@code first}; news about it in {@code late}. */
    private static void seedJob(Random rnd, String id, List<Event> first, List<Event> late) {
        long now = NOW.toEpochMilli();
        long start;
        switch (rnd.nextInt(10)) {
            case 0 -> start = (now - rnd.nextInt(40) * DAY) / DAY * DAY; // on a day's first millisecond
            case 1 -> start = (now - rnd.nextInt(900) * HOUR) / HOUR * HOUR - 1; // an hour's last millisecond
            case 2 -> start = now - rnd.nextInt(3) * HOUR - rnd.nextInt(3_600_000); // the last hours
            case 3 -> start = now + rnd.nextInt(7_200_000); // ahead of the clock
            default -> start = now - (long) (rnd.nextDouble() * 40 * DAY);
        }
        Instant s = Instant.ofEpochMilli(start);
        Map<String, Object> fields = new LinkedHashMap<>();
        put(fields, "app", APPS[rnd.nextInt(APPS.length)]);
        put(fields, "host", HOSTS[rnd.nextInt(HOSTS.length)]);
        put(fields, "site", SITES[rnd.nextInt(SITES.length)]);
        if (rnd.nextInt(4) > 0) {
            put(fields, "workflow", "wf-" + rnd.nextInt(5));
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        put(attributes, "cores", CORES[rnd.nextInt(CORES.length)]);
        put(attributes, "cpu_model", MODELS[rnd.nextInt(MODELS.length)]);
        if (!attributes.isEmpty()) {
            fields.put("attributes", attributes);
        }
        int shape = rnd.nextInt(10);
        if (shape == 0) { // pending: submitted only
            first.add(Event.job(Event.JOB_SUBMITTED, id, s).putAll(fields));
            return;
        }
        if (rnd.nextBoolean()) {
            first.add(Event.job(Event.JOB_SUBMITTED, id, s.minusSeconds(rnd.nextInt(600)))
                    .putAll(fields));
        }
        long wallMs = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(3 * 3_600_000);
        Event finished = Event.job(Event.JOB_FINISHED, id, s.plusMillis(wallMs))
                .put("status", OUTCOMES[rnd.nextInt(OUTCOMES.length)]);
        if (rnd.nextInt(5) > 0) {
            finished.put("cpu_user_s", rnd.nextDouble() * wallMs / 1000.0 * 4);
        }
        if (rnd.nextInt(3) > 0) {
            finished.put("cpu_system_s", rnd.nextDouble() * 30);
        }
        if (rnd.nextInt(8) == 0) {
            finished.put("duration_s", rnd.nextDouble() * 5000);
        }
        if (shape == 1) { // finished only: no start, so no duration unless given
            first.add(finished.putAll(fields));
            return;
        }
        first.add(Event.job(Event.JOB_STARTED, id, s).putAll(fields));
        if (shape == 2) { // still running, finishes late
            late.add(finished);
        } else if (shape == 3) { // finished, then submitted a day earlier than anyone knew: moves its hour
            first.add(finished);
            late.add(Event.job(Event.JOB_SUBMITTED, id, s.minusMillis(DAY + rnd.nextInt(3_600_000))));
        } else if (shape == 4) { // finished, then its attributes change
            first.add(finished);
            late.add(Event.job(Event.JOB_STARTED, id, s)
                    .put("attributes", Map.of("cores", 16, "cpu_model", "Ampere Altra")));
        } else if (shape == 5) { // finished, then a retry that failed
            first.add(finished);
            late.add(Event.job(Event.JOB_STARTED, id, s.plusMillis(wallMs + 1000)));
            late.add(Event.job(Event.JOB_FINISHED, id, s.plusMillis(wallMs + 5000))
                    .put("status", "failed")
                    .put("exit_code", 2));
        } else {
            first.add(finished);
        }
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    private static Event finished(String id, long startMs, int wallS, String status) {
        return Event.job(Event.JOB_FINISHED, id, Instant.ofEpochMilli(startMs + wallS * 1000L))
                .put("app", "sim")
                .put("start_time", Instant.ofEpochMilli(startMs).toString())
                .put("status", status)
                .put("cpu_user_s", wallS * 0.5);
    }

    private static void ingestInParts(EventWriter writer, List<Event> events, int parts) {
        int size = (events.size() + parts - 1) / parts;
        for (int from = 0; from < events.size(); from += size) {
            StringBuilder body = new StringBuilder();
            for (Event e : events.subList(from, Math.min(events.size(), from + size))) {
                body.append(e.toLine()).append('\n');
            }
            Ingestor.Report r = new Ingestor(writer)
                    .ingest(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));
            assertThat(r.rejectedCount()).as("rejected events").isZero();
        }
    }

    // ---------------------------------------------------------------- comparing

    private static void assertSameAsScan(StatsSummaries summaries, String when) {
        long now = NOW.toEpochMilli();
        List<Long> windows = new ArrayList<>();
        windows.add(null);
        for (long back : new long[] {HOUR, DAY, 7 * DAY, 30 * DAY}) {
            windows.add(now - back);
        }
        windows.add(now / HOUR * HOUR - 5 * HOUR); // on an hour
        windows.add(now / DAY * DAY - 3 * DAY); // on a day
        windows.add(now + HOUR); // ahead of the clock
        for (String by : StatsSummaries.GROUPINGS) {
            for (Long since : windows) {
                String what = when + ", by " + by + " since " + (since == null ? "ever" : Instant.ofEpochMilli(since));
                Map<String, StatsSummaries.Figures> scan = summaries.scanned(by, since);
                if (since == null || since < now) {
                    assertThat(scan).as(what).isNotEmpty();
                }
                assertSame(summaries.figures(by, since), scan, what);
            }
        }
    }

    /** Counts equal; sums equal up to the order of floating-point additions. */
    private static void assertSame(
            Map<String, StatsSummaries.Figures> fast, Map<String, StatsSummaries.Figures> scan, String what) {
        assertThat(fast.keySet()).as(what).isEqualTo(scan.keySet());
        for (Map.Entry<String, StatsSummaries.Figures> e : scan.entrySet()) {
            StatsSummaries.Figures a = fast.get(e.getKey());
            StatsSummaries.Figures b = e.getValue();
            String k = what + ", key " + e.getKey();
            assertThat(a.jobs()).as(k).isEqualTo(b.jobs());
            assertThat(a.success()).as(k).isEqualTo(b.success());
            assertThat(a.failed()).as(k).isEqualTo(b.failed());
            assertThat(a.withDuration()).as(k).isEqualTo(b.withDuration());
            assertThat(a.withCpu()).as(k).isEqualTo(b.withCpu());
            assertThat(a.withEfficiency()).as(k).isEqualTo(b.withEfficiency());
            assertThat(a.wallS()).as(k).isCloseTo(b.wallS(), within(1e-9 * Math.max(1, Math.abs(b.wallS()))));
            assertThat(a.cpuS()).as(k).isCloseTo(b.cpuS(), within(1e-9 * Math.max(1, Math.abs(b.cpuS()))));
            assertThat(a.effCpuS()).as(k).isCloseTo(b.effCpuS(), within(1e-9 * Math.max(1, Math.abs(b.effCpuS()))));
            assertThat(a.effWallS()).as(k).isCloseTo(b.effWallS(), within(1e-9 * Math.max(1, Math.abs(b.effWallS()))));
        }
    }
}
