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

    /** How a task fails: in which phase, with what exit, status and output. */
    record Failure(String phase, String status, int exitCode, Integer signal, String stderr) {}

    DemoTask {
        dependsOn = List.copyOf(dependsOn);
        phases = List.copyOf(phases);
    }
}
