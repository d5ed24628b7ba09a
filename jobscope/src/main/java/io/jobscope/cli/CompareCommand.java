package io.jobscope.cli;

import io.jobscope.diagnose.BenchmarkResult;
import io.jobscope.diagnose.CompareTable;
import io.jobscope.diagnose.LogDirReport;
import io.jobscope.diagnose.RuleBook;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope compare DIR…}: benchmark runs side by side. */
@Command(
        name = "compare",
        mixinStandardHelpOptions = true,
        description = "Compare the benchmark results of srtctl log directories side by side, per concurrency."
                + " A run with no benchmark result, zero generated tokens, too many failed requests or a failed"
                + " worker is marked FAILED.")
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "Log directories (logs/{job}_{P}P_{D}D_{time}/).")
    List<Path> dirs;

    @Option(
            names = "--max-failed",
            defaultValue = "5",
            paramLabel = "PERCENT",
            description = "Failed requests above this share mark a run failed (default: ${DEFAULT-VALUE}%%).")
    double maxFailedPercent;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (maxFailedPercent < 0 || maxFailedPercent > 100) {
            throw new UserException("--max-failed: expecting a percentage 0..100, found " + maxFailedPercent);
        }
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                throw new UserException(d + " is not a directory");
            }
        }
        RuleBook book = RuleBook.load(List.of(), true);
        List<LogDirReport> reports = new ArrayList<>();
        for (Path d : dirs) {
            reports.add(LogDirReport.read(d, book, maxFailedPercent / 100.0));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<Map<String, Object>> runs = new ArrayList<>();
            for (LogDirReport r : reports) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dir", r.dir());
                m.put("job_id", r.jobId());
                m.put("status", r.status());
                m.put("reason", r.reason());
                m.put("results", r.results());
                runs.add(m);
            }
            Format.json(out, runs);
            return 0;
        }
        List<String> names = new ArrayList<>();
        List<List<BenchmarkResult>> results = new ArrayList<>();
        for (LogDirReport r : reports) {
            String name =
                    Path.of(r.dir()).toAbsolutePath().normalize().getFileName().toString();
            names.add(name);
            results.add(r.results());
            out.printf(
                    "%-40s %s%s%n",
                    name, r.status().toUpperCase(Locale.ROOT), r.reason() == null ? "" : " — " + r.reason());
        }
        out.println();
        CompareTable.print(out, names, results);
        return 0;
    }
}
