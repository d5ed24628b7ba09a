package io.jobscope.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jobscope.client.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads events from a stream: NDJSON (one object a line; a pretty-printed object may span lines), or one
 * JSON array of objects. Each event is validated on its own, so one bad line costs only itself. Lines are
 * numbered from 1 (in an array: the element's position).
 */
public final class EventStreamReader {
    /** Receives each valid event and each refused line. */
    public interface Sink {
        void accept(long line, IngestEvent event) throws IOException;

        void reject(long line, String error) throws IOException;
    }

    /** The body passed its size limit. */
    public static final class TooLargeException extends IOException {
        public TooLargeException(long limit) {
            super("request body is larger than the limit of " + limit + " bytes; send smaller batches");
        }
    }

    private static final ObjectMapper MAPPER = Json.mapper();
    private final int maxLine;
    private final long maxBody;

    public EventStreamReader(int maxLineBytes, long maxBodyBytes) {
        this.maxLine = maxLineBytes;
        this.maxBody = maxBodyBytes;
    }

    /** Reads the whole stream into the sink. */
    public void read(InputStream raw, Sink sink) throws IOException {
        LineSource in = new LineSource(raw, maxLine, maxBody);
        // Editors on Windows start UTF-8 files with a byte-order mark: skipped. UTF-16 (or UTF-32) text is
        // refused as a whole rather than read as lines of garbage.
        if (in.skipByteOrderMark()) {
            sink.reject(1, "the body is UTF-16 or UTF-32 text; send UTF-8");
            return;
        }
        int first = in.peekNonBlank();
        if (first == '[') {
            readArray(in, sink);
        } else if (first >= 0) {
            readLines(in, sink);
        }
    }

    private void readLines(LineSource in, Sink sink) throws IOException {
        byte[] pending = null;
        int pendingLen = 0;
        long pendingLine = 0;
        while (true) {
            int len = in.nextLine();
            if (len < 0) {
                break;
            }
            long lineNo = in.lineNumber();
            if (in.overLong()) {
                if (pending != null) {
                    sink.reject(pendingLine, "incomplete JSON object");
                    pending = null;
                }
                sink.reject(lineNo, "line is " + len + " bytes, more than the limit of " + maxLine + " bytes");
                continue;
            }
            byte[] buf = in.buffer();
            int start = 0;
            while (start < len && isBlank(buf[start])) {
                start++;
            }
            if (pending != null) {
                if (start < len && buf[start] == '{' && !onlyBrace(buf, start, len)) {
                    sink.reject(pendingLine, "incomplete JSON object (truncated line?)");
                    pending = null;
                } else {
                    if (pendingLen + len + 1 > maxLine) {
                        sink.reject(pendingLine, "JSON object is more than the limit of " + maxLine + " bytes");
                        pending = null;
                        continue;
                    }
                    if (pending.length < pendingLen + len + 1) {
                        pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLen + len + 1));
                    }
                    pending[pendingLen++] = '\n';
                    System.arraycopy(buf, 0, pending, pendingLen, len);
                    pendingLen += len;
                    Parsed p = parse(pending, 0, pendingLen);
                    if (p.incomplete) {
                        continue;
                    }
                    deliver(sink, pendingLine, p, pending, 0, pendingLen);
                    pending = null;
                    continue;
                }
            }
            if (start == len) {
                continue;
            }
            Parsed p = parse(buf, start, len - start);
            if (p.incomplete && buf[start] == '{') {
                pending = Arrays.copyOfRange(buf, start, Math.max(len, start + 1024));
                pendingLen = len - start;
                pendingLine = lineNo;
                continue;
            }
            deliver(sink, lineNo, p, buf, start, len - start);
        }
        if (pending != null) {
            sink.reject(pendingLine, "incomplete JSON object at end of body");
        }
    }

    private static boolean onlyBrace(byte[] b, int start, int len) {
        for (int i = start + 1; i < len; i++) {
            if (!isBlank(b[i])) {
                return false;
            }
        }
        return true;
    }

    private void deliver(Sink sink, long line, Parsed p, byte[] buf, int off, int len) throws IOException {
        if (p.error != null) {
            sink.reject(line, p.error);
            return;
        }
        try {
            String json = new String(buf, off, len, StandardCharsets.UTF_8).strip();
            sink.accept(line, EventValidator.validate(p.node, json));
        } catch (InvalidEventException e) {
            sink.reject(line, e.getMessage());
        }
    }

    private record Parsed(JsonNode node, String error, boolean incomplete) {}

    private static Parsed parse(byte[] buf, int off, int len) {
        try (JsonParser jp = MAPPER.getFactory().createParser(buf, off, len)) {
            JsonNode node = MAPPER.readTree(jp);
            if (node == null) {
                return new Parsed(null, "empty line", false);
            }
            JsonToken trailing = jp.nextToken();
            if (trailing != null) {
                return new Parsed(null, "malformed JSON: more than one value on the line", false);
            }
            return new Parsed(node, null, false);
        } catch (JsonProcessingException e) {
            // An object cut at the end of the line may continue on the next (pretty-printed JSON).
            boolean incomplete = e instanceof JsonEOFException
                    || e.getOriginalMessage() != null && e.getOriginalMessage().contains("end-of-input");
            return new Parsed(
                    null,
                    incomplete
                            ? "malformed JSON: object not closed at the end of the line"
                            : "malformed JSON: " + e.getOriginalMessage(),
                    incomplete);
        } catch (IOException e) {
            return new Parsed(null, "malformed JSON: " + e.getMessage(), false);
        }
    }

    private void readArray(LineSource in, Sink sink) throws IOException {
        try (JsonParser jp = MAPPER.getFactory().createParser(in.asStream())) {
            if (jp.nextToken() != JsonToken.START_ARRAY) {
                sink.reject(1, "expected a JSON array of events");
                return;
            }
            long index = 0;
            while (true) {
                JsonToken t;
                try {
                    t = jp.nextToken();
                } catch (JsonProcessingException e) {
                    sink.reject(
                            index + 1,
                            "malformed JSON at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
                    return;
                }
                if (t == JsonToken.END_ARRAY || t == null) {
                    return;
                }
                index++;
                JsonNode node;
                try {
                    node = MAPPER.readTree(jp);
                } catch (JsonProcessingException e) {
                    sink.reject(
                            index,
                            "malformed JSON at line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage());
                    return;
                }
                try {
                    sink.accept(index, EventValidator.validate(node, null));
                } catch (InvalidEventException e) {
                    sink.reject(index, e.getMessage());
                }
            }
        }
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }

    /** Bounded line reading over a byte stream: no line is ever held beyond the limit. */
    static final class LineSource {
        private final InputStream in;
        private final int maxLine;
        private final long maxBody;
        private final byte[] chunk = new byte[1 << 16];
        private int pos;
        private int end;
        private long total;
        private long lineNo;
        private byte[] line = new byte[8192];
        private boolean overLong;

        LineSource(InputStream in, int maxLine, long maxBody) {
            this.in = in;
            this.maxLine = maxLine;
            this.maxBody = maxBody;
        }

        private boolean fill() throws IOException {
            if (pos < end) {
                return true;
            }
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) {
                return false;
            }
            total += n;
            if (total > maxBody) {
                throw new TooLargeException(maxBody);
            }
            pos = 0;
            end = n;
            return true;
        }

        /**
         * At the start of the stream: skips a UTF-8 byte-order mark; returns whether the text is UTF-16 or
         * UTF-32 instead (their byte-order mark, or a NUL in the first two bytes; left in place).
         */
        boolean skipByteOrderMark() throws IOException {
            while (end - pos < 4) {
                int n = in.read(chunk, end, chunk.length - end);
                if (n <= 0) {
                    break;
                }
                total += n;
                end += n;
            }
            if (total > maxBody) {
                throw new TooLargeException(maxBody);
            }
            int have = end - pos;
            if (have >= 3
                    && (chunk[pos] & 0xFF) == 0xEF
                    && (chunk[pos + 1] & 0xFF) == 0xBB
                    && (chunk[pos + 2] & 0xFF) == 0xBF) {
                pos += 3;
                return false;
            }
            if (have >= 2) {
                int b0 = chunk[pos] & 0xFF;
                int b1 = chunk[pos + 1] & 0xFF;
                // Byte-order marks, or a NUL among the first two bytes: UTF-16/32 without a mark (JSON has no NUL).
                return (b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE) || b0 == 0 || b1 == 0;
            }
            return false;
        }

        int peekNonBlank() throws IOException {
            while (fill()) {
                while (pos < end) {
                    byte b = chunk[pos];
                    if (!isBlank(b)) {
                        return b & 0xFF; // a first byte of 0x80 or more (non-ASCII) is a line too
                    }
                    if (b == '\n') {
                        lineNo++;
                    }
                    pos++;
                }
            }
            return -1;
        }

        /** The next line's length (its bytes in {@link #buffer()} unless over-long), or -1 at the end. */
        int nextLine() throws IOException {
            overLong = false;
            int len = 0;
            boolean any = false;
            while (fill()) {
                any = true;
                int start = pos;
                int nl = -1;
                for (int i = pos; i < end; i++) {
                    if (chunk[i] == '\n') {
                        nl = i;
                        break;
                    }
                }
                int stop = nl < 0 ? end : nl;
                int n = stop - start;
                if (!overLong) {
                    if (len + n > maxLine) {
                        overLong = true;
                    } else {
                        if (line.length < len + n) {
                            line = Arrays.copyOf(line, Math.min(maxLine, Math.max(line.length * 2, len + n)));
                        }
                        System.arraycopy(chunk, start, line, len, n);
                    }
                }
                len += n;
                pos = stop;
                if (nl >= 0) {
                    pos = nl + 1;
                    lineNo++;
                    return len;
                }
            }
            if (!any) {
                return -1;
            }
            lineNo++;
            return len;
        }

        byte[] buffer() {
            return line;
        }

        boolean overLong() {
            return overLong;
        }

        long lineNumber() {
            return lineNo;
        }

        InputStream asStream() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    return fill() ? chunk[pos++] & 0xff : -1;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (!fill()) {
                        return -1;
                    }
                    int n = Math.min(len, end - pos);
                    System.arraycopy(chunk, pos, b, off, n);
                    pos += n;
                    return n;
                }
            };
        }
    }
}
