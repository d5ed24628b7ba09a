package io.jobscope.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/** The HTTP API of a jobscope server, for Java programs: send events, read history, details and stats. */
public final class JobscopeClient implements JobQueries {
    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration requestTimeout;

    public JobscopeClient(URI base, String token) {
        this(base, token, Duration.ofSeconds(60));
    }

    /** {@code requestTimeout}: how long one request may wait for the server's answer. */
    public JobscopeClient(URI base, String token, Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.token = token == null || token.isBlank() ? null : token.trim();
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public URI base() {
        return base;
    }

    /** Posts the events as one NDJSON batch. Rejected lines come back in the result, not as an exception. */
    public IngestResult send(List<Event> events) {
        if (events.isEmpty()) {
            return new IngestResult(0, 0, List.of()); // the server refuses a body without events
        }
        StringBuilder body = new StringBuilder(events.size() * 200);
        for (Event e : events) {
            body.append(e.toLine()).append('\n');
        }
        return sendNdjson(body.toString());
    }

    /** Posts events already written as NDJSON (one event a line; not empty) as one batch. */
    public IngestResult sendNdjson(String ndjson) {
        HttpRequest req = request("/api/v1/events")
                .header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(ndjson))
                .build();
        HttpResponse<String> resp = exchange(req);
        if (resp.statusCode() == 200 || resp.statusCode() == 400 && resp.body().contains("\"rejected\"")) {
            return read(resp.body(), IngestResult.class);
        }
        throw failure(resp);
    }

    @Override
    public JobPage history(JobQuery q) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("status", q.status());
        params.put("app", q.app());
        params.put("workflow", q.workflow());
        params.put("site", q.site());
        params.put("host", q.host());
        params.put("since", q.since());
        params.put("until", q.until());
        params.put("limit", q.limit());
        params.put("cursor", q.cursor());
        return get("/api/v1/jobs" + query(params), JobPage.class);
    }

    @Override
    public Optional<Job> job(String id) {
        return found("/api/v1/jobs/" + encode(id), Job.class);
    }

    @Override
    public Optional<Workflow> workflow(String id) {
        return found("/api/v1/workflows/" + encode(id), Workflow.class);
    }

    /** GETs one thing the server may not have: empty on 404. */
    private <T> Optional<T> found(String path, Class<T> type) {
        try {
            return Optional.of(get(path, type));
        } catch (JobscopeException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public Stats stats(String by, Instant since, String workflow) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("by", by);
        params.put("since", since);
        params.put("workflow", workflow);
        return get("/api/v1/stats" + query(params), Stats.class);
    }

    @Override
    public List<Workflow> workflows(int limit) {
        JsonNode node = get("/api/v1/workflows?limit=" + limit, JsonNode.class);
        return Json.mapper().convertValue(node.path("workflows"), new TypeReference<List<Workflow>>() {});
    }

    @Override
    public List<Sample> samples(String jobId) {
        JsonNode node = get("/api/v1/jobs/" + encode(jobId) + "/samples", JsonNode.class);
        return Json.mapper().convertValue(node.path("samples"), new TypeReference<List<Sample>>() {});
    }

    /** GETs a path of the API and maps the JSON answer. */
    public <T> T get(String pathAndQuery, Class<T> type) {
        HttpResponse<String> resp = exchange(request(pathAndQuery).GET().build());
        if (resp.statusCode() != 200) {
            throw failure(resp);
        }
        return read(resp.body(), type);
    }

    /** POSTs a JSON body to a path of the API and returns the JSON answer. */
    public JsonNode post(String path, Object body) {
        String json;
        try {
            json = Json.mapper().writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serialise request body", e);
        }
        HttpResponse<String> resp = exchange(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json))
                .build());
        if (resp.statusCode() / 100 != 2) {
            throw failure(resp);
        }
        return read(resp.body(), JsonNode.class);
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(requestTimeout);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private HttpResponse<String> exchange(HttpRequest req) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new JobscopeException("cannot connect to jobscope server at " + base, e);
        } catch (IOException e) {
            throw new JobscopeException("request to " + base + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JobscopeException("interrupted while calling " + base, e);
        }
    }

    private static JobscopeException failure(HttpResponse<String> resp) {
        String message;
        try {
            JsonNode n = Json.mapper().readTree(resp.body());
            message = n.hasNonNull("error") ? n.get("error").asText() : resp.body();
        } catch (IOException | RuntimeException e) {
            message = resp.body();
        }
        if (message == null || message.isBlank()) {
            message = "HTTP " + resp.statusCode();
        }
        return new JobscopeException(resp.statusCode(), "server answered " + resp.statusCode() + ": " + message);
    }

    private static <T> T read(String body, Class<T> type) {
        try {
            return Json.mapper().readValue(body, type);
        } catch (IOException e) {
            throw new JobscopeException("unreadable answer from server: " + e.getMessage(), e);
        }
    }

    private static String query(Map<String, Object> params) {
        StringJoiner j = new StringJoiner("&", "?", "");
        j.setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) {
                j.add(k + "=" + encode(v.toString()));
            }
        });
        return j.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
