package io.jobscope.cli;

import io.jobscope.diagnose.ClassifyOnFinish;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.diagnose.RuleBook;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.ingest.SpoolIngester;
import io.jobscope.jobs.JobService;
import io.jobscope.jobs.StatsRefresher;
import io.jobscope.jobs.StatsSummaries;
import io.jobscope.services.HeartbeatChecker;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServicesConfig;
import io.jobscope.store.Database;
import io.jobscope.web.ApiServer;
import io.jobscope.web.Tokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code jobscope server}: the HTTP API (and dashboard), the ingest writer and the spool reader. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        description = "Run the jobscope server: event ingest, HTTP API, spool directory reader.")
final class ServerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--listen",
            defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}); any other than loopback needs --token-file.")
    String listen;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(
            names = "--db",
            paramLabel = "PATH|URL",
            description =
                    "Store: a SQLite file or a postgresql:// URL (default: $JOBSCOPE_DB, else ~/.jobscope/jobscope.db).")
    String db;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "API tokens (name:scopes:sha256 lines, made by 'jobscope token create').")
    Path tokenFile;

    @Option(
            names = "--spool",
            paramLabel = "DIR",
            description = "Also ingest *.ndjson files dropped into DIR, deleting each once stored.")
    Path spool;

    @Option(
            names = "--max-body-mb",
            defaultValue = "64",
            description = "Largest request body accepted, in MB (default: ${DEFAULT-VALUE}).")
    int maxBodyMb;

    @Option(
            names = "--services-file",
            paramLabel = "FILE",
            description =
                    "Services board configuration (YAML): services, requirements, heartbeats, Alertmanager labels.")
    Path servicesFile;

    @Override
    public Integer call() throws Exception {
        if (maxBodyMb < 1) {
            throw new ParameterException(
                    spec.commandLine(), "--max-body-mb: expecting a value > 0, found " + maxBodyMb);
        }
        Tokens tokens = Tokens.none();
        if (tokenFile != null) {
            String why = io.jobscope.util.FileCheck.unreadable(tokenFile);
            if (why != null) {
                throw new ParameterException(spec.commandLine(), "--token-file: cannot read " + tokenFile + ": " + why);
            }
            tokens = Tokens.watch(tokenFile);
        }
        ApiServer.Config config;
        try {
            config = new ApiServer.Config(listen, port, tokens, (long) maxBodyMb << 20, 1 << 20);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (spool != null) {
            try {
                Files.createDirectories(spool);
            } catch (IOException e) {
                throw new ParameterException(
                        spec.commandLine(), "--spool: cannot create " + spool + ": " + e.getMessage());
            }
        }
        ServicesConfig servicesConfig =
                servicesFile == null ? ServicesConfig.empty() : ServicesConfig.load(servicesFile);
        Ports.requireFree(
                listen,
                port,
                " (choose another with --port)"); // before the store is opened, or made and migrated when new
        Database database = Database.open(Database.defaultLocation(db), 8);
        ServiceBoard board = new ServiceBoard(database, Clock.systemUTC(), servicesConfig.alerting());
        board.configure(servicesConfig);
        HeartbeatChecker heartbeats = new HeartbeatChecker(board);
        EventWriter writer = new EventWriter(database);
        Ingestor ingestor = new Ingestor(writer, config.maxLineBytes(), config.maxBodyBytes(), 5000);
        DiagnoseService diagnose = Diagnoses.over(database, board, RuleBook.load(List.of(), true));
        ClassifyOnFinish classifyOnFinish = new ClassifyOnFinish(diagnose);
        writer.addCommitListener(classifyOnFinish);
        ApiServer server =
                new ApiServer(config, new JobService(database), ingestor, Clock.systemUTC(), board, diagnose);
        SpoolIngester spoolIngester = spool == null ? null : new SpoolIngester(spool, ingestor);
        StatsRefresher statsRefresher = new StatsRefresher(new StatsSummaries(database));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (spoolIngester != null) {
                                spoolIngester.close();
                            }
                            heartbeats.close();
                            server.close();
                            statsRefresher.close();
                            writer.close();
                            classifyOnFinish.close();
                            database.close();
                            stopped.countDown();
                        },
                        "jobscope-shutdown"));
        try {
            server.start();
        } catch (RuntimeException e) {
            throw new UserException(Ports.cannotListen(listen, port, e));
        }
        if (spoolIngester != null) {
            spoolIngester.start(1000);
        }
        heartbeats.start(java.time.Duration.ofSeconds(15));
        statsRefresher.start(java.time.Duration.ofSeconds(5));
        spec.commandLine()
                .getOut()
                .printf(
                        "jobscope server listening on http://%s:%d (store: %s%s%s)%n",
                        listen,
                        server.port(),
                        database.location(),
                        tokens.isEmpty() ? ", no tokens: loopback only" : ", " + tokens.size() + " API token(s)",
                        spool == null ? "" : ", spool: " + spool);
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
