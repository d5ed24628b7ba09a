package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The services commands end to end on a SQLite store: exit codes and what a user reads. */
class ServicesCliTest {
    @TempDir
    Path tmp;

    String db;
    String out;
    String err;

    @BeforeEach
    void store() throws Exception {
        db = tmp.resolve("js.db").toString();
        Path file = tmp.resolve("services.yaml");
        Files.writeString(file, """
                services:
                  - name: samweb
                    group: data
                    required_by: {apps: [reco], workflows: [keepup]}
                  - name: dcache
                    group: storage
                    required_by: {apps: [reco]}
                  - name: enstore
                    group: storage
                """);
        assertThat(run("services", "load", file.toString(), "--db", db)).isZero();
    }

    int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o), new PrintWriter(e));
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void preflightExitsZeroWhenEverythingRequiredIsUp() {
        assertThat(run("preflight", "--require", "samweb,dcache", "--db", db)).isZero();
        assertThat(out).contains("READY");
    }

    @Test
    void preflightExitsOneAndSaysWhatIsDown() {
        run("services", "set", "dcache", "major_outage", "--message", "pool offline", "--db", db);
        assertThat(run("preflight", "--app", "reco", "--db", db)).isEqualTo(1);
        assertThat(out).contains("NOT READY").contains("dcache is major_outage").contains("pool offline");
    }

    @Test
    void preflightExitsOneWhenMaintenanceOverlapsTheRunAndSaysUntilWhen() {
        assertThat(run(
                        "services",
                        "maintenance",
                        "add",
                        "--services",
                        "enstore",
                        "--start",
                        "+2h",
                        "--duration",
                        "4h",
                        "--reason",
                        "tape library",
                        "--db",
                        db))
                .isZero();
        assertThat(run("preflight", "--require", "enstore", "--duration", "1h", "--db", db))
                .as("the window starts after the run")
                .isZero();
        assertThat(run("preflight", "--require", "enstore", "--duration", "6h", "--db", db))
                .isEqualTo(1);
        assertThat(out).contains("enstore has maintenance").contains("until").contains("tape library");
    }

    @Test
    void preflightWithAnUnknownServiceOrNothingToCheckExitsTwo() {
        assertThat(run("preflight", "--require", "samwbe", "--db", db)).isEqualTo(2);
        assertThat(err).contains("no service named 'samwbe'").contains("samweb");
        assertThat(run("preflight", "--db", db)).isEqualTo(2);
        assertThat(run("preflight", "--app", "nobody", "--db", db)).isEqualTo(2);
        assertThat(err).contains("no service is recorded as required by app 'nobody'");
    }

    @Test
    void anUnknownServiceNamedThroughAServerIsTheUsersMistakeToo() throws Exception {
        try (io.jobscope.testing.TestServer server = new io.jobscope.testing.TestServer(db)) {
            assertThat(run("preflight", "--require", "samwbe", "--server", server.url()))
                    .as(err)
                    .isEqualTo(2);
            assertThat(err).contains("no service named 'samwbe'");
            assertThat(run("services", "history", "nosuch", "--server", server.url()))
                    .as(err)
                    .isEqualTo(2);
            assertThat(run("announce", "expire", "nosuch", "--server", server.url()))
                    .as(err)
                    .isEqualTo(2);
        }
    }

    @Test
    void announcementIsShownAbovePreflightAndHistory() {
        assertThat(run("announce", "dCache upgrade Tuesday", "--severity", "warning", "--db", db))
                .isZero();
        run("preflight", "--require", "samweb", "--db", db);
        assertThat(out).startsWith("! [WARNING] dCache upgrade Tuesday");
        run("history", "--db", db);
        assertThat(out).startsWith("! [WARNING] dCache upgrade Tuesday");
        assertThat(run("announce", "x", "--severity", "loud", "--db", db)).isEqualTo(2);
    }

    @Test
    void setWithABadStateExitsTwoNamingTheValidStates() {
        assertThat(run("services", "set", "samweb", "broken", "--db", db)).isEqualTo(2);
        assertThat(err).contains("'broken' is not a service state").contains("major_outage");
        assertThat(err.lines().count()).isEqualTo(1);
    }

    @Test
    void historyListsTheOutageWithItsMessages() {
        run("services", "set", "samweb", "degraded", "--message", "slow queries", "--time", "2h", "--db", db);
        run("services", "set", "samweb", "operational", "--message", "index rebuilt", "--time", "1h", "--db", db);
        assertThat(run("services", "history", "samweb", "--db", db)).isZero();
        assertThat(out)
                .contains("Outages since")
                .contains("worst: degraded")
                .contains("slow queries")
                .contains("index rebuilt");
        assertThat(run("services", "--db", db)).isZero();
        assertThat(out).contains("samweb").contains("operational");
    }

    @Test
    void listingsSayWhenEmptyThenShowRowsAndJson() {
        assertThat(run("announce", "list", "--db", db)).isZero();
        assertThat(out.trim()).isEqualTo("No announcements.");
        assertThat(run("services", "maintenance", "list", "--db", db)).isZero();
        assertThat(out.trim()).isEqualTo("No maintenance scheduled.");

        assertThat(run("announce", "dCache upgrade tonight", "--db", db)).isZero();
        assertThat(run("services", "maintenance", "add", "--services", "dcache", "--duration", "2h", "--db", db))
                .isZero();
        assertThat(run("announce", "list", "--db", db)).isZero();
        assertThat(out).contains("dCache upgrade tonight");
        assertThat(run("services", "maintenance", "list", "--db", db)).isZero();
        assertThat(out).startsWith("ID").contains("dcache");
        assertThat(run("announce", "list", "--json", "--db", db)).isZero();
        assertThat(out).contains("\"announcements\"").contains("dCache upgrade tonight");
        assertThat(run("services", "list", "--json", "--db", db)).isZero();
        assertThat(out).contains("\"services\"").contains("samweb");
    }

    @Test
    void heartbeatWithoutOptionsPrintsAPushUrlAndKeepsTheServicesFilesTimeoutAndState() throws Exception {
        Path file = tmp.resolve("heartbeat.yaml");
        Files.writeString(file, """
                services:
                  - name: condor-schedd
                    heartbeat: {timeout: 10m, on_timeout: major_outage}
                """);
        assertThat(run("services", "load", file.toString(), "--db", db)).isZero();

        assertThat(run("services", "heartbeat", "condor-schedd", "--db", db)).isZero();
        assertThat(out.trim()).matches("http://SERVER:8080/api/v1/push/hb_\\S+");
        assertThat(err).contains("at least every 600s, or condor-schedd goes major_outage");
        assertThat(run("services", "list", "--json", "--db", db)).isZero();
        assertThat(out).containsPattern("\"timeout_s\" : 600,\\s+\"on_timeout\" : \"major_outage\"");

        assertThat(run("services", "heartbeat", "condor-schedd", "--on-timeout", "degraded", "--db", db))
                .isZero();
        assertThat(err).contains("at least every 600s, or condor-schedd goes degraded");
    }

    @Test
    void heartbeatRefusesAnOperationalOrUnknownTimeoutStateInOneLine() {
        assertThat(run("services", "heartbeat", "samweb", "--on-timeout", "operational", "--db", db))
                .isEqualTo(2);
        assertThat(err.strip()).doesNotContain("\n").contains("--on-timeout: a silent service cannot be 'operational'");
        assertThat(run("services", "heartbeat", "samweb", "--on-timeout", "down", "--db", db))
                .isEqualTo(2);
        assertThat(err.strip()).doesNotContain("\n").contains("--on-timeout: 'down' is not a service state");
        assertThat(out).isEmpty();
    }
}
