package io.jobscope.diagnose;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A log to scan: a stored tail in memory, or a file of any size read in blocks; with context lookup. */
abstract class LogSource {
    private static final int BLOCK = 4 << 20;
    private static final int CONTEXT_BYTES = 32 << 10;

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

        @Override
        List<String> linesBefore(long offset, int max) {
            List<String> all = split(bytes, Math.max(0, (int) offset - CONTEXT_BYTES), Math.max(0, (int) offset - 1));
            return all.subList(Math.max(0, all.size() - max), all.size());
        }

        @Override
        List<String> linesAfter(long offset, int max) {
            int lineEnd = (int) offset;
            while (lineEnd < bytes.length && bytes[lineEnd] != '\n') {
                lineEnd++;
            }
            List<String> all = split(
                    bytes, Math.min(bytes.length, lineEnd + 1), Math.min(bytes.length, lineEnd + 1 + CONTEXT_BYTES));
            return all.subList(0, Math.min(max, all.size()));
        }
    }

    private static final class File extends LogSource {
        private final Path path;

        File(String stream, Path path) {
            super(stream);
            this.path = path;
        }

        @Override
        void scan(LineScanner scanner, LineScanner.Sink sink) {
            byte[] buf = new byte[BLOCK];
            long line = 1;
            long base = 0;
            int filled = 0;
            try (InputStream in = Files.newInputStream(path)) {
                while (true) {
                    int n = in.read(buf, filled, buf.length - filled);
                    if (n < 0) {
                        if (filled > 0) {
                            scanner.scan(buf, 0, filled, line, base, sink);
                        }
                        return;
                    }
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
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
            }
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
