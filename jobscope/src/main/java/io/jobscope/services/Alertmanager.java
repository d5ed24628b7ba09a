package io.jobscope.services;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.TreeMap;

/**
 * Reads Prometheus Alertmanager's webhook payload (version 4) into status reports. Each alert of a group is
 * its own signal, keyed by its fingerprint; its report id is fingerprint + start + status, so a redelivered
 * notification changes nothing.
 */
final class Alertmanager {
    private Alertmanager() {}

    /** An alert that named no usable service or state, and why; the rest of the payload still counts. */
    record Ignored(int index, String fingerprint, String reason) {}

    record Parsed(List<ServiceStore.NewReport> reports, List<Ignored> ignored) {}

    static Parsed parse(JsonNode body, ServicesConfig.Alerting cfg, Instant now) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("Alertmanager payload: expecting a JSON object");
        }
        JsonNode version = body.get("version");
        if (version != null && !version.isNull() && !"4".equals(version.asText())) {
            throw new IllegalArgumentException(
                    "Alertmanager payload version '" + version.asText() + "' is not supported (expecting 4)");
        }
        JsonNode alerts = body.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new IllegalArgumentException("Alertmanager payload: 'alerts' is missing or not a list");
        }
        String groupStatus = body.path("status").asText(null);
        List<ServiceStore.NewReport> reports = new ArrayList<>();
        List<Ignored> ignored = new ArrayList<>();
        for (int i = 0; i < alerts.size(); i++) {
            JsonNode a = alerts.get(i);
            JsonNode labels = a.path("labels");
            String fingerprint = a.path("fingerprint").asText("");
            if (fingerprint.isBlank()) {
                fingerprint = labels.isObject() ? labelHash(labels) : "";
            }
            if (!labels.isObject()) {
                ignored.add(new Ignored(i, fingerprint, "alert has no labels"));
                continue;
            }
            String service = labels.path(cfg.serviceLabel()).asText("").strip();
            if (service.isEmpty()) {
                ignored.add(new Ignored(
                        i,
                        fingerprint,
                        "alert has no '" + cfg.serviceLabel() + "' label naming a service (labels: "
                                + String.join(", ", fieldNames(labels)) + ")"));
                continue;
            }
            try {
                ServiceBoard.checkName(service);
            } catch (IllegalArgumentException e) {
                ignored.add(new Ignored(i, fingerprint, e.getMessage()));
                continue;
            }
            String status = a.path("status").asText(groupStatus);
            if (!"firing".equals(status) && !"resolved".equals(status)) {
                ignored.add(new Ignored(
                        i, fingerprint, "alert status '" + status + "' is neither 'firing' nor 'resolved'"));
                continue;
            }
            Instant startsAt = time(a.path("startsAt"));
            Instant endsAt = time(a.path("endsAt"));
            boolean firing = "firing".equals(status);
            Instant at = firing ? (startsAt == null ? now : startsAt) : (endsAt == null ? now : endsAt);
            if (at.isAfter(now)) {
                at = now;
            }
            ServiceState state =
                    firing ? cfg.stateFor(labels.path(cfg.severityLabel()).asText(null)) : ServiceState.OPERATIONAL;
            String alertname = labels.path("alertname").asText(null);
            JsonNode ann = a.path("annotations");
            String text = ann.path("summary").asText(ann.path("description").asText(null));
            String message = alertname == null ? text : text == null ? alertname : alertname + ": " + text;
            if (!firing && message != null) {
                message = "resolved " + message;
            }
            long startKey = startsAt == null ? 0 : startsAt.toEpochMilli();
            reports.add(new ServiceStore.NewReport(
                    "am:" + fingerprint + ":" + startKey + ":" + status,
                    service,
                    "alertmanager:" + fingerprint,
                    at.toEpochMilli(),
                    state,
                    ServiceBoard.clip(message),
                    "alertmanager"));
        }
        return new Parsed(reports, ignored);
    }

    /** Alertmanager's zero time (0001-01-01) and unparsable values mean "not set". */
    private static Instant time(JsonNode v) {
        if (v == null || !v.isTextual()) {
            return null;
        }
        try {
            Instant t = Instant.parse(v.asText());
            return t.getEpochSecond() <= 0 ? null : t;
        } catch (java.time.format.DateTimeParseException e) {
            try {
                return java.time.OffsetDateTime.parse(v.asText()).toInstant();
            } catch (java.time.format.DateTimeParseException e2) {
                return null;
            }
        }
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }

    private static String labelHash(JsonNode labels) {
        TreeMap<String, String> sorted = new TreeMap<>();
        labels.fields()
                .forEachRemaining(e -> sorted.put(e.getKey(), e.getValue().asText()));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest(sorted.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
