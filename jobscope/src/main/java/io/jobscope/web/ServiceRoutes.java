package io.jobscope.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.jobscope.client.Json;
import io.jobscope.services.NotFoundException;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServiceState;
import io.jobscope.services.ServicesApi;
import io.jobscope.util.Times;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The services board's HTTP API: status inputs, board, history, maintenance, preflight, announcements (pages: {@link Dashboard}). */
public final class ServiceRoutes {
    private final ServiceBoard board;
    private final Clock clock;

    private ServiceRoutes(ServiceBoard board, Clock clock) {
        this.board = board;
        this.clock = clock;
    }

    /** Declares every services route on {@code cfg}. */
    public static void register(JavalinConfig cfg, ServiceBoard board, Clock clock) {
        ServiceRoutes r = new ServiceRoutes(board, clock);
        cfg.routes.get("/api/v1/services", r::list);
        cfg.routes.get("/api/v1/services/{name}", r::history);
        cfg.routes.put("/api/v1/services/{name}", r::describe);
        cfg.routes.post("/api/v1/services/{name}/status", r::setStatus);
        cfg.routes.post("/api/v1/services/{name}/heartbeat", r::heartbeat);
        cfg.routes.get("/api/v1/services/{name}/impact", r::impact);
        cfg.routes.post("/api/v1/integrations/alertmanager", r::alertmanager);
        cfg.routes.get("/api/v1/push/{token}", r::push);
        cfg.routes.post("/api/v1/push/{token}", r::push);
        cfg.routes.get("/api/v1/maintenance", r::listMaintenance);
        cfg.routes.post("/api/v1/maintenance", r::addMaintenance);
        cfg.routes.post("/api/v1/maintenance/{id}/cancel", r::cancelMaintenance);
        cfg.routes.delete("/api/v1/maintenance/{id}", r::cancelMaintenance);
        cfg.routes.get("/api/v1/preflight", r::preflight);
        cfg.routes.get("/api/v1/announcements", r::listAnnouncements);
        cfg.routes.post("/api/v1/announcements", r::announce);
        cfg.routes.post("/api/v1/announcements/{id}/expire", r::expire);
        cfg.routes.delete("/api/v1/announcements/{id}", r::expire);
        cfg.routes.get("/api/v1/jobs/{id}/outages", r::jobOutages);
        cfg.routes.exception(
                NotFoundException.class, (e, ctx) -> ctx.status(404).json(Map.of("error", e.getMessage())));
    }

    /** Push URLs carry their own secret, so they skip the API token check. */
    static boolean isPush(String path) {
        return path.startsWith("/api/v1/push/");
    }

    private void list(Context ctx) {
        ctx.json(Map.of("services", board.list()));
    }

    private void history(Context ctx) {
        ctx.json(board.history(ctx.pathParam("name"), QueryParams.instant(ctx, "since", clock)));
    }

