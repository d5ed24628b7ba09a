package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.store.Database;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** history, stats and show as a user runs them, on a real SQLite store. */
class QueryCommandsTest {
    @TempDir
    Path tmp;

    String db;

    @BeforeEach
    void seed() {
        db = tmp.resolve("jobs.db").toString();
        Instant t = Instant.parse("2025-10-15T10:30:00Z");
        StringBuilder sb = new StringBuilder();
        sb.append(Event.job(Event.JOB_STARTED, "3f8a21b2", t)
                        .put("app", "fenicsx")
                        .put("script", "poisson.py")
                        .put("params", Map.of("mesh_size", 64))
                        .put("host", "cn042")
                        .put("site", "leuven")
                        .toLine())
                .append('\n');
        sb.append(Event.job(Event.JOB_FINISHED, "3f8a21b2", t.plusMillis(330_120))
                        .put("exit_code", 0)
                        .put("cpu_user_s", 285.45)
                        .put("cpu_system_s", 12.34)
                        .put("mem_peak_bytes", 2148073390L)
                        .toLine())
                .append('\n');
        sb.append(Event.job(Event.JOB_STARTED, "7b9e3f1a", t.minusSeconds(300))
                        .put("app", "lammps")
                        .put("script", "example.lammps")
                        .toLine())
                .append('\n');
        sb.append(Event.job(Event.JOB_FINISHED, "7b9e3f1a", t.minusSeconds(300).plusMillis(45_670))
                        .put("exit_code", 1)
                        .put("error", "Simulation failed with non-zero exit code")
                        .put("stderr_tail", "line 1\nSegmentation fault\n")
                        .toLine())
                .append('\n');
        ingest(sb.toString());
    }

    @Test
    void historyShowsTheSeedsFieldsNewestFirst() {
        CliRunner.Result r = CliRunner.run("history", "--db", db);

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("Job History (showing 2 jobs");
        assertThat(r.out().indexOf("3f8a21b2")).isLessThan(r.out().indexOf("7b9e3f1a"));
        assertThat(r.out())
                .contains(
                        "App: fenicsx, Script: poisson.py",
                        "Status: SUCCESS",
                        "Duration: 330.12s",
                        "CPU Time: 297.79s (user: 285.45s, system: 12.34s)",
                        "Memory Peak: 2048.56 MB",
                        "Error: Simulation failed with non-zero exit code");
    }

    @Test
    void historyFiltersByStatusAndToolAndPrintsJson() throws Exception {
        CliRunner.Result failed = CliRunner.run("history", "--db", db, "--status", "failed", "--json");
        CliRunner.Result tool = CliRunner.run("history", "--db", db, "--tool", "fenicsx", "--json");

        JsonNode jobs = Json.mapper().readTree(failed.out()).get("jobs");
        assertThat(jobs).hasSize(1);
        JsonNode j = jobs.get(0);
        assertThat(j.get("id").asText()).isEqualTo("7b9e3f1a");
        assertThat(j.get("exit_code").asInt()).isEqualTo(1);
        for (String key : new String[] {
            "id",
            "workflow",
            "app",
            "script",
            "params",
            "status",
            "exit_code",
            "submit_time",
            "start_time",
            "end_time",
            "duration_s",
            "cpu_user_s",
            "cpu_system_s",
            "cpu_total_s",
            "mem_peak_mb",
            "host",
            "site",
            "client",
            "error"
        }) {
            assertThat(j.has(key)).as(key).isTrue();
        }
        assertThat(Json.mapper()
                        .readTree(tool.out())
                        .get("jobs")
                        .get(0)
                        .get("mem_peak_mb")
                        .asDouble())
                .isEqualTo(2048.56);
    }

    @Test
    void statsPrintsTotalsAndGroupsAndJson() throws Exception {
        CliRunner.Result human = CliRunner.run("stats", "--db", db, "--by", "app");
        CliRunner.Result json = CliRunner.run("stats", "--db", db, "--json");

        assertThat(human.out()).contains("Total Jobs: 2", "Successful: 1 (50.0%)", "By App:", "fenicsx:", "lammps:");
        JsonNode s = Json.mapper().readTree(json.out());
        assertThat(s.get("total").asLong()).isEqualTo(2);
        assertThat(s.get("failed").asLong()).isEqualTo(1);
        assertThat(s.get("success_rate").asDouble()).isEqualTo(50.0);
        assertThat(s.get("by_status").get("failed").asLong()).isEqualTo(1);
        assertThat(s.get("total_cpu_s").asDouble()).isEqualTo(297.79);
    }

