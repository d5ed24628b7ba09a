package io.jobscope.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.CpuEfficiency;
import io.jobscope.jobs.DashboardQueries;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every dashboard query answers the same on SQLite and on a real PostgreSQL. */
class DashboardQueriesStoreTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void everyPageQueryRunsAndCountsTheSeed(Stores.Kind kind) {
        Instant now = Instant.now();
        StringBuilder body = new StringBuilder();
        for (Event e : DashboardSeed.events(now)) {
            body.append(e.toLine()).append('\n');
        }
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            new Ingestor(writer).ingest(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));
            DashboardQueries q = new DashboardQueries(db, Clock.systemUTC());

            assertThat(q.overview()).isNotNull();
            assertThat(q.throughput()).isNotEmpty();
            assertThat(q.workflows(null, null, null, 1, 25).rows()).isNotEmpty();
            assertThat(q.workflow("wf-reco")).isPresent();
            assertThat(q.timeline("wf-reco")).isNotEmpty();
            assertThat(q.dag("wf-reco")).isNotEmpty();
            assertThat(q.resources("wf-reco")).isNotEmpty();
            assertThat(q.jobs(new DashboardQueries.JobFilter(null, null, null, null, null, null, null, null, 1, 50))
                            .rows())
                    .hasSize(DashboardSeed.TOTAL);
            for (String sort : DashboardQueries.SORTS.keySet()) {
                var page =
                        q.jobs(new DashboardQueries.JobFilter(null, null, null, null, null, null, null, sort, 1, 50));
                assertThat(page.rows()).as(sort).isNotEmpty();
            }
            for (String by : DashboardQueries.STATS_GROUPS) {
                assertThat(q.stats(by, now.minusSeconds(86_400))).as(by).isNotEmpty();
            }
            assertThat(q.distinct("app", 10)).contains("gen", "sim");
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void workflowTextFilterMatchesNameOrIdAndTakesWildcardsLiterally(Stores.Kind kind) {
        Instant t = Instant.now().minusSeconds(600);
        StringBuilder body = new StringBuilder();
        String[][] workflows = {
            {"demo-reco", "nightly reco (demo)"},
            {"demo-scan", "lambda scan"},
            {"batch_100%", "100% of run 7"},
            {"batch-1000", "one thousand"},
            {"path\\win", "Windows share"},
            {"alert!", "bang"},
        };
        for (String[] w : workflows) {
            body.append(Event.workflow(Event.WORKFLOW_STARTED, w[0], t)
                            .put("name", w[1])
                            .toLine())
                    .append('\n');
        }
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            new Ingestor(writer).ingest(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));
            DashboardQueries q = new DashboardQueries(db, Clock.systemUTC());

            assertThat(ids(q, "demo-reco")).containsExactly("demo-reco");
            assertThat(ids(q, "DEMO")).containsExactlyInAnyOrder("demo-reco", "demo-scan");
            assertThat(ids(q, "lambda")).containsExactly("demo-scan");
            assertThat(ids(q, "100%")).containsExactly("batch_100%");
            assertThat(ids(q, "batch_1")).containsExactly("batch_100%");
            assertThat(ids(q, "h\\w")).containsExactly("path\\win");
            assertThat(ids(q, "t!")).containsExactly("alert!");
            assertThat(ids(q, "no such workflow")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void statsEfficiencyOfAJobIsTheJobPagesWhateverItsCoresAttributeHolds(Stores.Kind kind) {
        Instant start = Instant.now().minusSeconds(600);
        Map<String, Object> cores = new LinkedHashMap<>();
        cores.put("four", 4);
        cores.put("half", 0.5);
        cores.put("text", "8");
        cores.put("none", null);
        cores.put("zero", 0);
        cores.put("negative", -2);
        cores.put("word", "many");
        StringBuilder body = new StringBuilder();
        cores.forEach((app, c) -> {
            Map<String, Object> attributes = new HashMap<>();
            attributes.put("cpu_model", "EPYC");
            if (c != null) {
                attributes.put("cores", c);
            }
            body.append(Event.job(Event.JOB_STARTED, "job-" + app, start)
                            .put("app", app)
                            .put("attributes", attributes)
                            .toLine())
                    .append('\n');
            body.append(Event.job(Event.JOB_FINISHED, "job-" + app, start.plusSeconds(100))
                            .put("status", "success")
                            .put("cpu_user_s", 70.0)
                            .put("cpu_system_s", 10.0)
                            .toLine())
                    .append('\n');
        });
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            new Ingestor(writer).ingest(new ByteArrayInputStream(body.toString().getBytes(StandardCharsets.UTF_8)));
            Map<String, Double> stats = new HashMap<>();
            new DashboardQueries(db, Clock.systemUTC())
                    .stats("app", start.minusSeconds(60))
                    .forEach(l -> stats.put(l.key(), l.efficiency()));
            JobService jobs = new JobService(db);
            for (String app : cores.keySet()) {
                Double page = CpuEfficiency.percent(jobs.job("job-" + app).orElseThrow());
                assertThat(stats.get(app)).as(app).isCloseTo(page, within(1e-9));
            }
            assertThat(stats)
                    .containsEntry("four", 20.0)
                    .containsEntry("half", 160.0)
                    .containsEntry("text", 10.0)
                    .containsEntry("none", 80.0)
                    .containsEntry("zero", 80.0)
                    .containsEntry("negative", 80.0)
                    .containsEntry("word", 80.0);
        }
    }

    private static List<String> ids(DashboardQueries q, String text) {
        return q.workflows(text, null, null, 1, 25).rows().stream()
                .map(DashboardQueries.WorkflowLine::id)
                .toList();
    }
}
