package io.jobscope.services;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.JobscopeClient;
import io.jobscope.client.Json;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** The services board of a jobscope server, over its HTTP API. */
public final class ServicesClient implements ServicesApi {
    private final JobscopeClient http;

    public ServicesClient(JobscopeClient http) {
        this.http = http;
    }

    private <T> T get(String path, TypeReference<T> type) {
        return Json.mapper().convertValue(http.get(path, JsonNode.class), type);
    }

    private <T> T post(String path, Object body, Class<T> type) {
        return Json.mapper().convertValue(http.post(path, body), type);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String query(Map<String, Object> params) {
        StringJoiner j = new StringJoiner("&", "?", "").setEmptyValue("");
        params.forEach((k, v) -> {
            if (v != null) {
                j.add(k + "=" + enc(v.toString()));
            }
        });
        return j.toString();
    }

    @Override
    public List<ServiceView> list() {
        JsonNode n = http.get("/api/v1/services", JsonNode.class);
        return Json.mapper().convertValue(n.path("services"), new TypeReference<List<ServiceView>>() {});
    }

    @Override
    public ServiceHistory history(String name, Instant since) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("since", since);
        return get("/api/v1/services/" + enc(name) + query(p), new TypeReference<ServiceHistory>() {});
    }

    @Override
    public Applied set(String name, StatusUpdate update) {
        return post("/api/v1/services/" + enc(name) + "/status", update, Applied.class);
    }

    @Override
    public Maintenance addMaintenance(List<String> services, Instant start, Instant end, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("services", services);
        body.put("start", start);
        body.put("end", end);
        body.put("reason", reason);
        return post("/api/v1/maintenance", body, Maintenance.class);
    }

    @Override
    public List<Maintenance> maintenance(boolean all) {
        JsonNode n = http.get("/api/v1/maintenance" + (all ? "?all=true" : ""), JsonNode.class);
        return Json.mapper().convertValue(n.path("maintenance"), new TypeReference<List<Maintenance>>() {});
    }

    @Override
    public Maintenance cancelMaintenance(String id) {
        return post("/api/v1/maintenance/" + enc(id) + "/cancel", Map.of(), Maintenance.class);
    }

    @Override
    public PreflightReport preflight(List<String> require, String app, String workflow, Instant at, Duration duration) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("require", require == null || require.isEmpty() ? null : String.join(",", require));
        p.put("app", app);
        p.put("workflow", workflow);
        p.put("at", at);
        p.put("duration", duration == null ? null : duration.toMillis() + "ms");
        return get("/api/v1/preflight" + query(p), new TypeReference<PreflightReport>() {});
    }

    @Override
    public Announcement announce(String text, String severity, Instant until) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", text);
        body.put("severity", severity);
        body.put("until", until);
        return post("/api/v1/announcements", body, Announcement.class);
    }

    @Override
    public List<Announcement> announcements(boolean all) {
        JsonNode n = http.get("/api/v1/announcements" + (all ? "?all=true" : ""), JsonNode.class);
        return Json.mapper().convertValue(n.path("announcements"), new TypeReference<List<Announcement>>() {});
    }

    @Override
    public Announcement expireAnnouncement(String id) {
        return post("/api/v1/announcements/" + enc(id) + "/expire", Map.of(), Announcement.class);
    }

    @Override
    public Impact impact(String name, Instant since, int limit) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("since", since);
        p.put("limit", limit);
        return get("/api/v1/services/" + enc(name) + "/impact" + query(p), new TypeReference<Impact>() {});
    }

    @Override
    public Correlation correlate(String jobId) {
        return get("/api/v1/jobs/" + enc(jobId) + "/outages", new TypeReference<Correlation>() {});
    }

    @Override
    public Heartbeat heartbeat(String name, Duration timeout, ServiceState onTimeout) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (timeout != null) {
            body.put("timeout", timeout.toSeconds() + "s");
        }
        if (onTimeout != null) {
            body.put("on_timeout", onTimeout.wire());
        }
        return post("/api/v1/services/" + enc(name) + "/heartbeat", body, Heartbeat.class);
    }
}
