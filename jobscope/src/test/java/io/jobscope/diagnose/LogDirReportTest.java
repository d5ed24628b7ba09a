package io.jobscope.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-node log directories in the srtctl layout (seed 002). */
class LogDirReportTest {
    @TempDir
    Path tmp;

    static final String BENCH_BLOCK = """
            ============ Serving Benchmark Result ============
            Successful requests:                     %d
            Failed requests:                         %d
            Benchmark duration (s):                  93.97
            Total generated tokens:                  %d
            Request throughput (req/s):              %s
            Output token throughput (tok/s):         6278.02
            Total Token throughput (tok/s):          9100.50
            ---------------Time to First Token----------------
            Mean TTFT (ms):                          1924.07
            Median TTFT (ms):                        342.39
            P99 TTFT (ms):                           13652.77
            -----Time per Output Token (excl. 1st token)------
            Mean TPOT (ms):                          16.78
            Median TPOT (ms):                        15.48
            P99 TPOT (ms):                           22.36
            ---------------Inter-token Latency----------------
            Mean ITL (ms):                           16.10
            Median ITL (ms):                         15.02
            P99 ITL (ms):                            40.11
            ----------------End-to-end Latency----------------
            Mean E2EL (ms):                          9100.00
            Median E2EL (ms):                        8800.00
            P99 E2EL (ms):                           21000.00
            ==================================================
            """;

    /** A 4P/1D run where prefill worker 2 dies with a traceback while the others keep answering /health. */
    static Path silentFailureRun(Path parent) throws Exception {
        Path d = Files.createDirectories(parent.resolve("4459_4P_1D_20251122_041341"));
        Files.writeString(
                d.resolve("log.out"), "Node 0: watchtower-aqua-cn01\nFrontend available at: http://cn01:8000\n");
        for (int w = 0; w < 4; w++) {
            String node = "watchtower-aqua-cn0" + (w + 1);
            StringBuilder err = new StringBuilder();
            err.append("[2025-11-22 04:14:0").append(w).append(" TP0] Load weight end. mem usage=40.1 GB\n");
            err.append("[2025-11-22 04:15:00 TP0] INFO:     10.30.1.49:5000 - \"GET /health HTTP/1.1\" 200 OK\n");
            if (w == 2) {
                err.append(
                        "[2025-11-22 04:17:11 TP0] Scheduler hit an exception: Traceback (most recent call last):\n");
                err.append("  File \"/sgl/srt/managers/scheduler.py\", line 2101, in run_scheduler_process\n");
                err.append("    scheduler.event_loop_overlap_disagg_prefill()\n");
                err.append("  File \"/sgl/srt/disaggregation/prefill.py\", line 311, in process_prefill_chunk\n");
                err.append("    self.send_kv_chunk(req)\n");
                err.append("AssertionError: kv chunk index out of order\n");
            }
            for (int m = 18; m < 22; m++) {
                err.append("[2025-11-22 04:")
                        .append(m)
                        .append(":00 TP0] INFO:     10.30.1.49:5000 - \"GET /health HTTP/1.1\" 200 OK\n");
            }
            Files.writeString(d.resolve(node + "_prefill_w" + w + ".err"), err);
            Files.writeString(d.resolve(node + "_prefill_w" + w + ".out"), "");
        }
        // The decode worker's NCCL error is a consequence: it comes later.
        Files.writeString(
                d.resolve("watchtower-aqua-cn05_decode_w0.err"),
                "[2025-11-22 04:19:30 TP0] NCCL WARN Connection closed by remote peer cn03\n"
                        + "[2025-11-22 04:19:31 TP0] RuntimeError: NCCL error in: process_group_nccl.cpp:1970, remote process exited\n");
        Files.writeString(
                d.resolve("benchmark.out"),
                "Polling http://localhost:8000/health every 5 seconds...\n"
                        + "Model is ready.\n\nWarming up model with concurrency 128\n"
                        + BENCH_BLOCK.formatted(640, 0, 587000, "6.81")
                        + "Running concurrency 256\n"
                        + BENCH_BLOCK.formatted(0, 640, 0, "0.00"));
        Files.writeString(
                d.resolve("4459.json"), "{\"run_metadata\": {\"slurm_job_id\": \"4459\", \"gpus_per_node\": 8}}");
        return d;
    }