    @Test
    void showPrintsDetailsParametersAndTheLogTail() {
        CliRunner.Result ok = CliRunner.run("show", "3f8a21b2", "--db", db);
        CliRunner.Result failed = CliRunner.run("show", "7b9e3f1a", "--db", db);

        assertThat(ok.out())
                .contains(
                        "Job Details: 3f8a21b2",
                        "Return Code: 0",
                        "\"mesh_size\" : 64",
                        "CPU Total Time: 297.79s",
                        "Host: cn042");
        assertThat(failed.out()).contains("Status: FAILED", "Last 2 line(s) of stderr:", "| Segmentation fault");
    }

    @Test
    void anUnknownJobIsOneLineAndExit2() {
        CliRunner.Result r = CliRunner.run("show", "nope", "--db", db);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("jobscope: no job with id 'nope'");
    }

    @Test
    void badFlagValuesExit2WithoutAStackTrace() {
        for (String[] args : new String[][] {
            {"history", "--db", db, "--limit", "many"},
            {"history", "--db", db, "--status", "exploded"},
            {"history", "--db", db, "--since", "the day before"},
            {"stats", "--db", db, "--by", "colour"},
            {"history", "--db", db, "--bogus-flag"},
            {"import", "keystone", "--db", db, tmp.resolve("missing.jsonl").toString()},
            {"import", "keystone", "--db", db, tmp.toString()},
            {"token", "list", "--token-file", tmp.toString()},
            {"show", "3f8a21b2", "--db", db, "--tail", "-2"},
            {"logs", "3f8a21b2", "--db", db, "--stream", "neither"},
            {"stats", "--db", db, "--workflow", "no-such-workflow"},
            {"history", "--db", db, "--since", "+999999999-12-31T23:59:59Z"},
            {"stats", "--db", db, "--since", "-999999999-01-01T00:00:00Z"},
            {"history", "--db", db, "--since", "99999999999d"},
            {
                "export",
                "--format",
                "keystone",
                "--db",
                db,
                "-o",
                tmp.resolve("no/such/dir/x.jsonl").toString()
            },
            {"flush", "--db", db, "--spool", tmp.resolve("no-such-spool").toString()}
        }) {
            CliRunner.Result r = CliRunner.run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(r.err())
                    .as(String.join(" ", args))
                    .startsWith("jobscope: ")
                    .doesNotContain("Exception")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aServerThatCannotBeReachedExits1() {
        CliRunner.Result r = CliRunner.run("history", "--server", "http://127.0.0.1:9");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot connect to jobscope server at http://127.0.0.1:9");
    }

    @Test
    void aMistypedStorePathIsReportedNotMadeIntoAnEmptyStore() {
        Path typo = tmp.resolve("no-such-dir/jobs.db");

        for (String command : new String[] {"history", "stats", "show", "diagnose", "services"}) {
            CliRunner.Result r = command.equals("show")
                    ? CliRunner.run(command, "3f8a21b2", "--db", typo.toString())
                    : CliRunner.run(command, "--db", typo.toString());
            assertThat(r.exit()).as(command).isEqualTo(2);
            assertThat(r.err()).as(command).contains("no jobscope store at " + typo);
        }
        assertThat(typo.getParent()).doesNotExist();
    }

    @Test
    void aBadCursorIsTheUsersMistakeInProcessAndThroughAServer() throws Exception {
        try (io.jobscope.testing.TestServer server = new io.jobscope.testing.TestServer(db)) {
            CliRunner.Result local = CliRunner.run("history", "--db", db, "--cursor", "garbage");
            CliRunner.Result remote = CliRunner.run("history", "--server", server.url(), "--cursor", "garbage");

            assertThat(local.exit()).isEqualTo(2);
            assertThat(remote.exit()).as(remote.err()).isEqualTo(2);
            assertThat(remote.err()).contains("cursor 'garbage'");
        }
    }

    @Test
    void statsOfAWorkflowThatDoesNotExistIsTheUsersMistakeButAnEmptyWindowOfOneThatDoesIsNot() throws Exception {
        ingest(Event.workflow(Event.WORKFLOW_STARTED, "nightly", Instant.parse("2025-10-16T08:00:00Z"))
                        .toLine() + "\n");
        try (io.jobscope.testing.TestServer server = new io.jobscope.testing.TestServer(db)) {
            for (String[] where : new String[][] {{"--db", db}, {"--server", server.url()}}) {
                CliRunner.Result typo = CliRunner.run("stats", where[0], where[1], "--workflow", "nigthly");
                assertThat(typo.exit()).as(typo.err()).isEqualTo(2);
                assertThat(typo.err()).contains("no workflow 'nigthly'");

                CliRunner.Result empty = CliRunner.run("stats", where[0], where[1], "--workflow", "nightly");
                assertThat(empty.exit()).as(empty.err()).isZero();
                assertThat(empty.out()).contains("Total Jobs: 0");
            }
        }
    }

    @Test
    void exportWithBothAServerAndAStoreInTheEnvironmentExportsTheStore() throws Exception {
        Path out = tmp.resolve("export.jsonl");
        Cli.Result r = Cli.run(
                tmp,
                Map.of("JOBSCOPE_SERVER", "http://127.0.0.1:9", "JOBSCOPE_DB", db),
                "export",
                "--format",
                "keystone",
                "-o",
                out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllLines(out)).hasSize(2);
    }

    @Test
    void historySaysWhichExceptionATracebackEndedInNotThatATracebackFollows() throws Exception {
        ingest(Event.job(Event.JOB_FINISHED, "tb-1", Instant.parse("2025-10-16T08:00:00Z"))
                        .put("exit_code", 1)
                        .put(
                                "error",
                                "Traceback (most recent call last):\n  File \"run.py\","
                                        + " line 3, in <module>\nValueError: mesh_size must be"
                                        + " positive\n")
                        .toLine()
                + "\n");

        String out = CliRunner.run("history", "--db", db, "--limit", "1").out();

        assertThat(out)
                .contains("Error: ValueError: mesh_size must be positive")
                .doesNotContain("Traceback");
    }

    @Test
    void aJobNotStartedYetShowsWhenItWasSubmittedNotStarted() throws Exception {
        ingest(Event.job(Event.JOB_SUBMITTED, "queued-1", Instant.parse("2025-10-16T08:00:00Z"))
                        .put("app", "fenicsx")
                        .toLine()
                + "\n");

        String out = CliRunner.run("history", "--db", db, "--status", "pending").out();

        assertThat(out).contains("queued-1", "Submitted: 2025-10-16").doesNotContain("Started:");
    }

    @Test
    void tokenCreateMakesAWorkingTokenAndRefusesANameTakenAlready() throws Exception {
        Path file = tmp.resolve("tokens");

        CliRunner.Result made =
                CliRunner.run("token", "create", "ci", "--scopes", "read", "--token-file", file.toString());
        CliRunner.Result again =
                CliRunner.run("token", "create", "ci", "--scopes", "ingest", "--token-file", file.toString());

        assertThat(made.exit()).as(made.err()).isZero();
        assertThat(io.jobscope.web.Tokens.load(file).size()).isEqualTo(1);
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("a token named 'ci'");
        assertThat(io.jobscope.web.Tokens.load(file).size()).isEqualTo(1);
        JsonNode listed = Json.mapper()
                .readTree(CliRunner.run("token", "list", "--json", "--token-file", file.toString())
                        .out());
        assertThat(listed.path("tokens").get(0).path("name").asText()).isEqualTo("ci");
        assertThat(listed.path("tokens").get(0).path("scopes").get(0).asText()).isEqualTo("read");
        String hash = Files.readString(file).strip().split(":")[2];
        assertThat(listed.toString()).doesNotContain(hash);
        assertThat(listed.path("tokens").get(0).size())
                .as("name and scopes only")
                .isEqualTo(2);
    }

    @Test
    void aStoreGivenAsAJdbcUrlIsRead() {
        CliRunner.Result r = CliRunner.run("history", "--db", "jdbc:sqlite:" + db);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("3f8a21b2");
    }

    @Test
    void flushIntoTheStoreSetsAsideAFileItRefusesAndStoresTheOthers() throws Exception {
        Path spool = tmp.resolve("spool");
        new io.jobscope.client.SpoolReporter(spool)
                .send(java.util.List.of(Event.job(Event.JOB_STARTED, "x".repeat(300), Instant.now())));
        new io.jobscope.client.SpoolReporter(spool)
                .send(java.util.List.of(Event.job(Event.JOB_STARTED, "after-bad", Instant.now())));

        CliRunner.Result r = CliRunner.run("flush", "--spool", spool.toString(), "--db", db);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("set aside");
        assertThat(CliRunner.run("show", "after-bad", "--db", db).exit()).isZero();
        assertThat(io.jobscope.client.SpoolReporter.pending(spool)).isEmpty();
    }

    @Test
    void aFileThatIsNotADatabaseIsOneClearLine() throws Exception {
        Path notDb = tmp.resolve("notes.txt");
        java.nio.file.Files.writeString(
                notDb, "this is not sqlite, just some text that is long enough to have a header\n".repeat(20));

        CliRunner.Result r = CliRunner.run("history", "--db", notDb.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("notes.txt").doesNotContain("\tat ");
    }

    @Test
    void helpListsEveryCommandAndEachCommandHasItsOwnHelp() {
        CliRunner.Result all = CliRunner.run("--help");
        CliRunner.Result stats = CliRunner.run("stats", "--help");

        assertThat(all.exit()).isZero();
        assertThat(all.out())
                .contains("history", "stats", "show", "server", "run", "summarize", "diagnose", "services", "sweep");
        assertThat(stats.exit()).isZero();
        assertThat(stats.out()).contains("Usage: jobscope stats", "--by");
    }

    /** A phase reported without wall_s: its wall is end - start in stats --by phase, as show says. */
    private void seedPhaseWithoutWall() {
        Instant t = Instant.parse("2025-10-15T00:31:00Z");
        String body = Event.job(Event.JOB_PHASE, "3f8a21b2", t)
                        .put("phase", "load")
                        .put("state", "start")
                        .toLine() + "\n"
                + Event.job(Event.JOB_PHASE, "3f8a21b2", t.plusSeconds(120))
                        .put("phase", "load")
                        .put("state", "done")
                        .toLine()
                + "\n";
        ingest(body);
    }

    @Test
    void statsByPhaseTakesWallAsEndMinusStartWhenNotReported() throws Exception {
        seedPhaseWithoutWall();

        CliRunner.Result table = CliRunner.run("stats", "--by", "phase", "--db", db);
        CliRunner.Result json = CliRunner.run("stats", "--by", "phase", "--json", "--db", db);

        assertThat(table.exit()).isZero();
        assertThat(table.out()).containsPattern("load +1 +1 +0 +0 +120\\.00s +120\\.00s +120\\.00s");
        JsonNode load = Json.mapper().readTree(json.out()).path("phases").get(0);
        assertThat(load.path("total_wall_s").asDouble()).isEqualTo(120.0);
        assertThat(CliRunner.run("show", "3f8a21b2", "--db", db).out()).contains("120.00s");
    }

    /** Each JVM orders a Map.of's keys its own way: run several, as users do. */
    @Test
    void statsByPhaseJsonPutsByFirstOnEveryRun() throws Exception {
        seedPhaseWithoutWall();
        for (int run = 0; run < 4; run++) {
            Cli.Result r = Cli.run(tmp, Map.of(), "stats", "--by", "phase", "--json", "--db", db);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(Json.mapper().readTree(r.out()).fieldNames())
                    .toIterable()
                    .containsExactly("by", "phases");
        }
    }

    /** Stores NDJSON {@code lines} in the test's store, as a server would. */
    private void ingest(String lines) {
        try (Database d = Database.open(db);
                EventWriter w = new EventWriter(d)) {
            new Ingestor(w).ingest(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
