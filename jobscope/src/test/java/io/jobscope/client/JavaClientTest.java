package io.jobscope.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.ingest.SpoolIngester;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import io.jobscope.web.ApiServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java client library against a real server: the seed's JobMonitor API, done right. */
class JavaClientTest {
    @TempDir
    Path tmp;

    Database db;
    EventWriter writer;
    ApiServer server;
    URI base;

    @BeforeEach
    void start() {
        db = Stores.sqlite(tmp);
        writer = new EventWriter(db);
        server = new ApiServer(
                        ApiServer.Config.loopback(0), new JobService(db), new Ingestor(writer), Clock.systemUTC())
                .start();
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void stop() {
        server.close();
        writer.close();
        db.close();
    }

    @Test
    void startAndStopRecordTheJobWithItsThreadsCpu() {
        JobMonitor monitor = JobMonitor.toServer(base, null, null);
        monitor.start("my-task-123", "fenicsx", "poisson.py", Map.of("mesh_size", 64));
        long x = 0;
        for (int i = 0; i < 50_000_000; i++) {
            x += i % 7;
        }
        monitor.stop("my-task-123", "success", 0, x < 0 ? "impossible" : null);
        monitor.close();

        Job job = new JobscopeClient(base, null).job("my-task-123").orElseThrow();
        assertThat(job.status()).isEqualTo("success");
        assertThat(job.app()).isEqualTo("fenicsx");
        assertThat(job.params()).containsEntry("mesh_size", 64);
        assertThat(job.cpuTotalS()).isGreaterThan(0.0);
        assertThat(job.durationS()).isNotNull();
    }

    @Test
    void anExceptionInATrackedBlockMarksTheJobErrorWithItsMessage() {
        JobMonitor monitor = JobMonitor.toServer(base, null, null);

        assertThatThrownBy(() -> monitor.track("task-456", "lammps", "example.lammps", Map.of(), () -> {
                    throw new IllegalStateException("mesh diverged at step 12");
                }))
                .hasMessage("mesh diverged at step 12");
        try (var t = monitor.track("task-457", "lammps", "example.lammps", Map.of())) {
            t.setStatus("failed", 2, "solver exited with 2");
        }
        assertThatThrownBy(() -> {
                    try (var t = monitor.track("task-458", "lammps", "example.lammps", Map.of())) {
                        divergeAtStep(13);
                        t.success();
                    }
                })
                .hasMessage("mesh diverged at step 13");
        try (var t = monitor.track("task-459", "lammps", "example.lammps", Map.of())) {
            t.success();
        }
        monitor.close();

        JobscopeClient client = new JobscopeClient(base, null);
        assertThat(client.job("task-458").orElseThrow().status())
                .as("an exception out of a try-with-resources block")
                .isEqualTo("error");
        assertThat(client.job("task-459").orElseThrow().status()).isEqualTo("success");
        assertThat(client.job("task-459").orElseThrow().exitCode()).isZero();
        assertThat(client.job("task-459").orElseThrow().host()).isNotBlank();
        Job errored = client.job("task-456").orElseThrow();
        assertThat(errored.status()).isEqualTo("error");
        assertThat(errored.error()).isEqualTo("java.lang.IllegalStateException: mesh diverged at step 12");
        assertThat(client.job("task-457").orElseThrow().exitCode()).isEqualTo(2);
        assertThat(client.stats("app", null, null).failed()).isEqualTo(3);
        assertThat(client.history(JobQuery.latest(10)).jobs()).hasSize(4);
    }

    private static void divergeAtStep(int step) {
        throw new IllegalStateException("mesh diverged at step " + step);
    }

    @Test
    void anUnreachableServerSpoolsEventsAndTheServerIngestsTheSpoolLater() throws Exception {
        Path spool = tmp.resolve("spool");
        JobMonitor offline = JobMonitor.toServer(URI.create("http://127.0.0.1:9"), null, spool);
        offline.start("offline-1", "sim", "run.sh", Map.of());
        offline.stop("offline-1", "success", 0, null);
        offline.close();
        int files = SpoolReporter.pending(spool).size();
        assertThat(files).isPositive();

        try (SpoolIngester ingester = new SpoolIngester(spool, new Ingestor(writer))) {
            assertThat(ingester.pass()).isEqualTo(files);
        }

        assertThat(SpoolReporter.pending(spool)).isEmpty();
        assertThat(new JobService(db).job("offline-1").orElseThrow().status()).isEqualTo("success");
    }

    @Test
    void aSpoolFileWithABadLineKeepsTheLineAndStoresTheRest() throws Exception {
        Path spool = tmp.resolve("spool");
        Files.createDirectories(spool);
        Files.writeString(
                spool.resolve("1-a.ndjson"),
                Event.job(Event.JOB_STARTED, "s1", java.time.Instant.now()).toLine() + "\n{broken\n");

        try (SpoolIngester ingester = new SpoolIngester(spool, new Ingestor(writer))) {
            ingester.pass();
        }

        assertThat(new JobService(db).job("s1")).isPresent();
        assertThat(Files.readString(spool.resolve("rejected/1-a.ndjson.errors")))
                .startsWith("line 2: malformed JSON");
    }

    @Test
    void aSecondRejectedSpoolFileOfTheSameNameIsKeptBesideTheFirst() throws Exception {
        Path spool = tmp.resolve("spool");
        Files.createDirectories(spool);
        try (SpoolIngester ingester = new SpoolIngester(spool, new Ingestor(writer))) {
            Files.writeString(spool.resolve("batch.ndjson"), "{first broken\n");
            ingester.pass();
            Files.writeString(spool.resolve("batch.ndjson"), "{second broken\n");
            ingester.pass();
        }

        assertThat(Files.readString(spool.resolve("rejected/batch.ndjson"))).contains("first");
        assertThat(Files.readString(spool.resolve("rejected/batch-2.ndjson"))).contains("second");
        assertThat(Files.readString(spool.resolve("rejected/batch-2.ndjson.errors")))
                .startsWith("line 1: malformed JSON");
    }

    @Test
    void aSpoolFileStillBeingWrittenUnderADotNameIsLeftAlone() throws Exception {
        Path spool = tmp.resolve("spool");
        Files.createDirectories(spool.resolve("dir.ndjson"));
        String half =
                Event.job(Event.JOB_STARTED, "w1", java.time.Instant.now()).toLine();
        Files.writeString(spool.resolve(".w1.ndjson"), half.substring(0, half.length() / 2));

        try (SpoolIngester ingester = new SpoolIngester(spool, new Ingestor(writer))) {
            assertThat(ingester.pass()).isZero();
            Files.writeString(spool.resolve(".w1.ndjson"), half + "\n");
            Files.move(spool.resolve(".w1.ndjson"), spool.resolve("w1.ndjson"));
            assertThat(ingester.pass()).isEqualTo(1);
        }

        assertThat(new JobService(db).job("w1")).isPresent();
        assertThat(spool.resolve("rejected")).doesNotExist();
        assertThat(spool.resolve("dir.ndjson")).isDirectory();
    }

    @Test
    void aSlowDestinationNeverHoldsTheJobUp() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<Event> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        Reporter stalled = events -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new java.io.IOException(e);
            }
            got.addAll(events);
        };
        JobMonitor monitor = new JobMonitor(stalled, java.time.Clock.systemUTC(), w -> {});

        // Were the job to wait for its reporter, it would wait for ever (the reporter is held below).
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (var t = monitor.track("quick", "sim", "run.sh", Map.of())) {
                t.success();
            }
        });

        assertThat(monitor.flush(Duration.ofMillis(200))).isFalse();
        release.countDown();
        monitor.close();
        assertThat(got).extracting(Event::type).containsExactly(Event.JOB_STARTED, Event.JOB_FINISHED);
    }

    @Test
    void aJobStillRunningWhenTheMonitorClosesIsReportedErrorOnce() {
        List<Event> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobMonitor monitor = new JobMonitor(got::addAll, java.time.Clock.systemUTC(), w -> {});

        monitor.start("left-running", "sim", "run.sh", Map.of());
        monitor.close();
        monitor.close();

        assertThat(got).extracting(Event::type).containsExactly(Event.JOB_STARTED, Event.JOB_FINISHED);
        var finished = got.get(1).toJson();
        assertThat(finished.get("status").asText()).isEqualTo("error");
        assertThat(finished.get("error").asText()).contains("closed while the job was running");
        assertThat(finished.has("cpu_user_s"))
                .as("another thread's CPU time is not the job's")
                .isFalse();
    }

    @Test
    void aServerThatCannotBeUsedIsSaidOnceAndLeftAloneWhileEventsGoToTheSpool() throws Exception {
        java.util.concurrent.atomic.AtomicInteger tries = new java.util.concurrent.atomic.AtomicInteger();
        Reporter refusing = events -> {
            tries.incrementAndGet();
            throw new java.io.IOException("server answered 401: this server needs an API token");
        };
        List<String> said = new java.util.ArrayList<>();
        SpoolReporter spool = new SpoolReporter(tmp.resolve("spool"));
        FallbackReporter r = new FallbackReporter(refusing, spool, said::add);
        Event e = Event.job(Event.JOB_STARTED, "f1", java.time.Instant.now());

        r.send(List.of(e));
        r.send(List.of(e));

        assertThat(said).hasSize(1);
        assertThat(said.get(0)).contains("401");
        assertThat(tries).hasValue(1);
        assertThat(SpoolReporter.pending(spool.dir())).hasSize(2);
    }

    @Test
    void eventsTheServerRefusesAreReportedNotSpooled() {
        Path spool = tmp.resolve("spool");
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobMonitor monitor = new JobMonitor(
                new FallbackReporter(new HttpReporter(base, null), new SpoolReporter(spool)),
                java.time.Clock.systemUTC(),
                warnings::add);

        monitor.start("x".repeat(300), "sim", "run.sh", Map.of());
        monitor.close();

        assertThat(warnings).isNotEmpty().allSatisfy(w -> assertThat(w).contains("rejected"));
        assertThat(spool).doesNotExist();
    }

    @Test
    void flushSetsAsideAFileTheServerRefusesAndSendsTheOthers() throws Exception {
        Path spool = tmp.resolve("spool");
        new SpoolReporter(spool).send(List.of(Event.job(Event.JOB_STARTED, "x".repeat(300), java.time.Instant.now())));
        new SpoolReporter(spool).send(List.of(Event.job(Event.JOB_STARTED, "fine", java.time.Instant.now())));
        List<String> setAside = new java.util.ArrayList<>();

        int sent = SpoolReporter.drainTo(spool, new HttpReporter(base, null), setAside::add);

        assertThat(sent).isEqualTo(1);
        assertThat(setAside).singleElement().asString().contains("rejected");
        assertThat(SpoolReporter.pending(spool)).isEmpty();
        assertThat(new JobService(db).job("fine")).isPresent();
        try (var kept = Files.list(spool.resolve("rejected"))) {
            assertThat(kept.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".ndjson.errors"));
        }
    }

    @Test
    void flushSendsTheEventsOfAFileBesideALineThatIsNotAnEventAndNamesThatLine() throws Exception {
        Path spool = Files.createDirectories(tmp.resolve("spool"));
        Files.writeString(
                spool.resolve("mixed.ndjson"),
                Event.job(Event.JOB_STARTED, "kept", java.time.Instant.now()).toLine() + "\n\nnot json\n");
        List<String> setAside = new java.util.ArrayList<>();

        int sent = SpoolReporter.drainTo(spool, new HttpReporter(base, null), setAside::add);

        assertThat(sent).isZero();
        assertThat(new JobService(db).job("kept")).isPresent();
        assertThat(setAside).singleElement().asString().contains("line 3: not a JSON event object");
        assertThat(Files.readString(spool.resolve("rejected/mixed.ndjson.errors")))
                .startsWith("line 3:");
    }

    @Test
    void theHttpReporterRetriesThenFails() {
        HttpReporter reporter = new HttpReporter(URI.create("http://127.0.0.1:9"), null, 3, Duration.ofMillis(10));

        assertThatThrownBy(() -> reporter.send(List.of(Event.job(Event.JOB_STARTED, "x", java.time.Instant.now()))))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("events not delivered");
    }
}
