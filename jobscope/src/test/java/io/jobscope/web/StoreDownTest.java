package io.jobscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.cli.CliRunner;
import io.jobscope.client.Json;
import io.jobscope.testing.Stores;
import io.jobscope.testing.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** A real server whose PostgreSQL stops under it: every route says so with a 503, and /health too. */
class StoreDownTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private CompletableFuture<HttpResponse<String>> get(String url) {
        return http.sendAsync(
                HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStoppedPostgresIs503WithTheReasonOnEveryRouteAndOnHealth() throws Exception {
        EmbeddedPostgres pg = Stores.startPostgres();
        try (TestServer server = new TestServer(Stores.url(pg))) {
            assertThat(get(server.url() + "/health").get().statusCode()).isEqualTo(200);
            assertThat(get(server.url() + "/api/v1/jobs").get().statusCode()).isEqualTo(200);

            pg.close();
            // at once: each waits for the pool's connection timeout
            Map<String, CompletableFuture<HttpResponse<String>>> answers = new LinkedHashMap<>();
            for (String path : List.of("/api/v1/jobs", "/api/v1/stats", "/api/v1/workflows", "/", "/health")) {
                answers.put(path, get(server.url() + path));
            }
            CliRunner.Result cli = CliRunner.run("history", "--server", server.url());

            for (String path : List.of("/api/v1/jobs", "/api/v1/stats", "/api/v1/workflows")) {
                HttpResponse<String> r = answers.get(path).get();
                assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(503);
                String error = Json.mapper().readTree(r.body()).path("error").asText();
                assertThat(error)
                        .as(path)
                        .startsWith("the store cannot be used: ")
                        .doesNotContain("\n");
            }
            HttpResponse<String> page = answers.get("/").get();
            assertThat(page.statusCode()).isEqualTo(503);
            assertThat(page.body()).contains("<html", "the store cannot be used");
            HttpResponse<String> health = answers.get("/health").get();
            JsonNode h = Json.mapper().readTree(health.body());
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(h.path("status").asText()).isEqualTo("unavailable");
            assertThat(h.path("error").asText()).startsWith("the store cannot be used");
            assertThat(cli.exit()).isEqualTo(1);
            assertThat(cli.err()).contains("503", "the store cannot be used").doesNotContain("\tat ");
        } finally {
            pg.close();
        }
    }

    @Test
    void theFirstEventsAfterPostgresRestartedUnderAnIdleServerAreStored(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .start();
        int port = pg.getPort();
        try (TestServer server = new TestServer(Stores.url(pg))) {
            assertThat(post(server.url(), "r1").statusCode()).isEqualTo(200);
            pg.close();
            pg = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .start();
            Thread.sleep(6_000); // the writer's connection, idle, died with the restart

            HttpResponse<String> r = post(server.url(), "r2");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        } finally {
            pg.close();
        }
    }

    private HttpResponse<String> post(String base, String job) throws Exception {
        String line = io.jobscope.client.Event.job(io.jobscope.client.Event.JOB_STARTED, job, java.time.Instant.now())
                .toLine();
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                        .POST(HttpRequest.BodyPublishers.ofString(line))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
