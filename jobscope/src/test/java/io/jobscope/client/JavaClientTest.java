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

        JobscopeClient client = new JobscopeClient(base, null);
        Job errored = client.job("task-456").orElseThrow();
        assertThat(errored.status()).isEqualTo("error");
        assertThat(errored.error()).isEqualTo("java.lang.IllegalStateException: mesh diverged at step 12");
        assertThat(client.job("task-457").orElseThrow().exitCode()).isEqualTo(2);
        assertThat(client.stats("app", null, null).failed()).isEqualTo(2);
        assertThat(client.history(JobQuery.latest(10)).jobs()).hasSize(2);
    }

    @Test
    void anUnreachableServerSpoolsEventsAndTheServerIngestsTheSpoolLater() throws Exception {
        Path spool = tmp.resolve("spool");
        JobMonitor offline = JobMonitor.toServer(URI.create("http://127.0.0.1:9"), null, spool);
        offline.start("offline-1", "sim", "run.sh", Map.of());
        offline.stop("offline-1", "success", 0, null);
        assertThat(SpoolReporter.pending(spool)).hasSize(2);

        try (SpoolIngester ingester = new SpoolIngester(spool, new Ingestor(writer))) {
            assertThat(ingester.pass()).isEqualTo(2);
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
    void theHttpReporterRetriesThenFails() {
        HttpReporter reporter = new HttpReporter(URI.create("http://127.0.0.1:9"), null, 3, Duration.ofMillis(10));

        assertThatThrownBy(() -> reporter.send(List.of(Event.job(Event.JOB_STARTED, "x", java.time.Instant.now()))))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("events not delivered");
    }
}
