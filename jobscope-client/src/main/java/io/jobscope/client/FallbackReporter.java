package io.jobscope.client;

import java.io.IOException;
import java.util.List;

/**
 * Tries a primary destination and, when it fails, keeps the events in a fallback (a spool directory),
 * so an unreachable server loses nothing.
 */
public final class FallbackReporter implements Reporter {
    private final Reporter primary;
    private final Reporter fallback;

    public FallbackReporter(Reporter primary, Reporter fallback) {
        this.primary = primary;
        this.fallback = fallback;
    }

    @Override
    public void send(List<Event> events) throws IOException {
        try {
            primary.send(events);
        } catch (HttpReporter.RejectedEventsException e) {
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            fallback.send(events);
        }
    }

    @Override
    public void close() {
        primary.close();
        fallback.close();
    }
}
