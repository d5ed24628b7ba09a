package io.jobscope.cli;

import io.jobscope.agent.Warmup;
import io.jobscope.client.JobscopeException;
import io.jobscope.store.StoreException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jobscope command line: one class per subcommand, all registered here. */
@Command(
        name = "jobscope",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Job monitoring for batch, HPC and grid work.",
        subcommands = {
            ServerCommand.class,
            HistoryCommand.class,
            StatsCommand.class,
            ShowCommand.class,
            ImportCommand.class,
            ExportCommand.class,
            SummarizeCommand.class,
            TokenCommand.class,
            ServicesCommand.class,
            PreflightCommand.class,
            AnnounceCommand.class,
            DiagnoseCommand.class,
            CompareCommand.class,
            RerunCommand.class,
            DiagnoseBenchCommand.class,
            RunCommand.class,
            SweepCommand.class,
            PhaseCommand.class,
            LogsCommand.class,
            FlushCommand.class,
            DemoCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    public static final int EXIT_USER_ERROR = 2;
    public static final int EXIT_SERVER_ERROR = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given streams; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (args.length > 0 && "run".equals(args[0])) {
            Warmup.start(System.getenv()); // JNA, Jackson, host facts: while the options are parsed
            Integer code = runFast(args, err);
            if (code != null) {
                out.flush();
                err.flush();
                return code;
            }
        }
        CommandLine cl = commandLineFor(args);
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine() {
        return configure(new CommandLine(new Main()));
    }

    /**
     * A command line with only the named subcommand under the root when the first argument names one:
     * picocli reflects on every registered class when it builds the tree, which cost most of a short
     * command's start-up (`run` inside every job, `stats` in scripts). The same options, help and errors;
     * the full tree for anything else (no command, --help, help, a typo).
     */
    static CommandLine commandLineFor(String[] args) {
        Class<?> only = args.length > 0 ? subcommand(args[0]) : null;
        if (only == null) {
            return commandLine();
        }
        CommandLine cl = new CommandLine(new SingleCommandRoot());
        cl.addSubcommand(only);
        return configure(cl);
    }

    private static Class<?> subcommand(String name) {
        for (Class<?> c : Main.class.getAnnotation(Command.class).subcommands()) {
            Command cmd = c.getAnnotation(Command.class);
            if (c != CommandLine.HelpCommand.class && cmd != null && cmd.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static CommandLine configure(CommandLine cl) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        for (String name : new String[] {"run", "sweep"}) {
            CommandLine c = cl.getSubcommands().get(name);
            if (c != null) {
                c.setStopAtPositional(true); // jobscope run CMD -x: -x is CMD's
            }
        }
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr()
                    .println("jobscope: " + ex.getMessage() + " (see '"
                            + c.getCommandSpec().qualifiedName(" ") + " --help')");
            return EXIT_USER_ERROR;
        });
        return cl;
    }

    /** {@code jobscope run} through {@link RunFastPath}; null when it declines (picocli parses then). */
    private static Integer runFast(String[] args, PrintWriter err) {
        RunCommand cmd = RunFastPath.parse(args);
        if (cmd == null) {
            return null;
        }
        RunCommand.Prepared prepared;
        try {
            prepared = cmd.prepare();
        } catch (RuntimeException e) { // picocli reports it
            return null;
        }
        try {
            return cmd.execute(prepared);
        } catch (Exception e) {
            return handle(e, err);
        }
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        return handle(e, cl.getErr());
    }

    private static int handle(Exception e, PrintWriter err) {
        if (e instanceof StoreException && io.jobscope.store.Database.isUnavailable(e)) {
            err.println("jobscope: " + e.getMessage());
            return EXIT_SERVER_ERROR; // the store is down or locked: a failed call, as an unreachable server's
        }
        if (e instanceof UserException || e instanceof IllegalArgumentException || e instanceof StoreException) {
            err.println("jobscope: " + e.getMessage());
            return EXIT_USER_ERROR;
        }
        if (e instanceof JobscopeException je) {
            err.println("jobscope: " + e.getMessage()
                    + (je.status() == 401 ? " (give the CLI a token with --token or $JOBSCOPE_TOKEN)" : ""));
            // The server refused what the user asked (a bad flag value it checked, a job or service it does not
            // have): the user's mistake, as in-process. Unreachable, unauthorised or failing: the call failed.
            return je.status() == 400 || je.status() == 404 ? EXIT_USER_ERROR : EXIT_SERVER_ERROR;
        }
        if (e instanceof java.io.IOException) {
            err.println("jobscope: " + e.getMessage());
            return EXIT_USER_ERROR;
        }
        err.println("jobscope: internal error: " + e);
        e.printStackTrace(err);
        return 70;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The root of {@link #commandLineFor}: named like the full one, so help and errors read the same. */
    @Command(name = "jobscope", mixinStandardHelpOptions = true, versionProvider = Main.Version.class)
    static final class SingleCommandRoot implements Runnable {
        @Override
        public void run() {
            // only reached with no subcommand, which the fast path never builds
        }
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jobscope " + (v == null ? "dev" : v)};
        }
    }
}
