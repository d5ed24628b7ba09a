package io.jobscope.diagnose;

import java.util.Optional;

/**
 * Killed (exit 137 or SIGKILL) with the memory peak at the job's limit: the out-of-memory killer, even
 * when the log says nothing. The limit comes from the attribute {@code mem_limit_bytes} (or {@code
 * request_memory_mb}); "at the limit" means a peak of at least 95 % of it.
 */
public final class MemoryLimitClassifier implements FailureClassifier {
    @Override
    public Optional<Diagnosis> classify(FailedJob job) {
        boolean killed = job.exitCode() != null && job.exitCode() == 137 || job.signal() != null && job.signal() == 9;
        if (!killed || job.memPeakBytes() == null) {
            return Optional.empty();
        }
        Long limit = job.longAttribute("mem_limit_bytes");
        if (limit == null) {
            Long mb = job.longAttribute("request_memory_mb");
            limit = mb == null ? null : mb * 1048576L;
        }
        if (limit == null || limit <= 0 || job.memPeakBytes() < limit * 0.95) {
            return Optional.empty();
        }
        String what = job.exitCode() != null && job.exitCode() == 137 ? "exit code 137" : "SIGKILL";
        return Optional.of(new Diagnosis(
                Category.RESOURCES,
                "oom-at-limit",
                "Killed at its memory limit",
                null,
                "killed (" + what + ") with memory at the limit",
                null,
                null,
                String.format(
                        java.util.Locale.ROOT,
                        "%s; memory peak %.0f MB of a %.0f MB limit",
                        what,
                        job.memPeakBytes() / 1048576.0,
                        limit / 1048576.0),
                false,
                "Request more memory (or process less per job) and resubmit."));
    }
}
