package io.jobscope.cli;

import io.jobscope.agent.Destinations;
import io.jobscope.agent.StoreReporter;
import io.jobscope.client.HttpReporter;
import io.jobscope.client.JobscopeException;
import io.jobscope.client.Reporter;
import io.jobscope.client.SpoolReporter;
import io.jobscope.store.Redactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobscope flush}: sends the events waiting in the spool to a server, or into the local store. */
@Command(
        name = "flush",
        mixinStandardHelpOptions = true,
        description = "Sends events waiting in the spool (left there while the server was unreachable) to --server,"
                + " or into the local store without it.")
final class FlushCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--server",
            paramLabel = "URL",
            defaultValue = "${env:JOBSCOPE_SERVER}",
            description = "Server to send to (default: $JOBSCOPE_SERVER).")
    String server;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:JOBSCOPE_TOKEN}",
            description = "API token for --server (default: $JOBSCOPE_TOKEN).")
    String token;

    @Option(names = "--db", paramLabel = "PATH|URL", description = "Store to load into when there is no --server.")
    String db;

    @Option(
            names = "--spool",
            paramLabel = "DIR",
            description = "Spool directory (default: $JOBSCOPE_SPOOL, else ~/.jobscope/spool).")
    Path spool;

    @Override
    public Integer call() throws IOException {
        Path dir = spool != null ? spool : Destinations.defaultSpool();
        if (spool != null && !Files.isDirectory(spool)) {
            throw new UserException("--spool: no directory " + spool);
        }
        int files = SpoolReporter.pending(dir).size();
        var out = spec.commandLine().getOut();
        if (files == 0) {
            out.printf("nothing to send: no events wait in %s%n", dir);
            return 0;
        }
        boolean remote = server != null && !server.isBlank() && db == null;
        String where;
        Redactor redactor;
        Reporter target;
        if (remote) {
            target = new HttpReporter(Target.serverUri(server, UserException::new), token);
            where = server;
            redactor = Redactor.of(null);
        } else {
            String location = io.jobscope.store.Database.defaultLocation(db);
            target = StoreReporter.open(location);
            redactor = Redactor.of(location);
            where = redactor.location();
        }
        try (Reporter r = target) {
            int sent = SpoolReporter.drainTo(
                    dir, r, w -> spec.commandLine().getErr().println("jobscope: " + w));
            out.printf("sent %d of %d spool file(s) from %s to %s%n", sent, files, dir, where);
            return 0;
        } catch (IOException | UncheckedIOException e) {
            int left = SpoolReporter.pending(dir).size();
            String msg = "could not send the spool " + dir + " to " + where + ": " + redactor.apply(e.getMessage())
                    + " (" + left + " file(s) still waiting)";
            if (remote) {
                throw new JobscopeException(0, msg);
            }
            throw new UserException(msg);
        }
    }
}
