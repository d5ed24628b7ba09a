package io.jobscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The jobs listing sorted by duration or memory gives the plain sort's pages (ties by id) when it reads the
 * lists of the longest and largest jobs: before the refresher made them, after, with hours marked by late
 * events (a retry, a new peak, a job finishing, one moving hours), and after a list outgrew its cutoff; on
 * SQLite and on PostgreSQL.
 */
class SortedListingStoreTest {
    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final int ROWS = 30;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void pagesFromTheListsEqualThePlainSortThroughLateEventsAndRebuilds(Stores.Kind kind) {
        Random rnd = new Random(5);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            Instant start = T0.plusSeconds(rnd.nextInt(3 * 86_400));
            Event started = Event.job(Event.JOB_STARTED, "job-" + i, start).put("app", i % 3 == 0 ? "reco" : "sim");
            events.add(started);
            if (i % 10 == 9) {
                continue; // still running: no duration, maybe a peak from samples
            }
            // Few distinct values, so that ties cross page boundaries; some jobs have no memory figure.
            Event finished = Event.job(Event.JOB_FINISHED, "job-" + i, start.plusSeconds(60L * (1 + rnd.nextInt(4))))
                    .put("status", "success");
            if (rnd.nextInt(6) > 0) {
                finished.put("mem_peak_bytes", (1L + rnd.nextInt(5)) << 30);
            }
            events.add(finished);
        }
        Collections.shuffle(events, rnd);
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            ingest(writer, events);
            StatsSummaries summaries = new StatsSummaries(db, ROWS);
            DashboardQueries q = new DashboardQueries(db, Clock.systemUTC());

            assertThat(summaries.topPage("longest", "", Map.of(), "id", 0, 8, (rs, c) -> rs.getString(1)))
                    .as("no list before the refresher made one")
                    .isNull();
            assertSamePages(db, summaries, q, "before the refresher");

            summaries.refresh(0);
            assertSamePages(db, summaries, q, "from the lists");

            ingest(
                    writer,
                    List.of(
                            // a running job finishes after the longest so far
                            Event.job(Event.JOB_FINISHED, "job-9", T0.plusSeconds(5 * 86_400))
                                    .put("status", "failed")
                                    .put("start_time", T0.toString()),
                            // a sample sets a new peak (marks only the memory list's hour)
                            Event.job(Event.JOB_SAMPLE, "job-19", T0.plusSeconds(86_400))
                                    .put("rss_bytes", 9L << 30),
                            // a retry: the last attempt was short
                            Event.job(Event.JOB_STARTED, "job-3", T0.plusSeconds(6 * 86_400)),
                            Event.job(Event.JOB_FINISHED, "job-3", T0.plusSeconds(6 * 86_400 + 1))
                                    .put("status", "success"),
                            // submitted a day before anyone knew: moves hours
                            Event.job(Event.JOB_SUBMITTED, "job-4", T0.minusSeconds(86_400))));
            assertThat(summaries.markedHours()).isPositive();
            assertSamePages(db, summaries, q, "with marked hours");
            assertThat(summaries.topPage("memory", "", Map.of(), "id", 0, 8, (rs, c) -> rs.getString(1)))
                    .as("the first page comes from the memory list")
                    .isNotNull()
                    .startsWith("job-19");

            summaries.refresh(0);
            assertSamePages(db, summaries, q, "re-summarised");

