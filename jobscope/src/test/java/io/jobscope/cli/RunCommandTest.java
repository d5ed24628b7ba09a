package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Json;
import io.jobscope.client.SpoolReporter;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobscope run}, {@code phase}, {@code logs} and {@code flush} as real processes, as a job script uses them. */
class RunCommandTest {
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    @TempDir
    Path tmp;

    private List<JsonNode> spooled(Path spool) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (Path f : SpoolReporter.pending(spool)) {
            for (String line : Files.readAllLines(f)) {
                out.add(Json.mapper().readTree(line));
            }
        }
        return out;
    }

    private JsonNode event(List<JsonNode> events, String type) {
        return events.stream()
                .filter(e -> e.get("type").asText().equals(type))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + type + " in " + events));
    }

    @Test
    void wrappedCommandKeepsItsExitCodeAndOutputAndItsEventsAreSpooled() throws Exception {
        Path spool = tmp.resolve("spool");
        Cli.Result r = Cli.run(
                tmp, Map.of(), "run", "--spool", spool.toString(), "--id", "j1", "--", "bash", "-c", "echo hi; exit 3");

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("hi\n");
        List<JsonNode> events = spooled(spool);
        assertThat(event(events, "job.started").get("app").asText()).isEqualTo("bash");
        JsonNode finished = event(events, "job.finished");
        assertThat(finished.get("status").asText()).isEqualTo("failed");
        assertThat(finished.get("exit_code").asInt()).isEqualTo(3);
        assertThat(finished.get("stdout_tail").asText()).isEqualTo("hi\n");
    }

    @Test
    void childTouchingTwoHundredMegabytesHasItsPeakWithinTenPercent() throws Exception {
        Path spool = tmp.resolve("spool");
        Cli.Result r = Cli.run(
                tmp,
                Map.of(),
                "run",
                "--spool",
                spool.toString(),
                "--",
                "bash",
                "-c",
                PYTHON + " -c 'import time; b = b\"x\" * (200 << 20); time.sleep(0.2)'");

        assertThat(r.exit()).as(r.err()).isZero();
        long peak = event(spooled(spool), "job.finished").get("mem_peak_bytes").asLong();
        assertThat(peak / 1048576.0).isCloseTo(200.0, within(20.0));
    }

    @Test
    void theDefaultSpoolAndStoreAreUnderTheShellsHomeNotTheUserDatabases() throws Exception {
        // Cli.run sets HOME to tmp; Java's user.home would still be the user database's home.
        Cli.Result r = Cli.run(tmp, Map.of(), "run", "--server", "http://127.0.0.1:9", "--id", "h-1", "--", "true");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(SpoolReporter.pending(tmp.resolve(".jobscope/spool"))).isNotEmpty();

        Cli.Result history = Cli.run(tmp, Map.of(), "history");
        assertThat(history.exit()).isEqualTo(2);
        assertThat(history.err()).contains("no jobscope store at " + tmp.resolve(".jobscope/jobscope.db"));
    }

    @Test
    void anUnreachableServerIsWarnedOnceAndItsEventsWaitInTheSpoolForFlush() throws Exception {
        Path spool = tmp.resolve("spool");
        Cli.Result r = Cli.run(
                tmp,
                Map.of("JOBSCOPE_SPOOL", spool.toString()),
                "run",
                "--server",
                "http://127.0.0.1:9",
                "--id",
                "offline-1",
                "--",
                "true");

        assertThat(r.exit()).isZero();
        assertThat(SpoolReporter.pending(spool)).isNotEmpty();
        // said once, naming where the events wait and how they get sent
        assertThat(r.err()).containsOnlyOnce("jobscope: warning:").contains(spool.toString(), "jobscope flush");

        Path db = tmp.resolve("store.db");
        Cli.Result flushed = Cli.run(tmp, Map.of(), "flush", "--db", db.toString(), "--spool", spool.toString());
        assertThat(flushed.exit()).as(flushed.err()).isZero();
        assertThat(SpoolReporter.pending(spool)).isEmpty();
        try (Database d = Database.open(db.toString())) {
            assertThat(new JobService(d).job("offline-1").orElseThrow().status())
                    .isEqualTo("success");
        }
    }

    @Test
    void flushToAnUnreachableServerExitsOneAndKeepsTheFiles() throws Exception {
        Path spool = tmp.resolve("spool");
        Cli.run(tmp, Map.of(), "run", "--spool", spool.toString(), "--", "true");

        Cli.Result r = Cli.run(tmp, Map.of(), "flush", "--server", "http://127.0.0.1:9", "--spool", spool.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip())
                .startsWith("jobscope: could not send the spool")
                .doesNotContain("\tat ");
        assertThat(SpoolReporter.pending(spool)).isNotEmpty();
    }

    @Test
    void logsComeFromTheFilesWhenPresentElseFromTheStore() throws Exception {
        Path db = tmp.resolve("store.db");
        Cli.Result run = Cli.run(tmp, Map.of(), "run", "--db", db.toString(), "--id", "j2", "--", "seq", "1", "5");
        assertThat(run.exit()).as(run.err()).isZero();

        Cli.Result fromFiles = Cli.run(tmp, Map.of(), "logs", "j2", "--db", db.toString(), "--tail", "2");
        assertThat(fromFiles.out()).isEqualTo("4\n5\n");

        Files.delete(tmp.resolve("jobscope_logs/j2/stdout"));
        Files.delete(tmp.resolve("jobscope_logs/j2/stderr"));
        Cli.Result fromStore =
                Cli.run(tmp, Map.of(), "logs", "j2", "--db", db.toString(), "--stream", "stdout", "--tail", "2");
        assertThat(fromStore.exit()).as(fromStore.err()).isZero();
        assertThat(fromStore.out()).isEqualTo("4\n5\n");
    }

    @Test
    void phaseCommandInsideTheJobIsTimedWithTheTreeCpu() throws Exception {
        Path spool = tmp.resolve("spool");
        String burn = PYTHON + " -c 'import time\nt=time.process_time()\nwhile time.process_time()-t<0.5: pass'";
        String java = Cli.javaForShell();
        Cli.Result r = Cli.run(
                tmp,
                Map.of(),
                "run",
                "--spool",
                spool.toString(),
                "--",
                "bash",
                "-c",
                java + " phase reco start && " + burn + " && " + java + " phase reco done");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode done = spooled(spool).stream()
                .filter(e -> e.get("type").asText().equals("job.phase"))
                .filter(e -> e.get("state").asText().equals("done"))
                .findFirst()
                .orElseThrow();
        assertThat(done.get("phase").asText()).isEqualTo("reco");
        // 0.5 s burnt between the marks; the reporting tool's own start-up is kept out, its exit is not.
        assertThat(done.get("cpu_s").asDouble()).isBetween(0.45, 0.9);
        assertThat(done.get("wall_s").asDouble()).isGreaterThanOrEqualTo(0.5);
    }

    @Test
    void phaseOutsideAJobWarnsAndSucceeds() throws Exception {
        Cli.Result r = Cli.run(tmp, Map.of(), "phase", "reco", "start");

        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("not inside 'jobscope run'");
    }

    @Test
    void badOptionValueExitsTwoWithOneLine() throws Exception {
        Cli.Result r = Cli.run(tmp, Map.of(), "run", "--timeout", "soon", "--", "true");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).contains("--timeout").doesNotContain("\n");
    }

    @Test
    void sigtermToTheWrapperIsForwardedAndTheJobIsCancelled() throws Exception {
        Path spool = tmp.resolve("spool");
        Process p = Cli.start(
                tmp, Map.of(), List.of("run", "--spool", spool.toString(), "--", "bash", "-c", "echo up; sleep 120"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(tmp.resolve(".out")).contains("up") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        p.destroy(); // SIGTERM
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isEqualTo(143);
        assertThat(event(spooled(spool), "job.finished").get("status").asText()).isEqualTo("cancelled");
    }
}
