package io.jobscope.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** Sends events to a jobscope server, retrying with exponential backoff when it cannot be reached. */
public final class HttpReporter implements Reporter {
    private final JobscopeClient client;
    private final int attempts;
    private final Duration firstBackoff;

    /** {@code requestTimeout}: how long one attempt waits for the server's answer. */
    public HttpReporter(URI server, String token, int attempts, Duration firstBackoff, Duration requestTimeout) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
        this.client = new JobscopeClient(server, token, requestTimeout);
        this.attempts = attempts;
        this.firstBackoff = firstBackoff;
    }

    public HttpReporter(URI server, String token, int attempts, Duration firstBackoff) {
        // A server that takes connections but never answers must not hold events for minutes.
        this(server, token, attempts, firstBackoff, Duration.ofSeconds(15));
    }

    public HttpReporter(URI server, String token) {
        this(server, token, 4, Duration.ofMillis(250));
    }

    @Override
    public void send(List<Event> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        long backoff = firstBackoff.toMillis();
        JobscopeException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                IngestResult result = client.send(events);
                if (!result.rejected().isEmpty()) {
                    // A refused event will be refused again: report it rather than retry forever.
                    throw new RejectedEventsException(result);
                }
                return;
            } catch (RejectedEventsException e) {
                throw e; // the server's reasons, as they are: sending again (or spooling) will not help
            } catch (JobscopeException e) {
                last = e;
                boolean retryable = e.status() == 0 || e.status() >= 500 || e.status() == 429;
                if (!retryable || attempt == attempts) {
                    break;
                }
                sleep(backoff);
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
        throw new IOException("events not delivered to " + client.base() + ": " + last.getMessage(), last);
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to retry", e);
        }
    }

    /** The server refused some events (it stored the others); retrying will not help. */
    public static final class RejectedEventsException extends JobscopeException {
        private final IngestResult result;

        public RejectedEventsException(IngestResult result) {
            super(
                    400,
                    "server rejected " + result.rejected().size() + " event(s): "
                            + result.rejected().get(0));
            this.result = result;
        }

        public IngestResult result() {
            return result;
        }
    }
}
