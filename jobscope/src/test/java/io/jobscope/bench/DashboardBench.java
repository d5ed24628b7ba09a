package io.jobscope.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.IngestEvent;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.DashboardQueries;
import io.jobscope.jobs.JobService;
import io.jobscope.jobs.StatsSummaries;
import io.jobscope.store.Database;
import io.jobscope.web.ApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Benchmark, not a test: fills a SQLite store with N jobs (default 1,000,000) in 200 workflows over 30
 * days, starts the real server on it and prints the server time of every dashboard page and chart
 * endpoint (median and worst of 7 requests after 2 warm-ups). See docs/benchmarks.md.
 *
 * <p>{@code DashboardBench [--jobs N] [--db PATH] [--keep] [--verify]}: an existing store at PATH with the same
 * number of jobs is reused. The pages see the store as of its newest job (a fixed clock). {@code --verify}
 * also compares the statistics summaries with a plain scan for every grouping and window.
 */
public final class DashboardBench {
    private static final String[] APPS = {
        "gen", "sim", "reco", "merge", "skim", "calib", "align", "fit", "plot", "train", "eval", "export"
    };
    private static final String[] SITES = {"leuven", "cern", "desy", "fnal"};
    private static final String[] CPUS = {
        "AMD EPYC 7763 64-Core Processor",
        "Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz",
        "Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz",
        "AMD EPYC 9654 96-Core Processor",
        "Ampere Altra Q80-30"
    };
    private static final int WORKFLOWS = 200;

