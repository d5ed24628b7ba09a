package io.jobscope.cli;

import io.jobscope.agent.Delivery;
import io.jobscope.agent.RunSpec;
import io.jobscope.agent.SignalForwarding;
import io.jobscope.agent.StoreReporter;
import io.jobscope.client.Job;
import io.jobscope.client.JobPage;
import io.jobscope.client.JobQueries;
import io.jobscope.client.JobQuery;
import io.jobscope.client.JobscopeClient;
import io.jobscope.client.Json;
import io.jobscope.client.Reporter;
import io.jobscope.client.Statuses;
import io.jobscope.jobs.JobService;
import io.jobscope.store.Database;
import io.jobscope.sweep.CommandTemplate;
import io.jobscope.sweep.ParamFile;
import io.jobscope.sweep.ProgressLine;
import io.jobscope.sweep.SweepRunner;
import io.jobscope.util.Times;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import sun.misc.SignalHandler;

/** {@code jobscope sweep --data params.csv -- CMD '{x}'}: one monitored job per row of a CSV file, N at a time. */
@Command(
        name = "sweep",
        mixinStandardHelpOptions = true,
        description = {
            "Runs CMD once per row of a CSV file (the header names the placeholders {name} in CMD's arguments),"
                    + " N at a time, each as a monitored job like 'jobscope run' (accounting, logs, phases).",
            "The items are jobs <workflow>.<row> of one workflow, the slot that ran them their client;"
                    + " --resume runs again only the items that did not succeed. 'jobscope summarize --workflow W'"
                    + " shows the sweep.",
            "Exit status: 0 when every item succeeded, 1 when any failed, 2 for bad input (nothing runs),"
                    + " 130 when interrupted (Ctrl-C cancels the running items)."
        })
