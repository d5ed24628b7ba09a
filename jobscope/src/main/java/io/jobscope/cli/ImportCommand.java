package io.jobscope.cli;

import io.jobscope.imports.KeystoneImporter;
import io.jobscope.ingest.EventWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope import FORMAT FILE…}: loads foreign histories into the store. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        description = "Import job histories from other tools.",
        subcommands = {ImportCommand.Keystone.class, ImportCommand.Srtctl.class, ImportCommand.Worker.class})
final class ImportCommand implements Runnable {
    /** Events per transaction of an import (see {@link EventWriter#bulk}). */
    static final int BULK_COMMIT = Integer.getInteger("jobscope.importCommitEvents", 200_000);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The task-queue monitor's jobs_history.jsonl. */
    @Command(
            name = "keystone",
            mixinStandardHelpOptions = true,
            description =
                    "Import the task-queue monitor's JSONL history (jobs_history.jsonl). Bad lines are reported and skipped; importing a file twice changes nothing.")
    static final class Keystone implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "History files.")
        List<Path> files;

        @Override
        public Integer call() throws IOException {
            for (Path f : files) {
                String why = io.jobscope.util.FileCheck.unreadable(f);
                if (why != null) {
                    throw new UserException("cannot read " + f + ": " + why);
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            long bad = 0;
            // Through a server (--server or $JOBSCOPE_SERVER without --db) or into the store.
            EventWriter local = target.remote() ? null : EventWriter.bulk(target.database(), BULK_COMMIT);
            try (Target ignored = target;
                    EventWriter closing = local) {
                KeystoneImporter importer = new KeystoneImporter(local != null ? local : target.serverSink());
                for (Path f : files) {
                    long[] shown = {0};
                    KeystoneImporter.Result r;
                    try (InputStream in = Files.newInputStream(f)) {
                        r = importer.importStream(in, (line, problem) -> {
                            if (shown[0]++ < 20) {
                                err.printf("%s:%d: skipped: %s%n", f, line, problem);
                            }
                        });
                    } catch (NoSuchFileException e) {
                        throw new UserException("cannot read " + f + ": no such file");
                    }
                    if (r.badLines() > 20) {
                        err.printf("%s: %d more bad line(s) not shown%n", f, r.badLines() - 20);
                    }
                    bad += r.badLines();
                    out.printf(
                            "%s: %d record(s): %d imported, %d already present, %d bad line(s) skipped%n",
                            f, r.records() + r.badLines(), r.imported(), r.unchanged(), r.badLines());
                }
            }
            return bad > 0 ? Main.EXIT_USER_ERROR : 0;
        }
    }

    /** srtctl log directories: the job, its first failing worker, and its benchmark metrics. */
    @Command(
            name = "srtctl",
            mixinStandardHelpOptions = true,
            description = "Import srtctl log directories (logs/{job}_{P}P_{D}D_{time}/): one job each, failed or"
                    + " successful, with its benchmark results per concurrency. Importing again updates the job.")
    static final class Srtctl implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "DIR", arity = "1..*", description = "Log directories.")
        List<Path> dirs;

        @Override
        public Integer call() throws IOException {
            for (Path d : dirs) {
                if (!Files.isDirectory(d)) {
                    throw new UserException(d + " is not a directory");
                }
                io.jobscope.diagnose.LogDirReport.requireLogs(d); // before anything is stored
            }
            PrintWriter out = spec.commandLine().getOut();
            try (Target ignored = target.storeOnly("import srtctl");
                    EventWriter writer = new EventWriter(target.database())) {
                io.jobscope.diagnose.SrtctlImporter importer = new io.jobscope.diagnose.SrtctlImporter(
                        target.database(), writer, io.jobscope.diagnose.RuleBook.load(List.of(), true));
                for (Path d : dirs) {
                    io.jobscope.diagnose.LogDirReport r = importer.importDir(d);
                    out.printf(
                            "%s: job %s %s, %d concurrency result(s)%s%n",
                            d,
                            d.toAbsolutePath().normalize().getFileName(),
                            r.status(),
                            r.results().size(),
                            r.reason() == null ? "" : " — " + r.reason());
                }
            }
            return 0;
        }
    }

    /** A worker job directory: the job becomes a workflow, each work item a job. */
    @Command(
            name = "worker",
            mixinStandardHelpOptions = true,
            description = {
                "Import a worker job directory (server.log, or the MPI worker's <name>.log<jobid>) as a workflow,"
                        + " one job per work item (<workflow>.<item>), its client as the job's client.",
                "Importing the same directory again changes nothing; importing it again after the log grew adds what is new."
            })
    static final class Worker implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "DIR", description = "The worker job directory (e.g. worker_1234/), or its log file.")
        Path dir;

        @picocli.CommandLine.Option(
                names = "--workflow",
                paramLabel = "ID",
                description = "Workflow id (default: the directory's name, e.g. worker_1234).")
        String workflow;

        @picocli.CommandLine.Option(
                names = "--zone",
                paramLabel = "ZONE",
                description =
                        "Time zone the worker wrote its local times in, e.g. Europe/Brussels (default: this machine's).")
        String zone;

        @Override
        public Integer call() throws IOException {
            java.time.ZoneId zoneId;
            try {
                zoneId = zone == null || zone.isBlank() ? java.time.ZoneId.systemDefault() : java.time.ZoneId.of(zone);
            } catch (java.time.DateTimeException e) {
                throw new picocli.CommandLine.ParameterException(
                        spec.commandLine(), "--zone: '" + zone + "' is not a time zone such as Europe/Brussels or UTC");
            }
            io.jobscope.worker.WorkerLog log = SummarizeCommand.open(dir);
            log.update();
            io.jobscope.worker.Summary s = log.summary();
            String id = workflow == null || workflow.isBlank() ? log.name() : workflow;
            PrintWriter out = spec.commandLine().getOut();
            io.jobscope.worker.WorkerImporter.Result r;
            EventWriter local = target.remote() ? null : new EventWriter(target.database());
            try (Target ignored = target;
                    EventWriter closing = local) {
                r = new io.jobscope.worker.WorkerImporter(local != null ? local : target.serverSink(), zoneId)
                        .importLog(log, id);
            }
            out.printf(
                    "%s: %d work item(s) as workflow %s (%d success, %d failure, %d incomplete): %d event(s) imported, %d already present%n",
                    log.path(),
                    r.items(),
                    r.workflow(),
                    s.success(),
                    s.failure(),
                    s.incomplete(),
                    r.imported(),
                    r.unchanged());
            if (s.skippedLines() > 0) {
                spec.commandLine()
                        .getErr()
                        .printf(
                                "%s: %d malformed line(s) skipped, first at line %d%n",
                                log.path(), s.skippedLines(), s.firstSkippedLine());
                return Main.EXIT_USER_ERROR;
            }
            return 0;
        }
    }
}
