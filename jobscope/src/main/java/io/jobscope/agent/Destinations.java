package io.jobscope.agent;

import io.jobscope.client.FallbackReporter;
import io.jobscope.client.HttpReporter;
import io.jobscope.client.Reporter;
import io.jobscope.client.SpoolReporter;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Where the wrapper's events go: a server (spool as fallback), a spool directory, or the local store. */
public final class Destinations {
    private Destinations() {}

    /** {@code $JOBSCOPE_SPOOL}, else {@code ~/.jobscope/spool}: where events wait for an unreachable server. */
    public static Path defaultSpool() {
        return SpoolReporter.defaultDir();
    }

    /**
     * HTTP with retries and backoff; when the server cannot be reached, the events go to {@code spool}, and
     * {@code warnings} is told so once (with where they wait and how they get sent).
     */
    public static Supplier<Reporter> server(URI server, String token, Path spool, Consumer<String> warnings) {
        return () -> new FallbackReporter(
                new HttpReporter(server, token, 3, Duration.ofMillis(200)),
                new SpoolReporter(spool),
                why -> warnings.accept(FallbackReporter.spooled(why, spool, server, "the next run sends them, or")));
    }

    public static Supplier<Reporter> spool(Path dir) {
        return () -> new SpoolReporter(dir);
    }

    public static Supplier<Reporter> store(String location) {
        return () -> StoreReporter.open(location);
    }

    /**
     * Sends what waits in {@code spool} to {@code server} on a background thread, best effort (the next
     * run or {@code jobscope flush} tries again; event ids make a file sent twice harmless).
     */
    public static void flushInBackground(Path spool, URI server, String token, Consumer<String> warnings) {
        Thread t = new Thread(
                () -> {
                    try {
                        if (!SpoolReporter.pending(spool).isEmpty()) {
                            SpoolReporter.drainTo(spool, new HttpReporter(server, token, 1, Duration.ofMillis(100)));
                        }
                    } catch (IOException | RuntimeException e) {
                        // still unreachable: the files stay for later
                    }
                },
                "jobscope-flush");
        t.setDaemon(true);
        t.start();
    }
}