    @Test
    void reportsTheWorkerThatFailedFirstWhenAndWhyEvenWhileHealthChecksPass() throws Exception {
        LogDirReport r = LogDirReport.read(silentFailureRun(tmp), RuleBook.builtIn());

        assertThat(r.jobId()).isEqualTo("4459");
        assertThat(r.prefillWorkers()).isEqualTo(4);
        assertThat(r.status()).isEqualTo("failed");
        LogDirReport.WorkerFailure first = r.firstFailure();
        assertThat(first.node()).isEqualTo("watchtower-aqua-cn03");
        assertThat(first.role()).isEqualTo("prefill");
        assertThat(first.index()).isEqualTo(2);
        assertThat(first.time()).isEqualTo(Instant.parse("2025-11-22T04:17:11Z"));
        assertThat(first.signature())
                .startsWith("AssertionError: kv chunk index out of order at prefill.py:process_prefill_chunk");
        assertThat(r.silentNote())
                .contains("health checks kept passing")
                .contains("prefill worker 2 on watchtower-aqua-cn03");
        assertThat(r.failures()).hasSize(2);
        assertThat(r.failures().get(1).role()).isEqualTo("decode");
    }

    @Test
    void benchmarkOutIsParsedPerConcurrencyAndARepeatedConcurrencyKeepsItsLastRun() throws Exception {
        Path f = tmp.resolve("benchmark.out");
        Files.writeString(
                f,
                "Warming up model with concurrency 64\n" + BENCH_BLOCK.formatted(100, 0, 9000, "1.00")
                        + "concurrency: 64\n" + BENCH_BLOCK.formatted(200, 0, 18000, "2.00")
                        + "Running with concurrency 128\n" + BENCH_BLOCK.formatted(640, 0, 587000, "6.81"));
        var results = BenchmarkOut.parse(f);
        assertThat(results).extracting(BenchmarkResult::concurrency).containsExactly(64, 128);
        assertThat(results.get(0).completed()).isEqualTo(200L);
        assertThat(results.get(0).requestThroughput()).isEqualTo(2.00);
        assertThat(results.get(1).p99TtftMs()).isEqualTo(13652.77);
        assertThat(results.get(1).medianItlMs()).isEqualTo(15.02);
        assertThat(results.get(1).p99E2elMs()).isEqualTo(21000.00);
    }

