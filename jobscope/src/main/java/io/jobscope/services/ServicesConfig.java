package io.jobscope.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jobscope.services.ServicesApi.ServiceInfo;
import io.jobscope.util.Times;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The services file (YAML): the services, what requires them, their heartbeats, and how Alertmanager alerts
 * map to states. Checked once when loaded; an unknown key is rejected as a likely typo, with its path.
 */
public record ServicesConfig(Alerting alerting, List<Entry> services) {

    /** A service and its optional heartbeat timeout. */
    public record Entry(ServiceInfo info, Duration heartbeatTimeout, ServiceState onTimeout) {}

    /** How an Alertmanager alert names its service and how its severity becomes a state. */
    public record Alerting(
            String serviceLabel,
            String severityLabel,
            Map<String, ServiceState> severities,
            ServiceState defaultState) {
        public Alerting {
            if (serviceLabel == null || serviceLabel.isBlank()) {
                throw new IllegalArgumentException("alertmanager.service_label: expecting a label name, found none");
            }
            severities = Map.copyOf(severities);
        }

        /** service label {@code service}; critical → major_outage, error → partial_outage, warning → degraded. */
        public static Alerting defaults() {
            Map<String, ServiceState> m = new LinkedHashMap<>();
            m.put("critical", ServiceState.MAJOR_OUTAGE);
            m.put("page", ServiceState.MAJOR_OUTAGE);
            m.put("error", ServiceState.PARTIAL_OUTAGE);
            m.put("major", ServiceState.PARTIAL_OUTAGE);
            m.put("warning", ServiceState.DEGRADED);
            m.put("minor", ServiceState.DEGRADED);
            m.put("info", ServiceState.DEGRADED);
            return new Alerting("service", "severity", m, ServiceState.DEGRADED);
        }

        ServiceState stateFor(String severity) {
            if (severity == null) {
                return defaultState;
            }
            return severities.getOrDefault(severity.toLowerCase(Locale.ROOT), defaultState);
        }
    }

    public ServicesConfig {
        services = List.copyOf(services);
    }

    public static ServicesConfig empty() {
        return new ServicesConfig(Alerting.defaults(), List.of());
    }

    /** Reads and checks a services file; errors name the file and the key. */
    public static ServicesConfig load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return parse(new YAMLMapper().readTree(in), file.toString());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("services file " + file + " does not exist");
        } catch (IOException e) {
            String msg = e.getMessage() == null
                    ? e.toString()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new IllegalArgumentException("services file " + file + " is not valid YAML: " + msg);
        }
    }

    static ServicesConfig parse(JsonNode root, String where) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            return empty();
        }
        if (!root.isObject()) {
            throw new IllegalArgumentException(where + ": expecting a mapping with 'services' (and 'alertmanager')");
        }
        keys(root, where, Set.of("services", "alertmanager"));
        Alerting alerting = root.has("alertmanager")
                ? alerting(root.get("alertmanager"), where + ": alertmanager")
                : Alerting.defaults();
        List<Entry> entries = new ArrayList<>();
        JsonNode list = root.path("services");
        if (!list.isMissingNode() && !list.isNull()) {
            if (!list.isArray()) {
                throw new IllegalArgumentException(where + ": services: expecting a list of services");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                Entry e = entry(list.get(i), where + ": services[" + i + "]");
                if (!seen.add(e.info().name())) {
                    throw new IllegalArgumentException(where + ": services[" + i + "]: service '"
                            + e.info().name() + "' is listed twice");
                }
                entries.add(e);
            }
        }
        return new ServicesConfig(alerting, entries);
    }

    private static Alerting alerting(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(where + ": expecting a mapping");
        }
        keys(n, where, Set.of("service_label", "severity_label", "severities", "default_state"));
        Alerting d = Alerting.defaults();
        Map<String, ServiceState> sev = new LinkedHashMap<>(d.severities());
        JsonNode map = n.path("severities");
        if (map.isObject()) {
            sev.clear();
            for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                sev.put(f.getKey().toLowerCase(Locale.ROOT), state(f.getValue(), where + ".severities." + f.getKey()));
            }
        } else if (!map.isMissingNode()) {
            throw new IllegalArgumentException(
                    where + ".severities: expecting a mapping such as {critical: major_outage}");
        }
        return new Alerting(
                text(n, "service_label", where) == null ? d.serviceLabel() : text(n, "service_label", where),
                text(n, "severity_label", where) == null ? d.severityLabel() : text(n, "severity_label", where),
                sev,
                n.has("default_state") ? state(n.get("default_state"), where + ".default_state") : d.defaultState());
    }

    private static Entry entry(JsonNode n, String where) {
        if (!n.isObject()) {
            throw new IllegalArgumentException(where + ": expecting a mapping with at least 'name'");
        }
        String name = text(n, "name", where);
        if (name == null) {
            throw new IllegalArgumentException(where + ": 'name' is missing");
        }
        String at = where + " (" + name + ")";
        keys(n, at, Set.of("name", "group", "description", "url", "required_by", "heartbeat"));
        List<String> apps = List.of();
        List<String> workflows = List.of();
        JsonNode req = n.path("required_by");
        if (req.isObject()) {
            keys(req, at + ".required_by", Set.of("apps", "workflows"));
            apps = names(req.path("apps"), at + ".required_by.apps");
            workflows = names(req.path("workflows"), at + ".required_by.workflows");
        } else if (!req.isMissingNode() && !req.isNull()) {
            throw new IllegalArgumentException(at + ".required_by: expecting {apps: [...], workflows: [...]}");
        }
        Duration timeout = null;
        ServiceState onTimeout = ServiceState.UNKNOWN;
        JsonNode hb = n.path("heartbeat");
        if (hb.isObject()) {
            keys(hb, at + ".heartbeat", Set.of("timeout", "on_timeout"));
            String t = text(hb, "timeout", at + ".heartbeat");
            if (t == null) {
                throw new IllegalArgumentException(at + ".heartbeat.timeout is missing (such as 5m)");
            }
            try {
                timeout = Times.parseDuration(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + ".heartbeat.timeout: " + e.getMessage());
            }
            if (timeout.toSeconds() < 1) {
                throw new IllegalArgumentException(at + ".heartbeat.timeout: expecting at least 1s, found " + t);
            }
            if (hb.has("on_timeout")) {
                onTimeout = state(hb.get("on_timeout"), at + ".heartbeat.on_timeout");
                if (onTimeout.isOperational()) {
                    throw new IllegalArgumentException(
                            at + ".heartbeat.on_timeout: a silent service cannot be 'operational'");
                }
            }
        } else if (!hb.isMissingNode() && !hb.isNull()) {
            throw new IllegalArgumentException(at + ".heartbeat: expecting {timeout: 5m, on_timeout: unknown}");
        }
        try {
            return new Entry(
                    new ServiceInfo(
                            name,
                            text(n, "group", at),
                            text(n, "description", at),
                            text(n, "url", at),
                            apps,
                            workflows),
                    timeout,
                    onTimeout);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static void keys(JsonNode n, String where, Set<String> allowed) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown key '" + k + "' (expecting "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode n, String key, String where) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(where + "." + key + ": expecting a single value");
        }
        String s = v.asText().strip();
        return s.isEmpty() ? null : s;
    }

    private static List<String> names(JsonNode n, String where) {
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (n.isTextual()) {
            return List.of(n.asText());
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException(where + ": expecting a list of names");
        }
        List<String> out = new ArrayList<>();
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    private static ServiceState state(JsonNode v, String where) {
        try {
            return ServiceState.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }
}
