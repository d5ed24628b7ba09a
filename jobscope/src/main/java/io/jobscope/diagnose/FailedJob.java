package io.jobscope.diagnose;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What a classifier sees of a failed job: its facts and the stored tails of its logs (UTF-8 bytes, empty
 * when none were stored).
 */
public record FailedJob(
        String id,
        String app,
        String workflow,
        String status,
        Integer exitCode,
        Integer signal,
        String heldReason,
        String error,
        Long memPeakBytes,
        Map<String, Object> attributes,
        byte[] stdout,
        byte[] stderr) {

    public FailedJob {
        attributes = attributes == null ? Map.of() : attributes;
        stdout = stdout == null ? new byte[0] : stdout;
        stderr = stderr == null ? new byte[0] : stderr;
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** A numeric attribute, or null when absent or not a number. */
    public Long longAttribute(String name) {
        Object v = attributes.get(name);
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }
}
