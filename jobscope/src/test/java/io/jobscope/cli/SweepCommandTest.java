package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Job;
import io.jobscope.client.JobQuery;
import io.jobscope.client.Json;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobscope sweep} with real processes on a SQLite store. */
class SweepCommandTest {
    @TempDir
    Path tmp;

    private Path csv(String text) throws Exception {
        Path p = tmp.resolve("params.csv");
        Files.writeString(p, text);
        return p;
    }

    private String db() {
        return tmp.resolve("store.db").toString();
    }

    private CliRunner.Result sweep(String... args) {
        List<String> all = new ArrayList<>(
                List.of("sweep", "--db", db(), "--log-dir", tmp.resolve("logs").toString()));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private Map<String, Job> jobs(String workflow) {
        try (Database d = Database.open(db())) {
            Map<String, Job> out = new TreeMap<>();
            new JobService(d)
                    .history(new JobQuery(null, null, workflow, null, null, null, null, 1000, null))
                    .jobs()
                    .forEach(j -> out.put(j.id(), j));
            return out;
        }
    }

    private String stdout(String jobId) throws Exception {
        return Files.readString(tmp.resolve("logs").resolve(jobId).resolve("stdout"));
    }

    @Test
    void everyRowRunsOnceWithEachValueAsOneArgumentAndItsParamsRecorded() throws Exception {
        csv("name,n\n\"a b; echo pwned\",1\n\"say \"\"hi\"\", x\",2\n\"two\nlines\",3\n\n");

        CliRunner.Result r = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "wf",
                "-j",
                "2",
                "--",
                "printf",
                "[%s] [%s]\\n",
                "{name}",
                "n={n}");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(stdout("wf.1")).isEqualTo("[a b; echo pwned] [n=1]\n");
        assertThat(stdout("wf.2")).isEqualTo("[say \"hi\", x] [n=2]\n");
        assertThat(stdout("wf.3")).isEqualTo("[two\nlines] [n=3]\n");
        Map<String, Job> jobs = jobs("wf");
        assertThat(jobs).containsOnlyKeys("wf.1", "wf.2", "wf.3");
        assertThat(jobs.values()).allSatisfy(j -> {
            assertThat(j.status()).isEqualTo("success");
            assertThat(j.app()).isEqualTo("printf");
            assertThat(j.client()).isIn("slot-1", "slot-2");
        });
        assertThat(jobs.get("wf.2").params())
                .containsEntry("name", "say \"hi\", x")
                .containsEntry("n", 2);
        assertThat(r.err()).contains("sweep wf done").contains("3 succeeded, 0 failed");
    }

    @Test
    void atMostParallelItemsRunAtOnce() throws Exception {
        csv("i\n1\n2\n3\n4\n5\n6\n");

        CliRunner.Result r = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "par",
                "--parallel",
                "3",
                "--",
                "sleep",
                "0.5");

