package io.jobscope.demo;

import java.util.List;

/**
 * One task of the demo workload: what it is, what it waits for, and how it will go (its phases, how
 * long, and whether and how it fails).
 */
record DemoTask(
        String id,
        String workflow,
        String app,
        String script,
        List<String> dependsOn,
        List<String> phases,
        double seconds,
        int cores,
        long memBytes,
        Failure failure) {

    /**
     * How a task fails: in which phase, with what exit, status and output when simulated; {@code mode} is how
     * the real task script fails ({@code traceback}, {@code memory}, {@code segfault}, {@code service},
     * {@code timeout}) and {@code service} the service whose outage it runs into, if any.
     */
    record Failure(
            String phase, String status, int exitCode, Integer signal, String stderr, String mode, String service) {}

    DemoTask {
        dependsOn = List.copyOf(dependsOn);
        phases = List.copyOf(phases);
    }
}