    public static void main(String[] args) throws Exception {
        int jobs = 1_000_000;
        Path db = Path.of(System.getProperty("java.io.tmpdir"), "jobscope-dashboard-bench.db");
        boolean keep = false;
        boolean verify = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jobs" -> jobs = Integer.parseInt(args[++i]);
                case "--db" -> db = Path.of(args[++i]);
                case "--keep" -> keep = true;
                case "--verify" -> verify = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Instant now = Instant.now();
        try (Database store = Database.open(db.toString())) {
            long have = store.jdbi()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM job")
                            .mapTo(Long.class)
                            .one());
            if (have != jobs) {
                store.close();
                deleteStore(db);
                try (Database fresh = Database.open(db.toString())) {
                    long t = System.nanoTime();
                    generate(fresh, jobs, now);
                    System.out.printf(
                            "generated %,d jobs in %.1f s into %s%n", jobs, (System.nanoTime() - t) / 1e9, db);
                }
            } else {
                System.out.printf("reusing %s (%,d jobs)%n", db, have);
            }
        }
        try (Database store = Database.open(db.toString());
                EventWriter writer = new EventWriter(store)) {
            // The pages see the store as of its newest job, however long ago it was generated.
            long dataEnd = store.jdbi()
                    .withHandle(h -> h.createQuery(
                                    "SELECT MAX(COALESCE(end_time_ms, sort_time_ms)) FROM job WHERE sort_time_ms >= "
                                            + "(SELECT MAX(sort_time_ms) FROM job) - 86400000")
                            .mapTo(Long.class)
                            .one());
            Clock clock = Clock.fixed(Instant.ofEpochMilli(dataEnd + 1000), ZoneOffset.UTC);
            System.out.printf("clock: %s (the newest job's time)%n", clock.instant());
            summaries(store, dataEnd, verify);
            ApiServer server = new ApiServer(
                            ApiServer.Config.loopback(0), new JobService(store), new Ingestor(writer), clock)
                    .start();
            try {
                run(server.port(), jobs);
            } finally {
                server.close();
            }
        }
        if (!keep) {
            deleteStore(db);
        }
    }

    /**
     * Brings the statistics summaries up to date as the server's refresher does in the background (a store
     * made before them has every hour marked), then marks hours as a live store has them: the two newest
     * (jobs still arriving and finishing) and three older ones (late events), so the pages scan those.
     * With {@code verify}, compares the summaries' figures with a plain scan for every grouping and window.
     */
    private static void summaries(Database store, long dataEnd, boolean verify) {
        StatsSummaries summaries = new StatsSummaries(store);
        long t = System.nanoTime();
        int hours = summaries.refresh(0);
        System.out.printf(
                "statistics summaries: %,d marked hour(s) summarised in %.1f s%n",
                hours, (System.nanoTime() - t) / 1e9);
        long hour = dataEnd / 3_600_000L * 3_600_000L;
        List<Long> live = List.of(
                hour, hour - 3_600_000L, hour - 30 * 3_600_000L, hour - 200 * 3_600_000L, hour - 500 * 3_600_000L);
        store.jdbi()
                .useHandle(h -> h.createUpdate("UPDATE job_stats_mark SET changes = changes + 1 WHERE hour_ms IN (<h>)")
                        .bindList("h", live)
                        .execute());
        System.out.printf(
                "marked as a live store has them: %d hours (%,d marked now)%n", live.size(), summaries.markedHours());
        if (!verify) {
            return;
        }
        int same = 0;
        int all = 0;
        double fastMs = 0;
        double scanMs = 0;
        for (String by : StatsSummaries.GROUPINGS) {
            for (Long back : Arrays.asList(3_600_000L, 86_400_000L, 7 * 86_400_000L, 30 * 86_400_000L, null)) {
                Long since = back == null ? null : dataEnd + 1000 - back;
                long t0 = System.nanoTime();
                Map<String, StatsSummaries.Figures> fast = summaries.figures(by, since);
                long t1 = System.nanoTime();
                Map<String, StatsSummaries.Figures> scan = summaries.scanned(by, since);
                long t2 = System.nanoTime();
                fastMs += (t1 - t0) / 1e6;
                scanMs += (t2 - t1) / 1e6;
                all++;
                if (sameFigures(fast, scan)) {
                    same++;
                } else {
                    System.out.printf("DIFFERENT: by %s since %s%n", by, since);
                }
            }
        }
        System.out.printf(
                "verify: summaries = scan for %d of %d groupings x windows (in-process: %.0f ms summaries, %.0f ms scans)%n",
                same, all, fastMs, scanMs);
        DashboardQueries q = new DashboardQueries(store, Clock.fixed(Instant.ofEpochMilli(dataEnd), ZoneOffset.UTC));
        int pagesSame = 0;
        int pages = 0;
        for (String sort : List.of("longest", "memory")) {
            String column = sort.equals("longest") ? "duration_s" : "mem_peak_bytes";
            for (String app : Arrays.asList(null, "sim")) {
                for (int page : new int[] {1, 20, 100}) {
                    List<String> listed = q
                            .jobs(new DashboardQueries.JobFilter(
                                    null, app, null, null, null, null, null, sort, page, 50))
                            .rows()
                            .stream()
                            .map(DashboardQueries.JobLine::id)
                            .toList();
                    List<String> plain = store.jdbi()
                            .withHandle(h -> h.createQuery("SELECT id FROM job WHERE " + column + " IS NOT NULL"
                                            + (app == null ? "" : " AND app = '" + app + "'") + " ORDER BY " + column
                                            + " DESC, id DESC LIMIT 50 OFFSET " + (page - 1) * 50)
                                    .mapTo(String.class)
                                    .list());
                    pages++;
                    if (listed.equals(plain)) {
                        pagesSame++;
                    } else {
                        System.out.printf("DIFFERENT: %s%s page %d%n", sort, app == null ? "" : " app " + app, page);
                    }
                }
            }
        }
        System.out.printf(
                "verify: jobs pages by duration and memory (all, app sim; pages 1, 20, 100) = plain sort for %d of %d%n",
                pagesSame, pages);
    }

    private static boolean sameFigures(Map<String, StatsSummaries.Figures> a, Map<String, StatsSummaries.Figures> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, StatsSummaries.Figures> e : a.entrySet()) {
            StatsSummaries.Figures x = e.getValue();
            StatsSummaries.Figures y = b.get(e.getKey());
            if (x.jobs() != y.jobs()
                    || x.success() != y.success()
                    || x.failed() != y.failed()
                    || x.withDuration() != y.withDuration()
                    || x.withCpu() != y.withCpu()
                    || x.withEfficiency() != y.withEfficiency()
                    || !close(x.wallS(), y.wallS())
                    || !close(x.cpuS(), y.cpuS())
                    || !close(x.effCpuS(), y.effCpuS())
                    || !close(x.effWallS(), y.effWallS())) {
                return false;
            }
        }
        return true;
    }

    private static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    }

    private static void deleteStore(Path db) throws Exception {
        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(Path.of(db + suffix));
        }
    }

    /** Writes the jobs straight through the single writer in large batches: one job.finished event each. */
    static void generate(Database db, int jobs, Instant now) {
        Random rnd = new Random(42);
        long end = now.toEpochMilli();
        long start = end - 30L * 86_400_000L;
        int perWorkflow = Math.max(1, jobs / WORKFLOWS);
        try (EventWriter writer = new EventWriter(db, 100_000)) {
            List<IngestEvent> batch = new ArrayList<>(50_000);
            for (int w = 0; w < WORKFLOWS; w++) {
                long wfStart = start + (long) w * (end - start) / WORKFLOWS;
                ObjectNode f = Event.workflow(Event.WORKFLOW_STARTED, "wf-" + w, Instant.ofEpochMilli(wfStart))
                        .put("name", "campaign-" + w)
                        .put("user", "user" + (w % 7))
                        .toJson();
                batch.add(event(f, wfStart, null, "wf-" + w));
            }
            for (int i = 0; i < jobs; i++) {
                int w = Math.min(WORKFLOWS - 1, i / perWorkflow);
                int k = i - w * perWorkflow;
                long wfStart = start + (long) w * (end - start) / WORKFLOWS;
                long wfSpan = (end - start) / WORKFLOWS;
                String app = APPS[(k * 7 + w) % APPS.length];
                long s = wfStart + (long) (rnd.nextDouble() * wfSpan * 0.9);
                double wall = 30 + rnd.nextDouble() * 3600;
                long e = s + (long) (wall * 1000);
                int cores = 1 << rnd.nextInt(4);
                boolean running = e > end;
                boolean failed = !running && rnd.nextInt(100) < 5;
                String id = "job-" + i;
                Event ev = Event.job(
                                running ? Event.JOB_STARTED : Event.JOB_FINISHED,
                                id,
                                Instant.ofEpochMilli(running ? s : e))
                        .put("workflow", "wf-" + w)
                        .put("app", app)
                        .put("host", String.format("cn%04d", rnd.nextInt(500)))
                        .put("site", SITES[rnd.nextInt(SITES.length)])
                        .put("attributes", Map.of("cpu_model", CPUS[rnd.nextInt(CPUS.length)], "cores", cores))
                        .put("depends_on", k > 0 && k % 3 != 0 ? List.of("job-" + (i - 1)) : null);
                if (!running) {
                    ev.put("start_time", Instant.ofEpochMilli(s).toString())
                            .put("status", failed ? "failed" : "success")
                            .put("exit_code", failed ? 1 : 0)
                            .put("cpu_user_s", wall * cores * (0.3 + 0.65 * rnd.nextDouble()))
                            .put("cpu_system_s", wall * 0.02)
                            .put("mem_peak_bytes", (long) (rnd.nextDouble() * 8e9));
                    if (failed) {
                        ev.put(
                                "stderr_tail",
                                "Traceback (most recent call last):\n  File \"run.py\", line 88, in <module>\n"
                                        + "OSError: [Errno 5] Input/output error: '/scratch/" + id + "/out.root'\n");
                    }
                }
                ObjectNode node = ev.toJson();
                batch.add(event(node, running ? s : e, id, "wf-" + w));
                if (w == 0 && !running) {
                    for (int t = 0; t < 6; t++) {
                        long ts = s + (long) (t * wall * 1000 / 6);
                        batch.add(event(
                                Event.job(Event.JOB_SAMPLE, id, Instant.ofEpochMilli(ts))
                                        .put("cpu_percent", 100.0 * cores * rnd.nextDouble())
                                        .put("rss_bytes", (long) (rnd.nextDouble() * 4e9))
                                        .toJson(),
                                ts,
                                id,
                                null));
                    }
                }
                if (batch.size() >= 50_000) {
                    writer.write(batch);
                    batch = new ArrayList<>(50_000);
                }
            }
            writer.write(batch);
        }
    }

    private static IngestEvent event(ObjectNode node, long timeMs, String job, String workflow) {
        return new IngestEvent(
                node.get("id").asText(), node.get("type").asText(), timeMs, job, workflow, node, node.toString());
    }

    private static void run(int port, int jobs) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("overview", "/");
        pages.put("overview live fragment (every 3 s)", "/fragments/overview");
        pages.put("throughput chart JSON", "/api/v1/dashboard/throughput");
        pages.put("workflows", "/workflows");
        pages.put("workflows, text filter", "/workflows?q=campaign-19");
        pages.put("workflows, page 3", "/workflows?page=3");
        pages.put("workflow (" + jobs / WORKFLOWS + " jobs)", "/workflows/wf-100");
        pages.put("workflow timeline JSON", "/api/v1/dashboard/workflows/wf-100/timeline");
        pages.put("workflow DAG JSON", "/api/v1/dashboard/workflows/wf-100/dag");
        pages.put("workflow resources JSON (samples)", "/api/v1/dashboard/workflows/wf-0/resources");
        pages.put("jobs", "/jobs");
        pages.put("jobs, status=failed", "/jobs?status=failed");
        pages.put("jobs, app + sort longest", "/jobs?app=sim&sort=longest");
        pages.put("jobs, sort memory, page 20", "/jobs?sort=memory&page=20");
        pages.put("jobs, sort longest, page 20", "/jobs?sort=longest&page=20");
        pages.put("jobs, host filter", "/jobs?host=cn0042");
        pages.put("jobs, workflow + since", "/jobs?workflow=wf-150&since=2000-01-01");
        pages.put("job", "/jobs/job-" + (jobs / 2));
        pages.put("stats by app (24 h, default)", "/stats");
        for (String by : List.of("app", "site", "host", "cpu_model", "hour", "workflow")) {
            for (String window : List.of("1h", "24h", "7d", "30d", "all")) {
                pages.put("stats by " + by + ", " + window, "/stats?by=" + by + "&window=" + window);
            }
        }

        String cpu = cpuModel();
        System.out.printf("%nDashboard server time on a SQLite store of %,d jobs%n", jobs);
        System.out.printf(
                "machine: %d cores (nproc), %s, Java %s%n%n",
                Runtime.getRuntime().availableProcessors(), cpu, System.getProperty("java.version"));
        System.out.printf("load average at start: %s%n%n", loadAverage());
        System.out.printf("| %-38s | %-52s | %9s | %9s | %6s |%n", "page", "URL", "median ms", "max ms", "status");
        System.out.printf(
                "|%s|%s|%s|%s|%s|%n", "-".repeat(40), "-".repeat(54), "-".repeat(11), "-".repeat(11), "-".repeat(8));
        for (Map.Entry<String, String> p : pages.entrySet()) {
            URI uri = URI.create("http://127.0.0.1:" + port + p.getValue());
            int status = 0;
            for (int i = 0; i < 2; i++) {
                status = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode();
            }
            // Pages slower than a second are timed three times, not seven: the figure is clear by then.
            long probe = System.nanoTime();
            http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            double[] ms = new double[System.nanoTime() - probe > 1_000_000_000L ? 3 : 7];
            for (int i = 0; i < ms.length; i++) {
                long t = System.nanoTime();
                status = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray())
                        .statusCode();
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf(
                    "| %-38s | %-52s | %9.1f | %9.1f | %6d |%n",
                    p.getKey(), p.getValue(), ms[ms.length / 2], ms[ms.length - 1], status);
        }
        System.out.printf("%nload average at end: %s%n", loadAverage());
    }

    static String loadAverage() {
        try {
            return String.join(
                    " ",
                    Arrays.asList(Files.readString(Path.of("/proc/loadavg")).split(" "))
                            .subList(0, 3));
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
