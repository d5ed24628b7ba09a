package io.jobscope.cli;

import io.jobscope.agent.LogFiles;
import io.jobscope.client.Job;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jobscope logs JOB}: the job's output, from its log files when they are on this machine (read from
 * the end), else the tails kept in the store.
 */
@Command(
        name = "logs",
        mixinStandardHelpOptions = true,
        description = "Prints a job's stdout/stderr: from its log files when present here (--log-dir, or the"
                + " directory recorded when it ran), else the last 64 KiB kept in the store.")
final class LogsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Parameters(paramLabel = "JOB", description = "The job id.")
    String id;

    @Option(names = "--tail", paramLabel = "N", description = "Only the last N lines of each stream.")
    Integer tail;

    @Option(names = "--stream", paramLabel = "STREAM", description = "stdout, stderr or both (default: both).")
    String stream;

    @Option(
            names = "--log-dir",
            paramLabel = "DIR",
            defaultValue = "jobscope_logs",
            description = "Where 'jobscope run' put logs: DIR/<job-id>/ (default: ./${DEFAULT-VALUE}).")
    Path logDir;

    /** Where output goes: the real stdout in production, the command's writer in tests. */
    OutputStream raw;

    @Override
    public Integer call() throws IOException {
        if (tail != null && tail < 0) {
            throw new ParameterException(spec.commandLine(), "--tail: expecting a number >= 0, found " + tail);
        }
        List<String> streams;
        if (stream == null || stream.equals("both")) {
            streams = List.of("stdout", "stderr");
        } else if (stream.equals("stdout") || stream.equals("stderr")) {
            streams = List.of(stream);
        } else {
            throw new ParameterException(
                    spec.commandLine(), "--stream: expecting stdout, stderr or both, found '" + stream + "'");
        }
        try (Target ignored = target) {
            Path dir = logDir.resolve(RunCommand.safeDirName(id));
            Optional<Job> job = Optional.empty();
            if (!hasAny(dir, streams)) {
                job = target.queries().job(id);
                if (job.isEmpty()) {
                    throw new UserException("no job with id '" + id + "' in the store, and no logs in " + dir);
                }
                Object recorded =
                        job.get().details() == null || job.get().details().attributes() == null
                                ? null
                                : job.get().details().attributes().get("log_dir");
                if (recorded != null) {
                    dir = Path.of(recorded.toString());
                }
            }
            if (hasAny(dir, streams)) {
                printFiles(dir, streams);
            } else {
                printTails(job.orElseThrow(), streams, dir);
            }
            return 0;
        }
    }

    private static boolean hasAny(Path dir, List<String> streams) {
        return streams.stream().anyMatch(s -> Files.isRegularFile(dir.resolve(s)));
    }

    private void printFiles(Path dir, List<String> streams) throws IOException {
        OutputStream out = raw != null ? raw : new FileOutputStream(FileDescriptor.out);
        List<Path> files = new ArrayList<>();
        for (String s : streams) {
            Path f = dir.resolve(s);
            // An empty stream is left out when both are asked for: no header over nothing.
            if (Files.isRegularFile(f) && (streams.size() == 1 || Files.size(f) > 0)) {
                files.add(f);
            }
        }
        for (Path f : files) {
            if (files.size() > 1) {
                out.write(("==> " + f + " <==\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            long from = tail == null ? 0 : LogFiles.tailOffset(f, tail);
            LogFiles.copyFrom(f, from, out);
        }
        out.flush();
    }

    private void printTails(Job job, List<String> streams, Path dir) {
        PrintWriter out = spec.commandLine().getOut();
        Job.Details d = job.details();
        boolean any = false;
        for (String s : streams) {
            String text = d == null ? null : s.equals("stdout") ? d.stdoutTail() : d.stderrTail();
            if (text == null || text.isEmpty()) {
                continue;
            }
            if (streams.size() > 1) {
                out.println("==> " + s + " (last 64 KiB kept in the store) <==");
            }
            String shown = tail == null ? text : LogFiles.lastLines(text, tail);
            out.print(shown);
            if (!shown.isEmpty() && !shown.endsWith("\n")) {
                out.println();
            }
            any = true;
        }
        if (!any) {
            spec.commandLine()
                    .getErr()
                    .println("jobscope: job '" + id + "' has no " + (streams.size() > 1 ? "output" : streams.get(0))
                            + " recorded (no files in " + dir + ", no tail in the store)");
        }
        out.flush();
    }
}
