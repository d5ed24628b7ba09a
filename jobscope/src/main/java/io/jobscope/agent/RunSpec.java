package io.jobscope.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What {@code jobscope run} was asked to do: the command, the job's identity, and how to watch it.
 *
 * @param logDir the job's own log directory (stdout and stderr files go in it)
 * @param timeout null for none
 */
public record RunSpec(
        List<String> command,
        String jobId,
        String workflow,
        String app,
        String script,
        Map<String, Object> params,
        String site,
        Duration timeout,
        Duration killGrace,
        Duration sampleInterval,
        Duration firstSample,
        Path logDir,
        int tailBytes,
        Pattern phasePattern,
        Path workDir) {

    /** The marker a job prints to report a phase: {@code JOBSCOPE PHASE <name> <start|done|failed>}. */
    public static final String DEFAULT_PHASE_PATTERN = "^JOBSCOPE PHASE (?<name>\\S+) (?<state>start|done|failed)\\s*$";

    public static final int DEFAULT_TAIL_BYTES = 64 * 1024;

    public RunSpec {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException(
                    "command: give the command to run after --, e.g. jobscope run -- ./job.sh");
        }
        Objects.requireNonNull(jobId, "jobId");
        if (jobId.isBlank() || jobId.length() > 200) {
            throw new IllegalArgumentException("--id: expecting 1 to 200 characters, found '" + jobId + "'");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("--timeout: expecting a duration > 0, found " + typed(timeout));
        }
        if (killGrace.isNegative()) {
            throw new IllegalArgumentException("--kill-grace: expecting a duration >= 0, found " + typed(killGrace));
        }
        if (sampleInterval.toMillis() < 100) {
            throw new IllegalArgumentException(
                    "--sample-interval: expecting at least 100ms, found " + typed(sampleInterval));
        }
        if (tailBytes < 0) {
            throw new IllegalArgumentException("--tail-bytes: expecting a number >= 0, found " + tailBytes);
        }
        String p = phasePattern.pattern();
        if (!p.contains("(?<name>") || !p.contains("(?<state>")) {
            throw new IllegalArgumentException(
                    "--phase-pattern: the pattern needs the named groups (?<name>...) and (?<state>...), found " + p);
        }
        params = params == null ? Map.of() : Map.copyOf(params);
        command = List.copyOf(command);
    }

    /** A duration as a user types it (30s, 250ms), not java.time's PT30S. */
    private static String typed(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
}
