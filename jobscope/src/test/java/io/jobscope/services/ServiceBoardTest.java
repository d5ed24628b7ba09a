package io.jobscope.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.services.ServicesApi.ServiceView;
import io.jobscope.services.ServicesApi.StatusUpdate;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The services board over a real store, on SQLite and PostgreSQL. */
class ServiceBoardTest {
    @TempDir
    Path tmp;

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    final TestClock clock = new TestClock(T0.plus(Duration.ofHours(1)));

    static JsonNode alerts(String status, String... alerts) {
        String body = "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"X\\\"}\",\"status\":\"" + status
                + "\",\"receiver\":\"jobscope\",\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},"
                + "\"externalURL\":\"http://am:9093\",\"alerts\":[" + String.join(",", alerts) + "]}";
        try {
            return Json.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String alert(String status, String fingerprint, String labels, Instant startsAt, Instant endsAt) {
        return "{\"status\":\"" + status + "\",\"labels\":{" + labels
                + "},\"annotations\":{\"summary\":\"pool is down\"},"
                + "\"startsAt\":\"" + startsAt + "\",\"endsAt\":\""
                + (endsAt == null ? "0001-01-01T00:00:00Z" : endsAt.toString())
                + "\",\"generatorURL\":\"http://prom/graph\",\"fingerprint\":\"" + fingerprint + "\"}";
    }

    private ServiceView view(ServiceBoard board, String name) {
        return board.list().stream()
                .filter(v -> v.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void firingAlertSetsTheStateItsSeverityMapsToAndResolvedRestoresIt(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            var fired = board.alertmanager(alerts(
                    "firing",
                    alert(
                            "firing",
                            "f1",
                            "\"alertname\":\"PoolDown\",\"service\":\"dcache\",\"severity\":\"critical\"",
                            T0,
                            null)));
            assertThat(fired.applied()).isEqualTo(1);
            ServiceView v = view(board, "dcache");
            assertThat(v.state()).isEqualTo(ServiceState.MAJOR_OUTAGE);
            assertThat(v.since()).isEqualTo(T0);
            assertThat(v.message()).isEqualTo("PoolDown: pool is down");

            board.alertmanager(alerts(
                    "resolved",
                    alert(
                            "resolved",
                            "f1",
                            "\"alertname\":\"PoolDown\",\"service\":\"dcache\",\"severity\":\"critical\"",
                            T0,
                            T0.plusSeconds(600))));
            assertThat(view(board, "dcache").state()).isEqualTo(ServiceState.OPERATIONAL);
            var history = board.history("dcache", null);
            assertThat(history.outages()).hasSize(1);
            assertThat(history.outages().get(0).durationS()).isEqualTo(600.0);
            assertThat(history.outages().get(0).worst()).isEqualTo(ServiceState.MAJOR_OUTAGE);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void groupedAlertsEachCountAndTheServiceStaysOutUntilTheLastResolves(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            var r = board.alertmanager(alerts(
                    "firing",
                    alert(
                            "firing",
                            "a1",
                            "\"service\":\"samweb\",\"severity\":\"warning\",\"instance\":\"n1\"",
                            T0,
                            null),
                    alert(
                            "firing",
                            "a2",
                            "\"service\":\"samweb\",\"severity\":\"critical\",\"instance\":\"n2\"",
                            T0.plusSeconds(60),
                            null),
                    alert("firing", "a3", "\"service\":\"dcache\",\"severity\":\"warning\"", T0, null)));
            assertThat(r.applied()).isEqualTo(3);
            assertThat(view(board, "samweb").state()).isEqualTo(ServiceState.MAJOR_OUTAGE);
            assertThat(view(board, "dcache").state()).isEqualTo(ServiceState.DEGRADED);

            board.alertmanager(alerts(
                    "resolved",
                    alert(
                            "resolved",
                            "a2",
                            "\"service\":\"samweb\",\"severity\":\"critical\",\"instance\":\"n2\"",
                            T0.plusSeconds(60),
                            T0.plusSeconds(120))));
            assertThat(view(board, "samweb").state())
                    .as("the warning alert is still firing")
                    .isEqualTo(ServiceState.DEGRADED);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void redeliveredNotificationChangesNothing(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            JsonNode firing = alerts(
                    "firing", alert("firing", "f1", "\"service\":\"dcache\",\"severity\":\"critical\"", T0, null));
            JsonNode resolved = alerts(
                    "resolved",
                    alert(
                            "resolved",
                            "f1",
                            "\"service\":\"dcache\",\"severity\":\"critical\"",
                            T0,
                            T0.plusSeconds(60)));
            board.alertmanager(firing);
            board.alertmanager(resolved);
            var again = board.alertmanager(firing);
            assertThat(again.duplicates()).isEqualTo(1);
            assertThat(again.applied()).isZero();
            assertThat(view(board, "dcache").state()).isEqualTo(ServiceState.OPERATIONAL);
            assertThat(board.history("dcache", null).outages()).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void alertWithoutTheServiceLabelIsIgnoredWithAReasonWhileTheOthersApply(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            var r = board.alertmanager(alerts(
                    "firing",
                    alert("firing", "x1", "\"alertname\":\"DiskFull\",\"job\":\"node\"", T0, null),
                    alert(
                            "firing",
                            "x2",
                            "\"service\":\"new-svc\",\"severity\":\"bogus\",\"team\":\"ops\"",
                            T0,
                            null)));
            assertThat(r.applied()).isEqualTo(1);
            assertThat(r.ignored()).singleElement().satisfies(i -> {
                assertThat(i.fingerprint()).isEqualTo("x1");
                assertThat(i.reason()).contains("no 'service' label").contains("alertname, job");
            });
            assertThat(view(board, "new-svc").state())
                    .as("an unknown severity takes the default state, an unknown service is registered")
                    .isEqualTo(ServiceState.DEGRADED);
        }
    }

    @Test
    void payloadOfAnotherVersionOrWithoutAlertsIsRejected() throws Exception {
        try (Database db = Stores.sqlite(tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            assertThatThrownBy(() -> board.alertmanager(Json.mapper().readTree("{\"version\":\"3\",\"alerts\":[]}")))
                    .hasMessageContaining("version '3' is not supported");
            assertThatThrownBy(() -> board.alertmanager(Json.mapper().readTree("{\"status\":\"firing\"}")))
                    .hasMessageContaining("'alerts' is missing");
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void olderUpdateNeverOverridesTheCurrentStateButShowsInHistory(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            board.set("samweb", new StatusUpdate("operational", "all good", "nagios", T0.plusSeconds(300), null));
            var late = board.set("samweb", new StatusUpdate("major_outage", "was down", "nagios", T0, null));
            assertThat(late.stale()).isTrue();
            assertThat(late.state()).isEqualTo(ServiceState.OPERATIONAL);
            var outages = board.history("samweb", null).outages();
            assertThat(outages).singleElement().satisfies(o -> {
                assertThat(o.start()).isEqualTo(T0);
                assertThat(o.end()).isEqualTo(T0.plusSeconds(300));
            });
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void sameStatusReportTwiceIsStoredOnce(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            StatusUpdate u = new StatusUpdate("degraded", "slow", "ops", T0, null);
            assertThat(board.set("fts", u).duplicate()).isFalse();
            assertThat(board.set("fts", u).duplicate()).isTrue();
            assertThat(board.history("fts", null).outages().get(0).messages()).hasSize(1);
        }
    }

    @Test
    void badStatusReportsAreRefusedWithTheReason() {
        try (Database db = Stores.sqlite(tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            assertThatThrownBy(() -> board.set("x", new StatusUpdate("broken", null, null, null, null)))
                    .hasMessageContaining("'broken' is not a service state");
            assertThatThrownBy(() -> board.set("bad name", new StatusUpdate("degraded", null, null, null, null)))
                    .hasMessageContaining("is not a service name");
            assertThatThrownBy(() -> board.set(
                            "x",
                            new StatusUpdate(
                                    "degraded", null, null, clock.instant().plus(Duration.ofHours(1)), null)))
                    .hasMessageContaining("is in the future");
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void silentServiceBecomesUnknownAfterItsHeartbeatTimeoutAndAPushRestoresIt(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            var hb = board.heartbeat("condor", Duration.ofMinutes(5), null);
            board.push(hb.token(), "up", null);
            clock.advance(Duration.ofMinutes(4));
            assertThat(board.checkHeartbeats()).isZero();
            clock.advance(Duration.ofMinutes(2));
            assertThat(board.checkHeartbeats()).isEqualTo(1);
            assertThat(board.checkHeartbeats()).as("checked twice, marked once").isZero();
            ServiceView v = view(board, "condor");
            assertThat(v.state()).isEqualTo(ServiceState.UNKNOWN);
            assertThat(v.since()).isEqualTo(T0.plus(Duration.ofHours(1)).plus(Duration.ofMinutes(5)));

            board.push(hb.token(), null, null);
            assertThat(view(board, "condor").state()).isEqualTo(ServiceState.OPERATIONAL);
            board.push(hb.token(), "down", "schedd not answering");
            assertThat(view(board, "condor").state()).isEqualTo(ServiceState.MAJOR_OUTAGE);
            assertThatThrownBy(() -> board.push("nope", "up", null)).isInstanceOf(NotFoundException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void pushUrlForAHeartbeatDeclaredInTheServicesFileKeepsTheFilesTimeoutAndState(Stores.Kind kind) throws Exception {
        Path f = tmp.resolve("services.yaml");
        java.nio.file.Files.writeString(
                f, "services:\n  - name: condor-schedd\n    heartbeat: {timeout: 10m, on_timeout: major_outage}\n");
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            board.configure(ServicesConfig.load(f));

            var hb = board.heartbeat("condor-schedd", null, null);
            assertThat(hb.timeoutS()).isEqualTo(600);
            assertThat(hb.onTimeout()).isEqualTo(ServiceState.MAJOR_OUTAGE);
            var settings = view(board, "condor-schedd").heartbeat();
            assertThat(settings.timeoutS()).isEqualTo(600);
            assertThat(settings.onTimeout()).isEqualTo(ServiceState.MAJOR_OUTAGE);

            var changed = board.heartbeat("condor-schedd", Duration.ofMinutes(2), null);
            assertThat(changed.timeoutS())
                    .as("a timeout given replaces the file's")
                    .isEqualTo(120);
            assertThat(changed.onTimeout()).isEqualTo(ServiceState.MAJOR_OUTAGE);
            var fresh = board.heartbeat("gridftp", null, null);
            assertThat(fresh.timeoutS())
                    .as("a service without a heartbeat gets the defaults")
                    .isEqualTo(300);
            assertThat(fresh.onTimeout()).isEqualTo(ServiceState.UNKNOWN);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void heartbeatNeverPushedTimesOutSayingSoWithoutCallingItsSetUpTimeAPush(Stores.Kind kind) throws Exception {
        Path f = tmp.resolve("services.yaml");
        java.nio.file.Files.writeString(
                f, "services:\n  - name: condor-schedd\n    heartbeat: {timeout: 5m, on_timeout: major_outage}\n");
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            Instant loaded = clock.instant();
            board.configure(ServicesConfig.load(f));
            assertThat(view(board, "condor-schedd").heartbeat().lastPush()).isNull();
            clock.advance(Duration.ofMinutes(4));
            board.configure(ServicesConfig.load(f)); // a server restart loads the file again
            clock.advance(Duration.ofMinutes(2));

            assertThat(board.checkHeartbeats()).isEqualTo(1);
            ServiceView v = view(board, "condor-schedd");
            assertThat(v.state()).isEqualTo(ServiceState.MAJOR_OUTAGE);
            assertThat(v.since()).isEqualTo(loaded.plus(Duration.ofMinutes(5)));
            assertThat(v.message())
                    .isEqualTo("no heartbeat received since " + loaded
                            + " (never pushed; no push URL yet: 'jobscope services heartbeat condor-schedd' makes one)")
                    .doesNotContain("last push");
            assertThat(v.heartbeat().lastPush()).isNull();

            var hb = board.heartbeat("condor-schedd", null, null);
            board.push(hb.token(), "up", null);
            assertThat(view(board, "condor-schedd").state()).isEqualTo(ServiceState.OPERATIONAL);
            assertThat(view(board, "condor-schedd").heartbeat().lastPush()).isEqualTo(clock.instant());
        }
    }

    @Test
    void heartbeatTimeoutStateIsConfigurable() {
        try (Database db = Stores.sqlite(tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            board.heartbeat("gridftp", Duration.ofSeconds(30), ServiceState.MAJOR_OUTAGE);
            clock.advance(Duration.ofMinutes(1));
            board.checkHeartbeats();
            assertThat(view(board, "gridftp").state()).isEqualTo(ServiceState.MAJOR_OUTAGE);
        }
    }

    @Test
    void heartbeatCheckerSurvivesAFailingStore() throws Exception {
        try (Database db = Stores.sqlite(tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            board.heartbeat("condor", Duration.ofSeconds(1), null);
            clock.advance(Duration.ofMinutes(1));
            db.jdbi().useHandle(h -> h.execute("ALTER TABLE service_signal RENAME TO service_signal_away"));
            try (HeartbeatChecker checker = new HeartbeatChecker(board).start(Duration.ofMillis(20))) {
                waitFor(() -> checker.failures() >= 2);
                db.jdbi().useHandle(h -> h.execute("ALTER TABLE service_signal_away RENAME TO service_signal"));
                long runs = checker.runs();
                waitFor(() -> checker.runs() > runs + 1);
                assertThat(view(board, "condor").state()).isEqualTo(ServiceState.UNKNOWN);
            }
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10s");
            }
            Thread.sleep(10);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void maintenanceInProgressPutsTheServiceInMaintenanceUntilItEndsOrIsCancelled(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            board.set("enstore", new StatusUpdate("operational", null, null, T0, null));
            Instant now = clock.instant();
            var m = board.addMaintenance(
                    List.of("enstore"), now.minusSeconds(60), now.plusSeconds(3600), "tape upgrade");
            ServiceView v = view(board, "enstore");
            assertThat(v.state()).isEqualTo(ServiceState.MAINTENANCE);
            assertThat(v.message()).isEqualTo("tape upgrade");
            assertThat(v.uptimePercent().get("24h")).isEqualTo(100.0);
            board.cancelMaintenance(m.id());
            assertThat(view(board, "enstore").state()).isEqualTo(ServiceState.OPERATIONAL);
            assertThatThrownBy(() -> board.addMaintenance(List.of("enstor"), now, now.plusSeconds(60), null))
                    .hasMessageContaining("no service named 'enstor'");
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void failedJobIsCorrelatedWithTheOutagesDuringItsRunAndImpactCountsItsCpuHours(Stores.Kind kind) {
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            Ingestor ingestor = new Ingestor(writer);
            String lines = String.join(
                    "\n",
                    Event.job(Event.JOB_STARTED, "j1", T0).put("app", "reco").toLine(),
                    Event.job(Event.JOB_FINISHED, "j1", T0.plusSeconds(1800))
                            .put("status", "failed")
                            .put("exit_code", 1)
                            .put("cpu_user_s", 3000.0)
                            .put("cpu_system_s", 600.0)
                            .toLine(),
                    Event.job(Event.JOB_STARTED, "j2", T0.plusSeconds(2000))
                            .put("app", "reco")
                            .toLine(),
                    Event.job(Event.JOB_FINISHED, "j2", T0.plusSeconds(2100))
                            .put("status", "failed")
                            .toLine(),
                    "");
            ingestor.ingest(new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)));
            ServiceBoard board = new ServiceBoard(db, clock);
            board.configure(new ServicesConfig(
                    ServicesConfig.Alerting.defaults(),
                    List.of(new ServicesConfig.Entry(
                            new ServicesApi.ServiceInfo("samweb", "data", null, null, List.of("reco"), List.of()),
                            null,
                            null))));
            board.set("samweb", new StatusUpdate("major_outage", "db down", "ops", T0.plusSeconds(600), null));
            board.set("samweb", new StatusUpdate("operational", null, "ops", T0.plusSeconds(900), null));

            var c = board.correlate("j1");
            assertThat(c.requiredServices()).containsExactly("samweb");
            assertThat(c.outages())
                    .singleElement()
                    .satisfies(o -> assertThat(o.service()).isEqualTo("samweb"));
            assertThat(board.correlate("j2").outages()).isEmpty();
            assertThat(board.outagesDuring(List.of("samweb"), T0, T0.plusSeconds(700)))
                    .hasSize(1);

            var impact = board.impact("samweb", T0.minusSeconds(3600), 50);
            assertThat(impact.failedJobs()).isEqualTo(1);
            assertThat(impact.failedJobsRequiringIt()).isEqualTo(1);
            assertThat(impact.cpuHoursWasted()).isEqualTo(1.0);
            assertThat(impact.jobs()).extracting(ServicesApi.ImpactedJob::id).containsExactly("j1");
        }
    }

    @Test
    void announcementsAreListedUntilTheyExpire() {
        try (Database db = Stores.sqlite(tmp)) {
            ServiceBoard board = new ServiceBoard(db, clock);
            var a = board.announce(
                    "dCache upgrade tonight", "warning", clock.instant().plusSeconds(3600));
            var b = board.announce("new queue", null, null);
            assertThat(board.announcements(false))
                    .extracting(ServicesApi.Announcement::id)
                    .contains(a.id(), b.id());
            board.expireAnnouncement(b.id());
            clock.advance(Duration.ofHours(2));
            assertThat(board.announcements(false)).isEmpty();
            assertThat(board.announcements(true)).hasSize(2);
            assertThatThrownBy(() -> board.announce("x", "urgent", null)).hasMessageContaining("severity 'urgent'");
        }
    }

    @Test
    void servicesFileWithATypoIsRejectedNamingTheKey() throws Exception {
        Path f = tmp.resolve("services.yaml");
        java.nio.file.Files.writeString(f, "services:\n  - name: samweb\n    requird_by: {apps: [reco]}\n");
        assertThatThrownBy(() -> ServicesConfig.load(f))
                .hasMessageContaining("services[0] (samweb): unknown key 'requird_by'");
        java.nio.file.Files.writeString(
                f,
                "alertmanager:\n  service_label: svc\n  severities: {critical: major_outage, warning: degraded}\n"
                        + "services:\n  - name: samweb\n    required_by: {apps: [reco], workflows: [keepup]}\n"
                        + "    heartbeat: {timeout: 5m, on_timeout: major_outage}\n");
        ServicesConfig cfg = ServicesConfig.load(f);
        assertThat(cfg.alerting().serviceLabel()).isEqualTo("svc");
        assertThat(cfg.services().get(0).heartbeatTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(cfg.services().get(0).info().workflows()).containsExactly("keepup");
        assertThat(Map.of()).isEmpty();

        java.nio.file.Files.writeString(
                f, "services:\n  - name: schedd\n    heartbeat: {timeout: 5m, on_timeout: operational}\n");
        assertThatThrownBy(() -> ServicesConfig.load(f))
                .hasMessageEndingWith(
                        "services.yaml: services[0] (schedd).heartbeat.on_timeout: a silent service cannot be 'operational'");
    }
}
