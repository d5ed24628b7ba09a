package io.jobscope.cli;

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
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.getSubcommands().get("run").setStopAtPositional(true); // jobscope run CMD -x: -x is CMD's
        cl.getSubcommands().get("sweep").setStopAtPositional(true);
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr()
                    .println("jobscope: " + ex.getMessage() + " (see 'jobscope "
                            + c.getCommandSpec().qualifiedName(" ").replaceFirst("^jobscope ?", "") + " --help')");
            return EXIT_USER_ERROR;
        });
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        if (e instanceof UserException || e instanceof IllegalArgumentException || e instanceof StoreException) {
            err.println("jobscope: " + e.getMessage());
            return EXIT_USER_ERROR;
        }
        if (e instanceof JobscopeException) {
            err.println("jobscope: " + e.getMessage());
            return EXIT_SERVER_ERROR;
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

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"jobscope " + (v == null ? "dev" : v)};
        }
    }
}
