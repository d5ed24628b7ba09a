package io.jobscope.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Reads a byte range of a log through a large reusable buffer (the file is never mapped or loaded whole)
 * and hands each complete line to a {@link LineParser}; big ranges are cut at line ends and parsed on
 * several threads, then folded in order. A last line without its line end is left for the next read.
 */
final class LogScanner {
    static final int BUFFER = 4 << 20;
    /** Ranges smaller than this are read on the calling thread. */
    static final long PARALLEL_MIN = 32L << 20;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private LogScanner() {}

    /** What one scan did: the parsed stretch, where the next read starts, and whether it ended inside an over-long line. */
    record Scan(LineParser parser, long resumeAt, boolean inLongLine, long bytesRead) {}

    /**
     * Parses the complete lines in {@code [from, to)} of {@code ch}; {@code from} is a line start, or the
     * inside of an over-long line being skipped when {@code inLongLine}.
     */
    static Scan scan(
            FileChannel ch, long from, long to, LineParser proto, boolean inLongLine, int threads, long parallelMin)
            throws IOException {
        long length = to - from;
        int expected = (int) Math.min(Integer.MAX_VALUE / 4, length / proto.bytesPerItem() + 16);
        if (threads <= 1 || length < parallelMin || inLongLine) {
            LineParser p = proto.fresh(expected);
            Piece piece = read(ch, from, to, p, inLongLine, new byte[(int) Math.min(BUFFER, Math.max(length, 64))]);
            return new Scan(p, piece.resumeAt, piece.inLongLine, piece.bytesRead);
        }
        long[] cuts = new long[threads + 1];
        cuts[0] = from;
        cuts[threads] = to;
        for (int i = 1; i < threads; i++) {
            cuts[i] = Math.max(cuts[i - 1], lineStartAtOrAfter(ch, from + length * i / threads, to));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "jobscope-scan");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Piece>> rest = new ArrayList<>();
            List<LineParser> parsers = new ArrayList<>();
            LineParser first = proto.fresh((int) Math.min(Integer.MAX_VALUE / 4, length / proto.bytesPerItem() + 16));
            parsers.add(first);
            for (int i = 1; i < threads; i++) {
                long a = cuts[i];
                long b = cuts[i + 1];
                LineParser p = proto.fresh((int) ((b - a) / proto.bytesPerItem() + 16));
                parsers.add(p);
                rest.add(pool.submit(() -> read(ch, a, b, p, false, new byte[BUFFER])));
            }
            Piece firstPiece = read(ch, cuts[0], cuts[1], first, false, new byte[BUFFER]);
            long bytes = firstPiece.bytesRead;
            Piece last = firstPiece;
            for (int i = 0; i < rest.size(); i++) {
                last = rest.get(i).get();
                bytes += last.bytesRead;
                LineParser later = parsers.get(i + 1);
                fold(first, later);
                parsers.set(i + 1, null);
            }
            return new Scan(first, last.resumeAt, last.inLongLine, bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the log", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Folds the parse of the stretch that follows {@code into}'s into it. */
    static void fold(LineParser into, LineParser later) {
        int[] clientMap = new int[later.clients.size()];
        for (int c = 0; c < clientMap.length; c++) {
            clientMap[c] = into.clients.id(later.clients.name(c));
        }
        into.items.absorb(later.items, clientMap);
        if (into.firstSkipped == 0 && later.firstSkipped != 0) {
            into.firstSkipped = into.lines + later.firstSkipped;
        }
        into.lines += later.lines;
        into.skipped += later.skipped;
        into.blank += later.blank;
    }

    private static long lineStartAtOrAfter(FileChannel ch, long pos, long to) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        ch.read(one, pos - 1);
        if (one.get(0) == '\n') {
            return pos;
        }
        ByteBuffer bb = ByteBuffer.allocate(64 << 10);
        long p = pos;
        while (p < to) {
            bb.clear();
            int n = ch.read(bb, p);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (bb.get(i) == '\n') {
                    return Math.min(to, p + i + 1);
                }
            }
            p += n;
        }
        return to;
    }

    private record Piece(long resumeAt, boolean inLongLine, long bytesRead) {}

    private static Piece read(FileChannel ch, long from, long to, LineParser p, boolean inLongLine, byte[] buf)
            throws IOException {
        long filePos = from; // file offset of buf[0]
        int len = 0; // bytes held in buf
        long bytesRead = 0;
        while (true) {
            int want = (int) Math.min(buf.length - len, to - (filePos + len));
            int got = 0;
            while (got < want) {
                int n = ch.read(ByteBuffer.wrap(buf, len + got, want - got), filePos + len + got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
            bytesRead += got;
            int n = len + got;
            boolean atEnd = got < want || filePos + n >= to;
            int ls = 0;
            if (inLongLine) {
                int nl = indexOfNewline(buf, 0, n);
                if (nl < 0) {
                    filePos += n;
                    len = 0;
                    if (atEnd) {
                        return new Piece(filePos, true, bytesRead);
                    }
                    continue;
                }
                inLongLine = false;
                ls = nl + 1;
            }
            ls = lines(buf, ls, n, p);
            filePos += ls;
            len = n - ls;
            if (atEnd) {
                return new Piece(filePos, false, bytesRead);
            }
            if (ls == 0 && len == buf.length) {
                // a line longer than the buffer: no worker writes these; skip it whole
                p.lines++;
                p.tooLong();
                inLongLine = true;
                filePos += len;
                len = 0;
                continue;
            }
            System.arraycopy(buf, ls, buf, 0, len);
        }
    }

    /**
     * Hands every complete line of {@code buf[ls, n)} to {@code p}; returns where the first incomplete one
     * starts. The hot loop, in a small method of its own so that it compiles quickly.
     */
    private static int lines(byte[] buf, int ls, int n, LineParser p) {
        int nl;
        while ((nl = indexOfNewline(buf, ls, n)) >= 0) {
            int e = nl;
            if (e > ls && buf[e - 1] == '\r') {
                e--;
            }
            p.lines++;
            if (e > ls) {
                p.line(buf, ls, e);
            } else {
                p.blank++;
            }
            ls = nl + 1;
        }
        return ls;
    }

    /** Index of the first '\n' in {@code b[from, to)}, or -1; eight bytes at a time. */
    static int indexOfNewline(byte[] b, int from, int to) {
        int i = from;
        for (int last = to - 8; i <= last; i += 8) {
            long x = (long) LONGS.get(b, i) ^ 0x0A0A0A0A0A0A0A0AL;
            long t = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (b[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
