package io.jobscope.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jobscope.client.Job;
import io.jobscope.client.JobQuery;
import io.jobscope.ingest.EventWriter;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code import worker} and {@code summarize --workflow}, on SQLite and on a real PostgreSQL. */
class WorkerImportTest {
    @TempDir
    Path tmp;

    private static WorkerLog read(Path dir) throws Exception {
        WorkerLog log = WorkerLog.open(dir);
        log.update();
        return log;
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void importedWorkerJobIsAWorkflowWithOneJobPerItemAndTheSameSummary(Stores.Kind kind) throws Exception {
        WorkerLog log = read(WorkerLogTest.fixture("worker_4242"));
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            WorkerImporter.Result r = new WorkerImporter(writer, ZoneOffset.UTC).importLog(log, "worker_4242");

            assertThat(r.items()).isEqualTo(300);
            assertThat(r.imported()).isEqualTo(300 + 295);
            JobService jobs = new JobService(db);
            Job item3 = jobs.job("worker_4242.3").orElseThrow();
            assertThat(item3.workflow()).isEqualTo("worker_4242");
            assertThat(item3.status()).isEqualTo("success");
            assertThat(item3.exitCode()).isZero();
            assertThat(item3.client()).isEqualTo("90c192cf-d3ac-44af-8f21-ddb66cad4a26");
            // the store keeps milliseconds; the walltime keeps the log's microseconds
            assertThat(item3.startTime()).isEqualTo(Instant.parse("2024-03-11T09:15:08.242Z"));
            assertThat(item3.durationS()).isCloseTo(23.078381, within(1e-9));
            assertThat(jobs.job("worker_4242.300").orElseThrow().status()).isEqualTo("running");
            assertThat(jobs.job("worker_4242.7").orElseThrow().status()).isEqualTo("failed");

            Summary fromStore = StoreSummaries.summarize(db, "worker_4242").orElseThrow();
            Summary fromLog = log.summary();
            assertThat(fromStore.success()).isEqualTo(fromLog.success());
            assertThat(fromStore.failure()).isEqualTo(fromLog.failure());
            assertThat(fromStore.incomplete()).isEqualTo(fromLog.incomplete());
            assertThat(fromStore.walltime().count())
                    .isEqualTo(fromLog.walltime().count());
            assertThat(fromStore.walltime().mean()).isCloseTo(fromLog.walltime().mean(), within(1e-9));
            assertThat(fromStore.walltime().p50()).isCloseTo(fromLog.walltime().p50(), within(1e-9));
            assertThat(fromStore.loadBalance()).isCloseTo(fromLog.loadBalance(), within(1e-9));
            assertThat(fromStore.clients())
                    .extracting(Summary.ClientStats::client)
                    .containsExactlyElementsOf(fromLog.clients().stream()
                            .map(Summary.ClientStats::client)
                            .toList());
            assertThat(fromStore.failedItems()).contains("worker_4242.7").hasSize(24);
        }
    }

    @ParameterizedTest
    @EnumSource(Stores.Kind.class)
    void importingTheSameLogTwiceChangesNothingAndAGrownLogAddsOnlyWhatIsNew(Stores.Kind kind) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("worker_77"));
        Path file = dir.resolve("server.log");
        Files.writeString(file, """
                2024-03-11 10:00:00.000000 [info]: workitem 1 started: a
                2024-03-11 10:00:00.000000 [info]: workitem 2 started: b
                2024-03-11 10:00:01.500000 [info]: workitem 1 done: 0
                """);
        try (Database db = Stores.open(kind, tmp);
                EventWriter writer = new EventWriter(db)) {
            WorkerImporter importer = new WorkerImporter(writer, ZoneId.of("Europe/Brussels"));
            WorkerImporter.Result first = importer.importLog(read(dir), "worker_77");
            WorkerImporter.Result again = importer.importLog(read(dir), "worker_77");
            assertThat(first.imported()).isEqualTo(3);
            assertThat(again.imported()).isZero();
            assertThat(again.unchanged()).isEqualTo(3);

            Files.writeString(
                    file, "2024-03-11 10:00:09.000000 [info]: workitem 2 done: 4\n", StandardOpenOption.APPEND);
            WorkerImporter.Result grown = importer.importLog(read(dir), "worker_77");
            assertThat(grown.imported()).isEqualTo(1);

            JobService jobs = new JobService(db);
            Job two = jobs.job("worker_77.2").orElseThrow();
            assertThat(two.status()).isEqualTo("failed");
            assertThat(two.exitCode()).isEqualTo(4);
            // local time in Brussels (UTC+1 in March) as an instant
            assertThat(two.startTime()).isEqualTo(Instant.parse("2024-03-11T09:00:00Z"));
            assertThat(jobs.history(new JobQuery(null, null, "worker_77", null, null, null, null, 10, null))
                            .jobs())
                    .hasSize(2);
        }
    }
}
