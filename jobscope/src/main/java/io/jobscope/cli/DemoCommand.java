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
        if (db != null && Files.exists(db)) {
            throw new ParameterException(
                    spec.commandLine(), "--db: " + db + " exists; the demo starts from a fresh store");
        }
        Ports.requireFree("127.0.0.1", port, " (choose another with --port)");
        Path work = Files.createTempDirectory("jobscope-demo");
        Path store = db != null ? db : work.resolve("demo.db");
        PrintWriter out = spec.commandLine().getOut();
        Database opened = null;
        EventWriter writer = null;
        ClassifyOnFinish classify = null;
        ApiServer server;
        try {
            opened = Database.open(store.toString(), 8);
            Database database = opened;
            writer = new EventWriter(database);
            // As 'jobscope server' runs: the services board (configured by a services file) and classify-on-finish.
            ServiceBoard board = new ServiceBoard(database, Clock.systemUTC());
            board.configure(ServicesConfig.load(DemoServices.writeServicesFile(work)));
            DiagnoseService diagnose = Diagnoses.over(database, board, RuleBook.load(List.of(), true));
            classify = new ClassifyOnFinish(diagnose);
            writer.addCommitListener(classify);
            server = new ApiServer(
                    ApiServer.Config.loopback(port),
                    new JobService(database),
                    new Ingestor(writer),
                    Clock.systemUTC(),
                    board,
                    diagnose);
            try {
                server.start();
            } catch (RuntimeException e) { // taken since the check above
                throw new UserException(Ports.cannotListen("127.0.0.1", port, e) + " (choose another with --port)");
            }
        } catch (RuntimeException e) {
            // The store was made for this run: leave nothing behind, so that the same --db can be tried again.
            if (writer != null) {
                writer.close();
            }
            if (classify != null) {
                classify.close();
            }
            if (opened != null) {
                opened.close();
            }
            deleteFresh(store, work);
            throw e;
        }
        Database database = opened;
        EventWriter events = writer;
        ClassifyOnFinish classifier = classify;
        StatsRefresher statsRefresher = new StatsRefresher(new StatsSummaries(database)).start(Duration.ofSeconds(5));
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    server.close();
                    statsRefresher.close();
                    events.close();
                    classifier.close();
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

    /** Deletes the store this run created (with SQLite's side files) and the run's temp directory. */
    private static void deleteFresh(Path store, Path work) {
        List<Path> paths = new java.util.ArrayList<>();
        for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
            paths.add(store.resolveSibling(store.getFileName() + suffix));
        }
        try (java.util.stream.Stream<Path> files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(paths::add);
        } catch (java.io.IOException e) {
            paths.add(work);
        }
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (java.io.IOException e) {
                // best effort: the command fails with its own message anyway
            }
        }
    }
}
