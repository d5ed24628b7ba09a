package io.jobscope.imports;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.cli.CliRunner;
import io.jobscope.client.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `jobscope import keystone` and `export --format keystone` on the seed's history format. */
class KeystoneImportTest {

    @TempDir
    Path tmp;

    private static Path fixture() {
        return io.jobscope.testing.Fixtures.path("keystone/jobs_history.jsonl");
    }

    /** Imports {@code lines} written as history.jsonl into a new store. */
    private CliRunner.Result importLines(List<String> lines) throws Exception {
        Path file = tmp.resolve("history.jsonl");
        Files.write(file, lines);
        return CliRunner.run("import", "keystone", "--db", tmp.resolve("k.db").toString(), file.toString());
    }

    @Test
    void importsEveryRecordMappingToolReturncodeAndMegabytes() throws Exception {
        String db = tmp.resolve("k.db").toString();
        long records = Files.lines(fixture()).filter(l -> !l.isBlank()).count();

        CliRunner.Result r =
                CliRunner.run("import", "keystone", "--db", db, fixture().toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains(records + " imported");
        JsonNode first = Json.mapper().readTree(Files.readAllLines(fixture()).get(0));
        JsonNode shown = Json.mapper()
                .readTree(CliRunner.run("show", first.get("task_id").asText(), "--db", db, "--json")
                        .out());
        assertThat(shown.get("app").asText()).isEqualTo(first.get("tool").asText());
        assertThat(shown.get("exit_code").asInt())
                .isEqualTo(first.get("returncode").asInt());
        assertThat(shown.get("mem_peak_mb").asDouble())
                .isEqualTo(first.get("resource_usage").get("memory_peak_mb").asDouble());
        assertThat(shown.get("duration_s").asDouble())
                .isEqualTo(first.get("duration_seconds").asDouble());
        assertThat(shown.get("details")
                        .get("attributes")
                        .get("detailed_profile")
                        .get("samples_collected")
                        .asInt())
                .isEqualTo(
                        first.get("detailed_profile").get("samples_collected").asInt());
    }

    @Test
    void importWithAServerSendsTheRecordsToTheServersStore() throws Exception {
        String served = tmp.resolve("served.db").toString();
        long records = Files.lines(fixture()).filter(l -> !l.isBlank()).count();
        try (io.jobscope.testing.TestServer server = new io.jobscope.testing.TestServer(served)) {
            String url = server.url();

            CliRunner.Result first = CliRunner.run(
                    "import", "keystone", "--server", url, fixture().toString());
            CliRunner.Result again = CliRunner.run(
                    "import", "keystone", "--server", url, fixture().toString());

            assertThat(first.exit()).as(first.err()).isZero();
            assertThat(first.out()).contains(records + " imported");
            assertThat(again.out()).contains("0 imported, " + records + " already present");
            JsonNode stats = Json.mapper()
                    .readTree(CliRunner.run("stats", "--server", url, "--json").out());
            assertThat(stats.get("total").asLong()).isEqualTo(records);
        }
        CliRunner.Result down = CliRunner.run(
                "import",
                "keystone",
                "--server",
                "http://127.0.0.1:9",
                fixture().toString());
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.err()).contains("cannot connect");
    }

    @Test
    void exportRefusesAServerInsteadOfReadingTheLocalStore() {
        CliRunner.Result r = CliRunner.run("export", "--format", "keystone", "--server", "http://127.0.0.1:9");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("export works on the store itself").contains("--db");
    }

    @Test
    void importingTheSameFileTwiceChangesNothing() throws Exception {
        String db = tmp.resolve("k.db").toString();
        CliRunner.run("import", "keystone", "--db", db, fixture().toString());
        String statsBefore = CliRunner.run("stats", "--db", db, "--json").out();

        CliRunner.Result again =
                CliRunner.run("import", "keystone", "--db", db, fixture().toString());

        assertThat(again.out()).contains(" 0 imported");
        assertThat(CliRunner.run("stats", "--db", db, "--json").out()).isEqualTo(statsBefore);
    }

