package io.jobscope.cli;

import io.jobscope.worker.StoreSummaries;
import io.jobscope.worker.Summary;
import io.jobscope.worker.Walltime;
import io.jobscope.worker.WorkerLog;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope summarize}: the worker tools' summary of a worker job directory, or of a workflow in the store. */
@Command(
        name = "summarize",
        mixinStandardHelpOptions = true,
        description = {
            "Successful, failed and incomplete work items of a worker job, with walltime and per-client statistics.",
            "Reads a worker job directory (server.log, or the MPI worker's <name>.log<jobid>) directly,"
                    + " or the jobs of a workflow in the store (--workflow)."
        })
final class SummarizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @ArgGroup(multiplicity = "1")
    Source source;

    static final class Source {
        @Option(
                names = "--dir",
                paramLabel = "DIR",
                description = "A worker job directory (e.g. worker_1234/), or its log file.")
        Path dir;

        @Parameters(paramLabel = "DIR", arity = "0..1", description = "Same as --dir.")
        Path positional;

        @Option(
                names = "--workflow",
                paramLabel = "W",
                description = "A workflow in the store: its jobs are the items, their client (else host) the clients.")
        String workflow;
    }

    @Option(
            names = {"--show_failed", "--show-failed"},
            description = "List the ids of the failed items.")
    boolean showFailed;

    @Option(
            names = {"--show_incomplete", "--show-incomplete"},
            description = "List the ids of the incomplete items.")
    boolean showIncomplete;

    @Option(
            names = {"--show_walltime_stats", "--show-walltime-stats"},
            description = "Walltime statistics of the finished items: count, mean, std, min, quartiles, max.")
    boolean showWalltime;

    @Option(
            names = {"--show_client_stats", "--show-client-stats"},
            description = "The same per client, with each client's items and total walltime, and the load balance.")
    boolean showClients;

    @Option(
            names = {"--show_all", "--show-all"},
            description = "Walltime and client statistics (as --show_walltime_stats --show_client_stats).")
    boolean showAll;

    @Option(names = "--json", description = "Print JSON (every statistic, whatever --show_* says).")
    boolean json;

    @Option(
            names = "--watch",
            paramLabel = "SECONDS",
            description = "Redraw every SECONDS seconds, reading only what the log gained; Ctrl-C to stop.")
    Double watch;

    @Option(names = "--watch-passes", hidden = true, description = "Stop watching after this many passes (tests).")
    int watchPasses = Integer.MAX_VALUE;

    @Override
    public Integer call() throws Exception {
        if (watch != null && (watch <= 0 || watch.isNaN() || watch.isInfinite())) {
            throw new ParameterException(
                    spec.commandLine(), "--watch: expecting a number of seconds > 0, got " + watch);
        }
        if (source.dir != null && source.positional != null) {
            throw new ParameterException(spec.commandLine(), "give the worker job directory once (--dir or DIR)");
        }
        if (source.workflow != null && source.positional != null) {
            throw new ParameterException(spec.commandLine(), "--workflow and a DIR are mutually exclusive");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path dir = source.dir != null ? source.dir : source.positional;
        if (dir != null) {
            WorkerLog log = open(dir);
            return loop(
                    out,
                    () -> {
                        try {
                            log.update();
                        } catch (NoSuchFileException e) {
                            throw new UserException(log.path() + ": the worker log is gone");
                        }
                        return log.summary();
                    },
                    () -> log.name() + " (" + log.path().getFileName() + ", "
                            + log.format().name().toLowerCase(Locale.ROOT) + " format)",
                    log);
        }
        try (Target ignored = target) {
            if (target.remote()) {
                // through the server's read API: the same summary, paged over the workflow's jobs
                io.jobscope.client.JobQueries queries = target.queries();
                return loop(
                        out,
                        () -> StoreSummaries.summarize(queries, source.workflow)
                                .orElseThrow(() -> new UserException(
                                        "no jobs of workflow '" + source.workflow + "' on " + target.server)),
                        () -> "workflow " + source.workflow,
                        null);
            }
            return loop(
                    out,
                    () -> StoreSummaries.summarize(target.existingDatabase(), source.workflow)
                            .orElseThrow(() -> new UserException("no workflow '" + source.workflow + "' in the store")),
                    () -> "workflow " + source.workflow,
                    null);
        }
    }

    static WorkerLog open(Path dir) {
        try {
            return WorkerLog.open(dir);
        } catch (NoSuchFileException e) {
            throw new UserException(e.getFile() + ": " + (e.getReason() == null ? "no such file" : e.getReason()));
        } catch (AccessDeniedException e) {
            throw new UserException(e.getFile() + ": " + (e.getReason() == null ? "permission denied" : e.getReason()));
        } catch (IOException e) {
            throw new UserException(dir + ": cannot read: " + e.getMessage());
        }
    }

    @FunctionalInterface
    interface Pass {
        Summary next() throws IOException;
    }

    private int loop(PrintWriter out, Pass pass, java.util.function.Supplier<String> title, WorkerLog log)
            throws IOException, InterruptedException {
        if (watch == null) {
            print(out, pass.next(), title.get(), null);
            return 0;
        }
        long period = Math.max(1, Math.round(watch * 1000));
        for (int i = 0; i < watchPasses; i++) {
            long t0 = System.nanoTime();
            Summary s = pass.next();
            if (json) {
                out.println(io.jobscope.client.Json.mapper().writeValueAsString(s));
            } else {
                StringWriter screen = new StringWriter();
                String note = String.format(
                        Locale.ROOT,
                        "every %ss, %s; this pass read %s in %d ms",
                        trim(watch),
                        LocalTime.now().truncatedTo(ChronoUnit.SECONDS),
                        log == null ? "the store" : bytes(log.lastPassBytes()),
                        (System.nanoTime() - t0) / 1_000_000);
                print(new PrintWriter(screen), s, title.get(), note);
                out.print("\033[H\033[2J");
                out.print(screen);
            }
            out.flush();
            if (i + 1 < watchPasses) {
                Thread.sleep(period);
            }
        }
        return 0;
    }

    private void print(PrintWriter out, Summary s, String title, String watchNote) {
        if (json && watchNote == null) {
            Format.json(out, s);
            return;
        }
        if (watchNote != null) {
            out.println(watchNote);
        }
        out.printf(
                "%s: %d work item%s%n",
                title,
                s.success() + s.failure() + s.incomplete(),
                s.success() + s.failure() + s.incomplete() == 1 ? "" : "s");
        out.printf("  successful items: %d%n", s.success());
        out.printf("  failed items:     %d%n", s.failure());
        out.printf("  incomplete items: %d%n", s.incomplete());
        if (showFailed) {
            out.println();
            printItems(out, "failed items", s.failedItems());
        }
        if (showIncomplete) {
            out.println();
            printItems(out, "incomplete items", s.incompleteItems());
        }
        if (showWalltime || showAll) {
            out.println();
            out.println("walltime (s) of finished items:");
            out.printf(
                    "  %8s %10s %10s %10s %10s %10s %10s %10s%n",
                    "count", "mean", "std", "min", "25%", "50%", "75%", "max");
            Walltime w = s.walltime();
            out.printf(
                    "  %8d %10s %10s %10s %10s %10s %10s %10s%n",
                    w.count(),
                    num(w.mean()),
                    num(w.std()),
                    num(w.min()),
                    num(w.p25()),
                    num(w.p50()),
                    num(w.p75()),
                    num(w.max()));
        }
        if (showClients || showAll) {
            out.println();
            out.println("client statistics (walltime in s):");
            int width = 6;
            for (Summary.ClientStats c : s.clients()) {
                width = Math.max(width, c.client().length());
            }
            String row = "  %-" + width + "s %7s %7s %10s %7s %7s %9s %9s %9s %9s %9s %9s %11s%n";
            out.printf(
                    row,
                    "client",
                    "success",
                    "failure",
                    "incomplete",
                    "count",
                    "mean",
                    "std",
                    "min",
                    "25%",
                    "50%",
                    "75%",
                    "max",
                    "total");
            for (Summary.ClientStats c : s.clients()) {
                out.printf(
                        row,
                        c.client(),
                        c.success(),
                        c.failure(),
                        c.incomplete(),
                        c.count(),
                        num(c.mean()),
                        num(c.std()),
                        num(c.min()),
                        num(c.p25()),
                        num(c.p50()),
                        num(c.p75()),
                        num(c.max()),
                        num(c.total()));
            }
            out.printf(
                    "  load balance (max client total / mean client total): %s%n",
                    s.loadBalance() == null ? "-" : String.format(Locale.ROOT, "%.3f", s.loadBalance()));
        }
        List<String> notes = new java.util.ArrayList<>();
        if (s.skippedLines() > 0) {
            notes.add(String.format(
                    Locale.ROOT,
                    "%d malformed line%s skipped, first at line %d",
                    s.skippedLines(),
                    s.skippedLines() == 1 ? "" : "s",
                    s.firstSkippedLine()));
        }
        if (s.doneWithoutStart() > 0) {
            notes.add(String.format(
                    Locale.ROOT,
                    "%d item%s done without a start line (truncated log?): counted, but without a walltime",
                    s.doneWithoutStart(),
                    s.doneWithoutStart() == 1 ? "" : "s"));
        }
        if (s.blankLines() > 0) {
            notes.add(String.format(
                    Locale.ROOT, "%d blank line%s ignored", s.blankLines(), s.blankLines() == 1 ? "" : "s"));
        }
        if (s.unfinishedLastLine()) {
            notes.add("the last line is still being written: not read yet");
        }
        if (!notes.isEmpty()) {
            out.println();
            notes.forEach(n -> out.println("note: " + n));
        }
    }

    private static void printItems(PrintWriter out, String what, List<Object> items) {
        out.printf("%s (%d):%n", what, items.size());
        StringBuilder line = new StringBuilder("  ");
        for (Object item : items) {
            String s = String.valueOf(item);
            if (line.length() > 2 && line.length() + s.length() + 1 > 100) {
                out.println(line);
                line.setLength(2);
            }
            if (line.length() > 2) {
                line.append(' ');
            }
            line.append(s);
        }
        if (line.length() > 2) {
            out.println(line);
        }
    }

    private static String num(Double d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", d);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String bytes(long b) {
        if (b < 10_000) {
            return b + " bytes";
        }
        if (b < 10L << 20) {
            return String.format(Locale.ROOT, "%.1f KB", b / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MB", b / 1048576.0);
    }
}
