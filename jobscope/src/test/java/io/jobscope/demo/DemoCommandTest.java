package io.jobscope.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.cli.Main;
import io.jobscope.client.Job;
import io.jobscope.client.Stats;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jobscope demo} feeds a real server over HTTP with a workload that populates every page. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void demoFeedsAWorkflowWithADagFailuresPhasesAndSamplesThroughTheServer() {
        Path db = tmp.resolve("demo.db");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(
                new String[] {
                    "demo",
                    "--port",
                    "0",
                    "--speed",
                    "10",
                    "--runner",
                    "simulated",
                    "--exit-when-done",
                    "--db",
                    db.toString()
                },
                new PrintWriter(out),
                new PrintWriter(err));
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("dashboard on http://127.0.0.1:").contains("workload finished");
        try (Database store = Database.open(db.toString())) {
            JobService jobs = new JobService(store);
            Stats stats = jobs.stats(null, null, DemoWorkload.RECO);
            assertThat(stats.total()).isEqualTo(DemoWorkload.reco().size());
            Job crashed = jobs.job("sim-4").orElseThrow();
            assertThat(crashed.status()).isEqualTo("failed");
            assertThat(crashed.details().stderrTail()).contains("FileNotFoundError: geometry 'v9'");
            assertThat(jobs.job("reco-4").orElseThrow().status()).isEqualTo("cancelled");
            assertThat(jobs.job("merge").orElseThrow().status()).isEqualTo("cancelled");
            Job sim = jobs.job("sim-1").orElseThrow();
            assertThat(sim.status()).isEqualTo("success");
            assertThat(sim.details().phases())
                    .extracting(Job.Phase::name)
                    .containsExactly("stage-in", "simulate", "stage-out");
            assertThat(sim.details().samples().count()).isPositive();
            assertThat(sim.details().dependsOn()).containsExactly("gen-1");
            assertThat(jobs.job("scan-07").orElseThrow().exitCode()).isEqualTo(137);
            assertThat(jobs.job("scan-12").orElseThrow().status()).isEqualTo("timeout");
            assertThat(jobs.workflows(20)).hasSizeGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void demoRefusesAnExistingStore() throws Exception {
        Path db = Files.createFile(tmp.resolve("mine.db"));
        StringWriter err = new StringWriter();
        int code = Main.run(
                new String[] {"demo", "--port", "0", "--db", db.toString()},
                new PrintWriter(new StringWriter()),
                new PrintWriter(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("exists; the demo starts from a fresh store");
    }
}