    @Test
    void aBadLineIsReportedByNumberAndTheRestImported() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(fixture()));
        lines.add(2, "{\"task_id\": \"broken\", \"start_time\": ");
        lines.add(
                5,
                "{\"task_id\": \"neg\", \"start_time\": \"2025-10-15T00:00:00\", \"end_time\": \"2025-10-15T00:01:00\", \"duration_seconds\": -4}");

        CliRunner.Result r = importLines(lines);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("history.jsonl:3: skipped: malformed JSON");
        assertThat(r.err()).contains("history.jsonl:6: skipped: field 'duration_s' must not be negative");
        assertThat(r.out()).contains((lines.size() - 2) + " imported", "2 bad line(s) skipped");
    }

    @Test
    void exportWritesTheSameRecordsBack() throws Exception {
        String db = tmp.resolve("k.db").toString();
        CliRunner.run("import", "keystone", "--db", db, fixture().toString());
        Path out = tmp.resolve("export.jsonl");

        CliRunner.Result r = CliRunner.run("export", "--format", "keystone", "--db", db, "-o", out.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, JsonNode> original = new HashMap<>();
        for (String l : Files.readAllLines(fixture())) {
            JsonNode n = Json.mapper().readTree(l);
            original.put(n.get("task_id").asText(), n);
        }
        List<String> exported = Files.readAllLines(out);
        assertThat(exported).hasSize(original.size());
        for (String l : exported) {
            JsonNode e = Json.mapper().readTree(l);
            JsonNode o = original.get(e.get("task_id").asText());
            assertThat(e.get("tool")).isEqualTo(o.get("tool"));
            assertThat(e.get("status")).isEqualTo(o.get("status"));
            assertThat(e.get("returncode")).isEqualTo(o.get("returncode"));
            assertThat(e.get("duration_seconds").asDouble())
                    .isEqualTo(o.get("duration_seconds").asDouble());
            assertThat(e.get("resource_usage").get("memory_peak_mb").asDouble())
                    .isEqualTo(o.get("resource_usage").get("memory_peak_mb").asDouble());
            assertThat(e.get("resource_usage").get("cpu_total_seconds").asDouble())
                    .isEqualTo(
                            o.get("resource_usage").get("cpu_total_seconds").asDouble(),
                            org.assertj.core.api.Assertions.within(0.011));
            assertThat(e.get("start_time").asText())
                    .startsWith(o.get("start_time").asText().substring(0, 23));
            assertThat(e.get("error")).isEqualTo(o.get("error"));
            assertThat(e.get("detailed_profile")).isEqualTo(o.get("detailed_profile"));
        }
    }

    @Test
    void aProfileIsKeptValueForValueWithItsStringsUntouched() throws Exception {
        String profile = "{ \"note\" : \"two  spaces, a \\\"quoted  word\\\" and a \\\\ backslash\\n\" ,"
                + " \"tags\": [ \"a b\", 1.5e3, true, null, { } ], \"unicode\": \"\u00e9t\u00e9 \\u2603\","
                + "\t\"nested\": {\"deep\": [[ ]]} }";
        String record = "{\"task_id\": \"p-1\", \"tool\": \"sim\", \"start_time\": \"2025-10-15T00:00:00\","
                + " \"end_time\": \"2025-10-15T00:01:00\", \"status\": \"success\", \"returncode\": 0,"
                + " \"detailed_profile\": " + profile + ", \"has_result\": true}";
        String db = tmp.resolve("k.db").toString();

        CliRunner.Result r = importLines(List.of(record));

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode attributes = Json.mapper()
                .readTree(CliRunner.run("show", "p-1", "--db", db, "--json").out())
                .get("details")
                .get("attributes");
        assertThat(attributes.get("detailed_profile")).isEqualTo(Json.mapper().readTree(profile));
        assertThat(attributes.get("detailed_profile").get("note").asText())
                .isEqualTo("two  spaces, a \"quoted  word\" and a \\ backslash\n");
        assertThat(attributes.get("has_result").asBoolean()).isTrue();
        assertThat(attributes.get("source").asText()).isEqualTo("keystone");
    }

    @Test
    void aNulInAProfileIsStoredAsAReplacementCharacterAsInEvents() throws Exception {
        String record = "{\"task_id\": \"n-1\", \"tool\": \"sim\", \"start_time\": \"2025-10-15T00:00:00\","
                + " \"end_time\": \"2025-10-15T00:01:00\", \"status\": \"success\", \"returncode\": 0,"
                + " \"detailed_profile\": {\"out\": \"bin\\u0000ary\", \"k\\u0000\": [\"x\\u0000\"]}}";
        String db = tmp.resolve("k.db").toString();

        CliRunner.Result r = importLines(List.of(record));

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode profile = Json.mapper()
                .readTree(CliRunner.run("show", "n-1", "--db", db, "--json").out())
                .get("details")
                .get("attributes")
                .get("detailed_profile");
        assertThat(profile.get("out").asText()).isEqualTo("bin\uFFFDary");
        assertThat(profile.get("k\uFFFD").get(0).asText()).isEqualTo("x\uFFFD");
    }

    @Test
    void aLineWithTextAfterItsRecordIsABadLine() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(fixture()));
        lines.set(1, lines.get(1) + " {\"task_id\": \"second\"}");

        CliRunner.Result r = importLines(lines);

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("history.jsonl:2: skipped: malformed JSON");
        assertThat(r.out()).contains((lines.size() - 1) + " imported", "1 bad line(s) skipped");
    }
}
