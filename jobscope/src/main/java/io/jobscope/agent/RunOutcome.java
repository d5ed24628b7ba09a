package io.jobscope.agent;

/**
 * How a wrapped job ended and what it used, as reported in {@code job.finished}.
 *
 * @param exitCode what {@code jobscope run} exits with: the child's code, 128+N for signal N, 126/127 when
 *     it could not be started
 */
public record RunOutcome(
        String jobId,
        String status,
        int exitCode,
        Integer signal,
        double wallS,
        double cpuUserS,
        double cpuSystemS,
        long memPeakBytes,
        long readBytes,
        long writeBytes,
        int samples,
        String error) {

    public double cpuTotalS() {
        return cpuUserS + cpuSystemS;
    }
}
