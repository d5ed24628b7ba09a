package io.jobscope.client;

import java.util.List;
import java.util.Set;

/** The job statuses of the protocol and how they count in statistics. */
public final class Statuses {
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";
    public static final String TIMEOUT = "timeout";
    public static final String ERROR = "error";
    public static final String CANCELLED = "cancelled";
    public static final String HELD = "held";

    public static final List<String> ALL = List.of(PENDING, RUNNING, SUCCESS, FAILED, TIMEOUT, ERROR, CANCELLED, HELD);
    private static final Set<String> FAILURES = Set.of(FAILED, ERROR, TIMEOUT);
    private static final Set<String> TERMINAL = Set.of(SUCCESS, FAILED, TIMEOUT, ERROR, CANCELLED);

    private Statuses() {}

    public static boolean isKnown(String status) {
        return ALL.contains(status);
    }

    /** Failed, error and timeout: the statuses that count as failures in statistics. */
    public static boolean isFailure(String status) {
        return FAILURES.contains(status);
    }

    /** A status after which the job does not run again unless it is retried. */
    public static boolean isTerminal(String status) {
        return TERMINAL.contains(status);
    }
}
