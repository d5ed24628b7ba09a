package io.jobscope.services;

import io.jobscope.services.ServicesApi.Announcement;
import io.jobscope.services.ServicesApi.Maintenance;
import io.jobscope.services.ServicesApi.ServiceInfo;
import io.jobscope.store.Database;
import io.jobscope.store.Rows;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** All the SQL of the services board, portable between SQLite and PostgreSQL. */
final class ServiceStore {
    private final Jdbi jdbi;

    ServiceStore(Database db) {
        this.jdbi = db.jdbi();
    }

    /** A stored service row (without requirements). */
    record Row(
            String name,
            String group,
            String description,
            String url,
            Long heartbeatTimeoutS,
            String heartbeatTimeoutState,
            Long lastHeartbeatMs,
            Long heartbeatSinceMs,
            boolean hasPushToken,
            long createdMs) {}

    /** The newest report of one signal. */
    record Signal(String service, String signal, ServiceState state, String message, String source, long timeMs) {}

    /** One report to store. */
    record NewReport(
            String id, String service, String signal, long timeMs, ServiceState state, String message, String source) {}

    /** What storing a report did. */
    enum Stored {
        APPLIED,
        STALE,
        DUPLICATE
    }

    static void register(Handle h, String name, long now) {
        h.createUpdate("INSERT INTO service (name, created_ms, updated_ms) VALUES (:n, :t, :t)"
                        + " ON CONFLICT (name) DO NOTHING")
                .bind("n", name)
                .bind("t", now)
                .execute();
    }

    void upsertInfo(ServiceInfo info, long now) {
        jdbi.useTransaction(h -> {
            register(h, info.name(), now);
            h.createUpdate("UPDATE service SET group_name = :g, description = :d, url = :u, updated_ms = :t"
                            + " WHERE name = :n")
                    .bind("n", info.name())
                    .bind("g", info.group())
                    .bind("d", info.description())
                    .bind("u", info.url())
                    .bind("t", now)
                    .execute();
            h.createUpdate("DELETE FROM service_requirement WHERE service = :n")
                    .bind("n", info.name())
                    .execute();
            for (String app : info.apps()) {
                requirement(h, info.name(), "app", app);
            }
            for (String wf : info.workflows()) {
                requirement(h, info.name(), "workflow", wf);
            }
        });
    }

    private static void requirement(Handle h, String service, String kind, String name) {
        h.createUpdate("INSERT INTO service_requirement (service, kind, name) VALUES (:s, :k, :n)"
                        + " ON CONFLICT (service, kind, name) DO NOTHING")
                .bind("s", service)
                .bind("k", kind)
                .bind("n", name)
                .execute();
    }

    /** Stores a report; it becomes its signal's current state unless that signal has a newer one. */
    Stored store(NewReport r, long now) {
        return jdbi.inTransaction(h -> store(h, r, now));
    }

    static Stored store(Handle h, NewReport r, long now) {
        register(h, r.service(), now);
        int inserted = h.createUpdate(
                        "INSERT INTO service_status_event (id, service, signal, time_ms, state, message, source,"
                                + " received_ms) VALUES (:id, :service, :signal, :time, :state, :message, :source, :now)"
                                + " ON CONFLICT (id) DO NOTHING")
                .bind("id", r.id())
                .bind("service", r.service())
                .bind("signal", r.signal())
                .bind("time", r.timeMs())
                .bind("state", r.state().wire())
                .bind("message", r.message())
                .bind("source", r.source())
                .bind("now", now)
                .execute();
        if (inserted == 0) {
            return Stored.DUPLICATE;
        }
        int current = h.createUpdate("INSERT INTO service_signal (service, signal, state, message, source, time_ms)"
                        + " VALUES (:service, :signal, :state, :message, :source, :time)"
                        + " ON CONFLICT (service, signal) DO UPDATE SET state = excluded.state,"
                        + " message = excluded.message, source = excluded.source, time_ms = excluded.time_ms"
                        + " WHERE service_signal.time_ms <= excluded.time_ms")
                .bind("service", r.service())
                .bind("signal", r.signal())
                .bind("state", r.state().wire())
                .bind("message", r.message())
                .bind("source", r.source())
                .bind("time", r.timeMs())
                .execute();
        return current == 0 ? Stored.STALE : Stored.APPLIED;
    }

