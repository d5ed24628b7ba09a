package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Event;
import io.jobscope.client.Job;
import io.jobscope.client.Json;
import io.jobscope.diagnose.LogDirReportTestSupport;
import io.jobscope.diagnose.SrtctlImporter;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The diagnose, import srtctl, compare and rerun commands, end to end on a real SQLite store. */
class DiagnoseCliTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    private String db() {
        return tmp.resolve("js.db").toString();
    }

    private void ingest(Event... events) {
        try (Database db = Database.open(db());
                EventWriter w = new EventWriter(db)) {
            StringBuilder sb = new StringBuilder();
            for (Event e : events) {
                sb.append(e.toLine()).append('\n');
            }
            new Ingestor(w).ingest(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void diagnoseJsonHasTheDocumentedKeysPerGroup() throws Exception {
        Instant t = Instant.parse("2026-11-21T10:00:00Z");
        ingest(
                Event.job(Event.JOB_STARTED, "j1", t).put("host", "wn1").put("site", "FNAL"),
                Event.job(Event.JOB_FINISHED, "j1", t.plusSeconds(9))
                        .put("exit_code", 1)
                        .put("stderr_tail", "curl: (6) Could not resolve host: conddb.example.org\n"));
        Result r = run("diagnose", "--db", db(), "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode g = Json.mapper().readTree(r.out()).get(0);
        for (String key : List.of(
                "signature",
                "category",
                "rule",
                "count",
                "retryable",
                "first_seen",
                "last_seen",
                "hosts",
                "sites",
                "example_job",
                "jobs")) {
            assertThat(g.has(key)).as(key).isTrue();
        }
        assertThat(g.get("category").asText()).isEqualTo("service");
        assertThat(g.get("jobs").get(0).asText()).isEqualTo("j1");

        Result human = run("diagnose", "--db", db());
        assertThat(human.out()).contains("SERVICE (dns)").contains("$ jobscope rerun j1");
        Result show = run("show", "j1", "--db", db());
        assertThat(show.out()).contains("Diagnosis:").contains("Rule: dns-failure");
    }

    @Test
    void verdictNamesTheOutageOfTheImplicatedServiceInProcessAsThroughTheServer() throws Exception {
        Path services = Files.writeString(tmp.resolve("services.yaml"), "services:\n  - name: dcache\n");
        assertThat(run("services", "load", services.toString(), "--db", db()).code())
                .isZero();
        Instant t = Instant.now();
        assertThat(run("services", "set", "dcache", "major_outage", "--message", "pool offline", "--db", db())
                        .code())
                .isZero();
        ingest(
                Event.job(Event.JOB_STARTED, "scan-10", t.minusSeconds(30)),
                Event.job(Event.JOB_FINISHED, "scan-10", t.plusSeconds(1))
                        .put("exit_code", 1)
                        .put(
                                "stderr_tail",
                                "dcap: failed to open dcap://dcache-door.demo:22125/pnfs/demo/run0031.root:"
                                        + " Connection refused (door 127.0.0.1:54051)\n"));

        Result diag = run("diagnose", "scan-10", "--db", db(), "--json");
        assertThat(diag.code()).as(diag.err()).isZero();
        JsonNode group = Json.mapper().readTree(diag.out()).get(0);
        assertThat(group.get("service").asText()).isEqualTo("dcache");
        assertThat(group.path("outage").asText())
                .startsWith("dcache was major outage from ")
                .contains("pool offline");
        String verdict = group.get("verdict").asText();
        assertThat(verdict).startsWith("service problem (dcache); dcache was major outage from ");
        assertThat(run("diagnose", "scan-10", "--db", db()).out()).contains("verdict:    " + verdict);
        Result show = run("show", "scan-10", "--db", db());
        assertThat(show.out()).contains("  Verdict: " + verdict);

        // The same store through a server built as 'jobscope server' builds it.
        try (Database db = Database.open(db());
                EventWriter w = new EventWriter(db)) {
            io.jobscope.services.ServiceBoard board =
                    new io.jobscope.services.ServiceBoard(db, java.time.Clock.systemUTC());
            io.jobscope.web.ApiServer server = new io.jobscope.web.ApiServer(
                            io.jobscope.web.ApiServer.Config.loopback(0),
                            new JobService(db),
                            new Ingestor(w),
                            java.time.Clock.systemUTC(),
                            board,
                            Diagnoses.over(db, board, io.jobscope.diagnose.RuleBook.builtIn()))
                    .start();
            try {
                String url = "http://127.0.0.1:" + server.port();
                JsonNode remote = Json.mapper()
                        .readTree(run("diagnose", "scan-10", "--server", url, "--json")
                                .out())
                        .get(0);
                assertThat(remote.get("verdict").asText()).isEqualTo(verdict);
                assertThat(run("show", "scan-10", "--server", url).out()).contains("  Verdict: " + verdict);
            } finally {
                server.close();
            }
        }
    }

    @Test
    void jobRecordedTimeoutIsATimeLimitAndNoNextStepPointsAtLogsThatAreNotThere() throws Exception {
        Path history = io.jobscope.testing.Fixtures.path("keystone/jobs_history.jsonl");
        assertThat(run("import", "keystone", history.toString(), "--db", db()).code())
                .isZero();

        Result diag = run("diagnose", "--db", db(), "--json");
        assertThat(diag.code()).as(diag.err()).isZero();
        JsonNode groups = Json.mapper().readTree(diag.out());
        JsonNode timeouts = null;
        for (JsonNode g : groups) {
            if ("status-timeout".equals(g.path("rule").asText())) {
                timeouts = g;
            }
            String command = g.get("command").asText();
            if (command.startsWith("jobscope logs ")) {
                Result logs = run("logs", command.split("\\s+")[2], "--db", db());
                assertThat(logs.err()).as(command).doesNotContain("has no output recorded");
            }
        }
        assertThat(timeouts).as(diag.out()).isNotNull();
        assertThat(timeouts.get("count").asInt()).isEqualTo(3);
        assertThat(timeouts.get("category").asText()).isEqualTo("resources");
        assertThat(timeouts.get("signature").asText()).isEqualTo("Time limit reached (status timeout)");
        assertThat(timeouts.get("excerpt").asText()).isEqualTo("status: timeout\nerror: Task exceeded time limit");
        assertThat(timeouts.get("verdict").asText()).startsWith("resource limit: ");
        String example = timeouts.get("example_job").asText();
        assertThat(timeouts.get("command").asText()).startsWith("jobscope show " + example);
        assertThat(run("show", example, "--db", db()).out())
                .contains("Rule: status-timeout: Time limit reached")
                .contains("Next: jobscope show " + example);
    }

    @Test
    void unclassifiedJobWithNoOutputIsReadWithShowNotLogs() throws Exception {
        Instant t = Instant.parse("2026-11-21T10:00:00Z");
        ingest(
                Event.job(Event.JOB_STARTED, "quiet", t),
                Event.job(Event.JOB_FINISHED, "quiet", t.plusSeconds(9)).put("exit_code", 3));
        ingest(
                Event.job(Event.JOB_STARTED, "talkative", t),
                Event.job(Event.JOB_FINISHED, "talkative", t.plusSeconds(9))
                        .put("exit_code", 4)
                        .put("stdout_tail", "step 3 of 9\n"));
        Result diag = run("diagnose", "--db", db(), "--json");
        java.util.Map<String, String> commands = new java.util.HashMap<>();
        for (JsonNode g : Json.mapper().readTree(diag.out())) {
            assertThat(g.get("category").asText()).isEqualTo("unknown");
            commands.put(g.get("example_job").asText(), g.get("command").asText());
        }
        assertThat(commands.get("quiet")).isEqualTo("jobscope show quiet  # no output recorded");
        assertThat(commands.get("talkative")).isEqualTo("jobscope logs talkative");
    }

    @Test
    void badInputIsOneLineAndExitTwo() throws Exception {
        ingest(Event.job(Event.JOB_STARTED, "j1", Instant.now()));
        Result unknown = run("diagnose", "nope", "--db", db());
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err().strip()).isEqualTo("jobscope: no job with id 'nope'");
        Result since = run("diagnose", "--since", "yesterday-ish", "--db", db());
        assertThat(since.code()).isEqualTo(2);
        assertThat(since.err()).doesNotContain("at io.");
        Path bad = Files.writeString(
                tmp.resolve("bad.yaml"), "rules: [ {id: x, pattern: '(', where: any, category: code} ]");
        Result rules = run("diagnose", "--db", db(), "--rules", bad.toString());
        assertThat(rules.code()).isEqualTo(2);
        assertThat(rules.err()).contains("bad.yaml: rule 1 (x): pattern: not a valid regular expression");
        assertThat(run("diagnose", "--dir", tmp.resolve("missing").toString()).code())
                .isEqualTo(2);
        Result workflow = run("diagnose", "--workflow", "nigthly", "--db", db());
        assertThat(workflow.code()).isEqualTo(2);
        assertThat(workflow.err().strip()).isEqualTo("jobscope: no workflow 'nigthly' in the store");
    }

    @Test
    void srtctlDirectoryIsDiagnosedImportedAndCompared() throws Exception {
        Path run = LogDirReportTestSupport.silentFailureRun(tmp);
        Result dir = run("diagnose", "--dir", run.toString());
        assertThat(dir.code()).as(dir.err()).isZero();
        assertThat(dir.out())
                .contains("First failure: prefill worker 2 on watchtower-aqua-cn03")
                .contains("SILENT")
                .contains("concurrency 128");

        Result imp = run("import", "srtctl", "--db", db(), run.toString());
        assertThat(imp.code()).as(imp.err()).isZero();
        try (Database db = Database.open(db())) {
            Job job = new JobService(db).job("4459_4P_1D_20251122_041341").orElseThrow();
            assertThat(job.status()).isEqualTo("failed");
            assertThat(job.app()).isEqualTo("srtctl");
            assertThat(job.error()).contains("prefill worker 2 on watchtower-aqua-cn03 failed first");
            assertThat(new SrtctlImporter(db, null, null).results(job.id()))
                    .extracting(r -> r.concurrency())
                    .containsExactly(128, 256);
        }
        Result diag = run("diagnose", "--db", db(), "--json");
        assertThat(Json.mapper().readTree(diag.out()).get(0).get("rule").asText())
                .isEqualTo("python-exception");

        Path other = Files.createDirectories(tmp.resolve("4460_4P_2D_20251122_050000"));
        Files.writeString(
                other.resolve("benchmark.out"),
                "concurrency 128\n" + LogDirReportTestSupport.block(640, 0, 600000, "7.10"));
        Result cmp = run("compare", run.toString(), other.toString());
        assertThat(cmp.code()).as(cmp.err()).isZero();
        assertThat(cmp.out())
                .contains("4459_4P_1D_20251122_041341")
                .contains("FAILED")
                .contains("4460_4P_2D_20251122_050000               SUCCESS")
                .contains("request throughput (req/s)")
                .contains("6.81")
                .contains("7.10");
    }

    @Test
    void runWithoutABenchmarkResultIsImportedFailedAndSaidSo() throws Exception {
        Path run = LogDirReportTestSupport.runWithoutBenchmarkResult(tmp, null);
        Result imp = run("import", "srtctl", "--db", db(), run.toString());
        assertThat(imp.code()).as(imp.err()).isZero();
        assertThat(imp.out())
                .contains("job 6000_1P_1D_20251123_010101 failed, 0 concurrency result(s) — no benchmark result");
        try (Database db = Database.open(db())) {
            Job job = new JobService(db).job("6000_1P_1D_20251123_010101").orElseThrow();
            assertThat(job.status()).isEqualTo("failed");
            assertThat(job.error()).startsWith("no benchmark result");
        }
        Result cmp = run("compare", run.toString());
        assertThat(cmp.out()).contains("6000_1P_1D_20251123_010101               FAILED — no benchmark result");
    }

    @Test
    void importedRunEndsAtTheLastTimestampInItsLogsNotAtTheFilesCopyTime() throws Exception {
        // Written now, as a copy that does not keep file times is: the logs' last line is at 01:40:00.
        Path run = LogDirReportTestSupport.runWithoutBenchmarkResult(tmp, null);
        Files.writeString(run.resolve("log.out"), "Node 0: cn01\n2025-11-23 01:41:30 Job finished\n");
        Result imp = run("import", "srtctl", "--db", db(), run.toString());
        assertThat(imp.code()).as(imp.err()).isZero();
        try (Database db = Database.open(db())) {
            Job job = new JobService(db).job(run.getFileName().toString()).orElseThrow();
            assertThat(job.startTime()).isEqualTo(Instant.parse("2025-11-23T01:01:01Z"));
            assertThat(job.endTime()).isEqualTo(Instant.parse("2025-11-23T01:41:30Z"));
            assertThat(job.durationS()).isEqualTo(2429.0);
        }
    }

    @Test
    void importedRunWhoseLogsHoldNoTimestampEndsAtItsNewestFile() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("6001_1P_1D_20251123_010101"));
        Files.writeString(
                run.resolve("benchmark.out"), "concurrency 32\n" + LogDirReportTestSupport.block(9, 0, 90, "1.0"));
        Files.writeString(run.resolve("cn01_prefill_w0.err"), "Load weight end.\n");
        Instant newest = Instant.parse("2025-11-23T02:00:00Z");
        Files.setLastModifiedTime(run.resolve("benchmark.out"), java.nio.file.attribute.FileTime.from(newest));
        Files.setLastModifiedTime(
                run.resolve("cn01_prefill_w0.err"), java.nio.file.attribute.FileTime.from(newest.minusSeconds(600)));
        assertThat(run("import", "srtctl", "--db", db(), run.toString()).code()).isZero();
        try (Database db = Database.open(db())) {
            assertThat(new JobService(db)
                            .job(run.getFileName().toString())
                            .orElseThrow()
                            .endTime())
                    .isEqualTo(newest);
        }
    }

    @Test
    void directoryWithoutSrtctlLogsIsRefusedByImportCompareAndDiagnoseAndNothingIsStored() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path run = LogDirReportTestSupport.silentFailureRun(tmp);
        for (Path d : List.of(empty, io.jobscope.testing.Fixtures.path("srtctl"))) {
            String expected = "jobscope: no srtctl logs found in " + d + " ";
            for (Result r : List.of(
                    run("import", "srtctl", "--db", db(), run.toString(), d.toString()),
                    run("compare", run.toString(), d.toString()),
                    run("diagnose", "--dir", d.toString()))) {
                assertThat(r.code()).as(r.out() + r.err()).isEqualTo(2);
                assertThat(r.err()).startsWith(expected).hasLineCount(1);
                assertThat(r.out()).isEmpty();
            }
        }
        if (Files.exists(tmp.resolve("js.db"))) {
            try (Database db = Database.open(db())) {
                assertThat(new JobService(db).job(run.getFileName().toString())).isEmpty();
                assertThat(new JobService(db).job("empty")).isEmpty();
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void rerunRunsTheRecordedCommandWithTheDebugOverlayAsANewLinkedAttempt() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path rules = Files.createDirectories(tmp.resolve("rules"));
        Files.writeString(
                rules.resolve("sim.yaml"),
                "apps: [sim]\ndebug:\n  env: {LOG_LEVEL: DEBUG}\n  args: [--verbose]\nrules: []\n");
        Instant t = Instant.parse("2026-11-21T10:00:00Z");
        ingest(
                Event.job(Event.JOB_STARTED, "sim-7", t)
                        .put("app", "sim")
                        .put(
                                "attributes",
                                Map.of(
                                        "command",
                                                List.of("sh", "-c", "echo level=$LOG_LEVEL run=$RUN args=$0; exit 3"),
                                        "cwd", work.toString(),
                                        "env", Map.of("RUN", "42"))),
                Event.job(Event.JOB_FINISHED, "sim-7", t.plusSeconds(5)).put("exit_code", 1));

        Result r = run(
                "rerun", "sim-7", "--debug", "--rules", rules.toString(), "--env", "API_TOKEN=s3cret", "--db", db());
        assertThat(r.code()).as(r.err()).isEqualTo(3);
        assertThat(r.out()).contains("re-running as sim-7.rerun1").contains("sim-7.rerun1: exited with code 3");
        try (Database db = Database.open(db())) {
            Job attempt = new JobService(db).job("sim-7.rerun1").orElseThrow();
            assertThat(attempt.exitCode()).isEqualTo(3);
            assertThat(attempt.status()).isEqualTo("failed");
            Map<String, Object> a = attempt.details().attributes();
            assertThat(a.get("rerun_of")).isEqualTo("sim-7");
            assertThat(a.get("attempt")).isEqualTo(1);
            assertThat(a.get("command").toString()).contains("--verbose");
            assertThat((Map<String, Object>) a.get("env"))
                    .containsEntry("LOG_LEVEL", "DEBUG")
                    .doesNotContainKey("API_TOKEN");
            assertThat(attempt.details().stdoutTail()).contains("level=DEBUG run=42 args=--verbose");
        }
        assertThat(run("rerun", "sim-7", "--dry-run", "--db", db()).out()).contains("sim-7.rerun2");
        Result again = run("rerun", "sim-7.rerun1", "--db", db());
        assertThat(again.code()).isEqualTo(3); // an attempt carries its command too, and is numbered from the first job
        assertThat(again.out()).contains("re-running as sim-7.rerun2");

        ingest(Event.job(Event.JOB_STARTED, "bare", t));
        Result bare = run("rerun", "bare", "--db", db());
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.err()).contains("has no recorded command");
    }
}
