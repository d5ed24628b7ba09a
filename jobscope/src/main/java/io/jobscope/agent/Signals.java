package io.jobscope.agent;

/** Signal numbers (Linux) and the shell's convention for exit codes of signalled processes. */
final class Signals {
    static final int SIGINT = 2;
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;

    private Signals() {}

    /**
     * The signal a process died of, from its exit code as Java and shells report it (128 + N), or null.
     * A shell whose child was killed exits with the same code, so a signal inside the tree is reported too.
     */
    static Integer fromExitCode(int exitCode) {
        return exitCode > 128 && exitCode < 128 + 65 ? exitCode - 128 : null;
    }
}
