package io.jobscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.store.Database;
import io.jobscope.store.Dialect;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Listings sorted by duration or memory page through every job once, in the column's order with ties in a
 * fixed order (on SQLite the unfiltered ones find their page in a narrow index), on SQLite and PostgreSQL.
 */
class SortedListingStoreTest {
    @TempDir
    Path tmp;

    private record Row(String id, long rowid, double duration, long memory) {}

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void pagesByDurationAndMemoryHoldEveryJobOnceInOrderWithTiesBrokenTheSameWay(Stores.Kind kind) {
        Random rnd = new Random(5);
        List<Event> events = new ArrayList<>();
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        for (int i = 0; i < 150; i++) {
            Instant start = t0.plusSeconds(rnd.nextInt(86_400));
            // Few distinct values, so that ties cross page boundaries; some jobs have neither.
            Event e = Event.job(Event.JOB_FINISHED, "job-" + i, start.plusSeconds(60L * (1 + rnd.nextInt(4))))
                    .put("app", "sim")
                    .put("status", "success");
            if (rnd.nextInt(6) > 0) {
                e.put("start_time", start.toString());
            }
            if (rnd.nextInt(6) > 0) {
                e.put("mem_peak_bytes", (1L + rnd.nextInt(5)) << 30);
            }
            events.add(e);
        }
        Collections.shuffle(events, rnd);
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            for (int from = 0; from < events.size(); from += 40) {
                StringBuilder body = new StringBuilder();
                for (Event e : events.subList(from, Math.min(events.size(), from + 40))) {
                    body.append(e.toLine()).append('\n');
                }
                new Ingestor(writer)
                        .ingest(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));
            }
            boolean sqlite = db.dialect() == Dialect.SQLITE;
            List<Row> rows = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT id, " + (sqlite ? "rowid" : "0") + " AS r,"
                                    + " duration_s, mem_peak_bytes FROM job")
                            .map((rs, c) -> new Row(
                                    rs.getString("id"),
                                    rs.getLong("r"),
                                    rs.getObject("duration_s") == null ? Double.NaN : rs.getDouble("duration_s"),
                                    rs.getObject("mem_peak_bytes") == null ? -1 : rs.getLong("mem_peak_bytes")))
                            .list());
            Comparator<Row> tie = sqlite
                    ? Comparator.comparingLong(Row::rowid).reversed()
                    : Comparator.comparing(Row::id).reversed();
            List<String> byDuration = rows.stream()
                    .filter(r -> !Double.isNaN(r.duration()))
                    .sorted(Comparator.comparingDouble(Row::duration).reversed().thenComparing(tie))
                    .map(Row::id)
                    .toList();
            List<String> byMemory = rows.stream()
                    .filter(r -> r.memory() >= 0)
                    .sorted(Comparator.comparingLong(Row::memory).reversed().thenComparing(tie))
                    .map(Row::id)
                    .toList();
            assertThat(byDuration).hasSizeBetween(100, 149);
            assertThat(byMemory).hasSizeBetween(100, 149);

            DashboardQueries q = new DashboardQueries(db, Clock.systemUTC());
            assertThat(allPages(q, "longest", null)).isEqualTo(byDuration);
            assertThat(allPages(q, "memory", null)).isEqualTo(byMemory);
            // Filtered, the matching jobs are sorted in the table: the same order.
            assertThat(allPages(q, "longest", "sim")).isEqualTo(byDuration);
            assertThat(allPages(q, "memory", "sim")).isEqualTo(byMemory);
        }
    }

    private static List<String> allPages(DashboardQueries q, String sort, String app) {
        List<String> ids = new ArrayList<>();
        for (int page = 1; ; page++) {
            DashboardQueries.Page<DashboardQueries.JobLine> p =
                    q.jobs(new DashboardQueries.JobFilter(null, app, null, null, null, null, null, sort, page, 7));
            p.rows().forEach(r -> ids.add(r.id()));
            if (!p.hasNext()) {
                return ids;
            }
        }
    }
}
