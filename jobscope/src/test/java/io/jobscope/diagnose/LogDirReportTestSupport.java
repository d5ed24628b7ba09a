package io.jobscope.diagnose;

import java.nio.file.Path;

/** Test data builders of {@link LogDirReportTest}, for tests in other packages. */
public final class LogDirReportTestSupport {
    private LogDirReportTestSupport() {}

    public static Path silentFailureRun(Path parent) throws Exception {
        return LogDirReportTest.silentFailureRun(parent);
    }

    public static Path runWithoutBenchmarkResult(Path parent, String benchmarkOut) throws Exception {
        return LogDirReportTest.runWithoutBenchmarkResult(parent, benchmarkOut);
    }

    public static String block(int ok, int failed, int tokens, String reqPerS) {
        return LogDirReportTest.BENCH_BLOCK.formatted(ok, failed, tokens, reqPerS);
    }
}
