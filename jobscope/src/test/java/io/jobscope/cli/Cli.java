package io.jobscope.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the jobscope command line as a real process (its own JVM), as a job script would. */
final class Cli {
    record Result(int exit, String out, String err) {}

    private Cli() {}

    /** The java command that runs jobscope's main class, sized like the launcher's. */
    static List<String> java() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xmx128m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.jobscope.cli.Main");
        return cmd;
    }

    /** The same as one shell word list, for use inside {@code bash -c}. */
    static String javaForShell() {
        StringBuilder sb = new StringBuilder();
        for (String s : java()) {
            sb.append(sb.length() == 0 ? "" : " ")
                    .append('\'')
                    .append(s.replace("'", "'\\''"))
                    .append('\'');
        }
        return sb.toString();
    }

    static Process start(Path dir, Map<String, String> env, List<String> args) throws IOException {
        List<String> cmd = java();
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().remove("JOBSCOPE_SERVER");
        pb.environment().remove("JOBSCOPE_DB");
        pb.environment().put("HOME", dir.toString());
        pb.environment().putAll(env);
        pb.redirectOutput(dir.resolve(".out").toFile());
        pb.redirectError(dir.resolve(".err").toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb.start();
    }

    static Result run(Path dir, Map<String, String> env, String... args) throws Exception {
        Process p = start(dir, env, List.of(args));
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("jobscope " + String.join(" ", args) + " did not finish in 120 s");
        }
        return result(dir, p.exitValue());
    }

    static Result result(Path dir, int exit) throws IOException {
        return new Result(
                exit,
                Files.readString(dir.resolve(".out"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve(".err"), StandardCharsets.UTF_8));
    }
}
