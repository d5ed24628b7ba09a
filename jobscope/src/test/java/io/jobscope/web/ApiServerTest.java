package io.jobscope.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP API on a real server over a real SQLite file. */
class ApiServerTest {
    @TempDir
    Path tmp;

    private Database db;
    private EventWriter writer;
    private ApiServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    private String start(Tokens tokens, long maxBody) {
        db = Stores.sqlite(tmp);
        writer = new EventWriter(db);
        server = new ApiServer(
                        new ApiServer.Config("127.0.0.1", 0, tokens, maxBody, 1 << 20),
                        new JobService(db),
                        new Ingestor(writer, 1 << 20, maxBody, 5000),
                        Clock.systemUTC())
                .start();
        return "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (writer != null) {
            writer.close();
        }
        if (db != null) {
            db.close();
        }
    }

    private HttpResponse<String> post(String url, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postEncoded(String url, String contentEncoding, byte[] body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Encoding", contentEncoding)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return Json.mapper().readTree(r.body());
    }

    private static String started(String job) {
        return Event.job(Event.JOB_STARTED, job, Instant.parse("2026-11-21T10:30:00Z"))
                .put("app", "sim")
                .toLine();
    }

    @Test
    void aBatchWithBadLinesIs400NamingEachLineAndTheValidLinesAreStored() throws Exception {
        String base = start(Tokens.none(), 64 << 20);
        String body = started("a") + "\n{\"id\":\"x\",\"type\":\"job.started\",\"time\":\"2026-13-45\",\"job\":\"b\"}\n"
                + started("c") + "\n";

        HttpResponse<String> r = post(base + "/api/v1/events", body, null);

        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode n = json(r);
        assertThat(n.get("accepted").asLong()).isEqualTo(2);
        assertThat(n.get("rejected").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(n.get("rejected").get(0).get("error").asText()).contains("field 'time'");
        assertThat(json(get(base + "/api/v1/jobs", null)).get("jobs")).hasSize(2);
    }

    @Test
    void aJsonArrayAndASinglePrettyPrintedObjectAreAccepted() throws Exception {
        String base = start(Tokens.none(), 64 << 20);
        HttpResponse<String> array = post(base + "/api/v1/events", "[" + started("a") + "," + started("b") + "]", null);
        String pretty = Json.mapper()
                .writerWithDefaultPrettyPrinter()
                .writeValueAsString(Json.mapper().readTree(started("c")));
        HttpResponse<String> single = post(base + "/api/v1/events", pretty, null);

        assertThat(array.statusCode()).isEqualTo(200);
        assertThat(json(array).get("accepted").asLong()).isEqualTo(2);
        assertThat(single.statusCode()).as(single.body()).isEqualTo(200);
        assertThat(json(single).get("accepted").asLong()).isEqualTo(1);
    }

    @Test
    void aTenMegabyteLineIsRejectedAndTheServerKeepsServing() throws Exception {
        String base = start(Tokens.none(), 64 << 20);
        String huge =
                "{\"id\":\"big\",\"type\":\"job.started\",\"time\":\"2026-11-21T10:30:00Z\",\"job\":\"big\",\"error\":\""
                        + "x".repeat(10 << 20) + "\"}";

        HttpResponse<String> r =
                post(base + "/api/v1/events", started("a") + "\n" + huge + "\n" + started("b") + "\n", null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("accepted").asLong()).isEqualTo(2);
        assertThat(json(r).get("rejected").get(0).get("line").asInt()).isEqualTo(2);
        assertThat(json(r).get("rejected").get(0).get("error").asText()).contains("more than the limit");
        assertThat(get(base + "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        String base = start(Tokens.none(), 4096);
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            body.append(started("j" + i)).append('\n');
        }

        HttpResponse<String> r = post(base + "/api/v1/events", body.toString(), null);

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(json(r).get("error").asText()).contains("limit");
    }

    @Test
    void aUtf8ByteOrderMarkIsSkippedAndEveryLineStored() throws Exception {
        String base = start(Tokens.none(), 64 << 20);

        HttpResponse<String> r =
                post(base + "/api/v1/events", "\uFEFF" + started("a") + "\n" + started("b") + "\n", null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("accepted").asLong()).isEqualTo(2);
        assertThat(json(get(base + "/api/v1/jobs", null)).get("jobs")).hasSize(2);
    }

    @Test
    void aBodyStartingWithANonAsciiCharacterIsRefusedNotIgnored() throws Exception {
        String base = start(Tokens.none(), 64 << 20);

        HttpResponse<String> r =
                post(base + "/api/v1/events", "\u00e9" + started("a") + "\n" + started("b") + "\n", null);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("accepted").asLong()).isEqualTo(1);
        assertThat(json(r).get("rejected").get(0).get("line").asInt()).isEqualTo(1);
    }

    @Test
    void utf16TextIsRefusedNamingTheEncoding() throws Exception {
        String base = start(Tokens.none(), 64 << 20);
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(
                        (started("a") + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_16)))
                .build();

        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> noMark = http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray((started("b") + "\n" + started("c") + "\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_16LE)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("rejected").get(0).get("error").asText()).contains("UTF-16");
        assertThat(noMark.statusCode()).isEqualTo(400);
        assertThat(json(noMark).get("accepted").asLong())
                .as("UTF-16 without a byte-order mark is refused whole, not read in part")
                .isZero();
    }

    @Test
    void aGzipBodyIsUnpackedAndOtherEncodingsOrMethodsAreRefused() throws Exception {
        String base = start(Tokens.none(), 64 << 20);
        java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(packed)) {
            gz.write((started("a") + "\n" + started("b") + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String events = base + "/api/v1/events";

        HttpResponse<String> gzip = postEncoded(events, "gzip", packed.toByteArray());
        HttpResponse<String> notGzip =
                postEncoded(events, "gzip", started("c").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> brotli =
                postEncoded(events, "br", started("d").getBytes(java.nio.charset.StandardCharsets.UTF_8));

        assertThat(gzip.statusCode()).as(gzip.body()).isEqualTo(200);
        assertThat(json(gzip).get("accepted").asLong()).isEqualTo(2);
        assertThat(notGzip.statusCode()).isEqualTo(400);
        assertThat(notGzip.body()).contains("not gzip data");
        assertThat(brotli.statusCode()).isEqualTo(415);
        assertThat(get(base + "/api/v1/events", null).statusCode()).isEqualTo(405);
        assertThat(json(get(base + "/api/v1/jobs", null)).get("jobs")).hasSize(2);
    }

    @Test
    void aBodyWithoutEventsIs400() throws Exception {
        String base = start(Tokens.none(), 64 << 20);

        for (String body : List.of("", "  \n\n", "[]")) {
            HttpResponse<String> r = post(base + "/api/v1/events", body, null);
            assertThat(r.statusCode()).as("body '%s'", body).isEqualTo(400);
            assertThat(json(r).get("rejected").get(0).get("error").asText()).contains("no events");
        }
    }

    @Test
    void workflowsAreListedWithoutALimitGiven() throws Exception {
        String base = start(Tokens.none(), 64 << 20);
        post(
                base + "/api/v1/events",
                started("a").replace("\"job\":\"a\"", "\"job\":\"a\",\"workflow\":\"wf-1\""),
                null);

        HttpResponse<String> r = get(base + "/api/v1/workflows", null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("workflows").get(0).get("id").asText()).isEqualTo("wf-1");
        assertThat(get(base + "/api/v1/workflows?limit=0", null).statusCode()).isEqualTo(400);
    }

    @Test
    void badQueryParametersAre400WithTheParameterNamed() throws Exception {
        String base = start(Tokens.none(), 64 << 20);

        assertThat(get(base + "/api/v1/jobs?limit=abc", null)).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("limit");
        });
        assertThat(get(base + "/api/v1/jobs?limit=0", null).statusCode()).isEqualTo(400);
        assertThat(get(base + "/api/v1/jobs?status=exploded", null).statusCode())
                .isEqualTo(400);
        assertThat(get(base + "/api/v1/jobs?since=tomorrowish", null).body()).contains("since");
        assertThat(get(base + "/api/v1/jobs?cursor=zzz", null).statusCode()).isEqualTo(400);
        assertThat(get(base + "/api/v1/stats?by=colour", null).statusCode()).isEqualTo(400);
        assertThat(get(base + "/api/v1/jobs/nope", null).statusCode()).isEqualTo(404);
        assertThat(get(base + "/api/v1/nothing-here", null).statusCode()).isEqualTo(404);
    }

    @Test
    void jobsAreFilteredAndStatsGrouped() throws Exception {
        String base = start(Tokens.none(), 64 << 20);
        Instant t = Instant.parse("2026-11-21T10:30:00Z");
        String body = String.join(
                "\n",
                Event.job(Event.JOB_STARTED, "a", t)
                        .put("app", "sim")
                        .put("site", "leuven")
                        .toLine(),
                Event.job(Event.JOB_FINISHED, "a", t.plusSeconds(10))
                        .put("exit_code", 1)
                        .toLine(),
                Event.job(Event.JOB_STARTED, "b", t.plusSeconds(1))
                        .put("app", "reco")
                        .put("site", "fnal")
                        .toLine(),
                Event.job(Event.JOB_FINISHED, "b", t.plusSeconds(20))
                        .put("exit_code", 0)
                        .toLine());
        post(base + "/api/v1/events", body, null);

        JsonNode failed = json(get(base + "/api/v1/jobs?status=failed", null));
        JsonNode bySite = json(get(base + "/api/v1/stats?by=site", null));
        JsonNode job = json(get(base + "/api/v1/jobs/b", null));

        assertThat(failed.get("jobs")).hasSize(1);
        assertThat(failed.get("jobs").get(0).get("id").asText()).isEqualTo("a");
        assertThat(bySite.get("groups")).hasSize(2);
        assertThat(bySite.get("success_rate").asDouble()).isEqualTo(50.0);
        assertThat(job.get("duration_s").asDouble()).isEqualTo(19.0);
        assertThat(job.get("status").asText()).isEqualTo("success");
    }

    @Test
    void bindingBeyondLoopbackWithoutTokensIsRefused() {
        assertThatThrownBy(() -> new ApiServer.Config("0.0.0.0", 8080, Tokens.none(), 1 << 20, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without API tokens");
    }

    @Test
    void tokensAreCheckedAndScoped(@TempDir Path dir) throws Exception {
        String reader = Tokens.generate();
        String ingester = Tokens.generate();
        Path file = dir.resolve("tokens");
        java.nio.file.Files.write(
                file,
                List.of(
                        "# jobscope tokens",
                        Tokens.line("dash", EnumSet.of(Tokens.Scope.READ), reader),
                        Tokens.line("wrapper", EnumSet.of(Tokens.Scope.INGEST), ingester)));
        String base = start(Tokens.load(file), 64 << 20);

        assertThat(get(base + "/api/v1/jobs", null).statusCode()).isEqualTo(401);
        assertThat(get(base + "/api/v1/jobs", "js_wrong").statusCode()).isEqualTo(401);
        assertThat(get(base + "/api/v1/jobs", reader).statusCode()).isEqualTo(200);
        assertThat(post(base + "/api/v1/events", started("a"), reader).statusCode())
                .isEqualTo(403);
        assertThat(post(base + "/api/v1/events", started("a"), ingester).statusCode())
                .isEqualTo(200);
        assertThat(get(base + "/api/v1/jobs", ingester).statusCode()).isEqualTo(403);
        assertThat(get(base + "/health", null).statusCode()).isEqualTo(200);
    }

    @Test
    void tokensCreatedAndRevokedTakeEffectWithoutARestart(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens");
        io.jobscope.cli.CliRunner.Result first = io.jobscope.cli.CliRunner.run(
                "token", "create", "alice", "--scopes", "read", "--token-file", file.toString());
        String alice = first.out().strip();
        String base = start(Tokens.watch(file), 64 << 20);
        assertThat(get(base + "/api/v1/jobs", alice).statusCode()).isEqualTo(200);

        String bob = io.jobscope.cli.CliRunner.run(
                        "token", "create", "bob", "--scopes", "read", "--token-file", file.toString())
                .out()
                .strip();
        io.jobscope.cli.CliRunner.Result revoked =
                io.jobscope.cli.CliRunner.run("token", "revoke", "alice", "--token-file", file.toString());
        assertThat(revoked.exit()).as(revoked.err()).isZero();
        assertThat(io.jobscope.cli.CliRunner.run("token", "list", "--token-file", file.toString())
                        .out())
                .contains("bob")
                .doesNotContain("alice");

        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (get(base + "/api/v1/jobs", alice).statusCode() != 401 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(get(base + "/api/v1/jobs", alice).statusCode()).isEqualTo(401);
        assertThat(get(base + "/api/v1/jobs", bob).statusCode()).isEqualTo(200);

        io.jobscope.cli.CliRunner.run("token", "revoke", "bob", "--token-file", file.toString());
        while (get(base + "/api/v1/jobs", bob).statusCode() != 401 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(get(base + "/api/v1/jobs", bob).statusCode())
                .as("a token file emptied lets nobody in")
                .isEqualTo(401);
        assertThat(get(base + "/api/v1/jobs", null).statusCode()).isEqualTo(401);
        assertThat(io.jobscope.cli.CliRunner.run("token", "revoke", "carol", "--token-file", file.toString())
                        .exit())
                .isEqualTo(2);
    }

    @Test
    void aTokenFileThatIsGoneLetsNobodyIn(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens");
        String carol = io.jobscope.cli.CliRunner.run(
                        "token", "create", "carol", "--scopes", "read", "--token-file", file.toString())
                .out()
                .strip();
        String base = start(Tokens.watch(file), 64 << 20);
        assertThat(get(base + "/api/v1/jobs", carol).statusCode()).isEqualTo(200);

        java.nio.file.Files.delete(file);

        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (get(base + "/api/v1/jobs", carol).statusCode() != 401 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(get(base + "/api/v1/jobs", carol).statusCode()).isEqualTo(401);
    }

    @Test
    void aMalformedTokenFileNamesTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens");
        java.nio.file.Files.write(file, List.of("ok:read:" + "a".repeat(64), "broken line"));

        assertThatThrownBy(() -> Tokens.load(file)).hasMessageContaining("line 2");
    }
}