            // Many more jobs above the cutoffs: the lists outgrow them and are rebuilt with higher ones.
            double before = cutoff(db, "longest");
            List<Event> big = new ArrayList<>();
            for (int i = 0; i < 5 * ROWS; i++) {
                Instant s = T0.plusSeconds(7 * 86_400 + i * 60L);
                big.add(Event.job(Event.JOB_FINISHED, "big-" + i, s.plusSeconds(3600 + i % 7))
                        .put("app", i % 2 == 0 ? "reco" : "sim")
                        .put("start_time", s.toString())
                        .put("status", "success")
                        .put("mem_peak_bytes", (10L + i % 3) << 30));
            }
            ingest(writer, big);
            summaries.refresh(0);
            assertThat(cutoff(db, "longest")).isGreaterThan(before);
            assertSamePages(db, summaries, q, "after a rebuild");
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aJobThatLeftTheListInAMarkedHourIsNotCountedIn(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            List<Event> events = new ArrayList<>();
            String[] ids = {"a", "b", "c", "d", "e"};
            for (int i = 0; i < ids.length; i++) {
                Instant s = T0.plusSeconds(i * 7200L);
                events.add(Event.job(Event.JOB_FINISHED, ids[i], s.plusSeconds(100 - 10 * i))
                        .put("start_time", s.toString())
                        .put("status", "success"));
            }
            ingest(writer, events);
            StatsSummaries summaries = new StatsSummaries(db, 3);
            summaries.refresh(0); // the longest list: a, b, c (cutoff 80 s)
            assertThat(summaries.topPage("longest", "", Map.of(), "id", 0, 3, (rs, c) -> rs.getString(1)))
                    .containsExactly("a", "b", "c");

            // A retry of a: 1 s now. Its hours are marked; its row in the list is stale.
            ingest(
                    writer,
                    List.of(
                            Event.job(Event.JOB_STARTED, "a", T0.plusSeconds(86_400)),
                            Event.job(Event.JOB_FINISHED, "a", T0.plusSeconds(86_401))
                                    .put("status", "success")));
            List<String> page = summaries.topPage("longest", "", Map.of(), "id", 0, 3, (rs, c) -> rs.getString(1));
            // b and c are the only jobs at or above the cutoff now: the list cannot tell the third.
            assertThat(page).isNull();
            assertThat(summaries.topPage("longest", "", Map.of(), "id", 0, 2, (rs, c) -> rs.getString(1)))
                    .containsExactly("b", "c");
        }
    }

    /**
     * Every page of both listings, 8 a page, of all jobs and of one app's: from the lists where they can tell,
     * as the plain sort has it; and the dashboard's listing, 7 a page, page by page.
     */
    private static void assertSamePages(Database db, StatsSummaries summaries, DashboardQueries q, String when) {
        for (String sort : List.of("longest", "memory")) {
            for (String app : new String[] {null, "reco"}) {
                String what = when + ", " + sort + (app == null ? "" : ", app " + app);
                String column = sort.equals("longest") ? "duration_s" : "mem_peak_bytes";
                List<String> plain = db.jdbi()
                        .withHandle(h -> h.createQuery("SELECT id FROM job WHERE " + column + " IS NOT NULL"
                                        + " AND (app = :app OR :app IS NULL) ORDER BY " + column + " DESC, id DESC")
                                .bind("app", app)
                                .mapTo(String.class)
                                .list());
                String filters = app == null ? "" : " AND j.app = :app";
                Map<String, Object> args = app == null ? Map.of() : Map.of("app", app);
                int fromLists = 0;
                for (int offset = 0; offset < plain.size(); offset += 8) {
                    List<String> page =
                            summaries.topPage(sort, filters, args, "id", offset, 8, (rs, c) -> rs.getString(1));
                    if (page != null) {
                        fromLists++;
                        assertThat(page)
                                .as(what + " from " + offset)
                                .isEqualTo(plain.subList(offset, Math.min(plain.size(), offset + 8)));
                    }
                }
                if (!when.equals("before the refresher")) {
                    assertThat(fromLists).as(what + ": pages from the lists").isPositive();
                }
                List<String> listed = new ArrayList<>();
                for (int page = 1; ; page++) {
                    DashboardQueries.Page<DashboardQueries.JobLine> p = q.jobs(
                            new DashboardQueries.JobFilter(null, app, null, null, null, null, null, sort, page, 7));
                    p.rows().forEach(r -> listed.add(r.id()));
                    if (!p.hasNext()) {
                        break;
                    }
                }
                assertThat(listed).as(what + " listing").isEqualTo(plain);
            }
        }
    }

    private static double cutoff(Database db, String listing) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT cutoff FROM job_stats_top_cutoff WHERE listing = :l")
                        .bind("l", listing)
                        .mapTo(Double.class)
                        .one());
    }

    private static void ingest(EventWriter writer, List<Event> events) {
        for (int from = 0; from < events.size(); from += 40) {
            StringBuilder body = new StringBuilder();
            for (Event e : events.subList(from, Math.min(events.size(), from + 40))) {
                body.append(e.toLine()).append('\n');
            }
            Ingestor.Report r = new Ingestor(writer)
                    .ingest(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));
            assertThat(r.rejectedCount()).isZero();
        }
    }
}
