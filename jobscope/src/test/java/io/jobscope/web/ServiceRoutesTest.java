package io.jobscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Json;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.services.ServiceBoard;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services routes on a real server with API tokens. */
class ServiceRoutesTest {
    @TempDir
    Path tmp;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> send(String method, URI uri, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aValuePostgresCannotHoldIsTheClientsMistakeNotAServerError() throws Exception {
        withServer(Stores.Kind.POSTGRES, (base, token) -> {
            var nul = send(
                    "POST",
                    URI.create(base + "/api/v1/services/samweb-nul/status"),
                    token,
                    "{\"state\":\"degraded\",\"message\":\"a\\u0000b\"}");
            assertThat(nul.statusCode()).as(nul.body()).isEqualTo(400);
            assertThat(nul.body()).contains("the store cannot hold a value");
            assertThat(send("GET", URI.create(base + "/api/v1/services"), token, null)
                            .statusCode())
                    .as("the server goes on serving")
                    .isEqualTo(200);
        });
    }

    @Test
    void statusAlertmanagerAndHeartbeatInputsOverHttp() throws Exception {
        withServer(Stores.Kind.SQLITE, (base, token) -> {
            var set = send(
                    "POST",
                    URI.create(base + "/api/v1/services/samweb/status"),
                    token,
                    "{\"state\":\"degraded\",\"message\":\"slow\",\"source\":\"nagios\"}");
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(Json.mapper().readTree(set.body()).path("state").asText())
                    .isEqualTo("degraded");

            var bad =
                    send("POST", URI.create(base + "/api/v1/services/samweb/status"), token, "{\"state\":\"on fire\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("'on fire' is not a service state");

            var noToken =
                    send("POST", URI.create(base + "/api/v1/services/samweb/status"), null, "{\"state\":\"degraded\"}");
            assertThat(noToken.statusCode()).isEqualTo(401);

            var am = send(
                    "POST",
                    URI.create(base + "/api/v1/integrations/alertmanager"),
                    token,
                    "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":"
                            + "{\"service\":\"dcache\",\"severity\":\"critical\",\"alertname\":\"PoolDown\"},"
                            + "\"annotations\":{},\"startsAt\":\"2026-01-01T00:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
                            + "\"fingerprint\":\"abc\"}]}");
            assertThat(am.statusCode()).isEqualTo(200);
            assertThat(Json.mapper().readTree(am.body()).path("applied").asInt())
                    .isEqualTo(1);

            var hb =
                    send("POST", URI.create(base + "/api/v1/services/condor/heartbeat"), token, "{\"timeout\":\"5m\"}");
            String path = Json.mapper().readTree(hb.body()).path("path").asText();
            var push = send("GET", URI.create(base + path + "?status=down&msg=schedd%20gone"), null, null);
            assertThat(push.statusCode()).as("a push URL needs no API token").isEqualTo(200);
            assertThat(send("GET", URI.create(base + "/api/v1/push/wrong"), null, null)
                            .statusCode())
                    .isEqualTo(404);

            send(
                    "POST",
                    URI.create(base + "/api/v1/services/condor/heartbeat"),
                    token,
                    "{\"timeout\":\"10m\",\"on_timeout\":\"major_outage\"}");
            JsonNode kept = Json.mapper()
                    .readTree(send("POST", URI.create(base + "/api/v1/services/condor/heartbeat"), token, "{}")
                            .body());
            assertThat(kept.path("timeout_s").asLong())
                    .as("a new push URL keeps the timeout: %s", kept)
                    .isEqualTo(600);
            assertThat(kept.path("on_timeout").asText()).isEqualTo("major_outage");
            var operational = send(
                    "POST",
                    URI.create(base + "/api/v1/services/condor/heartbeat"),
                    token,
                    "{\"on_timeout\":\"operational\"}");
            assertThat(operational.statusCode()).isEqualTo(400);
            assertThat(operational.body()).contains("a silent service cannot be 'operational'");

            JsonNode list = Json.mapper()
                    .readTree(send("GET", URI.create(base + "/api/v1/services"), token, null)
                            .body());
            List<String> states = list.path("services").findValuesAsText("state");
            assertThat(list.path("services").findValuesAsText("name"))
                    .containsExactlyInAnyOrder("samweb", "dcache", "condor");
            assertThat(states).containsExactlyInAnyOrder("degraded", "major_outage", "major_outage");

            assertThat(send("GET", URI.create(base + "/api/v1/services/nope"), token, null)
                            .statusCode())
                    .isEqualTo(404);
            var impact = send("GET", URI.create(base + "/api/v1/services/dcache/impact"), token, null);
            assertThat(impact.statusCode())
                    .as("impact with its default limit: %s", impact.body())
                    .isEqualTo(200);
            assertThat(send("GET", URI.create(base + "/api/v1/services/dcache/impact?limit=x"), token, null)
                            .statusCode())
                    .isEqualTo(400);
            var pre = send("GET", URI.create(base + "/api/v1/preflight?require=dcache"), token, null);
            assertThat(Json.mapper().readTree(pre.body()).path("ready").asBoolean())
                    .isFalse();
        });
    }

    private interface Calls {
        void run(String base, String token) throws Exception;
    }

    /** A real server, with the services board, over a store of {@code kind}, and an admin token for it. */
    private void withServer(Stores.Kind kind, Calls calls) throws Exception {
        String token = Tokens.generate();
        Path tokenFile = tmp.resolve("tokens");
        java.nio.file.Files.writeString(tokenFile, Tokens.line("ops", EnumSet.of(Tokens.Scope.ADMIN), token) + "\n");
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            ServiceBoard board = new ServiceBoard(db, Clock.systemUTC());
            ApiServer.Config cfg = new ApiServer.Config("127.0.0.1", 0, Tokens.load(tokenFile), 1 << 20, 1 << 20);
            try (ApiServer server = new ApiServer(
                            cfg, new JobService(db), new Ingestor(writer), Clock.systemUTC(), board, null)
                    .start()) {
                calls.run("http://127.0.0.1:" + server.port(), token);
            }
        }
    }
}
