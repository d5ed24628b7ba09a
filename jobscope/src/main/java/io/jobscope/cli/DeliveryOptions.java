package io.jobscope.cli;

import io.jobscope.agent.Destinations;
import io.jobscope.client.Reporter;
import java.net.URI;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Option;

/**
 * Where the events of a command that runs jobs ({@code run}, {@code sweep}) go: a server (the default spool
 * keeps what it cannot take), a spool directory, or the store.
 */
final class DeliveryOptions {
    @Option(
            names = "--server",
            paramLabel = "URL",
            defaultValue = "${env:JOBSCOPE_SERVER}",
            description = "Report to this server (default: $JOBSCOPE_SERVER); unreachable → the spool.")
    String server;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            defaultValue = "${env:JOBSCOPE_TOKEN}",
            description = "API token for --server (default: $JOBSCOPE_TOKEN).")
    String token;

    @Option(names = "--spool", paramLabel = "DIR", description = "Write events as files into DIR (no network needed).")
    Path spool;

    @Option(
            names = "--db",
            paramLabel = "PATH|URL",
            description = "Local store (default: $JOBSCOPE_DB, else ~/.jobscope/jobscope.db).")
    String db;

    /** The destinations the options can name. */
    enum Kind {
        SERVER,
        SPOOL,
        STORE
    }

    /**
     * The destination the options name, the server's URL checked. At most one may be given; a server from
     * {@code $JOBSCOPE_SERVER} ({@code serverGiven} false) yields to --spool or --db.
     */
    Kind kind(boolean serverGiven, Function<String, RuntimeException> bad) {
        if (serverGiven && (spool != null || db != null) || spool != null && db != null) {
            throw bad.apply("give only one of --server, --spool and --db");
        }
        if (server != null && !server.isBlank() && (serverGiven || spool == null && db == null)) {
            serverUri(bad);
            return Kind.SERVER;
        }
        return spool != null ? Kind.SPOOL : Kind.STORE;
    }

    URI serverUri(Function<String, RuntimeException> bad) {
        return Target.serverUri(server, bad);
    }

    /** The spool that keeps what the destination could not take: the default one, unless it is the destination. */
    Path rescue(Kind kind) {
        Path rescue = Destinations.defaultSpool();
        return kind == Kind.SPOOL && spool.toAbsolutePath().equals(rescue.toAbsolutePath()) ? null : rescue;
    }

    /**
     * The reporters of a server (which also starts sending what waits in {@code rescue}) or of a spool
     * directory; the store's are the caller's.
     */
    Supplier<Reporter> remote(Kind kind, Path rescue, Consumer<String> warn, Function<String, RuntimeException> bad) {
        if (kind == Kind.SPOOL) {
            return Destinations.spool(spool);
        }
        URI uri = serverUri(bad);
        Supplier<Reporter> destination = Destinations.server(uri, token, rescue, warn);
        Destinations.flushInBackground(rescue, uri, token, warn);
        return destination;
    }
}
