package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobscope summarize} and {@code jobscope import worker} as a user runs them. */
class SummarizeCommandTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(code, out.toString(), err.toString());
    }

    static Path fixture(String name) {
        return io.jobscope.testing.Fixtures.path("worker/" + name);
    }

    @Test
    void jsonCarriesEveryDocumentedKey() throws Exception {
        Run r = run("summarize", "--dir", fixture("worker_4242").toString(), "--json");

        assertThat(r.code()).isZero();
        JsonNode j = Json.mapper().readTree(r.out());
        assertThat(j.get("success").asLong()).isEqualTo(271);
        assertThat(j.get("failure").asLong()).isEqualTo(24);
        assertThat(j.get("incomplete").asLong()).isEqualTo(5);
        assertThat(j.get("failed_items")).hasSize(24);
        assertThat(j.get("incomplete_items").get(0).asLong()).isEqualTo(294);
        for (String k : new String[] {"count", "mean", "std", "min", "p25", "p50", "p75", "max"}) {
            assertThat(j.get("walltime").has(k)).as(k).isTrue();
        }
        JsonNode client = j.get("clients").get(0);
        for (String k : new String[] {
            "client",
            "count",
            "success",
            "failure",
            "incomplete",
            "mean",
            "std",
            "min",
            "p25",
            "p50",
            "p75",
            "max",
            "total"
        }) {
            assertThat(client.has(k)).as(k).isTrue();
        }
        assertThat(j.get("load_balance").asDouble()).isBetween(1.0, 1.1);
        assertThat(j.get("skipped_lines").asLong()).isZero();
    }

    @Test
    void showAllPrintsWalltimeAndClientStatisticsWithTheSeedsFlagSpellings() {
        Run r = run("summarize", "--dir=" + fixture("v1_4243"), "--show_all", "--show_failed");

        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("successful items: 267")
                .contains("failed items:     28")
                .contains("failed items (28):")
                .contains("walltime (s) of finished items:")
                .contains("client statistics")
                .contains("load balance (max client total / mean client total): 1.014");
    }

    @Test
    void malformedLinesAreReportedWithTheFirstLineNumber() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("worker_3"));
        Files.writeString(dir.resolve("server.log"), """
                2024-03-11 10:00:00.000000 [info]: workitem 1 started: a
                no timestamp here
                2024-03-11 10:00:02.000000 [info]: workitem 1 done: 0

                """);
        Run r = run("summarize", dir.toString());

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("successful items: 1").contains("1 malformed line skipped, first at line 2");
    }

    @Test
    void aMissingDirectoryIsOneLineAndExitTwo() {
        Run r = run("summarize", "--dir", tmp.resolve("worker_404").toString());

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").contains("worker_404").contains("no such");
        assertThat(r.err()).doesNotContain("Exception");
    }

    @Test
    void aBadWatchPeriodIsRejected() {
        Run r = run("summarize", fixture("worker_4242").toString(), "--watch", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--watch");
    }

    @Test
    void watchRedrawsInPlaceAndASecondPassOverAnUnchangedLogReadsNothing() {
        Run r = run("summarize", fixture("worker_4242").toString(), "--watch", "0.05", "--watch-passes", "2");

        assertThat(r.code()).isZero();
        String[] screens = r.out().split("\033\\[H\033\\[2J", -1);
        assertThat(screens).hasSize(3); // nothing before the first clear, then two screens
        assertThat(screens[1]).contains("successful items: 271").doesNotContain("read 0 bytes");
        assertThat(screens[2]).contains("successful items: 271").contains("this pass read 0 bytes");
    }

    @Test
    void summarizeWorkflowThroughAServerGivesTheSameCounts() throws Exception {
        String db = tmp.resolve("served.db").toString();
        assertThat(run("import", "worker", fixture("v1_4243").toString(), "--db", db, "--zone", "UTC")
                        .code())
                .isZero();
        try (io.jobscope.testing.TestServer server = new io.jobscope.testing.TestServer(db)) {
            String url = server.url();
            Run r = run("summarize", "--workflow", "v1_4243", "--server", url, "--json");

            assertThat(r.code()).as(r.err()).isZero();
            JsonNode j = Json.mapper().readTree(r.out());
            assertThat(j.get("success").asLong()).isEqualTo(267);
            assertThat(j.get("failure").asLong()).isEqualTo(28);
            assertThat(j.get("incomplete").asLong()).isEqualTo(5);
            assertThat(j.get("clients")).hasSize(6);

            Run unknown = run("summarize", "--workflow", "nope", "--server", url);
            assertThat(unknown.code()).isEqualTo(2);
            assertThat(unknown.err()).contains("no jobs of workflow 'nope'");
        }
    }

    @Test
    void importOfADamagedLogImportsTheReadableItemsAndSaysWhatWasSkipped() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("worker_8"));
        Files.writeString(dir.resolve("server.log"), """
                2024-03-11 10:00:00.000000 [info]: workitem 1 started: a
                garbage
                2024-03-11 10:00:02.000000 [info]: workitem 1 done: 0
                """);
        String db = tmp.resolve("js.db").toString();
        Run r = run("import", "worker", dir.toString(), "--db", db);

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.out()).contains("1 work item(s) as workflow worker_8").contains("2 event(s) imported");
        assertThat(r.err().strip()).endsWith("1 malformed line(s) skipped, first at line 2");
        Run bad = run("import", "worker", dir.toString(), "--db", db, "--zone", "Mars/Olympus");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--zone").contains("Mars/Olympus");
    }

    @Test
    void importedWorkerJobShowsInHistoryAndInSummarizeWorkflow() {
        String db = tmp.resolve("js.db").toString();
        Run imported = run("import", "worker", fixture("worker_4242").toString(), "--db", db, "--zone", "UTC");
        Run again = run("import", "worker", fixture("worker_4242").toString(), "--db", db, "--zone", "UTC");

        assertThat(imported.code()).isZero();
        assertThat(imported.out()).contains("as workflow worker_4242").contains("595 event(s) imported");
        assertThat(again.out()).contains("0 event(s) imported, 595 already present");

        Run history = run("history", "--workflow", "worker_4242", "--status", "failed", "--db", db, "--limit", "50");
        assertThat(history.out()).contains("worker_4242.291").contains("FAILED (exit");

        Run summary = run("summarize", "--workflow", "worker_4242", "--db", db, "--show_client_stats");
        assertThat(summary.code()).isZero();
        assertThat(summary.out())
                .contains("successful items: 271")
                .contains("incomplete items: 5")
                .contains("90c192cf-d3ac-44af-8f21-ddb66cad4a26");

        Run unknown = run("summarize", "--workflow", "nope", "--db", db);
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("no workflow 'nope'");
    }
}
