package io.jobscope.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wrapper with real child processes: exit codes, signals, exact CPU, timeouts, logs and phases. */
class JobRunnerTest {
    @TempDir
    Path tmp;

    /** A real interpreter: a pyenv shim on the PATH would add its own processes and CPU to the tree. */
    static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    static RunSpec spec(Path tmp, Duration timeout, Duration grace, String... command) {
        return new RunSpec(
                List.of(command),
                "job-" + System.nanoTime(),
                null,
                "test",
                null,
                Map.of(),
                null,
                timeout,
                grace,
                Duration.ofMillis(200),
                Duration.ofMillis(200),
                tmp.resolve("logs"),
                RunSpec.DEFAULT_TAIL_BYTES,
                Pattern.compile(RunSpec.DEFAULT_PHASE_PATTERN),
                null);
    }

    private RunOutcome run(RunSpec spec) {
        return new JobRunner(spec, events::add, warnings::add, out, err, System.getenv(), false).run();
    }

    private RunOutcome run(String... command) {
        return run(spec(tmp, null, Duration.ofSeconds(30), command));
    }

    private ObjectNode last(String type) {
        synchronized (events) {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i).type().equals(type)) {
                    return events.get(i).toJson();
                }
            }
        }
        throw new AssertionError("no " + type + " event in " + events);
    }

    @Test
    void exitThreeIsFailedWithExitCodeThree() {
        RunOutcome o = run("bash", "-c", "exit 3");

        assertThat(o.exitCode()).isEqualTo(3);
        assertThat(o.status()).isEqualTo("failed");
        assertThat(o.signal()).isNull();
        ObjectNode finished = last(Event.JOB_FINISHED);
        assertThat(finished.get("status").asText()).isEqualTo("failed");
        assertThat(finished.get("exit_code").asInt()).isEqualTo(3);
    }

    @Test
    void successIsExitZero() {
        RunOutcome o = run("true");

        assertThat(o.exitCode()).isZero();
        assertThat(o.status()).isEqualTo("success");
        assertThat(last(Event.JOB_STARTED).get("host").asText()).isNotBlank();
    }

    @Test
    void aJobTooSmallAndShortToMeasureReportsNoMemoryPeakRatherThanZero() {
        run("true"); // below this JVM's high-water mark, ended before the first sample

        assertThat(last(Event.JOB_FINISHED).has("mem_peak_bytes")).isFalse();
    }

    @Test
    void segfaultIsSignalElevenAndExit139() {
        RunOutcome o = run("bash", "-c", "kill -SEGV $$");

        assertThat(o.exitCode()).isEqualTo(139);
        assertThat(o.signal()).isEqualTo(11);
        assertThat(o.status()).isEqualTo("failed");
        assertThat(last(Event.JOB_FINISHED).get("signal").asInt()).isEqualTo(11);
    }

    @Test
    void treeOfShellAndPythonBurningTwoSecondsReportsTwoSecondsOfCpu() {
        // Two python grandchildren, one after the other, 1.0 s of CPU each, under a shell.
        String burn = "import time\nt=time.process_time()\nwhile time.process_time()-t<1.0: pass\n";
        RunOutcome o = run("bash", "-c", PYTHON + " -c '" + burn + "' && " + PYTHON + " -c '" + burn + "'");

        assertThat(o.exitCode()).isZero();
        // 2.0 s burnt, plus two interpreter start-ups (a few tens of ms): within 5 %.
        assertThat(o.cpuTotalS()).isCloseTo(2.0, within(0.10));
        ObjectNode finished = last(Event.JOB_FINISHED);
        assertThat(finished.get("cpu_user_s").asDouble()
                        + finished.get("cpu_system_s").asDouble())
                .isCloseTo(2.0, within(0.10));
    }

    @Test
    void fiftyMillisecondJobHasNonZeroCpuAndWallWithinTwentyMilliseconds() {
        // The best of three, so that a moment of load on a shared machine does not decide the outcome.
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            RunOutcome o = run("sleep", "0.05");
            assertThat(o.exitCode()).isZero();
            assertThat(o.cpuTotalS()).isGreaterThan(0);
            // the clock starts as the spawn returns, a few ms after the child began: allow that much below
            assertThat(o.wallS()).isGreaterThanOrEqualTo(0.045);
            best = Math.min(best, o.wallS());
        }
        assertThat(best).isBetween(0.045, 0.070);
    }

    @Test
    void timeoutTerminatesTheWholeTreeAndIsMarkedTimeout() throws Exception {
        Path pidFile = tmp.resolve("grandchild.pid");
        long t0 = System.nanoTime();
        RunOutcome o = run(spec(
                tmp,
                Duration.ofMillis(700),
                Duration.ofSeconds(20),
                "bash",
                "-c",
                "sleep 120 & echo $! > " + pidFile + "; wait"));
        double took = (System.nanoTime() - t0) / 1e9;

        assertThat(o.status()).isEqualTo("timeout");
        assertThat(o.exitCode()).isEqualTo(143);
        assertThat(took).isLessThan(15); // SIGTERM sufficed: no wait for the 20 s grace
        long grandchild = Long.parseLong(Files.readString(pidFile).trim());
        assertThat(runningWithin(grandchild, 5000))
                .as("the grandchild got SIGTERM too")
                .isFalse();
        assertThat(last(Event.JOB_FINISHED).get("status").asText()).isEqualTo("timeout");
    }

    /** Whether the process still runs (not gone, not a zombie waiting for init) after up to {@code millis}. */
    static boolean runningWithin(long pid, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                if (ProcTree.statFields(stat)[2].equals("Z")) {
                    return false;
                }
            } catch (java.io.IOException e) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    @Test
    void jobIgnoringSigtermIsKilledAfterTheGrace() {
        RunOutcome o = run(spec(
                tmp,
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                PYTHON,
                "-c",
                "import signal,time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\n"
                        + "time.sleep(120)"));

        assertThat(o.status()).isEqualTo("timeout");
        assertThat(o.exitCode()).isEqualTo(137);
        assertThat(o.signal()).isEqualTo(9);
    }

    @Test
    void commandThatDoesNotExistExits127WithStatusError() {
        RunOutcome o = run(tmp.resolve("no-such-program").toString());

        assertThat(o.exitCode()).isEqualTo(127);
        assertThat(o.status()).isEqualTo("error");
        assertThat(o.error()).contains("no-such-program").contains("No such file");
        assertThat(last(Event.JOB_FINISHED).get("status").asText()).isEqualTo("error");
    }

    @Test
    void fileThatIsNotExecutableExits126() throws Exception {
        Path script = Files.writeString(tmp.resolve("job.sh"), "#!/bin/sh\necho hi\n");

        RunOutcome o = run(script.toString());

        assertThat(o.exitCode()).isEqualTo(126);
        assertThat(o.status()).isEqualTo("error");
    }

    @Test
    void outputPassesThroughUnchangedAndIsLoggedAndTailed() throws Exception {
        RunSpec s = spec(tmp, null, Duration.ofSeconds(5), "bash", "-c", "printf 'a\\nb\\n'; printf 'oops\\n' >&2");
        RunOutcome o = run(s);

        assertThat(o.exitCode()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("a\nb\n");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("oops\n");
        assertThat(Files.readString(s.logDir().resolve("stdout"))).isEqualTo("a\nb\n");
        assertThat(Files.readString(s.logDir().resolve("stderr"))).isEqualTo("oops\n");
        ObjectNode finished = last(Event.JOB_FINISHED);
        assertThat(finished.get("stdout_tail").asText()).isEqualTo("a\nb\n");
        assertThat(finished.get("stderr_tail").asText()).isEqualTo("oops\n");
        assertThat(last(Event.JOB_STARTED).get("attributes").get("log_dir").asText())
                .isEqualTo(s.logDir().toAbsolutePath().toString());
    }

    @Test
    void tailKeepsTheLastBytesOfALongOutput() throws Exception {
        RunSpec s = spec(tmp, null, Duration.ofSeconds(5), "bash", "-c", "seq 1 100000");
        run(s);

        String tail = last(Event.JOB_FINISHED).get("stdout_tail").asText();
        assertThat(tail).hasSizeLessThanOrEqualTo(RunSpec.DEFAULT_TAIL_BYTES).endsWith("99999\n100000\n");
        assertThat(Files.size(s.logDir().resolve("stdout"))).isGreaterThan(500_000);
    }

    @Test
    void phaseMarkerLinesRecordWallAndTreeCpuBetweenMarks() {
        String burn = "import time\nt=time.process_time()\nwhile time.process_time()-t<0.5: pass\n";
        RunOutcome o = run(
                "bash",
                "-c",
                "echo 'JOBSCOPE PHASE setup start'; sleep 0.3; echo 'JOBSCOPE PHASE setup done';"
                        + " echo 'JOBSCOPE PHASE reco start'; sleep 0.2; " + PYTHON + " -c '" + burn + "';"
                        + " echo 'JOBSCOPE PHASE reco done'");

        assertThat(o.exitCode()).isZero();
        List<ObjectNode> done = new ArrayList<>();
        synchronized (events) {
            events.stream()
                    .filter(e -> e.type().equals(Event.JOB_PHASE))
                    .map(Event::toJson)
                    .filter(n -> n.get("state").asText().equals("done"))
                    .forEach(done::add);
        }
        assertThat(done).hasSize(2);
        ObjectNode setup = done.get(0);
        ObjectNode reco = done.get(1);
        assertThat(setup.get("phase").asText()).isEqualTo("setup");
        assertThat(setup.get("wall_s").asDouble()).isGreaterThanOrEqualTo(0.2); // marks are read as the job prints them
        assertThat(setup.get("cpu_s").asDouble()).isLessThan(0.2);
        assertThat(reco.get("phase").asText()).isEqualTo("reco");
        assertThat(reco.get("cpu_s").asDouble()).isCloseTo(0.5, within(0.15));
    }

    @Test
    void phaseStillOpenWhenTheJobFailsIsClosedAsFailed() {
        run("bash", "-c", "echo 'JOBSCOPE PHASE stage start'; exit 1");

        ObjectNode phase = last(Event.JOB_PHASE);
        assertThat(phase.get("phase").asText()).isEqualTo("stage");
        assertThat(phase.get("state").asText()).isEqualTo("failed");
        assertThat(phase.has("wall_s")).isTrue();
    }

    @Test
    void samplesReportTheTreeWhileItRuns() {
        // long enough for a sample (the first comes after 1 s) even on a loaded machine
        run("bash", "-c", "sleep 3 & sleep 3 & wait");

        ObjectNode sample = last(Event.JOB_SAMPLE);
        assertThat(sample.get("processes").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(sample.get("rss_bytes").asLong()).isGreaterThan(0);
        assertThat(sample.get("threads").asInt()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void environmentTellsTheJobItsIdAndControlSocket() throws Exception {
        RunSpec s = spec(
                tmp,
                null,
                Duration.ofSeconds(5),
                "bash",
                "-c",
                "echo $JOBSCOPE_JOB_ID; test -S \"$JOBSCOPE_CONTROL\" && echo socket");
        run(s);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(s.jobId() + "\nsocket\n");
    }
}
