package io.jobscope.services;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The services board over the store: takes status reports (API, Alertmanager, heartbeats), keeps maintenance
 * windows and announcements, and answers the board, outage history, preflight and failure correlation.
 */
public final class ServiceBoard implements ServicesApi, ServiceOutages {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);
    private static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMinutes(5);
    private static final int MAX_MESSAGE = 2000;
    private static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Replaying reports is the costly part of every read; a replay is reused this long (writes here clear it). */
    private static final long CACHE_MS = 5_000;

    private record Cached(List<Outage> outages, long computedMs) {}

    private final Map<String, Cached> cache = new java.util.concurrent.ConcurrentHashMap<>();
    private final ServiceStore store;
    private final Clock clock;
    private final ServicesConfig.Alerting alerting;

    public ServiceBoard(Database db, Clock clock, ServicesConfig.Alerting alerting) {
        this.store = new ServiceStore(db);
        this.clock = clock;
        this.alerting = alerting;
    }

    public ServiceBoard(Database db, Clock clock) {
        this(db, clock, ServicesConfig.Alerting.defaults());
    }

    /** Checks a service name: letters, digits, '.', '_' and '-', at most 100 characters. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name
                    + "' is not a service name: use letters, digits, '.', '_' and '-' (at most 100 characters)");
        }
        return name;
    }

    static String clip(String message) {
        if (message == null) {
            return null;
        }
        String m = message.strip();
        if (m.isEmpty()) {
            return null;
        }
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE - 3) + "..." : m;
    }

    private long now() {
        return clock.millis();
    }

    /** Forgets cached replays after a write, so this board reads its own writes at once. */
    private void changed() {
        cache.clear();
    }

    /** Brings the store in line with a services file: descriptions, requirements and heartbeat timeouts. */
    public void configure(ServicesConfig config) {
        long now = now();
        for (ServicesConfig.Entry e : config.services()) {
            store.upsertInfo(e.info(), now);
            if (e.heartbeatTimeout() != null) {
                store.setHeartbeatTimeout(e.info().name(), e.heartbeatTimeout().toSeconds(), e.onTimeout(), now);
            }
        }
    }

    /** Registers or describes one service (the API's PUT). */
    public void describe(ServiceInfo info) {
        store.upsertInfo(info, now());
    }

    // ---------------------------------------------------------------- inputs

    @Override
    public Applied set(String name, StatusUpdate u) {
        checkName(name);
        if (u == null || u.state() == null) {
            throw new IllegalArgumentException("'state' is missing: use " + ServiceState.names());
        }
        ServiceState state = ServiceState.parse(u.state());
        long now = now();
        Instant time = u.time() == null ? Instant.ofEpochMilli(now) : u.time();
        if (time.toEpochMilli() > now + FUTURE_TOLERANCE.toMillis()) {
            throw new IllegalArgumentException(
                    "'time' " + time + " is in the future (now is " + Instant.ofEpochMilli(now) + ")");
        }
        String source =
                u.source() == null || u.source().isBlank() ? "api" : u.source().strip();
        if (source.length() > 100) {
            throw new IllegalArgumentException("'source' is longer than 100 characters");
        }
        String message = clip(u.message());
        String id = u.id() != null && !u.id().isBlank()
                ? "api:" + u.id().strip()
                : "api:"
                        + sha256(name + "\n" + source + "\n" + time.toEpochMilli() + "\n" + state.wire() + "\n"
                                        + (message == null ? "" : message))
                                .substring(0, 32);
        ServiceStore.Stored stored = store.store(
                new ServiceStore.NewReport(id, name, "status:" + source, time.toEpochMilli(), state, message, source),
                now);
        changed();
        return new Applied(
                name, currentState(name), stored == ServiceStore.Stored.DUPLICATE, stored == ServiceStore.Stored.STALE);
    }

    /** What one Alertmanager notification did. */
    public record AlertResult(int alerts, int applied, int duplicates, int stale, List<Alertmanager.Ignored> ignored) {}

    /** Takes one Alertmanager webhook notification (payload version 4); every alert of a group counts. */
    public AlertResult alertmanager(JsonNode payload) {
        long now = now();
        Alertmanager.Parsed parsed = Alertmanager.parse(payload, alerting, Instant.ofEpochMilli(now));
        int applied = 0;
        int dup = 0;
        int stale = 0;
        for (ServiceStore.NewReport r : parsed.reports()) {
            switch (store.store(r, now)) {
                case APPLIED -> applied++;
                case DUPLICATE -> dup++;
                case STALE -> stale++;
            }
        }
        changed();
        return new AlertResult(
                parsed.reports().size() + parsed.ignored().size(), applied, dup, stale, parsed.ignored());
    }

    @Override
    public Heartbeat heartbeat(String name, Duration timeout, ServiceState onTimeout) {
        checkName(name);
        if (timeout != null && timeout.toSeconds() < 1) {
            throw new IllegalArgumentException("heartbeat timeout: expecting at least 1s");
        }
        if (onTimeout != null && onTimeout.isOperational()) {
            throw new IllegalArgumentException("on timeout: a silent service cannot be 'operational'");
        }
        // What is not given stays as the service has it (a services file's heartbeat, say), else the default.
        Optional<ServiceStore.Row> row = store.service(name);
        long timeoutS = timeout != null
                ? timeout.toSeconds()
                : row.map(ServiceStore.Row::heartbeatTimeoutS).orElse(DEFAULT_HEARTBEAT_TIMEOUT.toSeconds());
        ServiceState on = onTimeout != null
                ? onTimeout
                : row.map(ServiceStore.Row::heartbeatTimeoutState)
                        .map(ServiceState::parse)
                        .orElse(ServiceState.UNKNOWN);
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        String token = "hb_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        store.setHeartbeat(name, sha256(token), timeoutS, on, now());
        return new Heartbeat(name, token, "/api/v1/push/" + token, timeoutS, on);
    }

    /** A heartbeat push: {@code up} (or no status) is operational, {@code down} a major outage. */
    public Applied push(String token, String status, String message) {
        String name = store.serviceForToken(sha256(token == null ? "" : token))
                .orElseThrow(() -> new NotFoundException("unknown heartbeat push token"));
        String s = status == null || status.isBlank() ? "up" : status.strip().toLowerCase(Locale.ROOT);
        ServiceState state = switch (s) {
            case "up", "ok" -> ServiceState.OPERATIONAL;
            case "down" -> ServiceState.MAJOR_OUTAGE;
            default ->
                throw new IllegalArgumentException("status '" + status + "' is not a heartbeat status: use up or down");
        };
        ServiceStore.Stored stored = store.push(name, now(), state, clip(message));
        changed();
        return new Applied(name, currentState(name), stored == ServiceStore.Stored.DUPLICATE, false);
    }

    /**
     * Marks every service whose heartbeat is overdue with its timeout state, dated when the timeout expired.
     * Several servers may run this at once: the report id makes it happen once. Returns how many changed.
     */
    public int checkHeartbeats() {
        long now = now();
        int changed = 0;
        for (ServiceStore.Row row : store.overdueHeartbeats(now)) {
            Optional<ServiceStore.Signal> sig = store.signal(row.name(), "heartbeat");
            if (sig.isPresent() && !sig.get().state().isOperational()) {
                continue;
            }
            boolean neverPushed = row.lastHeartbeatMs() == null;
            long silentSince = neverPushed ? row.heartbeatSinceMs() : row.lastHeartbeatMs();
            long at = silentSince + row.heartbeatTimeoutS() * 1000;
            ServiceState state =
                    ServiceState.parse(row.heartbeatTimeoutState() == null ? "unknown" : row.heartbeatTimeoutState());
            String message = neverPushed
                    ? "no heartbeat received since " + Instant.ofEpochMilli(silentSince) + " (never pushed"
                            + (row.hasPushToken()
                                    ? ")"
                                    : "; no push URL yet: 'jobscope services heartbeat " + row.name() + "' makes one)")
                    : "no heartbeat for " + row.heartbeatTimeoutS() + "s (last push "
                            + Instant.ofEpochMilli(silentSince) + ")";
            ServiceStore.Stored s = store.store(
                    new ServiceStore.NewReport(
                            "hb-timeout:" + row.name() + ":" + (neverPushed ? "never:" : "") + silentSince,
                            row.name(),
                            "heartbeat",
                            at,
                            state,
                            message,
                            "heartbeat"),
                    now);
            if (s == ServiceStore.Stored.APPLIED) {
                changed++;
            }
        }
        if (changed > 0) {
            changed();
        }
        return changed;
    }

    // ---------------------------------------------------------------- reads

    /** Everything the board needs, read once. */
    private final class Snapshot {
        final long now = now();
        final List<ServiceStore.Row> rows = store.services();
        final Map<String, Map<String, List<String>>> requirements = store.requirements();
        final Map<String, List<ServiceStore.Signal>> signals = new HashMap<>();
        final List<Maintenance> windows = store.maintenance(null, true);

        Snapshot() {
            for (ServiceStore.Signal s : store.signals()) {
                signals.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s);
            }
        }

        List<Timeline.Window> windowsOf(String service) {
            List<Timeline.Window> out = new ArrayList<>();
            for (Maintenance m : windows) {
                if (!m.services().contains(service)) {
                    continue;
                }
                long start = m.start().toEpochMilli();
                long end = m.end().toEpochMilli();
                if (m.cancelled() != null) {
                    end = Math.min(end, m.cancelled().toEpochMilli());
                }
                if (end > start) {
                    out.add(new Timeline.Window(m.id(), start, end, m.reason()));
                }
            }
            return out;
        }

        /** Windows of a service that are not cancelled and end after {@code afterMs}. */
        List<Maintenance> upcoming(String service, long afterMs) {
            return windows.stream()
                    .filter(m -> m.cancelled() == null
                            && m.services().contains(service)
                            && m.end().toEpochMilli() > afterMs)
                    .toList();
        }

        Map<String, List<Outage>> outages(Collection<String> services) {
            Map<String, List<Outage>> out = new HashMap<>();
            List<String> missing = new ArrayList<>();
            for (String s : services) {
                Cached c = cache.get(s);
                if (c != null && now - c.computedMs() >= 0 && now - c.computedMs() < CACHE_MS) {
                    out.put(s, c.outages());
                } else {
                    missing.add(s);
                }
            }
            if (!missing.isEmpty()) {
                Map<String, List<Timeline.Report>> reports = store.reports(missing, now);
                for (String s : missing) {
                    List<Outage> list = Timeline.outages(s, reports.getOrDefault(s, List.of()), windowsOf(s), now);
                    cache.put(s, new Cached(list, now));
                    out.put(s, list);
                }
            }
            Map<String, List<Outage>> ordered = new LinkedHashMap<>();
            for (String s : services) {
                ordered.put(s, out.get(s));
            }
            return ordered;
        }

        ServiceView view(ServiceStore.Row row, List<Outage> outages) {
            String name = row.name();
            List<ServiceStore.Signal> sigs = signals.getOrDefault(name, List.of());
            ServiceState signalState = ServiceState.OPERATIONAL;
            String message = null;
            Instant last = null;
            for (ServiceStore.Signal s : sigs) {
                if (s.timeMs() > now) {
                    continue;
                }
                if (s.state().compareTo(signalState) > 0
                        || (s.state() == signalState && !s.state().isOperational())) {
                    signalState = s.state();
                    message = s.message();
                }
                last = last == null || s.timeMs() > last.toEpochMilli() ? Instant.ofEpochMilli(s.timeMs()) : last;
            }
            List<Maintenance> upcoming = upcoming(name, now);
            Optional<Maintenance> active = upcoming.stream()
                    .filter(m -> m.start().toEpochMilli() <= now)
                    .findFirst();
            ServiceState state = active.isPresent() ? ServiceState.MAINTENANCE : signalState;
            if (active.isPresent()) {
                message = active.get().reason();
            }
            Instant since = null;
            if (!state.isOperational() && !outages.isEmpty()) {
                Outage lastOutage = outages.get(outages.size() - 1);
                if (lastOutage.ongoing()) {
                    since = lastOutage.start();
                }
            }
            Map<String, Double> uptime = new LinkedHashMap<>();
            uptime.put("24h", uptime(outages, row.createdMs(), Duration.ofHours(24)));
            uptime.put("7d", uptime(outages, row.createdMs(), Duration.ofDays(7)));
            uptime.put("30d", uptime(outages, row.createdMs(), Duration.ofDays(30)));
            Map<String, List<String>> req = requirements.getOrDefault(name, Map.of());
            HeartbeatSettings hb = row.heartbeatTimeoutS() == null
                    ? null
                    : new HeartbeatSettings(
                            row.heartbeatTimeoutS(),
                            ServiceState.parse(
                                    row.heartbeatTimeoutState() == null ? "unknown" : row.heartbeatTimeoutState()),
                            row.lastHeartbeatMs() == null ? null : Instant.ofEpochMilli(row.lastHeartbeatMs()));
            return new ServiceView(
                    name,
                    row.group(),
                    row.description(),
                    row.url(),
                    state,
                    since,
                    state.isOperational() ? null : message,
                    last,
                    req.getOrDefault("app", List.of()),
                    req.getOrDefault("workflow", List.of()),
                    uptime,
                    hb,
                    upcoming);
        }

        private double uptime(List<Outage> outages, long createdMs, Duration window) {
            long from = Math.max(now - window.toMillis(), Math.min(createdMs, firstReport(outages, createdMs)));
            double pct = Timeline.uptimePercent(outages, from, now, now);
            return Math.round(pct * 1000) / 1000.0;
        }

        private long firstReport(List<Outage> outages, long createdMs) {
            return outages.isEmpty()
                    ? createdMs
                    : Math.min(createdMs, outages.get(0).start().toEpochMilli());
        }

        ServiceStore.Row row(String name) {
            return rows.stream()
                    .filter(r -> r.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> unknownService(name, rows));
        }
    }

    private static NotFoundException unknownService(String name, List<ServiceStore.Row> rows) {
        List<String> known = rows.stream().map(ServiceStore.Row::name).toList();
        return new NotFoundException("no service named '" + name + "'"
                + (known.isEmpty()
                        ? " (no services are known yet)"
                        : " (known: " + String.join(", ", known.size() > 20 ? known.subList(0, 20) : known)
                                + (known.size() > 20 ? ", ..." : "") + ")"));
    }

    private ServiceState currentState(String name) {
        Snapshot snap = new Snapshot();
        return snap.view(snap.row(name), List.of()).state();
    }

    @Override
    public List<ServiceView> list() {
        Snapshot snap = new Snapshot();
        Map<String, List<Outage>> outages =
                snap.outages(snap.rows.stream().map(ServiceStore.Row::name).toList());
        List<ServiceView> out = new ArrayList<>();
        for (ServiceStore.Row row : snap.rows) {
            out.add(snap.view(row, outages.get(row.name())));
        }
        return out;
    }

    @Override
    public ServiceHistory history(String name, Instant since) {
        Snapshot snap = new Snapshot();
        ServiceStore.Row row = snap.row(name);
        List<Outage> outages = snap.outages(List.of(name)).get(name);
        Instant from = since == null ? Instant.ofEpochMilli(snap.now).minus(Duration.ofDays(30)) : since;
        Instant to = Instant.ofEpochMilli(snap.now);
        List<Outage> within = new ArrayList<>(
                outages.stream().filter(o -> o.overlaps(from, to)).toList());
        within.sort(Comparator.comparing(Outage::start).reversed());
        return new ServiceHistory(snap.view(row, outages), from, within);
    }

    @Override
    public List<Outage> outagesDuring(Collection<String> services, Instant from, Instant to) {
        if (services.isEmpty()) {
            return List.of();
        }
        Snapshot snap = new Snapshot();
        List<Outage> out = new ArrayList<>();
        for (List<Outage> list : snap.outages(new LinkedHashSet<>(services)).values()) {
            for (Outage o : list) {
                if (o.overlaps(from, to)) {
                    out.add(o);
                }
            }
        }
        out.sort(Comparator.comparing(Outage::start).thenComparing(Outage::service));
        return out;
    }

    /** All known service names. */
    public List<String> names() {
        return store.services().stream().map(ServiceStore.Row::name).toList();
    }

    @Override
    public List<String> requiredBy(String app, String workflow) {
        Set<String> out = new TreeSet<>();
        if (app != null) {
            out.addAll(store.requiredBy("app", app));
        }
        if (workflow != null) {
            out.addAll(store.requiredBy("workflow", workflow));
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- maintenance

    @Override
    public Maintenance addMaintenance(List<String> services, Instant start, Instant end, String reason) {
        if (services == null || services.isEmpty()) {
            throw new IllegalArgumentException("a maintenance window needs at least one service");
        }
        if (start == null || end == null) {
            throw new IllegalArgumentException("a maintenance window needs a start and an end");
        }
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("maintenance end " + end + " is not after its start " + start);
        }
        List<ServiceStore.Row> rows = store.services();
        Set<String> known =
                new HashSet<>(rows.stream().map(ServiceStore.Row::name).toList());
        for (String s : services) {
            checkName(s);
            if (!known.contains(s)) {
                throw unknownService(s, rows);
            }
        }
        Maintenance m = new Maintenance(
                newId("m"),
                List.copyOf(new LinkedHashSet<>(services)),
                start,
                end,
                clip(reason),
                Instant.ofEpochMilli(now()),
                null);
        store.addMaintenance(m);
        changed();
        return m;
    }

    @Override
    public List<Maintenance> maintenance(boolean all) {
        return store.maintenance(all ? null : now(), all);
    }

    @Override
    public Maintenance cancelMaintenance(String id) {
        if (!store.cancelMaintenance(id, now())) {
            throw new NotFoundException("no maintenance window with id '" + id + "'");
        }
        changed();
        return store.maintenance(null, true).stream()
                .filter(m -> m.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    // ---------------------------------------------------------------- preflight

    @Override
    public PreflightReport preflight(List<String> require, String app, String workflow, Instant at, Duration duration) {
        Snapshot snap = new Snapshot();
        Instant from = at == null ? Instant.ofEpochMilli(snap.now) : at;
        Duration d = duration == null ? Duration.ZERO : duration;
        if (d.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative");
        }
        Instant until = from.plus(d);
        List<String> names = require == null ? List.of() : require;
        if (names.isEmpty()) {
            if (app == null && workflow == null) {
                throw new IllegalArgumentException("say what to check: --require SERVICES, --app APP or --workflow WF");
            }
            names = requiredBy(app, workflow);
            if (names.isEmpty()) {
                throw new IllegalArgumentException("no service is recorded as required by "
                        + (app != null ? "app '" + app + "'" : "workflow '" + workflow + "'")
                        + ": list it under required_by in the services file, or give --require");
            }
        }
        List<PreflightService> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, List<Outage>> outages = snap.outages(names);
        for (String name : names) {
            ServiceView v = snap.view(snap.row(name), outages.get(name));
            List<Maintenance> overlapping = snap.upcoming(name, snap.now).stream()
                    .filter(m -> m.start().isBefore(until) || m.start().equals(from))
                    .filter(m -> m.end().isAfter(from))
                    .toList();
            ServiceState own = v.state();
            if (own == ServiceState.MAINTENANCE) {
                own = signalState(snap, name);
            }
            boolean ok = own.isOperational() && overlapping.isEmpty();
            if (!own.isOperational()) {
                problems.add(name + " is " + own.wire()
                        + (v.since() == null ? "" : " since " + v.since())
                        + " (until unknown)"
                        + (v.message() == null || v.state() == ServiceState.MAINTENANCE ? "" : ": " + v.message()));
            }
            for (Maintenance m : overlapping) {
                problems.add(name + " has maintenance " + m.id() + " from " + m.start() + " until " + m.end()
                        + (m.reason() == null ? "" : ": " + m.reason()));
            }
            out.add(new PreflightService(name, v.state(), v.since(), v.message(), overlapping, ok));
        }
        return new PreflightReport(problems.isEmpty(), from, until, out, problems, announcements(false));
    }

    private static ServiceState signalState(Snapshot snap, String name) {
        ServiceState s = ServiceState.OPERATIONAL;
        for (ServiceStore.Signal sig : snap.signals.getOrDefault(name, List.of())) {
            if (sig.timeMs() <= snap.now) {
                s = ServiceState.worst(s, sig.state());
            }
        }
        return s;
    }

    // ---------------------------------------------------------------- announcements

    @Override
    public Announcement announce(String text, String severity, Instant until) {
        String t = clip(text);
        if (t == null) {
            throw new IllegalArgumentException("an announcement needs some text");
        }
        String sev = severity == null ? "info" : severity.strip().toLowerCase(Locale.ROOT);
        if (!SEVERITIES.contains(sev)) {
            throw new IllegalArgumentException("severity '" + severity + "' is not one of info, warning, critical");
        }
        Instant now = Instant.ofEpochMilli(now());
        if (until != null && !until.isAfter(now)) {
            throw new IllegalArgumentException("--until " + until + " is not in the future");
        }
        Announcement a = new Announcement(newId("a"), t, sev, now, until, null);
        store.addAnnouncement(a);
        return a;
    }

    @Override
    public List<Announcement> announcements(boolean all) {
        return store.announcements(all ? null : now());
    }

    @Override
    public Announcement expireAnnouncement(String id) {
        if (!store.expireAnnouncement(id, now())) {
            throw new NotFoundException("no announcement with id '" + id + "'");
        }
        return store.announcements(null).stream()
                .filter(a -> a.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    // ---------------------------------------------------------------- correlation

    @Override
    public Impact impact(String name, Instant since, int limit) {
        Snapshot snap = new Snapshot();
        snap.row(name);
        Instant from = since == null ? Instant.ofEpochMilli(snap.now).minus(Duration.ofDays(30)) : since;
        Instant to = Instant.ofEpochMilli(snap.now);
        List<Outage> outages = snap.outages(List.of(name)).get(name).stream()
                .filter(o -> o.overlaps(from, to))
                .toList();
        Map<String, List<String>> req = snap.requirements.getOrDefault(name, Map.of());
        Set<String> apps = new HashSet<>(req.getOrDefault("app", List.of()));
        Set<String> workflows = new HashSet<>(req.getOrDefault("workflow", List.of()));
        Set<String> seen = new HashSet<>();
        List<ImpactedJob> jobs = new ArrayList<>();
        double[] sums = new double[2];
        int[] requiring = new int[1];
        if (!outages.isEmpty()) {
            long first = outages.get(0).start().toEpochMilli();
            Outage lastOutage = outages.get(outages.size() - 1);
            Long last = lastOutage.end() == null ? null : lastOutage.end().toEpochMilli();
            long[] starts =
                    outages.stream().mapToLong(o -> o.start().toEpochMilli()).toArray();
            store.failedJobsDuring(first, last, j -> {
                long jobEnd = j.endMs() == null ? snap.now : j.endMs();
                if (!duringAny(outages, starts, j.startMs(), jobEnd) || !seen.add(j.id())) {
                    return;
                }
                double cpuH = j.cpuS() == null ? 0 : j.cpuS() / 3600.0;
                double wallH = j.durationS() != null ? j.durationS() / 3600.0 : (jobEnd - j.startMs()) / 3_600_000.0;
                sums[0] += cpuH;
                sums[1] += wallH;
                boolean requires = (j.app() != null && apps.contains(j.app()))
                        || (j.workflow() != null && workflows.contains(j.workflow()));
                if (requires) {
                    requiring[0]++;
                }
                if (jobs.size() < limit) {
                    jobs.add(new ImpactedJob(
                            j.id(),
                            j.app(),
                            j.workflow(),
                            j.status(),
                            Instant.ofEpochMilli(j.startMs()),
                            j.endMs() == null ? null : Instant.ofEpochMilli(j.endMs()),
                            round(cpuH),
                            round(wallH),
                            requires));
                }
            });
        }
        return new Impact(name, from, outages.size(), seen.size(), requiring[0], round(sums[0]), round(sums[1]), jobs);
    }

    @Override
    public Correlation correlate(String jobId) {
        ServiceStore.JobRun job =
                store.job(jobId).orElseThrow(() -> new NotFoundException("no job with id '" + jobId + "'"));
        List<String> required = requiredBy(job.app(), job.workflow());
        if (job.startMs() == null) {
            return new Correlation(jobId, null, null, required, List.of());
        }
        Instant start = Instant.ofEpochMilli(job.startMs());
        Instant end = Instant.ofEpochMilli(job.endMs() == null ? now() : Math.max(job.endMs(), job.startMs()));
        return new Correlation(
                jobId, start, job.endMs() == null ? null : end, required, outagesDuring(names(), start, end));
    }

    /** Whether [from, to] meets any of the outages (disjoint, sorted by start; {@code starts} their starts). */
    static boolean duringAny(List<Outage> outages, long[] starts, long from, long to) {
        int i = java.util.Arrays.binarySearch(starts, to);
        // the last outage that starts before the job ends, then earlier ones while they could still reach it
        int idx = i >= 0 ? i : -i - 2;
        Instant f = Instant.ofEpochMilli(from);
        Instant t = Instant.ofEpochMilli(to);
        for (; idx >= 0; idx--) {
            Outage o = outages.get(idx);
            if (o.overlaps(f, t)) {
                return true;
            }
            if (o.end() != null && o.end().toEpochMilli() <= from) {
                return false;
            }
        }
        return false;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String newId(String prefix) {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** This board as failure diagnosis asks it: was a named or a required service out during [from, to]? */
    public io.jobscope.diagnose.OutageLookup outageLookup() {
        return new io.jobscope.diagnose.OutageLookup() {
            @Override
            public java.util.Optional<String> outage(String service, Instant from, Instant to) {
                return outagesDuring(java.util.List.of(service), from, to).stream()
                        .findFirst()
                        .map(ServiceBoard::describe);
            }

            @Override
            public java.util.Optional<String> requiredOutage(String app, String workflow, Instant from, Instant to) {
                List<String> required = requiredBy(app, workflow);
                if (required.isEmpty()) {
                    return java.util.Optional.empty();
                }
                return outagesDuring(required, from, to).stream().findFirst().map(ServiceBoard::describe);
            }
        };
    }

    private static String describe(Outage o) {
        return o.service() + " was "
                + o.worst().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + " from " + o.start() + (o.end() == null ? ", still out" : " to " + o.end())
                + (o.messages().isEmpty() ? "" : " (" + o.messages().get(0).message() + ")");
    }
}
