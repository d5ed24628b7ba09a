package io.jobscope.client;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Tries a primary destination and, when it fails, keeps the events in a fallback (a spool directory),
 * so an unreachable server loses nothing. After a failure the primary is left alone for a while (each
 * attempt at a dead server costs its retries), and the fallback is said once each time.
 */
public final class FallbackReporter implements Reporter {
    private static final long PAUSE_NANOS = Duration.ofSeconds(30).toNanos();
    private final Reporter primary;
    private final Reporter fallback;
    private final Consumer<String> onFallback;
    private volatile long pausedUntil;
    private volatile boolean paused;

    public FallbackReporter(Reporter primary, Reporter fallback, Consumer<String> onFallback) {
        this.primary = primary;
        this.fallback = fallback;
        this.onFallback = onFallback;
    }

    public FallbackReporter(Reporter primary, Reporter fallback) {
        this(primary, fallback, w -> {});
    }

    /**
     * The warning when a server's events fall back to a spool: why, where they wait, and the command that sends
     * them ({@code how} introduces it: "send them with").
     */
    public static String spooled(String why, java.nio.file.Path spool, java.net.URI server, String how) {
        return why + "; events wait in " + spool + " (" + how + ": jobscope flush --spool " + spool + " --server "
                + server + ")";
    }

    /**
     * Throws {@link HttpReporter.RejectedEventsException} as it comes when the server refused events (they
     * would be refused again from the spool); spools on any other failure.
     */
    @Override
    public void send(List<Event> events) throws IOException {
        if (paused && System.nanoTime() - pausedUntil < 0) {
            fallback.send(events);
            return;
        }
        try {
            primary.send(events);
            paused = false;
        } catch (HttpReporter.RejectedEventsException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            pausedUntil = System.nanoTime() + PAUSE_NANOS;
            paused = true;
            fallback.send(events);
            onFallback.accept(e.getMessage());
        }
    }

    @Override
    public void close() {
        primary.close();
        fallback.close();
    }
}
