package io.jobscope.diagnose;

import java.util.Locale;

/** What a rule's pattern is matched against: a log stream line by line, or one of the job's facts. */
public enum Where {
    STDOUT,
    STDERR,
    ANY,
    EXIT_CODE,
    SIGNAL,
    HELD_REASON,
    /** The job's recorded status (failed, error, timeout, held). */
    STATUS;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    boolean isLog() {
        return this == STDOUT || this == STDERR || this == ANY;
    }

    /** Whether a line of {@code stream} (stdout, stderr, or another name such as error or a file) is in scope. */
    boolean covers(String stream) {
        return switch (this) {
            case ANY -> true;
            case STDOUT -> "stdout".equals(stream);
            case STDERR -> !"stdout".equals(stream);
            default -> false;
        };
    }

    static Where parse(String text) {
        for (Where w : values()) {
            if (w.label().equalsIgnoreCase(text.trim())) {
                return w;
            }
        }
        throw new IllegalArgumentException(
                "unknown where '" + text + "'; use stdout, stderr, any, exit_code, signal, held_reason or status");
    }
}