    private void describe(Context ctx) {
        JsonNode body = body(ctx);
        ServicesApi.ServiceInfo info;
        try {
            info = Json.mapper().convertValue(body, ServicesApi.ServiceInfo.class);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "service description: " + rootMessage(e));
        }
        if (info.name() == null || !info.name().equals(ctx.pathParam("name"))) {
            info = new ServicesApi.ServiceInfo(
                    ctx.pathParam("name"), info.group(), info.description(), info.url(), info.apps(), info.workflows());
        }
        board.describe(info);
        ctx.json(board.history(info.name(), null).service());
    }

    private void setStatus(Context ctx) {
        JsonNode body = body(ctx);
        Instant time = null;
        if (body.hasNonNull("time")) {
            time = parseTime(body.get("time").asText(), "time");
        }
        ServicesApi.StatusUpdate u = new ServicesApi.StatusUpdate(
                text(body, "state"), text(body, "message"), text(body, "source"), time, text(body, "id"));
        ctx.json(board.set(ctx.pathParam("name"), u));
    }

    private void heartbeat(Context ctx) {
        JsonNode body = body(ctx);
        Duration timeout = body.hasNonNull("timeout")
                ? Times.parseDuration(body.get("timeout").asText())
                : null;
        ServiceState on = body.hasNonNull("on_timeout")
                ? ServiceState.parse(body.get("on_timeout").asText())
                : null;
        ctx.json(board.heartbeat(ctx.pathParam("name"), timeout, on));
    }

    private void impact(Context ctx) {
        int limit = QueryParams.limit(ctx, "limit", 100, 0, 100_000);
        ctx.json(board.impact(ctx.pathParam("name"), QueryParams.instant(ctx, "since", clock), limit));
    }

    private void alertmanager(Context ctx) {
        ctx.json(board.alertmanager(body(ctx)));
    }

    private void push(Context ctx) {
        ctx.json(board.push(ctx.pathParam("token"), ctx.queryParam("status"), ctx.queryParam("msg")));
    }

    private void listMaintenance(Context ctx) {
        ctx.json(Map.of("maintenance", board.maintenance("true".equals(ctx.queryParam("all")))));
    }

    private void addMaintenance(Context ctx) {
        JsonNode body = body(ctx);
        List<String> services = body.path("services").isArray()
                ? Json.mapper()
                        .convertValue(
                                body.get("services"),
                                new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {})
                : List.of();
        Instant start = body.hasNonNull("start") ? parseTime(body.get("start").asText(), "start") : clock.instant();
        if (!body.hasNonNull("end")) {
            throw new ApiException(400, "'end' is missing");
        }
        Instant end = parseTime(body.get("end").asText(), "end");
        ctx.status(201).json(board.addMaintenance(services, start, end, text(body, "reason")));
    }

    private void cancelMaintenance(Context ctx) {
        ctx.json(board.cancelMaintenance(ctx.pathParam("id")));
    }

    private void preflight(Context ctx) {
        String req = ctx.queryParam("require");
        List<String> require = req == null || req.isBlank()
                ? List.of()
                : Arrays.stream(req.split(","))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .toList();
        String dur = ctx.queryParam("duration");
        Duration duration = dur == null || dur.isBlank() ? Duration.ofHours(1) : Times.parseDuration(dur);
        ServicesApi.PreflightReport report = board.preflight(
                require,
                ctx.queryParam("app"),
                ctx.queryParam("workflow"),
                QueryParams.instant(ctx, "at", clock),
                duration);
        ctx.json(report);
    }

    private void listAnnouncements(Context ctx) {
        ctx.json(Map.of("announcements", board.announcements("true".equals(ctx.queryParam("all")))));
    }

    private void announce(Context ctx) {
        JsonNode body = body(ctx);
        Instant until = body.hasNonNull("until") ? parseTime(body.get("until").asText(), "until") : null;
        ctx.status(201).json(board.announce(text(body, "text"), text(body, "severity"), until));
    }

    private void expire(Context ctx) {
        ctx.json(board.expireAnnouncement(ctx.pathParam("id")));
    }

    private void jobOutages(Context ctx) {
        ctx.json(board.correlate(ctx.pathParam("id")));
    }

    private static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text.isBlank()) {
            return Json.mapper().createObjectNode();
        }
        try {
            JsonNode n = Json.mapper().readTree(text);
            if (n == null || !n.isObject()) {
                throw new ApiException(400, "request body must be a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new ApiException(400, "request body is not JSON: " + firstLine(e.getMessage()));
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Instant parseTime(String v, String field) {
        try {
            return io.jobscope.ingest.EventValidator.parseTime(v);
        } catch (java.time.format.DateTimeParseException e) {
            throw new ApiException(
                    400, "'" + field + "' is not an ISO 8601 time such as 2026-11-21T10:30:00Z: '" + v + "'");
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return firstLine(t.getMessage());
    }
}
