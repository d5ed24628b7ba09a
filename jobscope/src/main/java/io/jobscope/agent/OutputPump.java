package io.jobscope.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Copies one output stream of the job, chunk by chunk, to the wrapper's own stream (unchanged), to the
 * log file, and into a ring buffer holding the last bytes for {@code job.finished}; complete lines go to
 * a listener (the phase-marker matcher). A failing destination is dropped with one warning; the job is
 * never blocked by it.
 */
final class OutputPump implements Runnable {
    private static final int MAX_LINE = 4096;

    private final String name;
    private final InputStream in;
    private volatile OutputStream passThrough;
    private volatile OutputStream log;
    private final byte[] ring;
    private final Consumer<String> lines;
    private final Consumer<String> warnings;
    private final Thread thread;
    private long total;
    private int ringPos;
    private boolean lineTooLong;
    private final byte[] lineBytes = new byte[MAX_LINE];
    private int lineLen;

    OutputPump(
            String name,
            InputStream in,
            OutputStream passThrough,
            OutputStream log,
            int tailBytes,
            Consumer<String> lines,
            Consumer<String> warnings) {
        this.name = name;
        this.in = in;
        this.passThrough = passThrough;
        this.log = log;
        this.ring = new byte[Math.max(0, tailBytes)];
        this.lines = lines;
        this.warnings = warnings;
        this.thread = new Thread(this, "jobscope-" + name);
        this.thread.setDaemon(true);
    }

    OutputPump start() {
        thread.start();
        return this;
    }

    @Override
    public void run() {
        byte[] buf = new byte[16384];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                OutputStream out = passThrough;
                if (out != null) {
                    try {
                        out.write(buf, 0, n);
                        out.flush();
                    } catch (IOException e) {
                        passThrough = null;
                        warnings.accept("cannot pass the job's " + name + " through (" + e.getMessage()
                                + "); it is still logged");
                    }
                }
                OutputStream l = log;
                if (l != null) {
                    try {
                        l.write(buf, 0, n);
                    } catch (IOException e) {
                        log = null;
                        warnings.accept("cannot write the " + name + " log (" + e.getMessage() + "); logging stopped");
                    }
                }
                remember(buf, n);
                split(buf, n);
            }
        } catch (IOException e) {
            // the pipe was closed under us (after the grace for lingering grandchildren): stop reading
        } finally {
            closeLog();
        }
    }

    private synchronized void remember(byte[] buf, int n) {
        total += n;
        if (ring.length == 0) {
            return;
        }
        int off = 0;
        if (n > ring.length) {
            off = n - ring.length;
            n = ring.length;
        }
        int first = Math.min(n, ring.length - ringPos);
        System.arraycopy(buf, off, ring, ringPos, first);
        System.arraycopy(buf, off + first, ring, 0, n - first);
        ringPos = (ringPos + n) % ring.length;
    }

    private void split(byte[] buf, int n) {
        for (int i = 0; i < n; i++) {
            byte b = buf[i];
            if (b == '\n') {
                if (!lineTooLong) {
                    int len = lineLen > 0 && lineBytes[lineLen - 1] == '\r' ? lineLen - 1 : lineLen;
                    lines.accept(new String(lineBytes, 0, len, StandardCharsets.UTF_8));
                }
                lineLen = 0;
                lineTooLong = false;
            } else if (lineLen < MAX_LINE) {
                lineBytes[lineLen++] = b;
            } else {
                lineTooLong = true; // too long to be a marker: skip to the next newline
            }
        }
    }

    /** Waits for the end of the stream; false when it is still open after {@code millis}. */
    boolean await(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    /** Stops reading (a grandchild keeps the pipe open after the job ended). */
    void abandon() {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** The last bytes seen, as text (a character cut in half at the start is dropped). */
    synchronized String tail() {
        if (ring.length == 0 || total == 0) {
            return null;
        }
        int len = (int) Math.min(total, ring.length);
        byte[] out = new byte[len];
        int start = total >= ring.length ? ringPos : 0;
        int first = Math.min(len, ring.length - start);
        System.arraycopy(ring, start, out, 0, first);
        System.arraycopy(ring, 0, out, first, len - first);
        int skip = 0;
        while (skip < out.length && skip < 3 && (out[skip] & 0xC0) == 0x80) {
            skip++;
        }
        return new String(out, skip, out.length - skip, StandardCharsets.UTF_8);
    }

    synchronized long bytes() {
        return total;
    }

    private void closeLog() {
        OutputStream l = log;
        if (l != null) {
            try {
                l.close();
            } catch (IOException e) {
                warnings.accept("cannot close the " + name + " log: " + e.getMessage());
            }
        }
    }
}