        assertThat(r.exit()).as(r.err()).isZero();
        List<long[]> spans = new ArrayList<>();
        for (Job j : jobs("par").values()) {
            spans.add(new long[] {j.startTime().toEpochMilli(), j.endTime().toEpochMilli()});
        }
        int most = 0;
        for (long[] s : spans) {
            int at = 0;
            for (long[] o : spans) {
                if (o[0] <= s[0] && s[0] < o[1]) {
                    at++;
                }
            }
            most = Math.max(most, at);
        }
        assertThat(spans).hasSize(6);
        assertThat(most).isEqualTo(3);
        assertThat(jobs("par").values()).extracting(Job::client).containsOnly("slot-1", "slot-2", "slot-3");
    }

    @Test
    void anyFailedItemMakesTheExitCodeOneAndSummarizeShowsTheSweep() throws Exception {
        csv("x\n0\n3\n0\n");

        CliRunner.Result r = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "sum",
                "-j",
                "2",
                "--",
                "sh",
                "-c",
                "exit $0",
                "{x}");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("failed: sum.2 (failed, exit 3)").contains("--resume");
        CliRunner.Result s = CliRunner.run("summarize", "--workflow", "sum", "--db", db(), "--json");
        assertThat(s.exit()).as(s.err()).isZero();
        JsonNode summary = Json.mapper().readTree(s.out());
        assertThat(summary.get("success").asInt()).isEqualTo(2);
        assertThat(summary.get("failure").asInt()).isEqualTo(1);
        assertThat(summary.get("failed_items").toString()).contains("sum.2");
        List<String> clients = new ArrayList<>();
        summary.get("clients").forEach(c -> clients.add(c.get("client").asText()));
        assertThat(clients).isNotEmpty().allMatch(c -> c.startsWith("slot-"));
    }

    @Test
    void resumeRunsOnlyTheItemsThatDidNotSucceed() throws Exception {
        csv("x\n1\n2\n3\n4\n");
        Path runs = tmp.resolve("runs.txt");
        Path fixed = tmp.resolve("fixed");
        String script = "echo $0 >> " + runs + "; [ $0 != 2 ] && [ $0 != 4 ] || [ -e " + fixed + " ]";

        CliRunner.Result first = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "res",
                "-j",
                "2",
                "--",
                "sh",
                "-c",
                script,
                "{x}");
        assertThat(first.exit()).isEqualTo(1);
        Files.createFile(fixed);
        CliRunner.Result second = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "res",
                "--resume",
                "-j",
                "2",
                "--",
                "sh",
                "-c",
                script,
                "{x}");

        assertThat(second.exit()).as(second.err()).isZero();
        assertThat(second.err()).contains("2 succeeded already").contains("2 succeeded, 0 failed");
        assertThat(Files.readAllLines(runs)).containsExactlyInAnyOrder("1", "2", "3", "4", "2", "4");
        assertThat(jobs("res").values()).extracting(Job::status).containsOnly("success");
        assertThat(jobs("res")).hasSize(4);

        CliRunner.Result third = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "res",
                "--resume",
                "--",
                "sh",
                "-c",
                script,
                "{x}");
        assertThat(third.exit()).isZero();
        assertThat(third.err()).contains("nothing to run");
        assertThat(Files.readAllLines(runs)).hasSize(6);
    }

    @Test
    void rowWithTheWrongNumberOfFieldsStopsTheSweepBeforeAnythingRuns() throws Exception {
        csv("x,y\n1,a\n2,\"b\nc\"\n3\n4,d\n");
        Path marker = tmp.resolve("ran");

        CliRunner.Result r = sweep(
                "--data", tmp.resolve("params.csv").toString(), "--workflow", "bad", "--", "touch", marker.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo("jobscope: " + tmp.resolve("params.csv")
                        + ": line 5 (row 3): expecting 2 fields (x,y), found 1; fix them, or give --skip-bad-rows to"
                        + " run the rest");
        assertThat(marker).doesNotExist();
        assertThat(Path.of(db())).doesNotExist();
    }

    @Test
    void skipBadRowsRunsTheGoodRowsAndNamesTheBadOnes() throws Exception {
        csv("x,y\n1,a\n2\n3,c\n");

        CliRunner.Result r = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "skip",
                "--skip-bad-rows",
                "--",
                "true",
                "{x}");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("skipping line 3 (row 2): expecting 2 fields (x,y), found 1");
        assertThat(jobs("skip")).containsOnlyKeys("skip.1", "skip.3");
    }

    @Test
    void userMistakesAreOneLineWithExitTwo() throws Exception {
        csv("x\n1\n");
        String data = tmp.resolve("params.csv").toString();

        assertThat(sweep("--data", tmp.resolve("nope.csv").toString(), "--", "true"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err().strip()).endsWith("nope.csv: no such file"));
        assertThat(sweep("--data", data, "--", "no-such-command-xyz", "{x}"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err().strip())
                        .isEqualTo("jobscope: cannot run 'no-such-command-xyz': not found on PATH"));
        assertThat(sweep("--data", data, "--resume", "--", "true"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err()).contains("--resume needs --workflow"));
        assertThat(sweep("--data", data, "--workflow", "never", "--resume", "--", "true"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err()).contains("no sweep 'never'"));
        assertThat(sweep("--data", data, "--parallel", "0", "--", "true"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err()).contains("--parallel: expecting 1 to 4096, found 0"));
    }

    @Test
    void ctrlCCancelsTheRunningItemsLeavesTheRestPendingAndResumeFinishesThem() throws Exception {
        csv("x\n1\n2\n3\n4\n");
        Process p = Cli.start(
                tmp,
                Map.of(),
                List.of(
                        "sweep",
                        "--db",
                        db(),
                        "--log-dir",
                        tmp.resolve("logs").toString(),
                        "--data",
                        tmp.resolve("params.csv").toString(),
                        "--workflow",
                        "cc",
                        "-j",
                        "2",
                        "--",
                        "sleep",
                        "60"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.isDirectory(tmp.resolve("logs/cc.1")) && Files.isDirectory(tmp.resolve("logs/cc.2")))) {
            assertThat(System.nanoTime()).as("items started").isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(500);

        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();

        assertThat(p.waitFor(30, TimeUnit.SECONDS))
                .as("the sweep ends after Ctrl-C")
                .isTrue();
        Cli.Result r = Cli.result(tmp, p.exitValue());
        assertThat(r.exit()).as(r.err()).isEqualTo(130);
        assertThat(r.err()).contains("interrupted").contains("2 cancelled").contains("2 not started");
        Map<String, Job> jobs = jobs("cc");
        assertThat(jobs.get("cc.1").status()).isEqualTo("cancelled");
        assertThat(jobs.get("cc.2").status()).isEqualTo("cancelled");
        assertThat(jobs.get("cc.3").status()).isEqualTo("pending");
        assertThat(jobs.get("cc.4").status()).isEqualTo("pending");
        assertThat(ProcessHandle.allProcesses()
                        .filter(h -> h.info().commandLine().orElse("").equals("sleep 60"))
                        .filter(h -> h.parent().map(pp -> pp.pid() == p.pid()).orElse(false))
                        .count())
                .isZero();

        CliRunner.Result resumed = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "cc",
                "--resume",
                "-j",
                "4",
                "--",
                "true");
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(jobs("cc").values()).extracting(Job::status).containsOnly("success");
        assertThat(jobs("cc").values().stream()
                        .max(Comparator.comparing(Job::id))
                        .orElseThrow()
                        .client())
                .startsWith("slot-");
    }

    @Test
    void anItemIsChargedOnlyItsOwnCpuWhenAnotherEndsBesideIt() throws Exception {
        csv("role\nburn\nwait\n");
        Path flag = tmp.resolve("burnt");
        String script = "if [ $0 = burn ]; then i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; touch " + flag
                + "; else while [ ! -e " + flag + " ]; do sleep 0.2; done; sleep 0.3; fi";

        CliRunner.Result r = sweep(
                "--data",
                tmp.resolve("params.csv").toString(),
                "--workflow",
                "cpu",
                "-j",
                "2",
                "--",
                "sh",
                "-c",
                script,
                "{role}");

        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Job> jobs = jobs("cpu");
        double burner = jobs.get("cpu.1").cpuTotalS();
        double waiter = jobs.get("cpu.2").cpuTotalS();
        assertThat(jobs.get("cpu.2").endTime()).isAfter(jobs.get("cpu.1").endTime());
        assertThat(burner).isGreaterThan(0.2);
        assertThat(waiter).as("the waiter's CPU, the burner's being %s", burner).isLessThan(0.1);
    }
}
