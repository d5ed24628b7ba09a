package io.jobscope.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Classification into the store and the grouped report, on SQLite and on a real PostgreSQL. */
class DiagnoseStoreTest {
    @TempDir
    Path tmp;

    private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    private static final String SAM_503 =
            "samweb.exceptions.SAMWebHTTPError: HTTP Error 503: Service Unavailable for url: https://samweb.fnal.gov:8483/sam/nova/api/projects/p%d\n";
    private static final String KEY_ERROR = "Traceback (most recent call last):\n"
            + "  File \"/w/ana/tracking.py\", line 33, in build_tracks\n    seed = seeds[p]\nKeyError: %d\n";

    private static void ingest(Ingestor ingestor, Event... events) {
        StringBuilder sb = new StringBuilder();
        for (Event e : events) {
            sb.append(e.toLine()).append('\n');
        }
        ingestor.ingest(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static Event[] failed(String id, int minute, String host, String site, String stderr) {
        return new Event[] {
            Event.job(Event.JOB_STARTED, id, T0.plusSeconds(minute * 60L))
                    .put("app", "nova-reco")
                    .put("workflow", "keepup")
                    .put("host", host)
                    .put("site", site),
            Event.job(Event.JOB_FINISHED, id, T0.plusSeconds(minute * 60L + 30))
                    .put("exit_code", 1)
                    .put("stderr_tail", stderr)
        };
    }

    private static void loadCampaign(Ingestor ingestor) {
        for (int i = 0; i < 5; i++) {
            ingest(ingestor, failed("sam-" + i, i, "wn" + i, i % 2 == 0 ? "FNAL" : "Purdue", SAM_503.formatted(i)));
        }
        for (int i = 0; i < 2; i++) {
            ingest(ingestor, failed("key-" + i, 10 + i, "wn9", "Wisconsin", KEY_ERROR.formatted(40 + i)));
        }
        ingest(
                ingestor,
                Event.job(Event.JOB_STARTED, "ok-1", T0).put("app", "nova-reco"),
                Event.job(Event.JOB_FINISHED, "ok-1", T0.plusSeconds(5)).put("exit_code", 0));
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void failuresAreGroupedBySignatureMostFrequentFirstWithVerdicts(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            loadCampaign(new Ingestor(writer));
            DiagnoseService svc = new DiagnoseService(
                    db,
                    new Classifier(RuleBook.builtIn(), List.of()),
                    (s, from, to) -> "sam".equals(s)
                            ? java.util.Optional.of("sam was out 10:00-10:30")
                            : java.util.Optional.empty());

            DiagnoseService.Report r = svc.report(DiagnoseScope.ALL, false);

            assertThat(r.failedJobs()).isEqualTo(7);
            assertThat(r.classifiedNow()).isEqualTo(7);
            assertThat(r.groups()).hasSize(2);
            DiagnoseService.Group sam = r.groups().get(0);
            assertThat(sam.count()).isEqualTo(5);
            assertThat(sam.category()).isEqualTo("service");
            assertThat(sam.rule()).isEqualTo("sam-error");
            assertThat(sam.retryable()).isTrue();
            assertThat(sam.signature())
                    .contains("HTTP Error <n>: Service Unavailable")
                    .contains("samweb.fnal.gov");
            assertThat(sam.hosts()).containsExactly("wn0", "wn1", "wn2", "wn3", "wn4");
            assertThat(sam.sites()).containsExactly("FNAL", "Purdue");
            assertThat(sam.firstSeen()).isEqualTo(T0.plusSeconds(30));
            assertThat(sam.lastSeen()).isEqualTo(T0.plusSeconds(4 * 60 + 30));
            assertThat(sam.outage()).isEqualTo("sam was out 10:00-10:30");
            assertThat(sam.command()).isEqualTo("jobscope rerun sam-0 sam-1 sam-2 sam-3 sam-4");
            DiagnoseService.Group code = r.groups().get(1);
            assertThat(code.category()).isEqualTo("code");
            assertThat(code.count()).isEqualTo(2);
            assertThat(code.signature()).isEqualTo("KeyError: <n> at tracking.py:build_tracks");
            assertThat(code.verdict()).startsWith("code problem");
            assertThat(code.command()).startsWith("jobscope logs key-1 --stream stderr");

            // Nothing new: a second report classifies nothing again.
            assertThat(svc.report(DiagnoseScope.ALL, false).classifiedNow()).isZero();
            // Scope by workflow and by job.
            assertThat(svc.report(new DiagnoseScope("key-0", null, null), false).failedJobs())
                    .isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void changedRulesReclassifyStoredFailuresOnDemand(Stores.Kind kind) throws Exception {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            ingest(ingestor, failed("j1", 0, "wn1", "FNAL", "reco: fatal: calibration table mismatch for run 5\n"));
            DiagnoseService before =
                    new DiagnoseService(db, new Classifier(RuleBook.builtIn(), List.of()), OutageLookup.NONE);
            assertThat(before.report(DiagnoseScope.ALL, false).groups().get(0).category())
                    .isEqualTo("unknown");

            Path rules = Files.createDirectories(tmp.resolve("rules"));
            Files.writeString(
                    rules.resolve("nova.yaml"),
                    "apps: [nova-reco]\nrules:\n  - id: calib-mismatch\n    pattern: calibration table mismatch\n"
                            + "    where: stderr\n    category: configuration\n    hint: Use the calibration tag of the run.\n");
            DiagnoseService after = new DiagnoseService(
                    db, new Classifier(RuleBook.load(List.of(rules), false), List.of()), OutageLookup.NONE);
            DiagnoseService.Report r = after.report(DiagnoseScope.ALL, false);
            assertThat(r.classifiedNow()).isEqualTo(1);
            assertThat(r.groups().get(0).rule()).isEqualTo("calib-mismatch");
            assertThat(r.groups().get(0).category()).isEqualTo("configuration");
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void aFailedJobIsClassifiedWhenItsFinishedEventIsCommitted(Stores.Kind kind) throws Exception {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            DiagnoseService svc =
                    new DiagnoseService(db, new Classifier(RuleBook.builtIn(), List.of()), OutageLookup.NONE);
            try (ClassifyOnFinish listener = new ClassifyOnFinish(svc)) {
                writer.addCommitListener(listener);
                ingest(
                        new Ingestor(writer),
                        failed(
                                "oom-1",
                                0,
                                "wn1",
                                "FNAL",
                                "slurmstepd: error: Detected 1 oom_kill event in StepId=1\n"));
                listener.awaitIdle();
            }
            Diagnosis d = new DiagnosisStore(db).find("oom-1").orElseThrow();
            assertThat(d.rule()).isEqualTo("oom-killer");
            assertThat(d.category()).isEqualTo(Category.RESOURCES);
        }
    }
}
