package io.jobscope.agent;

import io.jobscope.client.Event;
import io.jobscope.client.Reporter;
import io.jobscope.client.SpoolReporter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Sends the wrapper's events from a background thread, so that a slow or absent destination never slows
 * the job. The destination is opened on that thread too (opening a store takes a while). Events that
 * cannot be delivered go to the rescue spool when there is one; what is lost even then is a warning on
 * stderr, never an error of the job.
 */
public final class Delivery implements AutoCloseable {
    private static final Event STOP = Event.job("stop", "-", java.time.Instant.EPOCH);

    private final Supplier<Reporter> opener;
    private final Path rescueSpool;
    private final Consumer<String> warnings;
    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile Reporter reporter;
    private volatile boolean broken;
    private volatile long delivered;
    private volatile List<Event> inFlight = List.of();

    /**
     * @param opener opens the destination (called once, on the delivery thread)
     * @param rescueSpool where undeliverable events are kept, or null
     */
    public Delivery(Supplier<Reporter> opener, Path rescueSpool, Consumer<String> warnings) {
        this.opener = opener;
        this.rescueSpool = rescueSpool;
        this.warnings = warnings;
        this.thread = new Thread(this::loop, "jobscope-delivery");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public void send(Event e) {
        queue.add(e);
    }

    private void loop() {
        try {
            reporter = opener.get();
        } catch (RuntimeException e) {
            broken = true;
            warnings.accept("cannot open the event destination: " + e.getMessage()
                    + (rescueSpool == null ? "" : "; events go to the spool " + rescueSpool));
        }
        List<Event> batch = new ArrayList<>();
        while (true) {
            Event first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            batch.clear();
            boolean stop = first == STOP;
            if (!stop) {
                batch.add(first);
            }
            Event next;
            while (!stop && batch.size() < 500 && (next = queue.poll()) != null) {
                if (next == STOP) {
                    stop = true;
                } else {
                    batch.add(next);
                }
            }
            deliver(batch);
            if (stop) {
                return;
            }
        }
    }

    private void deliver(List<Event> batch) {
        if (batch.isEmpty()) {
            return;
        }
        Reporter r = reporter;
        if (r != null && !broken) {
            inFlight = List.copyOf(batch);
            try {
                r.send(batch);
                delivered += batch.size();
                inFlight = List.of();
                return;
            } catch (IOException | RuntimeException e) {
                warnings.accept("could not deliver " + batch.size() + " event(s): " + e.getMessage());
            }
        }
        rescue(batch);
    }

    private void rescue(List<Event> batch) {
        if (rescueSpool == null) {
            warnings.accept(batch.size() + " event(s) lost: no spool to keep them in");
            return;
        }
        try {
            new SpoolReporter(rescueSpool).send(batch);
            delivered += batch.size();
        } catch (IOException | RuntimeException e) {
            warnings.accept(batch.size() + " event(s) lost: cannot write them to the spool " + rescueSpool + ": "
                    + e.getMessage());
        }
    }

    public long delivered() {
        return delivered;
    }

    /**
     * Delivers what is queued within {@code timeoutMillis}; what is still queued then goes to the rescue
     * spool, so that the wrapper exits in bounded time even when a server hangs.
     */
    public void close(long timeoutMillis) {
        queue.add(STOP);
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            List<Event> left = new ArrayList<>();
            queue.drainTo(left);
            left.remove(STOP);
            left.addAll(0, inFlight); // maybe delivered already: ids make a second copy harmless
            if (!left.isEmpty()) {
                warnings.accept("the event destination is too slow; " + left.size() + " event(s) left to the spool");
                rescue(left);
            }
        }
        Reporter r = reporter;
        if (r != null && !thread.isAlive()) {
            try {
                r.close();
            } catch (RuntimeException e) {
                warnings.accept("cannot close the event destination: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        close(TimeUnit.SECONDS.toMillis(30));
    }
}
