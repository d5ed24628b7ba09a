package io.jobscope.bench;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServicesApi.StatusUpdate;
import io.jobscope.store.Database;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Benchmark of the services board (not a test): generates services with a month of flapping status reports
 * and a crowd of failed jobs in a SQLite store, then times reporting, the board, one history, preflight,
 * job correlation and a service's impact; prints a table.
 *
 * <pre>
 * ./mvnw -B -q -o package -DskipTests
 * java -cp jobscope/target/test-classes:jobscope/target/jobscope.jar io.jobscope.bench.ServicesBench \
 *     [--services 50] [--reports 2000] [--jobs 20000]
 * </pre>
 */
public final class ServicesBench {
    private ServicesBench() {}

    public static void main(String[] args) throws Exception {
        int services = 50;
        int reports = 2000;
        int jobs = 20_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--services" -> services = Integer.parseInt(args[i + 1]);
                case "--reports" -> reports = Integer.parseInt(args[i + 1]);
                case "--jobs" -> jobs = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path dir = Files.createTempDirectory("jobscope-services-bench");
        Random rnd = new Random(42);
        Instant now = Instant.now();
        List<String[]> rows = new ArrayList<>();
        try (Database db = Database.open(dir.resolve("bench.db").toString());
                EventWriter writer = new EventWriter(db)) {
            ServiceBoard board = new ServiceBoard(db, Clock.systemUTC());
            long t0 = System.nanoTime();
            long step = Duration.ofDays(30).toMillis() / reports;
            for (int s = 0; s < services; s++) {
                for (int r = 0; r < reports; r++) {
                    Instant at = now.minus(Duration.ofDays(30))
                            .plusMillis(r * step + rnd.nextInt((int) Math.max(1, step / 2)));
                    String state = r % 2 == 0 ? (rnd.nextBoolean() ? "degraded" : "major_outage") : "operational";
                    board.set("svc-" + s, new StatusUpdate(state, "report " + r, "bench", at, null));
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            int total = services * reports;
            rows.add(row(
                    "status reports (one per transaction)",
                    total,
                    secs,
                    String.format(Locale.ROOT, "%.0f reports/s", total / secs)));

            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < jobs; j++) {
                Instant start = now.minus(Duration.ofDays(29)).plusSeconds(rnd.nextInt(28 * 86400));
                String id = "bench-" + j;
                sb.append(Event.job(Event.JOB_STARTED, id, start)
                                .put("app", "reco")
                                .toLine())
                        .append('\n');
                sb.append(Event.job(Event.JOB_FINISHED, id, start.plusSeconds(600 + rnd.nextInt(7200)))
                                .put("status", "failed")
                                .put("cpu_user_s", 1000.0)
                                .toLine())
                        .append('\n');
            }
            new Ingestor(writer).ingest(new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));

            rows.add(timed(
                    "board: list, cold (replays every report)",
                    3,
                    () -> new ServiceBoard(db, Clock.systemUTC()).list().size()));
            rows.add(timed(
                    "correlate one failed job, cold",
                    3,
                    () -> new ServiceBoard(db, Clock.systemUTC())
                            .correlate("bench-1")
                            .outages()
                            .size()));
            rows.add(timed(
                    "board: list (" + services + " services, 30-day uptime)",
                    5,
                    () -> board.list().size()));
            rows.add(timed(
                    "history of one service (30 days)",
                    5,
                    () -> board.history("svc-0", null).outages().size()));
            rows.add(timed(
                    "preflight of 5 services",
                    5,
                    () -> board.preflight(
                                    List.of("svc-0", "svc-1", "svc-2", "svc-3", "svc-4"),
                                    null,
                                    null,
                                    null,
                                    Duration.ofHours(6))
                            .services()
                            .size()));
            rows.add(timed(
                    "correlate one failed job (all services)",
                    20,
                    () -> board.correlate("bench-" + rnd.nextInt(1000))
                            .outages()
                            .size()));
            int js = jobs;
            rows.add(timed(
                    "impact of one service (" + js + " failed jobs)",
                    3,
                    () -> board.impact("svc-0", null, 20).failedJobs()));
        }
        String cpu = "unknown";
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name")) {
                cpu = line.substring(line.indexOf(':') + 1).strip();
                break;
            }
        }
        System.out.printf(
                "services bench: %d services x %d reports, %d failed jobs, SQLite at %s%n",
                services, reports, jobs, dir);
        System.out.printf(
                "machine: %d cores (nproc), %s, Java %s%n%n",
                Runtime.getRuntime().availableProcessors(), cpu, Runtime.version());
        System.out.printf("| %-48s | %10s | %12s | %-22s |%n", "operation", "items", "time", "result");
        System.out.printf("|%s|%s|%s|%s|%n", "-".repeat(50), "-".repeat(12), "-".repeat(14), "-".repeat(24));
        for (String[] r : rows) {
            System.out.printf("| %-48s | %10s | %12s | %-22s |%n", (Object[]) r);
        }
    }

    private static String[] row(String what, long items, double secs, String result) {
        return new String[] {what, Long.toString(items), String.format(Locale.ROOT, "%.3f s", secs), result};
    }

    private static String[] timed(String what, int runs, Supplier<Integer> op) {
        List<Double> ms = new ArrayList<>();
        int result = 0;
        op.get(); // warm-up
        for (int i = 0; i < runs; i++) {
            long t = System.nanoTime();
            result = op.get();
            ms.add((System.nanoTime() - t) / 1e6);
        }
        Collections.sort(ms);
        double median = ms.get(ms.size() / 2);
        return new String[] {
            what, Integer.toString(result), String.format(Locale.ROOT, "%.1f ms", median), "median of " + runs
        };
    }
}
