package io.jobscope.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real command line in-process, for tests in other packages. */
public final class CliRunner {
    private CliRunner() {}

    /** What a command printed and returned. */
    public record Result(int exit, String out, String err) {}

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }
}
