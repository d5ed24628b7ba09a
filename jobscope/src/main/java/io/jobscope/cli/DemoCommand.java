package io.jobscope.cli;

import io.jobscope.client.HttpReporter;
import io.jobscope.client.JobscopeClient;
import io.jobscope.demo.DemoFeeder;
import io.jobscope.demo.DemoServices;
import io.jobscope.diagnose.ClassifyOnFinish;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.diagnose.RuleBook;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.jobs.StatsRefresher;
import io.jobscope.jobs.StatsSummaries;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServicesClient;
import io.jobscope.services.ServicesConfig;
import io.jobscope.store.Database;
import io.jobscope.web.ApiServer;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jobscope demo}: the server on a fresh store, fed a live demo workload over HTTP. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Start the server on a fresh demo store and feed it a live workload through the HTTP API:",
            "a day of history and 30 days of service status, then a workflow with a DAG and a parameter scan",
            "whose tasks are real commands wrapped by 'jobscope run' (failures with real error output, phases,",
            "resource samples, a service outage), over about two minutes. Open the printed URL; Ctrl-C stops."
        })
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 picks one).")
    int port;

    @Option(
            names = "--db",
            paramLabel = "PATH",
            description = "Demo store, which must not exist yet (default: a new file in the temp directory).")
    Path db;

    @Option(names = "--speed", defaultValue = "1", hidden = true, description = "Play tasks this many times faster.")
    double speed;

    @Option(names = "--exit-when-done", description = "Stop once the workload has finished instead of serving on.")
    boolean exitWhenDone;

    @Option(
            names = "--runner",
            defaultValue = "wrapped",
            description = "How tasks run: 'wrapped' (default: real commands under 'jobscope run', needs python3"
                    + " and bash) or 'simulated' (events only, no processes).")
    String runner;

    @Override
    public Integer call() throws Exception {
        if (speed <= 0) {
            throw new ParameterException(spec.commandLine(), "--speed: expecting a value > 0, found " + speed);
        }
        if (!runner.equals("wrapped") && !runner.equals("simulated")) {
            throw new ParameterException(
                    spec.commandLine(), "--runner: expecting 'wrapped' or 'simulated', found '" + runner + "'");
        }
        if (db != null && db.toString().matches("(?i)(jdbc:|postgres(ql)?:/).*")) {
            // not echoed: a database URL may hold a password
            throw new ParameterException(
                    spec.commandLine(),
                    "--db: the demo makes a fresh SQLite file; give a file path, not a database URL");
        }
        Path work = Files.createTempDirectory("jobscope-demo");
        Path store = db != null ? db : work.resolve("demo.db");
        if (Files.exists(store)) {
            throw new ParameterException(
                    spec.commandLine(), "--db: " + store + " exists; the demo starts from a fresh store");
        }
        PrintWriter out = spec.commandLine().getOut();
        Database database = Database.open(store.toString(), 8);
        EventWriter writer = new EventWriter(database);
        // As 'jobscope server' runs: the services board (configured by a services file) and classify-on-finish.
        ServiceBoard board = new ServiceBoard(database, Clock.systemUTC());
        board.configure(ServicesConfig.load(DemoServices.writeServicesFile(work)));
        DiagnoseService diagnose = Diagnoses.over(database, board, RuleBook.load(List.of(), true));
        ClassifyOnFinish classify = new ClassifyOnFinish(diagnose);
        writer.addCommitListener(classify);
        ApiServer server;
        try {
            server = new ApiServer(
                            ApiServer.Config.loopback(port),
                            new JobService(database),
                            new Ingestor(writer),
                            Clock.systemUTC(),
                            board,
                            diagnose)
                    .start();
        } catch (RuntimeException e) {
            writer.close();
            classify.close();
            database.close();
            throw new UserException(
                    "cannot listen on 127.0.0.1:" + port + ": " + rootMessage(e) + " (choose another with --port)");
        }
        StatsRefresher statsRefresher = new StatsRefresher(new StatsSummaries(database)).start(Duration.ofSeconds(5));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    server.close();
                    statsRefresher.close();
                    writer.close();
                    classify.close();
                    database.close();
                    stopped.countDown();
                },
                "jobscope-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        String url = "http://127.0.0.1:" + server.port();
        out.printf("jobscope demo: dashboard on %s/ (store: %s)%n", url, database.location());
        out.println("jobscope demo: feeding a live workload for about two minutes; Ctrl-C stops");
        out.flush();
        int failed;
        try (HttpReporter reporter = new HttpReporter(URI.create(url), null, 4, Duration.ofMillis(200));
                DemoServices services =
                        new DemoServices(new ServicesClient(new JobscopeClient(URI.create(url), null)))) {
            failed = DemoFeeder.create(reporter, services, runner.equals("wrapped"), URI.create(url), work, out, speed)
                    .run();
        }
        out.printf(
                "jobscope demo: workload finished (%d task(s) failed on purpose); %s%n",
                failed, exitWhenDone ? "stopping" : "still serving " + url + "/ until Ctrl-C");
        out.flush();
        if (exitWhenDone) {
            Runtime.getRuntime().removeShutdownHook(hook);
            hook.run();
            return 0;
        }
        stopped.await();
        return 0;
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
