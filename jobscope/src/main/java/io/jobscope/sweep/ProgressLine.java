package io.jobscope.sweep;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The sweep's progress on stderr: redrawn in place every second on a terminal, one line every
 * {@code interval} seconds (when something changed) into a file or pipe, so that batch logs stay short.
 */
public final class ProgressLine implements AutoCloseable {
    private final Supplier<SweepRunner.Progress> source;
    private final PrintWriter err;
    private final boolean terminal;
    private final long intervalMillis;
    private final String label;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile boolean stopped;
    private String last;

    public ProgressLine(
            String label,
            Supplier<SweepRunner.Progress> source,
            PrintWriter err,
            boolean terminal,
            long intervalMillis) {
        this.label = label;
        this.source = source;
        this.err = err;
        this.terminal = terminal;
        this.intervalMillis = terminal ? 1000 : intervalMillis;
        this.thread = new Thread(this::loop, "jobscope-sweep-progress");
        this.thread.setDaemon(true);
    }

    public ProgressLine start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (!stopped) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            try {
                print();
            } catch (RuntimeException e) { // a progress line is never worth stopping the sweep for
                return;
            }
        }
    }

    /** The line as it reads now. */
    public String line() {
        SweepRunner.Progress p = source.get();
        long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
        return String.format(
                Locale.ROOT,
                "%s: %d/%d done (%d ok, %d failed%s), %d running, %d:%02d:%02d%s",
                label,
                p.done(),
                p.toRun(),
                p.succeeded(),
                p.failed(),
                p.cancelled() > 0 ? ", " + p.cancelled() + " cancelled" : "",
                p.running(),
                s / 3600,
                s / 60 % 60,
                s % 60,
                p.cancelling() ? " - cancelling" : "");
    }

    private synchronized void print() {
        if (stopped) {
            return;
        }
        String l = line();
        if (terminal) {
            err.print("\r" + l + "\u001b[K");
            err.flush();
        } else if (!l.replaceAll("\\d+:\\d\\d:\\d\\d", "").equals(last)) {
            last = l.replaceAll("\\d+:\\d\\d:\\d\\d", "");
            err.println(l);
            err.flush();
        }
    }

    /** Stops redrawing and leaves the terminal's line clean for what follows. */
    @Override
    public synchronized void close() {
        stopped = true;
        thread.interrupt();
        if (terminal) {
            err.print("\r\u001b[K");
            err.flush();
        }
    }
}