final class SweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "CSV",
            description = "The parameters: a header, one row per item.")
    Path data;

    @Option(
            names = {"--parallel", "-j"},
            paramLabel = "N",
            description = "Items run at a time (default: the number of CPUs, ${sys:jobscope.cpus}).")
    Integer parallel;

    @Option(
            names = "--workflow",
            paramLabel = "W",
            description = "The sweep's workflow id (default: sweep-<csv name>-<UTC time>, printed on stderr).")
    String workflow;

    @Option(names = "--resume", description = "Run only the rows of --workflow that have not succeeded yet.")
    boolean resume;

    @Option(
            names = "--skip-bad-rows",
            description = "Run the good rows even when some have the wrong number of fields (each is reported).")
    boolean skipBadRows;

    @Option(names = "--dry-run", description = "Print each item's id and command, run nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the outcome as JSON on stdout.")
    boolean json;

    @Option(
            names = {"--app", "--tool"},
            description = "Application name of the items (default: the command's name).")
    String app;

    @Option(names = "--site", description = "Site (default: $JOBSCOPE_SITE, else the scheduler's).")
    String site;

    @Option(names = "--timeout", paramLabel = "DUR", description = "Stop an item after DUR (e.g. 90s, 2h).")
    String timeout;

    @Option(
            names = "--kill-grace",
            paramLabel = "DUR",
            defaultValue = "10s",
            description = "SIGKILL this long after SIGTERM (timeout, Ctrl-C) (default: ${DEFAULT-VALUE}).")
    String killGrace;

    @Option(
            names = "--sample-interval",
            paramLabel = "DUR",
            defaultValue = "10s",
            description = "Resource sample of each item every DUR (default: ${DEFAULT-VALUE}).")
    String sampleInterval;

    @Option(
            names = "--log-dir",
            paramLabel = "DIR",
            defaultValue = "jobscope_logs",
            description = "Item logs go to DIR/<job-id>/stdout and stderr (default: ./${DEFAULT-VALUE}).")
    Path logDir;

    @Option(
            names = "--tail-bytes",
            defaultValue = "65536",
            description = "Bytes of each log's end kept with the job (default: ${DEFAULT-VALUE}).")
    int tailBytes;

    @Option(
            names = "--phase-pattern",
            paramLabel = "REGEX",
            description = "Output line marking a phase, as for 'jobscope run'.")
    String phasePattern;

    @Mixin
    DeliveryOptions delivery = new DeliveryOptions();

    @Parameters(paramLabel = "CMD", arity = "1..*", description = "The command and its arguments (after --).")
    List<String> command;

    static {
        System.setProperty(
                "jobscope.cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Consumer<String> warn = w -> {
            synchronized (err) {
                err.println("jobscope: warning: " + w);
                err.flush();
            }
        };
        ParamFile params = ParamFile.open(data);
        CommandTemplate template = new CommandTemplate(command, new java.util.HashSet<>(params.columns()));
        ParamFile.Check check = params.check();
        if (check.badCount() > 0 && !skipBadRows) {
            throw new UserException(
                    data + ": " + badRows(check) + "; fix them, or give --skip-bad-rows to run the rest");
        }
        if (check.badCount() > 0) {
            warn.accept(data + ": skipping " + badRows(check));
        }
        if (check.valid() == 0) {
            throw new UserException(data + ": no rows to run (the file has only its header)");
        }
        if (template.used().isEmpty()) {
            warn.accept("the command uses none of the columns ("
                    + String.join(
                            ", ",
                            params.columns().stream().map(c -> "{" + c + "}").toList())
                    + "): every item runs the same command");
        }
        checkRunnable(template.args().get(0));
        if (resume && workflow == null) {
            throw new ParameterException(spec.commandLine(), "--resume needs --workflow W: the sweep to resume");
        }
        String wf = workflow != null ? workflow : defaultWorkflow();
        SweepRunner.Settings settings = settings(wf);
        if (dryRun) {
            PrintWriter out = spec.commandLine().getOut();
            params.forEach(
                    row -> out.println(
                            SweepRunner.itemId(wf, row.number()) + "\t" + shellQuoted(template.apply(row.values()))),
                    bad -> {});
            out.flush();
            return 0;
        }

        Function<String, RuntimeException> bad = m -> new ParameterException(spec.commandLine(), m);
        DeliveryOptions.Kind kind =
                delivery.kind(spec.commandLine().getParseResult().hasMatchedOption("--server"), bad);
        if (resume && kind == DeliveryOptions.Kind.SPOOL) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--resume reads which items succeeded from the store or a server: give --db or --server, not --spool");
        }
        Path rescue = delivery.rescue(kind);
        Supplier<Reporter> destination;
        Database database = null;
        JobQueries queries = null;
        try {
            if (kind != DeliveryOptions.Kind.STORE) {
                destination = delivery.remote(kind, rescue, warn, bad);
                if (kind == DeliveryOptions.Kind.SERVER) {
                    queries = new JobscopeClient(delivery.serverUri(bad), delivery.token);
                }
            } else {
                Database d = Database.open(Database.defaultLocation(delivery.db), 2);
                database = d;
                destination = () -> new StoreReporter(d, false);
                queries = new JobService(d);
            }
            BitSet done = resume ? succeeded(queries, wf) : new BitSet();
            return sweep(params, template, settings, check, done, destination, rescue, warn, err);
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    private int sweep(
            ParamFile params,
            CommandTemplate template,
            SweepRunner.Settings settings,
            ParamFile.Check check,
            BitSet done,
            Supplier<Reporter> destination,
            Path rescue,
            Consumer<String> warn,
            PrintWriter err) {
        Delivery sender = new Delivery(destination, rescue, warn);
        AtomicInteger sent = new AtomicInteger();
        SweepRunner runner = new SweepRunner(
                params,
                template,
                settings,
                new SweepRunner.Sink() {
                    @Override
                    public void send(io.jobscope.client.Event e) {
                        sent.incrementAndGet();
                        sender.send(e);
                    }

                    @Override
                    public long backlog() {
                        return sent.get() - sender.delivered();
                    }
                },
                warn);
        String wf = settings.workflow();
        int[] toRun = {0};
        params.forEach(row -> toRun[0] += done.get(row.number()) ? 0 : 1, bad -> {});
        err.println("jobscope: sweep " + wf + ": " + check.valid() + " row(s)"
                + (resume ? ", " + done.cardinality() + " succeeded already" : "") + ", " + settings.parallel()
                + " at a time; logs in " + settings.logDir());
        err.flush();
        long startNanos = System.nanoTime();
        SignalForwarding handlers = installSignals(runner, err);
        SweepRunner.Result result;
        try (ProgressLine progress =
                new ProgressLine("sweep " + wf, runner::progress, err, System.console() != null, 10_000).start()) {
            result = toRun[0] == 0 ? null : runner.run(done, check.badCount());
        } finally {
            handlers.restore();
        }
        sender.close(30_000);
        if (result == null) {
            err.println("jobscope: sweep " + wf + ": every item has succeeded already; nothing to run");
            return 0;
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        report(result, seconds, err);
        return result.exitCode();
    }

    private void report(SweepRunner.Result r, double seconds, PrintWriter err) {
        String wf = r.workflow();
        err.println(String.format(
                Locale.ROOT,
                "jobscope: sweep %s %s after %s: %d succeeded, %d failed%s%s",
                wf,
                r.interrupted() ? "interrupted" : "done",
                duration(seconds),
                r.succeeded(),
                r.failed(),
                r.cancelled() > 0 ? ", " + r.cancelled() + " cancelled" : "",
                r.notStarted() > 0 ? ", " + r.notStarted() + " not started" : ""));
        if (!r.failedItems().isEmpty()) {
            err.println("jobscope: failed: " + String.join(", ", r.failedItems())
                    + (r.failed() > r.failedItems().size() ? ", …" : ""));
        }
        if (r.exitCode() != 0) {
            err.println("jobscope: see 'jobscope summarize --workflow " + wf + " --show_failed'; run the rest with:"
                    + " jobscope sweep --data " + shellQuoted(List.of(data.toString())) + " --workflow "
                    + shellQuoted(List.of(wf)) + " --resume -- " + shellQuoted(command));
        }
        err.flush();
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("workflow", wf);
            m.put("rows", r.rows());
            m.put("bad_rows", r.badRows());
            m.put("skipped_succeeded", r.skippedDone());
            m.put("succeeded", r.succeeded());
            m.put("failed", r.failed());
            m.put("cancelled", r.cancelled());
            m.put("not_started", r.notStarted());
            m.put("failed_items", r.failedItems());
            m.put("interrupted", r.interrupted());
            m.put("duration_s", Math.round(seconds * 1000) / 1000.0);
            m.put("exit_code", r.exitCode());
            PrintWriter out = spec.commandLine().getOut();
            try {
                out.println(Json.mapper().writeValueAsString(m));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            out.flush();
        }
    }

    /** The rows of {@code wf} whose jobs succeeded, read from the store or the server. */
    private BitSet succeeded(JobQueries queries, String wf) {
        if (queries.history(new JobQuery(null, null, wf, null, null, null, null, 1, null))
                .jobs()
                .isEmpty()) {
            throw new UserException("--resume: the store has no sweep '" + wf
                    + "' (no jobs of that workflow); run it without --resume first");
        }
        BitSet done = new BitSet();
        JobQuery q = new JobQuery(Statuses.SUCCESS, null, wf, null, null, null, null, JobQuery.MAX_LIMIT, null);
        while (true) {
            JobPage page = queries.history(q);
            for (Job j : page.jobs()) {
                int row = SweepRunner.rowOf(wf, j.id());
                if (row > 0) {
                    done.set(row);
                }
            }
            if (page.nextCursor() == null || page.jobs().isEmpty()) {
                return done;
            }
            q = q.withCursor(page.nextCursor());
        }
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60
                ? String.format(Locale.ROOT, "%.1f s", seconds)
                : String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    private SweepRunner.Settings settings(String wf) {
        Pattern marker;
        try {
            marker = Pattern.compile(phasePattern == null ? RunSpec.DEFAULT_PHASE_PATTERN : phasePattern);
        } catch (PatternSyntaxException e) {
            throw new ParameterException(
                    spec.commandLine(), "--phase-pattern: not a regular expression: " + e.getDescription());
        }
        String p = marker.pattern();
        if (!p.contains("(?<name>") || !p.contains("(?<state>")) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--phase-pattern: the pattern needs the named groups (?<name>...) and (?<state>...), found " + p);
        }
        if (tailBytes < 0) {
            throw new ParameterException(
                    spec.commandLine(), "--tail-bytes: expecting a number >= 0, found " + tailBytes);
        }
        Duration interval = duration("--sample-interval", sampleInterval);
        if (interval.toMillis() < 100) {
            throw new ParameterException(
                    spec.commandLine(), "--sample-interval: expecting at least 100ms, found " + sampleInterval);
        }
        Duration t = duration("--timeout", timeout);
        if (t != null && (t.isZero() || t.isNegative())) {
            throw new ParameterException(spec.commandLine(), "--timeout: expecting a duration > 0, found " + timeout);
        }
        try {
            return new SweepRunner.Settings(
                    wf,
                    parallel != null ? parallel : Runtime.getRuntime().availableProcessors(),
                    app,
                    site,
                    t,
                    duration("--kill-grace", killGrace),
                    interval,
                    logDir,
                    tailBytes,
                    marker);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Duration duration(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Times.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    private String defaultWorkflow() {
        String name =
                data.getFileName().toString().replaceFirst("(?i)\\.csv$", "").replaceAll("[^A-Za-z0-9_-]", "_");
        String time = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
        return "sweep-" + name + "-" + time;
    }

    private static String badRows(ParamFile.Check check) {
        StringBuilder sb = new StringBuilder();
        sb.append(check.bad().get(0).message());
        if (check.badCount() > 1) {
            sb.append(" (").append(check.badCount() - 1).append(" more bad row(s), at line");
            for (int i = 1; i < check.bad().size() && i <= 10; i++) {
                sb.append(i == 1 ? " " : ", ").append(check.bad().get(i).line());
            }
            if (check.badCount() > 11) {
                sb.append(", …");
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** Fails now, rather than once per row, when the command cannot be found. */
    private static void checkRunnable(String cmd) {
        if (cmd.contains("{")) {
            return; // the row decides
        }
        if (cmd.contains("/")) {
            Path p = Path.of(cmd);
            if (!Files.exists(p)) {
                throw new UserException("cannot run '" + cmd + "': no such file");
            }
            if (Files.isDirectory(p) || !Files.isExecutable(p)) {
                throw new UserException("cannot run '" + cmd + "': not an executable file");
            }
            return;
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, cmd);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return;
            }
        }
        throw new UserException("cannot run '" + cmd + "': not found on PATH");
    }

    static String shellQuoted(List<String> args) {
        StringBuilder sb = new StringBuilder();
        for (String a : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (!a.isEmpty() && a.matches("[A-Za-z0-9_@%+=:,./-]+")) {
                sb.append(a);
            } else {
                sb.append('\'').append(a.replace("'", "'\\''")).append('\'');
            }
        }
        return sb.toString();
    }

    /** Ctrl-C (or SIGTERM/SIGHUP) cancels the sweep; a second one kills the running items at once. */
    private static SignalForwarding installSignals(SweepRunner runner, PrintWriter err) {
        AtomicInteger count = new AtomicInteger();
        SignalHandler handler = sig -> {
            int n = count.incrementAndGet();
            runner.cancel(n > 1);
            synchronized (err) {
                err.println(
                        n > 1
                                ? "\njobscope: killing the running items"
                                : "\njobscope: cancelling the sweep: no new items; stopping the running ones (again to kill"
                                        + " them now)");
                err.flush();
            }
        };
        return SignalForwarding.install(List.of("INT", "TERM", "HUP"), handler);
    }
}
