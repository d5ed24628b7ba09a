package io.jobscope.diagnose;

import io.jobscope.client.Event;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.IngestEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classifies jobs as they finish: the writer tells it which jobs a committed batch finished (or held),
 * and one background thread classifies those that failed, so ingest never waits for diagnosis.
 */
public final class ClassifyOnFinish implements EventWriter.CommitListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClassifyOnFinish.class);

    private final DiagnoseService service;
    private final Set<String> pending = new LinkedHashSet<>();
    private final Thread thread;
    private volatile boolean closed;
    private boolean busy;

    public ClassifyOnFinish(DiagnoseService service) {
        this.service = service;
        this.thread = new Thread(this::loop, "jobscope-diagnose");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    @Override
    public void committed(List<IngestEvent> events) {
        boolean any = false;
        synchronized (pending) {
            for (IngestEvent e : events) {
                if (e.jobId() != null
                        && (Event.JOB_FINISHED.equals(e.type()) || e.fields().hasNonNull("held_reason"))) {
                    any |= pending.add(e.jobId());
                }
            }
            if (any) {
                pending.notifyAll();
            }
        }
    }

    private void loop() {
        while (!closed) {
            List<String> batch;
            synchronized (pending) {
                while (pending.isEmpty() && !closed) {
                    try {
                        pending.wait(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                batch = new ArrayList<>(pending);
                pending.clear();
                busy = !batch.isEmpty();
            }
            if (batch.isEmpty()) {
                continue;
            }
            try {
                service.classifyJobs(batch);
            } catch (RuntimeException e) {
                // A background task must not die: log, and let 'jobscope diagnose' pick the jobs up later.
                LOG.error("could not classify {} finished job(s): {}", batch.size(), e.toString(), e);
            } finally {
                synchronized (pending) {
                    busy = false;
                    pending.notifyAll();
                }
            }
        }
    }

    /** Waits (up to a few seconds) until what is queued has been classified; for tests and shutdown. */
    public void awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        synchronized (pending) {
            while ((busy || !pending.isEmpty()) && System.nanoTime() < deadline) {
                pending.wait(50);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (pending) {
            pending.notifyAll();
        }
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
