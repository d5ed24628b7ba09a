package io.jobscope.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard over plain HTTP: status codes, headers, escaping, login; the browser test covers behaviour. */
class DashboardHttpTest {
    @TempDir
    Path tmp;

    private final HttpClient http =
            HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyPageRendersWithAContentSecurityPolicyThatForbidsInlineScript() throws Exception {
        try (DashboardServer s = new DashboardServer(tmp, Tokens.none())) {
            s.ingest(DashboardSeed.events(Instant.now()));
            for (String path : new String[] {
                "/",
                "/workflows",
                "/workflows/wf-reco",
                "/jobs",
                "/jobs?status=failed&sort=longest",
                "/jobs/sim-1",
                "/stats",
                "/stats?by=cpu_model",
                "/stats?by=hour&window=all",
                "/fragments/overview"
            }) {
                HttpResponse<String> r = get(s.url(path));
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
                assertThat(csp).as(path).contains("script-src 'self'").doesNotContain("unsafe-inline");
                assertThat(r.body()).as(path).doesNotContain("<script>");
            }
        }
    }

    @Test
    void textAJobSuppliesIsEscaped() throws Exception {
        try (DashboardServer s = new DashboardServer(tmp, Tokens.none())) {
            s.ingest(DashboardSeed.events(Instant.now()));
            String body = get(s.url("/jobs/" + DashboardSeed.EVIL_JOB)).body();
            assertThat(body)
                    .doesNotContain(DashboardSeed.PAYLOAD)
                    .contains("&lt;script&gt;window.pwned=1&lt;/script&gt;");
        }
    }

    @Test
    void chartEndpointsAnswerJson() throws Exception {
        try (DashboardServer s = new DashboardServer(tmp, Tokens.none())) {
            s.ingest(DashboardSeed.events(Instant.now()));
            JsonNode dag = Json.mapper()
                    .readTree(get(s.url("/api/v1/dashboard/workflows/wf-reco/dag"))
                            .body());
            assertThat(dag.get("nodes")).hasSize(10);
            assertThat(dag.get("edges")).hasSize(9);
            assertThat(get(s.url("/api/v1/dashboard/workflows/no-such-wf/dag")).statusCode())
                    .as("an unknown workflow's graph is 404, as its page")
                    .isEqualTo(404);
            JsonNode res = Json.mapper()
                    .readTree(get(s.url("/api/v1/dashboard/workflows/wf-reco/resources"))
                            .body());
            assertThat(res.get("cores").size()).isGreaterThan(1);
            JsonNode tp = Json.mapper()
                    .readTree(get(s.url("/api/v1/dashboard/throughput")).body());
            long ok = 0;
            for (JsonNode n : tp.get("succeeded")) {
                ok += n.asLong();
            }
            assertThat(ok).isEqualTo(DashboardSeed.SUCCEEDED);
        }
    }

    @Test
    void jobPageCpuEfficiencyCountsTheJobsCoresAsTheStatsPageDoes() throws Exception {
        Instant start = Instant.now().minusSeconds(600);
        List<Event> events = new ArrayList<>();
        for (String[] j :
                new String[][] {{"fit-4", "fit", "4"}, {"fit-1", "serial", null}, {"fit-junk", "junk", "-2"}}) {
            events.add(Event.job(Event.JOB_STARTED, j[0], start)
                    .put("app", j[1])
                    .put(
                            "attributes",
                            j[2] == null ? Map.of("cpu_model", "EPYC") : Map.of("cores", Integer.parseInt(j[2]))));
            events.add(Event.job(Event.JOB_FINISHED, j[0], start.plusSeconds(100))
                    .put("status", "success")
                    .put("exit_code", 0)
                    .put("cpu_user_s", 70.0)
                    .put("cpu_system_s", 10.0));
        }
        try (DashboardServer s = new DashboardServer(tmp, Tokens.none())) {
            s.ingest(events);
            assertThat(get(s.url("/jobs/fit-4")).body()).contains("20.0 % of 4 cores");
            assertThat(get(s.url("/jobs/fit-1")).body()).contains("80.0 % of 1 core<");
            assertThat(get(s.url("/jobs/fit-junk")).body())
                    .as("cores that are not a positive number count as 1")
                    .contains("80.0 % of 1 core<");

            JsonNode stats = Json.mapper()
                    .readTree(get(s.url("/api/v1/dashboard/stats?by=app")).body());
            Map<String, Double> byApp = new java.util.HashMap<>();
            stats.get("groups")
                    .forEach(g ->
                            byApp.put(g.get("key").asText(), g.get("efficiency").asDouble()));
            assertThat(byApp)
                    .containsEntry("fit", 20.0)
                    .containsEntry("serial", 80.0)
                    .containsEntry("junk", 80.0);
        }
    }

    @Test
    void badFiltersAnswer400WithTheProblemNamed() throws Exception {
        try (DashboardServer s = new DashboardServer(tmp, Tokens.none())) {
            HttpResponse<String> r = get(s.url("/jobs?status=bogus"));
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("status: unknown status 'bogus'");
            assertThat(get(s.url("/jobs?page=x")).statusCode()).isEqualTo(400);
            assertThat(get(s.url("/stats?by=planet")).statusCode()).isEqualTo(400);
            assertThat(get(s.url("/jobs/nope")).statusCode()).isEqualTo(404);
            assertThat(get(s.url("/workflows/nope")).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void withTokensThePagesAskForALoginAndTheCookieIsHttpOnlyAndSameSite() throws Exception {
        Path file = tmp.resolve("tokens");
        String token = Tokens.generate();
        Files.writeString(file, Tokens.line("viewer", EnumSet.of(Tokens.Scope.READ), token) + "\n");
        try (DashboardServer s = new DashboardServer(tmp, Tokens.load(file))) {
            HttpResponse<String> page = get(s.url("/jobs?status=failed"));
            assertThat(page.statusCode()).isEqualTo(303);
            assertThat(page.headers().firstValue("Location").orElse("")).startsWith("/login?next=");
            assertThat(get(s.url("/api/v1/dashboard/throughput")).statusCode()).isEqualTo(401);

            HttpResponse<String> bad = post(s.url("/login"), "token=wrong&next=%2Fjobs");
            assertThat(bad.statusCode()).isEqualTo(401);
            assertThat(bad.headers().firstValue("Set-Cookie")).isEmpty();

            HttpResponse<String> ok = post(s.url("/login"), "token=" + token + "&next=%2F%2Fevil.example%2F");
            assertThat(ok.statusCode()).isEqualTo(303);
            assertThat(ok.headers().firstValue("Location")).contains("/");
            String cookie = ok.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict");
            String pair = cookie.split(";", 2)[0];
            assertThat(get(s.url("/jobs"), "Cookie", pair).statusCode()).isEqualTo(200);
            assertThat(get(s.url("/api/v1/dashboard/throughput"), "Cookie", pair)
                            .statusCode())
                    .isEqualTo(200);
        }
    }

    private HttpResponse<String> post(String url, String form) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
