package io.jobscope.diagnose;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A log to scan: a stored tail in memory, or a file of any size read in blocks; with context lookup. */
abstract class LogSource {
    private static final int BLOCK = 4 << 20;
    private static final int CONTEXT_BYTES = 32 << 10;
    /** Files at least twice this size are scanned in parts on several threads. */
    private static final long MIN_PART = 32L << 20;

    final String stream;

    LogSource(String stream) {
        this.stream = stream;
    }

    static LogSource of(String stream, byte[] bytes) {
        return new Bytes(stream, bytes);
    }

    static LogSource of(String stream, Path file) {
        return new File(stream, file);
    }

    /** Runs the scanner over every line. */
    abstract void scan(LineScanner scanner, LineScanner.Sink sink);

    /** Up to {@code max} lines ending just before the line at {@code offset}, oldest first. */
    abstract List<String> linesBefore(long offset, int max);

    /** Up to {@code max} lines starting just after the line at {@code offset}. */
    abstract List<String> linesAfter(long offset, int max);

    static String decode(byte[] buf, int start, int end) {
        int len = Math.min(end - start, 4096);
        if (len > 0 && buf[start + len - 1] == '\r') {
            len--;
        }
        return new String(buf, start, len, StandardCharsets.UTF_8);
    }

    static List<String> split(byte[] buf, int from, int to) {
        List<String> out = new ArrayList<>();
        int s = from;
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                out.add(decode(buf, s, i));
                s = i + 1;
            }
        }
        if (s < to) {
            out.add(decode(buf, s, to));
        }
        return out;
    }

    private static final class Bytes extends LogSource {
        private final byte[] bytes;

        Bytes(String stream, byte[] bytes) {
            super(stream);
            this.bytes = bytes;
        }

        @Override
        void scan(LineScanner scanner, LineScanner.Sink sink) {
            scanner.scan(bytes, 0, bytes.length, 1, 0, sink);
        }

        // Only the lines asked for are decoded (not the whole context window): a classification asks for
        // them once per job, and thousands of jobs are classified at a time.

        @Override
        List<String> linesBefore(long offset, int max) {
            int lo = Math.max(0, (int) offset - CONTEXT_BYTES);
            int end = Math.max(0, (int) offset - 1);
            int start = end;
            int newlines = 0;
            while (start > lo && newlines <= max) { // one line more than asked: the first may be partial
                if (bytes[start - 1] == '\n') {
                    newlines++;
                }
                start--;
            }
            List<String> all = split(bytes, start, end);
            return all.subList(Math.max(0, all.size() - max), all.size());
        }

        @Override
        List<String> linesAfter(long offset, int max) {
            int lineEnd = (int) offset;
            while (lineEnd < bytes.length && bytes[lineEnd] != '\n') {
                lineEnd++;
            }
            int from = Math.min(bytes.length, lineEnd + 1);
            int hi = Math.min(bytes.length, lineEnd + 1 + CONTEXT_BYTES);
            int to = from;
            for (int newlines = 0; to < hi && newlines < max; to++) {
                if (bytes[to] == '\n') {
                    newlines++;
                }
            }
            List<String> all = split(bytes, from, to);
            return all.subList(0, Math.min(max, all.size()));
        }
    }

    static final class File extends LogSource {
        private final Path path;

        File(String stream, Path path) {
            super(stream);
            this.path = path;
        }

        @Override
        void scan(LineScanner scanner, LineScanner.Sink sink) {
            scan(scanner, sink, 0);
        }

        /** Scans in {@code parts} parts; 0: one per core, for files of at least {@link #MIN_PART} each. */
        void scan(LineScanner scanner, LineScanner.Sink sink, int parts) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = ch.size();
                if (parts == 0) {
                    parts = (int) Math.min(Runtime.getRuntime().availableProcessors(), size / MIN_PART);
                }
                parts = (int) Math.min(parts, Math.max(1, size));
                if (parts < 2 || scanner.everyLineIsCandidate()) {
                    scanRange(ch, 0, Long.MAX_VALUE, scanner, sink);
                } else {
                    scanInParts(ch, size, parts, scanner, sink);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
            }
        }

        /**
         * Scans {@code [from, to)} (whole lines; to EOF when {@code to} is past it) in blocks; line numbers
         * start at 1. Returns the number of lines in the range.
         */
        private static long scanRange(FileChannel ch, long from, long to, LineScanner scanner, LineScanner.Sink sink)
                throws IOException {
            byte[] buf = new byte[BLOCK];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            long line = 1;
            long base = from;
            long pos = from;
            int filled = 0;
            while (true) {
                bb.limit((int) Math.min(buf.length, filled + Math.max(0, to - pos)));
                bb.position(filled);
                int n = bb.remaining() == 0 ? -1 : ch.read(bb, pos);
                if (n < 0) {
                    if (filled > 0) {
                        line = scanner.scan(buf, 0, filled, line, base, sink);
                        if (buf[filled - 1] != '\n') {
                            line++; // the last line has no newline
                        }
                    }
                    return line - 1;
                }
                pos += n;
                filled += n;
                if (filled < buf.length) {
                    continue;
                }
                int last = filled - 1;
                while (last >= 0 && buf[last] != '\n') {
                    last--;
                }
                int upto = last < 0 ? filled : last + 1;
                line = scanner.scan(buf, 0, upto, line, base, sink);
                if (last < 0) {
                    line++; // an over-long line was cut in two
                }
                System.arraycopy(buf, upto, buf, 0, filled - upto);
                base += upto;
                filled -= upto;
            }
        }

        /** A candidate line found by a part's scan, or (line null) the end of a part with its line count. */
        private record Found(long lineNo, long offset, byte[] line, long[] candidates, long lines, Throwable error) {}

        private static final Found STOPPED = new Found(0, 0, null, null, 0, null);

        /**
         * Scans {@code parts} ranges of a large file on as many threads, and hands their candidate lines to
         * {@code sink} in file order with their real line numbers: the same calls as one scan from start to
         * end, sooner. Each part waits when the consumer is behind, so memory stays bounded.
         */
        private void scanInParts(FileChannel ch, long size, int parts, LineScanner scanner, LineScanner.Sink sink)
                throws IOException {
            long[] bounds = new long[parts + 1];
            bounds[parts] = size;
            for (int k = 1; k < parts; k++) {
                bounds[k] = Math.max(bounds[k - 1], lineStartAfter(ch, size * k / parts, size));
            }
            List<BlockingQueue<Found>> queues = new ArrayList<>();
            AtomicBoolean cancelled = new AtomicBoolean();
            List<Thread> workers = new ArrayList<>();
            for (int k = 0; k < parts; k++) {
                BlockingQueue<Found> q = new ArrayBlockingQueue<>(1024);
                queues.add(q);
                long from = bounds[k];
                long to = bounds[k + 1];
                Thread t = new Thread(() -> scanPart(ch, from, to, scanner, q, cancelled), "jobscope-scan-" + k);
                t.setDaemon(true);
                workers.add(t);
            }
            workers.forEach(Thread::start);
            try {
                long lineBase = 0;
                for (BlockingQueue<Found> q : queues) {
                    while (true) {
                        Found f = q.take();
                        if (f.error() != null) {
                            if (f.error() instanceof IOException io) {
                                throw io;
                            }
                            throw new IllegalStateException("scanning " + path + " failed: " + f.error(), f.error());
                        }
                        if (f.line() == null) {
                            lineBase += f.lines();
                            break;
                        }
                        sink.line(lineBase + f.lineNo(), f.offset(), f.line(), 0, f.line().length, f.candidates());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while scanning " + path, e);
            } finally {
                cancelled.set(true);
                for (BlockingQueue<Found> q : queues) {
                    q.clear(); // unblocks a part waiting to hand over a line
                }
            }
        }

        private static void scanPart(
                FileChannel ch,
                long from,
                long to,
                LineScanner scanner,
                BlockingQueue<Found> out,
                AtomicBoolean cancelled) {
            Found end;
            try {
                long lines = scanRange(ch, from, to, scanner, (lineNo, offset, buf, start, stop, cand) -> {
                    byte[] line = Arrays.copyOfRange(buf, start, stop);
                    put(out, new Found(lineNo, offset, line, cand.clone(), 0, null), cancelled);
                });
                end = new Found(0, 0, null, null, lines, null);
            } catch (IOException | RuntimeException e) {
                end = new Found(0, 0, null, null, 0, e);
            }
            put(out, end, cancelled);
        }

        private static void put(BlockingQueue<Found> q, Found f, AtomicBoolean cancelled) {
            try {
                while (!q.offer(f, 100, TimeUnit.MILLISECONDS)) {
                    if (cancelled.get()) {
                        throw new CancellationException();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException();
            }
        }

        /** The offset of the first line that starts at or after {@code pos} ({@code size} if none). */
        private static long lineStartAfter(FileChannel ch, long pos, long size) throws IOException {
            if (pos == 0) {
                return 0;
            }
            ByteBuffer b = ByteBuffer.allocate(64 << 10);
            long p = pos - 1; // a line starts at pos when the byte before it is a newline
            while (p < size) {
                b.clear();
                int n = ch.read(b, p);
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    if (b.get(i) == '\n') {
                        return p + i + 1;
                    }
                }
                p += n;
            }
            return size;
        }

        private byte[] read(long from, int len) {
            try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "r")) {
                long start = Math.max(0, from);
                int n = (int) Math.max(0, Math.min(len, f.length() - start));
                byte[] b = new byte[n];
                f.seek(start);
                f.readFully(b);
                return b;
            } catch (IOException e) {
                return new byte[0];
            }
        }

        @Override
        List<String> linesBefore(long offset, int max) {
            long from = Math.max(0, offset - CONTEXT_BYTES);
            byte[] b = read(from, (int) (offset - from));
            int end = b.length > 0 && b[b.length - 1] == '\n' ? b.length - 1 : b.length;
            List<String> all = split(b, 0, end);
            if (from > 0 && !all.isEmpty()) {
                all = all.subList(1, all.size()); // the first is a partial line
            }
            return all.subList(Math.max(0, all.size() - max), all.size());
        }

        @Override
        List<String> linesAfter(long offset, int max) {
            byte[] b = read(offset, CONTEXT_BYTES);
            int i = 0;
            while (i < b.length && b[i] != '\n') {
                i++;
            }
            List<String> all = split(b, Math.min(b.length, i + 1), b.length);
            return all.subList(0, Math.min(max, all.size()));
        }
    }
}
