package io.jobscope.cli;

import io.jobscope.agent.Phases;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope phase NAME start|done|failed}: marks a phase from inside a job run by {@code jobscope run}. */
@Command(
        name = "phase",
        mixinStandardHelpOptions = true,
        description = {
            "Marks a phase of the current job (inside 'jobscope run'): the wrapper records its wall and CPU time.",
            "Outside a wrapped job it warns and does nothing; it never fails the job."
        })
final class PhaseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Phase name (one word).")
    String name;

    @Parameters(index = "1", paramLabel = "STATE", description = "start, done or failed.")
    String state;

    @Override
    public Integer call() {
        Phases.Delivered d;
        try {
            d = Phases.report(
                    name,
                    state.toLowerCase(java.util.Locale.ROOT),
                    System.getenv("JOBSCOPE_CONTROL"),
                    System.getenv("JOBSCOPE_JOB_ID"),
                    System.out);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
            d = Phases.Delivered.NOWHERE;
        }
        if (d == Phases.Delivered.NOWHERE) {
            spec.commandLine()
                    .getErr()
                    .println("jobscope: warning: not inside 'jobscope run' ($JOBSCOPE_JOB_ID is not set);" + " phase '"
                            + name + "' not recorded");
        }
        return 0;
    }
}