    @Test
    void runWithZeroGeneratedTokensIsFailedNotSuccess() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("5000_1P_1D_20251123_010101"));
        Files.writeString(d.resolve("benchmark.out"), "concurrency 32\n" + BENCH_BLOCK.formatted(0, 0, 0, "0.00"));
        LogDirReport r = LogDirReport.read(d, RuleBook.builtIn());
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.reason()).contains("zero generated tokens");
    }

    @Test
    void failedRequestsAboveTheThresholdMarkTheRunFailed() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("5001_1P_1D_20251123_010101"));
        Files.writeString(d.resolve("benchmark.out"), "concurrency 32\n" + BENCH_BLOCK.formatted(90, 10, 9000, "1.0"));
        assertThat(LogDirReport.read(d, RuleBook.builtIn(), 0.05).status()).isEqualTo("failed");
        assertThat(LogDirReport.read(d, RuleBook.builtIn(), 0.20).status()).isEqualTo("success");
    }

    /** A 1P/1D run whose workers logged no error and whose benchmark left no result in benchmark.out. */
    static Path runWithoutBenchmarkResult(Path parent, String benchmarkOut) throws Exception {
        Path d = Files.createDirectories(parent.resolve("6000_1P_1D_20251123_010101"));
        Files.writeString(
                d.resolve("cn01_prefill_w0.err"),
                "[2025-11-23 01:02:03 TP0] Load weight end. mem usage=40.1 GB\n"
                        + "[2025-11-23 01:40:00 TP0] INFO:     10.30.1.49:5000 - \"GET /health HTTP/1.1\" 200 OK\n");
        Files.writeString(d.resolve("cn02_decode_w0.err"), "[2025-11-23 01:02:09 TP0] Load weight end.\n");
        if (benchmarkOut != null) {
            Files.writeString(d.resolve("benchmark.out"), benchmarkOut);
        }
        return d;
    }

    @Test
    void runWithoutBenchmarkOutIsFailedForHavingNoResult() throws Exception {
        LogDirReport r = LogDirReport.read(runWithoutBenchmarkResult(tmp, null), RuleBook.builtIn());
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.reason()).startsWith("no benchmark result: there is no benchmark.out");
    }

    @Test
    void runWhoseBenchmarkOutHasNoResultBlockIsFailed() throws Exception {
        Path d = runWithoutBenchmarkResult(tmp, "Polling http://localhost:8000/health every 5 seconds...\n");
        LogDirReport r = LogDirReport.read(d, RuleBook.builtIn());
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.reason()).isEqualTo("benchmark.out has no results");
    }

    @Test
    void concurrencyMissingFromBenchmarkOutIsReadFromTheBenchmarksResultFile() throws Exception {
        Path d = runWithoutBenchmarkResult(tmp, "concurrency 32\n" + BENCH_BLOCK.formatted(100, 0, 9000, "1.00"));
        Path results = Files.createDirectories(d.resolve("sa-bench_isl_1024_osl_1024"));
        Files.copy(
                io.jobscope.testing.Fixtures.path("srtctl/sa-bench_concurrency_64.docs-analyzing-md-example.json"),
                results.resolve("isl_1024_osl_1024_concurrency_64_req_rate_inf.json"));
        // A result file for a concurrency benchmark.out has: benchmark.out's block is kept.
        Files.writeString(results.resolve("isl_1024_osl_1024_concurrency_32_req_rate_inf.json"), "{\"completed\": 1}");

        LogDirReport r = LogDirReport.read(d, RuleBook.builtIn());

        assertThat(r.status()).isEqualTo("success");
        assertThat(r.results()).extracting(BenchmarkResult::concurrency).containsExactly(32, 64);
        assertThat(r.results().get(0).completed()).isEqualTo(100L);
        BenchmarkResult c64 = r.results().get(1);
        assertThat(c64.completed()).isEqualTo(1000L);
        assertThat(c64.outputTokens()).isEqualTo(65536L);
        assertThat(c64.outputThroughput()).isEqualTo(15234.5);
        assertThat(c64.p99TtftMs()).isEqualTo(892.1);
        assertThat(c64.durationS()).isEqualTo(67.5);
    }

    @Test
    void directoryWithoutSrtctlLogsIsRefusedNamingIt() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path fixtures = io.jobscope.testing.Fixtures.path("srtctl");
        for (Path d : java.util.List.of(empty, fixtures)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogDirReport.read(d, RuleBook.builtIn()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("no srtctl logs found in " + d + " ");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogDirReport.requireLogs(d))
                    .hasMessageStartingWith("no srtctl logs found in " + d + " ");
        }
    }

    @Test
    void fixtureExcerptParses() throws Exception {
        Path fixture = io.jobscope.testing.Fixtures.path("srtctl/benchmark.out.docs-monitoring-md-excerpt.txt");
        var results = BenchmarkOut.parse(fixture);
        assertThat(results).hasSize(1);
        assertThat(results.get(0).concurrency()).isEqualTo(128);
        assertThat(results.get(0).outputThroughput()).isEqualTo(6278.02);
    }
}
