package io.jobscope.diagnose;

/** One serving-benchmark result block (benchmark.out), for one concurrency; null where not printed. */
public record BenchmarkResult(
        int concurrency,
        Long completed,
        Long failed,
        Double durationS,
        Long inputTokens,
        Long outputTokens,
        Double requestThroughput,
        Double outputThroughput,
        Double totalThroughput,
        Double meanTtftMs,
        Double medianTtftMs,
        Double p99TtftMs,
        Double meanTpotMs,
        Double medianTpotMs,
        Double p99TpotMs,
        Double meanItlMs,
        Double medianItlMs,
        Double p99ItlMs,
        Double meanE2elMs,
        Double medianE2elMs,
        Double p99E2elMs) {

    /** Why this result means the run failed (no tokens, too many failed requests), or null. */
    public String failure(double maxFailedRatio) {
        if (outputTokens != null && outputTokens == 0
                || outputThroughput != null && outputThroughput == 0
                || completed != null && completed == 0) {
            return "concurrency " + concurrency + ": zero generated tokens";
        }
        long ok = completed == null ? 0 : completed;
        long bad = failed == null ? 0 : failed;
        if (bad > 0 && bad > maxFailedRatio * (ok + bad)) {
            return String.format(
                    java.util.Locale.ROOT,
                    "concurrency %d: %d of %d requests failed (%.1f%%)",
                    concurrency,
                    bad,
                    ok + bad,
                    100.0 * bad / (ok + bad));
        }
        return null;
    }
}
