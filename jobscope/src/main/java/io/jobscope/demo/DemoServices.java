package io.jobscope.demo;

import io.jobscope.services.ServicesApi;
import io.jobscope.services.ServicesApi.StatusUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo's services board, fed as a site's monitoring would feed it (status reports over the HTTP API):
 * a services file with what each app needs, 30 days of outages and maintenance, an announcement, and a
 * live dCache outage that one task of the scan runs into.
 */
public final class DemoServices implements AutoCloseable {
    static final String SERVICES_YAML = """
            services:
              - name: cvmfs
                group: software
                description: CernVM-FS software and geometry repositories
                url: http://cvmfs-stratum1.demo:8000/cvmfs/
                required_by: {apps: [gen, sim, reco]}
              - name: dcache
                group: storage
                description: dCache disk pools (dcap and xrootd doors) holding the scan's inputs
                url: https://dcache.demo:2880/
                required_by: {apps: [fit], workflows: [demo-scan]}
              - name: xrootd
                group: storage
                description: EOS xrootd door serving the nightly reconstruction's inputs
                url: root://eos.example.org:1094/
              - name: sam
                group: data
                description: SAM file catalogue
                url: https://samweb.demo:8483/sam/demo/api
                required_by: {apps: [fetch, merge]}
              - name: frontier
                group: data
                description: Conditions database behind Frontier squids
                url: http://frontier.demo:8000/FrontierProd
                required_by: {apps: [reco]}
            """;

    /** A past non-operational stretch of a service. */
    private record Past(String service, Instant start, Duration lasting, String state, String message, String fix) {}

    private final ServicesApi api;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jobscope-demo-services");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, String> open = new ConcurrentHashMap<>();

    public DemoServices(ServicesApi api) {
        this.api = api;
    }

    /** Writes the demo's services file (what {@code jobscope server --services-file} reads) into {@code dir}. */
    public static Path writeServicesFile(Path dir) throws IOException {
        return Files.writeString(dir.resolve("services.yaml"), SERVICES_YAML);
    }

    /** Reports 30 days of service history, schedules maintenance, and announces it. */
    void history(Instant now) {
        Instant today = now.truncatedTo(ChronoUnit.DAYS);
        List<Past> past = new ArrayList<>(List.of(
                new Past(
                        "xrootd",
                        now.minus(Duration.ofHours(11)),
                        Duration.ofMinutes(50),
                        "major_outage",
                        "EOS door eos.example.org:1094 refusing connections",
                        "door restarted"),
                new Past(
                        "xrootd",
                        today.minus(Duration.ofDays(17)).plusSeconds(9 * 3600),
                        Duration.ofHours(2),
                        "degraded",
                        "transfers at a tenth of the usual rate",
                        "network path fixed"),
                new Past(
                        "dcache",
                        today.minus(Duration.ofDays(13)).plusSeconds(14 * 3600),
                        Duration.ofHours(3),
                        "partial_outage",
                        "pool rw-pool-07 offline, its files unreadable",
                        "pool back online"),
                new Past(
                        "dcache",
                        today.minus(Duration.ofDays(4)).plusSeconds(20 * 3600),
                        Duration.ofMinutes(40),
                        "degraded",
                        "slow dcap door",
                        "door load back to normal"),
                new Past(
                        "sam",
                        today.minus(Duration.ofDays(8)).plusSeconds(3 * 3600),
                        Duration.ofMinutes(25),
                        "major_outage",
                        "samweb: database connection pool exhausted",
                        "pool resized"),
                new Past(
                        "frontier",
                        today.minus(Duration.ofDays(2)).plusSeconds(16 * 3600),
                        Duration.ofMinutes(15),
                        "degraded",
                        "squid cache misses, slow conditions lookups",
                        "squids warmed up")));
        past.sort(Comparator.comparing(Past::start));
        Instant first = now.minus(Duration.ofDays(30));
        for (String s : List.of("cvmfs", "dcache", "xrootd", "sam", "frontier")) {
            api.set(s, new StatusUpdate("operational", "monitoring started", "demo-monitoring", first, null));
        }
        for (Past p : past) {
            api.set(p.service(), new StatusUpdate(p.state(), p.message(), "demo-monitoring", p.start(), null));
            api.set(
                    p.service(),
                    new StatusUpdate(
                            "operational", p.fix(), "demo-monitoring", p.start().plus(p.lasting()), null));
        }
        api.addMaintenance(
                List.of("cvmfs"),
                today.minus(Duration.ofDays(20)).plusSeconds(6 * 3600),
                today.minus(Duration.ofDays(20)).plusSeconds(8 * 3600),
                "stratum-1 upgrade");
        Instant tomorrow = today.plus(Duration.ofDays(1));
        api.addMaintenance(
                List.of("dcache"),
                tomorrow.plusSeconds(6 * 3600),
                tomorrow.plusSeconds(8 * 3600),
                "pool firmware upgrade");
        api.announce(
                "Demo: dCache pool firmware upgrade tomorrow 06:00-08:00 UTC; the scan's inputs will be unreadable"
                        + " meanwhile (check with 'jobscope preflight --require dcache').",
                "info",
                null);
    }

    /** Reports {@code service} down now, and back up after {@code lasting} (or when the demo closes). */
    void outage(String service, String message, Duration lasting) {
        api.set(service, new StatusUpdate("major_outage", message, "demo-alertmanager", Instant.now(), null));
        open.put(service, message);
        timer.schedule(() -> recover(service), lasting.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void recover(String service) {
        if (open.remove(service) != null) {
            try {
                api.set(service, new StatusUpdate("operational", "resolved", "demo-alertmanager", Instant.now(), null));
            } catch (RuntimeException e) {
                // the server is going away: nothing left to show
            }
        }
    }

    @Override
    public void close() {
        List.copyOf(open.keySet()).forEach(this::recover);
        timer.shutdownNow();
    }
}
