package io.jobscope.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventValidator;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.IngestEvent;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Per-phase wall and CPU across jobs, on SQLite and on a real PostgreSQL. */
class PhaseStatsServiceTest {
    @TempDir
    Path tmp;

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

    private static IngestEvent valid(Event e) throws Exception {
        return EventValidator.validate(e.toJson(), null);
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void phasesAreSummedAcrossJobsWithDoneAndFailedCounted(Stores.Kind kind) throws Exception {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            List<IngestEvent> events = new ArrayList<>();
            for (int j = 0; j < 3; j++) {
                String job = "job-" + j;
                events.add(valid(Event.job(Event.JOB_STARTED, job, T0).put("workflow", "wf")));
                events.add(valid(
                        Event.job(Event.JOB_PHASE, job, T0).put("phase", "reco").put("state", "start")));
                events.add(valid(Event.job(Event.JOB_PHASE, job, T0.plusSeconds(10))
                        .put("phase", "reco")
                        .put("state", j == 2 ? "failed" : "done")
                        .put("wall_s", 10.0)
                        .put("cpu_s", 8.0)));
            }
            events.add(valid(Event.job(Event.JOB_PHASE, "job-0", T0)
                    .put("phase", "stage-in")
                    .put("state", "start")));
            writer.write(events);

            List<PhaseStatsService.PhaseStats> rows = new PhaseStatsService(db).byPhase(null, null);

            assertThat(rows).hasSize(2);
            PhaseStatsService.PhaseStats reco = rows.get(0);
            assertThat(reco.phase()).isEqualTo("reco");
            assertThat(reco.jobs()).isEqualTo(3);
            assertThat(reco.done()).isEqualTo(2);
            assertThat(reco.failed()).isEqualTo(1);
            assertThat(reco.totalWallS()).isEqualTo(30.0);
            assertThat(reco.avgCpuS()).isEqualTo(8.0);
            assertThat(rows.get(1).running()).isEqualTo(1);
            assertThat(new PhaseStatsService(db).byPhase(null, "other-workflow"))
                    .isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aPhaseWithoutWallSecondsCountsEndMinusStartInStatisticsAsInTheJob(Stores.Kind kind) throws Exception {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Instant t = Instant.parse("2026-11-21T00:30:00Z");
            writer.write(List.of(
                    valid(Event.job(Event.JOB_STARTED, "j", t)),
                    valid(Event.job(Event.JOB_PHASE, "j", t.plusSeconds(60))
                            .put("phase", "load")
                            .put("state", "start")),
                    valid(Event.job(Event.JOB_PHASE, "j", t.plusSeconds(180))
                            .put("phase", "load")
                            .put("state", "done")),
                    valid(Event.job(Event.JOB_PHASE, "j", t.plusSeconds(180))
                            .put("phase", "fit")
                            .put("state", "start"))));

            PhaseStatsService.PhaseStats load = new PhaseStatsService(db)
                    .byPhase(null, null).stream()
                            .filter(p -> p.phase().equals("load"))
                            .findFirst()
                            .orElseThrow();
            assertThat(load.totalWallS()).isEqualTo(120.0);
            assertThat(load.avgWallS()).isEqualTo(120.0);
            assertThat(load.maxWallS()).isEqualTo(120.0);
            assertThat(new JobService(db).job("j").orElseThrow().details().phases())
                    .filteredOn(p -> p.name().equals("load"))
                    .singleElement()
                    .satisfies(p -> assertThat(p.wallS()).isEqualTo(120.0));
            assertThat(new PhaseStatsService(db).byPhase(null, null))
                    .filteredOn(p -> p.phase().equals("fit"))
                    .singleElement()
                    .satisfies(p -> assertThat(p.totalWallS())
                            .as("a phase still running has no wall")
                            .isNull());
        }
    }
}
