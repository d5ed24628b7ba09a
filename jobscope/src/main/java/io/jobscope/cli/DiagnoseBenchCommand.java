package io.jobscope.cli;

import io.jobscope.diagnose.DiagnoseBench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobscope bench-diagnose}: the diagnosis benchmarks (hidden; see docs/benchmarks.md). */
@Command(
        name = "bench-diagnose",
        hidden = true,
        mixinStandardHelpOptions = true,
        description = "Benchmark diagnosis: classify stored tails, and scan a large log next to grep -E -f.")
final class DiagnoseBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--jobs", defaultValue = "20000", description = "Failed jobs to classify.")
    int jobs;

    @Option(names = "--tail-kb", defaultValue = "64", description = "KiB of stored stderr tail per job.")
    int tailKb;

    @Option(names = "--scan-mb", defaultValue = "1024", description = "MB of log to scan.")
    int scanMb;

    @Option(names = "--work-dir", description = "Where to put the generated store and log (default: a temp dir).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        if (jobs < 1 || tailKb < 1 || scanMb < 1) {
            throw new UserException("--jobs, --tail-kb and --scan-mb must be > 0");
        }
        Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("jobscope-bench");
        DiagnoseBench.run(spec.commandLine().getOut(), jobs, tailKb, scanMb, dir);
        return 0;
    }
}
