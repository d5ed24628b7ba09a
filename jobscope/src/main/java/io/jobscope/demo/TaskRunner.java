package io.jobscope.demo;

import io.jobscope.client.Reporter;

/**
 * The seam between the demo's scheduler and how a task runs. {@link SimulatedTaskRunner} plays the task
 * and reports what a wrapper would; a runner that wraps a real command with {@code jobscope run} can
 * replace it without touching the scheduler.
 */
interface TaskRunner {
    /** Runs the task to its end, reporting its events; returns true when it succeeded. */
    boolean run(DemoTask task, String slot, Reporter reporter) throws Exception;
}
