package io.jobscope.bench;

import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.jobs.StatsRefresher;
import io.jobscope.jobs.StatsSummaries;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import io.jobscope.web.ApiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP ingest throughput: N events (half job.started, half job.finished) posted as NDJSON batches by
 * concurrent clients to a real server on loopback, into SQLite and into PostgreSQL. Prints a table.
 *
 * <p>Two shapes of the same events: each batch of job.started followed by the batch of those jobs'
 * job.finished (the writer often has both in one transaction and writes each job's row once), and the
 * job.finished batches sent {@value #LAG} batches later, as jobs that run a while finish (each row written
 * twice: inserted, then updated).
 *
 * <p>Run: {@code scripts/bench ingest [events] [clients] [batch] [sqlite-only|postgres-only]}
 */
public final class IngestBenchmark {
    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        String only = args.length > 3 ? args[3] : "";
        if (!java.util.Set.of("", "sqlite-only", "postgres-only").contains(only)) {
            System.err.println("usage: scripts/bench ingest [events] [clients] [batch] [sqlite-only|postgres-only]");
            System.exit(2);
        }
        boolean pg = !only.equals("sqlite-only");
        Path dir = Files.createTempDirectory("jobscope-bench");
        System.out.printf("generating %,d events in batches of %,d ...%n", events, batch);
        List<byte[]> batches = generate(events, batch);
        List<byte[]> apart = finishedLater(batches, LAG);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"store", "events", "clients", "batch", "wall s", "events/s", "jobs stored", "target"});
        if (!only.equals("postgres-only")) {
            rows.add(run(
                    "SQLite (WAL)",
                    dir.resolve("bench.db").toString(),
                    batches,
                    events,
                    clients,
                    batch,
                    ">= 100,000/s"));
            rows.add(run(
                    "SQLite (WAL), finished " + LAG + " batches later",
                    dir.resolve("apart.db").toString(),
                    apart,
                    events,
                    clients,
                    batch,
                    ">= 100,000/s"));
        }
        if (pg) {
            rows.add(
                    run("PostgreSQL (embedded)", Stores.postgresUrl(), batches, events, clients, batch, ">= 30,000/s"));
            rows.add(run(
                    "PostgreSQL (embedded), finished " + LAG + " batches later",
                    Stores.postgresUrl(),
                    apart,
                    events,
                    clients,
                    batch,
                    ">= 30,000/s"));
        }
        double raw = rawSqlite(dir.resolve("raw.db"), events);
        rows.add(new String[] {
            "raw SQLite, 1 txn, no HTTP (ceiling)",
            String.format("%,d", events),
            "1",
            String.valueOf(events),
            BenchSupport.fmt(raw),
            BenchSupport.fmt(events / raw),
            "-",
            "-"
        });
        BenchSupport.table("HTTP ingest benchmark", rows);
        System.exit(0);
    }

    /** How many batches later the second shape sends a block's job.finished batch. */
    static final int LAG = 40;

    /** The batches of {@link #generate} (started, finished, started, ...) with each finished batch sent later. */
    static List<byte[]> finishedLater(List<byte[]> batches, int lag) {
        List<byte[]> started = new ArrayList<>();
        List<byte[]> finished = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            (i % 2 == 0 ? started : finished).add(batches.get(i));
        }
        List<byte[]> out = new ArrayList<>(batches.size());
        for (int k = 0; k < started.size() + lag; k++) {
            if (k < started.size()) {
                out.add(started.get(k));
            }
            if (k >= lag && k - lag < finished.size()) {
                out.add(finished.get(k - lag));
            }
        }
        return out;
    }

    static List<byte[]> generate(int events, int batch) {
        int jobs = events / 2;
        List<byte[]> out = new ArrayList<>();
        Instant t0 = Instant.parse("2026-11-01T00:00:00Z");
        String[] apps = {"sim", "reco", "merge", "fenicsx", "lammps", "openfoam"};
        String[] sites = {"leuven", "wisconsin", "purdue", "fnal"};
        StringBuilder sb = new StringBuilder(batch * 300);
        int inBatch = 0;
        // Each batch carries started events for a block of jobs, the next one their finished events.
        int block = batch;
        for (int start = 0; start < jobs; start += block) {
            int end = Math.min(jobs, start + block);
            for (int phase = 0; phase < 2; phase++) {
                for (int j = start; j < end; j++) {
                    Instant t = t0.plusSeconds(j);
                    if (phase == 0) {
                        sb.append("{\"id\":\"s-")
                                .append(j)
                                .append("\",\"type\":\"job.started\",\"time\":\"")
                                .append(t)
                                .append("\",\"job\":\"job-")
                                .append(j)
                                .append("\",\"workflow\":\"wf-")
                                .append(j / 10000)
                                .append("\",\"app\":\"")
                                .append(apps[j % apps.length])
                                .append("\",\"script\":\"run.sh\",\"params\":{\"seed\":")
                                .append(j)
                                .append("},\"host\":\"cn")
                                .append(j % 500)
                                .append("\",\"site\":\"")
                                .append(sites[j % sites.length])
                                .append("\",\"client\":\"slot-")
                                .append(j % 64)
                                .append("\"}\n");
                    } else {
                        boolean fail = j % 17 == 0;
                        sb.append("{\"id\":\"f-")
                                .append(j)
                                .append("\",\"type\":\"job.finished\",\"time\":\"")
                                .append(t.plusSeconds(300 + j % 600))
                                .append("\",\"job\":\"job-")
                                .append(j)
                                .append("\",\"status\":\"")
                                .append(fail ? "failed" : "success")
                                .append("\",\"exit_code\":")
                                .append(fail ? 1 : 0)
                                .append(",\"cpu_user_s\":")
                                .append(200 + j % 100)
                                .append(".5,\"cpu_system_s\":3.25,\"mem_peak_bytes\":")
                                .append(500_000_000L + j % 1000 * 1_000_000L)
                                .append("}\n");
                    }
                    if (++inBatch == batch) {
                        out.add(sb.toString().getBytes(StandardCharsets.UTF_8));
                        sb.setLength(0);
                        inBatch = 0;
                    }
                }
            }
        }
        if (inBatch > 0) {
            out.add(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    static String[] run(
            String name, String location, List<byte[]> batches, int events, int clients, int batch, String target)
            throws Exception {
        try (Database db = Database.open(location, 8);
                EventWriter writer = new EventWriter(db);
                // As in 'jobscope server': the statistics summaries' refresher runs beside the writer.
                StatsRefresher refresher =
                        new StatsRefresher(new StatsSummaries(db)).start(java.time.Duration.ofSeconds(5))) {
            ApiServer server = new ApiServer(
                            ApiServer.Config.loopback(0),
                            new JobService(db),
                            new Ingestor(writer, 1 << 20, 64L << 20, 5000),
                            Clock.systemUTC())
                    .start();
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/events");
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            AtomicLong next = new AtomicLong();
            AtomicLong accepted = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long t0 = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                fs.add(pool.submit(() -> {
                    int i;
                    while ((i = (int) next.getAndIncrement()) < batches.size()) {
                        HttpResponse<String> r = http.send(
                                HttpRequest.newBuilder(uri)
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(batches.get(i)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
                        }
                        int a = r.body().indexOf("\"accepted\":");
                        accepted.addAndGet(Long.parseLong(
                                r.body().substring(a + 11, r.body().indexOf(',', a))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            printCpuByThread();
            pool.shutdown();
            server.close();
            long jobs = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM job")
                            .mapTo(Long.class)
                            .one());
            if (accepted.get() != events) {
                throw new IllegalStateException("accepted " + accepted.get() + " of " + events);
            }
            return new String[] {
                name,
                String.format("%,d", events),
                String.valueOf(clients),
                String.valueOf(batch),
                BenchSupport.fmt(secs),
                BenchSupport.fmt(events / secs),
                String.format("%,d", jobs),
                target
            };
        }
    }

    static double rawSqlite(Path file, int rows) throws Exception {
        org.sqlite.SQLiteConfig cfg = new org.sqlite.SQLiteConfig();
        cfg.setJournalMode(org.sqlite.SQLiteConfig.JournalMode.WAL);
        try (Connection c = cfg.createConnection("jdbc:sqlite:" + file)) {
            try (var st = c.createStatement()) {
                st.executeUpdate(
                        "CREATE TABLE t (id TEXT PRIMARY KEY, type TEXT, time_ms BIGINT, job_id TEXT, payload TEXT)");
            }
            c.setAutoCommit(false);
            long t0 = System.nanoTime();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?,?,?,?,?)")) {
                for (int i = 0; i < rows; i++) {
                    ps.setString(1, "e-" + i);
                    ps.setString(2, "job.started");
                    ps.setLong(3, i);
                    ps.setString(4, "job-" + i);
                    ps.setString(5, "{\"id\":\"e-" + i + "\"}");
                    ps.addBatch();
                    if (i % 10000 == 9999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /** CPU per thread group since the JVM started: shows where the time went (the writer is the bottleneck). */
    private static void printCpuByThread() {
        var tm = java.lang.management.ManagementFactory.getThreadMXBean();
        java.util.Map<String, Double> byGroup = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String g = t.getName().replaceAll("[-_]?\\d+$", "");
            byGroup.merge(g, tm.getThreadCpuTime(t.getId()) / 1e9, Double::sum);
        }
        byGroup.forEach((g, c) -> {
            if (c > 0.05) System.out.printf("  cpu %-40s %.2f s%n", g, c);
        });
    }
}