    List<Row> services() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM service ORDER BY group_name, name")
                .map((rs, ctx) -> row(rs))
                .list());
    }

    Optional<Row> service(String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM service WHERE name = :n")
                .bind("n", name)
                .map((rs, ctx) -> row(rs))
                .findOne());
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(
                rs.getString("name"),
                rs.getString("group_name"),
                rs.getString("description"),
                rs.getString("url"),
                Rows.longOrNull(rs, "heartbeat_timeout_s"),
                rs.getString("heartbeat_timeout_state"),
                Rows.longOrNull(rs, "last_heartbeat_ms"),
                Rows.longOrNull(rs, "heartbeat_since_ms"),
                rs.getString("heartbeat_token_sha256") != null,
                rs.getLong("created_ms"));
    }

    /** Requirements of every service: name → kind → names. */
    Map<String, Map<String, List<String>>> requirements() {
        Map<String, Map<String, List<String>>> out = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT service, kind, name FROM service_requirement ORDER BY name")
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                .forEach(r -> out.computeIfAbsent(r[0], k -> new HashMap<>())
                        .computeIfAbsent(r[1], k -> new ArrayList<>())
                        .add(r[2])));
        return out;
    }

    List<String> requiredBy(String kind, String name) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT DISTINCT service FROM service_requirement WHERE kind = :k AND name = :n ORDER BY service")
                .bind("k", kind)
                .bind("n", name)
                .mapTo(String.class)
                .list());
    }

    List<Signal> signals() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT service, signal, state, message, source, time_ms FROM service_signal ORDER BY time_ms")
                .map((rs, ctx) -> new Signal(
                        rs.getString(1),
                        rs.getString(2),
                        ServiceState.parse(rs.getString(3)),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getLong(6)))
                .list());
    }

    Optional<Signal> signal(String service, String signal) {
        return jdbi.withHandle(h -> h.createQuery("SELECT service, signal, state, message, source, time_ms"
                        + " FROM service_signal WHERE service = :s AND signal = :g")
                .bind("s", service)
                .bind("g", signal)
                .map((rs, ctx) -> new Signal(
                        rs.getString(1),
                        rs.getString(2),
                        ServiceState.parse(rs.getString(3)),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getLong(6)))
                .findOne());
    }

    /** Every report about the given services up to {@code untilMs}, per service in replay order. */
    Map<String, List<Timeline.Report>> reports(Collection<String> services, long untilMs) {
        Map<String, List<Timeline.Report>> out = new LinkedHashMap<>();
        if (services.isEmpty()) {
            return out;
        }
        jdbi.useHandle(h -> h.createQuery("SELECT service, signal, time_ms, state, message, source"
                        + " FROM service_status_event WHERE service IN (<services>) AND time_ms <= :until"
                        + " ORDER BY service, time_ms, received_ms, id")
                .bindList("services", List.copyOf(services))
                .bind("until", untilMs)
                .map((rs, ctx) -> new Object[] {
                    rs.getString(1),
                    new Timeline.Report(
                            rs.getString(2),
                            rs.getLong(3),
                            ServiceState.parse(rs.getString(4)),
                            rs.getString(5),
                            rs.getString(6))
                })
                .forEach(r -> out.computeIfAbsent((String) r[0], k -> new ArrayList<>())
                        .add((Timeline.Report) r[1])));
        return out;
    }

    // --- heartbeats

    void setHeartbeat(String service, String tokenSha256, long timeoutS, ServiceState onTimeout, long now) {
        jdbi.useTransaction(h -> {
            register(h, service, now);
            h.createUpdate("UPDATE service SET heartbeat_token_sha256 = :h, heartbeat_timeout_s = :t,"
                            + " heartbeat_timeout_state = :s, heartbeat_since_ms = COALESCE(heartbeat_since_ms, :now),"
                            + " updated_ms = :now WHERE name = :n")
                    .bind("h", tokenSha256)
                    .bind("t", timeoutS)
                    .bind("s", onTimeout.wire())
                    .bind("now", now)
                    .bind("n", service)
                    .execute();
        });
    }

    void setHeartbeatTimeout(String service, long timeoutS, ServiceState onTimeout, long now) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE service SET heartbeat_timeout_s = :t, heartbeat_timeout_state = :s,"
                        + " heartbeat_since_ms = COALESCE(heartbeat_since_ms, :now) WHERE name = :n")
                .bind("t", timeoutS)
                .bind("s", onTimeout.wire())
                .bind("now", now)
                .bind("n", service)
                .execute());
    }

    Optional<String> serviceForToken(String tokenSha256) {
        return jdbi.withHandle(h -> h.createQuery("SELECT name FROM service WHERE heartbeat_token_sha256 = :h")
                .bind("h", tokenSha256)
                .mapTo(String.class)
                .findOne());
    }

    /** Records a push; a report is stored only when it changes what the heartbeat signal says. */
    Stored push(String service, long now, ServiceState state, String message) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("UPDATE service SET last_heartbeat_ms = :now WHERE name = :n"
                            + " AND (last_heartbeat_ms IS NULL OR last_heartbeat_ms < :now)")
                    .bind("now", now)
                    .bind("n", service)
                    .execute();
            Optional<String> current = h.createQuery(
                            "SELECT state FROM service_signal WHERE service = :n AND signal = 'heartbeat'")
                    .bind("n", service)
                    .mapTo(String.class)
                    .findOne();
            boolean unchanged = current.map(s -> s.equals(state.wire())).orElse(state.isOperational());
            if (unchanged) {
                return Stored.DUPLICATE;
            }
            return store(
                    h,
                    new NewReport(
                            "hb:" + service + ":" + now + ":" + state.wire(),
                            service,
                            "heartbeat",
                            now,
                            state,
                            message,
                            "heartbeat"),
                    now);
        });
    }

    /** Services whose heartbeat is overdue at {@code now}: silent since their last push, or since set up. */
    List<Row> overdueHeartbeats(long now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM service WHERE heartbeat_timeout_s IS NOT NULL"
                        + " AND COALESCE(last_heartbeat_ms, heartbeat_since_ms) + heartbeat_timeout_s * 1000 < :now")
                .bind("now", now)
                .map((rs, ctx) -> row(rs))
                .list());
    }

    // --- maintenance

    void addMaintenance(Maintenance m) {
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO maintenance (id, reason, start_ms, end_ms, created_ms)"
                            + " VALUES (:id, :r, :s, :e, :c)")
                    .bind("id", m.id())
                    .bind("r", m.reason())
                    .bind("s", m.start().toEpochMilli())
                    .bind("e", m.end().toEpochMilli())
                    .bind("c", m.created().toEpochMilli())
                    .execute();
            for (String s : m.services()) {
                register(h, s, m.created().toEpochMilli());
                h.createUpdate("INSERT INTO maintenance_service (maintenance_id, service) VALUES (:id, :s)"
                                + " ON CONFLICT (maintenance_id, service) DO NOTHING")
                        .bind("id", m.id())
                        .bind("s", s)
                        .execute();
            }
        });
    }

    /** Windows that end after {@code afterMs} (all when null), oldest start first. */
    List<Maintenance> maintenance(Long afterMs, boolean includeCancelled) {
        Map<String, Maintenance> byId = new LinkedHashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT m.id, m.reason, m.start_ms, m.end_ms, m.created_ms, m.cancelled_ms,"
                        + " s.service FROM maintenance m JOIN maintenance_service s ON s.maintenance_id = m.id"
                        + " WHERE " + (afterMs == null ? "1 = 1" : "m.end_ms > " + afterMs)
                        + (includeCancelled ? "" : " AND m.cancelled_ms IS NULL")
                        + " ORDER BY m.start_ms, m.id, s.service")
                .map((rs, ctx) -> new Object[] {
                    new Maintenance(
                            rs.getString(1),
                            List.of(),
                            Instant.ofEpochMilli(rs.getLong(3)),
                            Instant.ofEpochMilli(rs.getLong(4)),
                            rs.getString(2),
                            Instant.ofEpochMilli(rs.getLong(5)),
                            instant(Rows.longOrNull(rs, "cancelled_ms"))),
                    rs.getString(7)
                })
                .forEach(r -> {
                    Maintenance m = (Maintenance) r[0];
                    Maintenance prev = byId.get(m.id());
                    List<String> names = new ArrayList<>(prev == null ? List.of() : prev.services());
                    names.add((String) r[1]);
                    byId.put(
                            m.id(),
                            new Maintenance(m.id(), names, m.start(), m.end(), m.reason(), m.created(), m.cancelled()));
                }));
        return new ArrayList<>(byId.values());
    }

    /** Sets the cancel time once; false when there is no such window. */
    boolean cancelMaintenance(String id, long now) {
        return jdbi.withHandle(h -> h.createUpdate(
                                "UPDATE maintenance SET cancelled_ms = COALESCE(cancelled_ms, :now) WHERE id = :id")
                        .bind("now", now)
                        .bind("id", id)
                        .execute())
                > 0;
    }

    // --- announcements

    void addAnnouncement(Announcement a) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO announcement (id, text, severity, created_ms, until_ms)"
                        + " VALUES (:id, :t, :s, :c, :u)")
                .bind("id", a.id())
                .bind("t", a.text())
                .bind("s", a.severity())
                .bind("c", a.created().toEpochMilli())
                .bind("u", a.until() == null ? null : a.until().toEpochMilli())
                .execute());
    }

    List<Announcement> announcements(Long activeAtMs) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM announcement"
                        + (activeAtMs == null
                                ? ""
                                : " WHERE expired_ms IS NULL AND (until_ms IS NULL OR until_ms > :now)")
                        + " ORDER BY created_ms DESC, id")
                .bindMap(activeAtMs == null ? Map.of() : Map.of("now", activeAtMs))
                .map((rs, ctx) -> new Announcement(
                        rs.getString("id"),
                        rs.getString("text"),
                        rs.getString("severity"),
                        Instant.ofEpochMilli(rs.getLong("created_ms")),
                        instant(Rows.longOrNull(rs, "until_ms")),
                        instant(Rows.longOrNull(rs, "expired_ms"))))
                .list());
    }

    boolean expireAnnouncement(String id, long now) {
        return jdbi.withHandle(h -> h.createUpdate(
                                "UPDATE announcement SET expired_ms = COALESCE(expired_ms, :now) WHERE id = :id")
                        .bind("now", now)
                        .bind("id", id)
                        .execute())
                > 0;
    }

    // --- jobs (read-only, for correlation)

    /** A job's run as correlation sees it. */
    record JobRun(
            String id,
            String app,
            String workflow,
            String status,
            Long startMs,
            Long endMs,
            Double cpuS,
            Double durationS) {}

    Optional<JobRun> job(String id) {
        return jdbi.withHandle(h -> h.createQuery(JOB_COLUMNS + " WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> jobRun(rs))
                .findOne());
    }

    private static final String JOB_COLUMNS =
            "SELECT id, app, workflow_id, status, start_time_ms, COALESCE(end_time_ms, status_time_ms) AS end_ms,"
                    + " cpu_user_s, cpu_system_s, duration_s FROM job";

    /** Failed jobs whose run shares time with [fromMs, toMs) (toMs null: still going), streamed. */
    void failedJobsDuring(long fromMs, Long toMs, Consumer<JobRun> each) {
        jdbi.useHandle(h -> h.createQuery(JOB_COLUMNS + " WHERE status IN ('failed', 'error', 'timeout')"
                        + " AND start_time_ms IS NOT NULL" + (toMs == null ? "" : " AND start_time_ms < " + toMs)
                        + " AND COALESCE(end_time_ms, status_time_ms) > :from ORDER BY start_time_ms, id")
                .bind("from", fromMs)
                .map((rs, ctx) -> jobRun(rs))
                .forEach(each));
    }

    private static JobRun jobRun(ResultSet rs) throws SQLException {
        Double user = Rows.doubleOrNull(rs, "cpu_user_s");
        Double sys = Rows.doubleOrNull(rs, "cpu_system_s");
        Double cpu = user == null && sys == null ? null : (user == null ? 0 : user) + (sys == null ? 0 : sys);
        return new JobRun(
                rs.getString("id"),
                rs.getString("app"),
                rs.getString("workflow_id"),
                rs.getString("status"),
                Rows.longOrNull(rs, "start_time_ms"),
                Rows.longOrNull(rs, "end_ms"),
                cpu,
                Rows.doubleOrNull(rs, "duration_s"));
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Instant.ofEpochMilli(ms);
    }
}
