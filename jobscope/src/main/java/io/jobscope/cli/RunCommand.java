package io.jobscope.cli;

import io.jobscope.agent.Delivery;
import io.jobscope.agent.Destinations;
import io.jobscope.agent.JobRunner;
import io.jobscope.agent.RunOutcome;
import io.jobscope.agent.RunSpec;
import io.jobscope.client.Reporter;
import io.jobscope.util.Times;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
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

/** {@code jobscope run -- CMD ARGS…}: runs a command as a monitored job and exits with its exit code. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Runs CMD as a monitored job: CPU, memory and I/O of its whole process tree, where it ran, phases,"
                    + " logs (passed through and kept in --log-dir), timeout. Exits with CMD's exit code"
                    + " (128+N if killed by signal N, 126/127 if it could not be started).",
            "Events go to --server (with the spool as fallback), to --spool DIR, or to the local store."
        })
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--id", description = "Job id (default: a new unique id, printed on stderr).")
    String id;

    @Option(names = "--workflow", description = "Workflow the job belongs to.")
    String workflow;

    @Option(
            names = {"--app", "--tool"},
            description = "Application name (default: the command's name).")
    String app;

    @Option(
            names = "--script",
            description = "Script or input the job runs (default: the command's first argument that is not an option).")
    String script;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A parameter of the job (repeatable).")
    List<String> params = List.of();

    @Option(names = "--site", description = "Site (default: $JOBSCOPE_SITE, else the scheduler's, e.g. GLIDEIN_Site).")
    String site;

    @Option(
            names = "--timeout",
            paramLabel = "DUR",
            description = "Stop the job after DUR (e.g. 90s, 2h): SIGTERM to its tree.")
    String timeout;

    @Option(
            names = "--kill-grace",
            paramLabel = "DUR",
            defaultValue = "30s",
            description = "SIGKILL this long after SIGTERM (default: ${DEFAULT-VALUE}).")
    String killGrace;

    @Option(
            names = "--sample-interval",
            paramLabel = "DUR",
            defaultValue = "10s",
            description = "Resource sample every DUR, the first after 1 s (default: ${DEFAULT-VALUE}).")
    String sampleInterval;

    @Option(
            names = "--log-dir",
            paramLabel = "DIR",
            defaultValue = "jobscope_logs",
            description = "Logs go to DIR/<job-id>/stdout and stderr (default: ./${DEFAULT-VALUE}).")
    Path logDir;

    @Option(
            names = "--tail-bytes",
            defaultValue = "65536",
            description = "Bytes of each log's end sent with job.finished (default: ${DEFAULT-VALUE}).")
    int tailBytes;

    @Option(
            names = "--phase-pattern",
            paramLabel = "REGEX",
            description = "Output line marking a phase, with groups (?<name>…) and (?<state>start|done|failed)"
                    + " (default: JOBSCOPE PHASE <name> <state>).")
    String phasePattern;

    @Mixin
    DeliveryOptions delivery = new DeliveryOptions();

    @Parameters(paramLabel = "CMD", arity = "1..*", description = "The command and its arguments (after --).")
    List<String> command;

    /** Whether --server was given, when {@link RunFastPath} parsed the options instead of picocli. */
    Boolean serverGiven;

    /**
     * A bad option: picocli's error, or, on the fast path (no picocli model), a signal to parse again with
     * picocli, which then reports it the usual way.
     */
    private RuntimeException bad(String message) {
        if (spec == null) {
            return new RunFastPath.Declined(message);
        }
        return new ParameterException(spec.commandLine(), message);
    }

    @Override
    public Integer call() {
        return execute(prepare());
    }

    /** What {@link #prepare} checked and made of the options. */
    record Prepared(RunSpec run, DeliveryOptions.Kind destination) {}

    /** Checks the options and builds the job's spec; nothing runs yet. */
    Prepared prepare() {
        RunSpec run = spec();
        boolean explicitServer = serverGiven != null
                ? serverGiven
                : spec.commandLine().getParseResult().hasMatchedOption("--server");
        return new Prepared(run, delivery.kind(explicitServer, this::bad)); // checked before anything runs
    }

    /** Runs the prepared job to its end; returns the exit code for {@code jobscope run}. */
    int execute(Prepared prepared) {
        RunSpec run = prepared.run();
        Consumer<String> warn = w -> {
            System.err.println("jobscope: warning: " + w);
            System.err.flush();
        };
        DeliveryOptions.Kind kind = prepared.destination();
        Path rescue = delivery.rescue(kind);
        Supplier<Reporter> destination = kind == DeliveryOptions.Kind.STORE
                ? Destinations.store(delivery.db)
                : delivery.remote(kind, rescue, warn, this::bad);
        if (id == null) {
            System.err.println("jobscope: job id " + run.jobId());
            System.err.flush();
        }
        Delivery sender = new Delivery(destination, rescue, warn);
        RunOutcome outcome = new JobRunner(
                        run,
                        sender::send,
                        warn,
                        new FileOutputStream(FileDescriptor.out),
                        new FileOutputStream(FileDescriptor.err),
                        System.getenv(),
                        true)
                .run();
        if ("error".equals(outcome.status())) {
            System.err.println("jobscope: " + outcome.error());
        }
        sender.close(10_000);
        return outcome.exitCode();
    }

    private RunSpec spec() {
        String jobId = id != null ? id : newId();
        Duration t = duration("--timeout", timeout);
        Map<String, Object> p = new LinkedHashMap<>();
        for (String kv : params) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw bad("--param: expecting KEY=VALUE, found '" + kv + "'");
            }
            p.put(kv.substring(0, eq), typed(kv.substring(eq + 1)));
        }
        Pattern marker;
        try {
            marker = Pattern.compile(phasePattern == null ? RunSpec.DEFAULT_PHASE_PATTERN : phasePattern);
        } catch (PatternSyntaxException e) {
            throw bad("--phase-pattern: not a regular expression: " + e.getDescription());
        }
        String name = Path.of(command.get(0)).getFileName().toString();
        try {
            return new RunSpec(
                    command,
                    jobId,
                    workflow,
                    app != null ? app : name,
                    script != null ? script : io.jobscope.sweep.SweepRunner.script(command),
                    p,
                    site,
                    t,
                    duration("--kill-grace", killGrace),
                    duration("--sample-interval", sampleInterval),
                    Duration.ofSeconds(1),
                    logDir.resolve(safeDirName(jobId)),
                    tailBytes,
                    marker,
                    null);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private Duration duration(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Times.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw bad(option + ": " + e.getMessage());
        }
    }

    private static Object typed(String v) {
        if (v.matches("-?\\d{1,18}")) {
            return Long.parseLong(v);
        }
        if (v.matches("-?\\d+\\.\\d+([eE][-+]?\\d+)?")) {
            return Double.parseDouble(v);
        }
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        return v;
    }

    /** A job id that is unique without coordination: host, UTC time, random suffix. */
    static String newId() {
        String host = shortHost();
        String time = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"));
        return host + "-" + time + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
    }

    private static String shortHost() {
        String h;
        try {
            h = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname"))
                    .trim();
        } catch (java.io.IOException | RuntimeException e) {
            h = "job";
        }
        int dot = h.indexOf('.');
        return (dot > 0 ? h.substring(0, dot) : h).replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    /** The job id as a single directory name (no separators, never . or ..). */
    static String safeDirName(String jobId) {
        String s = jobId.replaceAll("[/\\\\\u0000]", "_");
        return s.equals(".") || s.equals("..") ? "_" + s : s;
    }
}
