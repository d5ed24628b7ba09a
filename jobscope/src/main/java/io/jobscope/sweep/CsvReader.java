package io.jobscope.sweep;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV records per RFC 4180, one at a time: fields separated by commas, records by CRLF or LF,
 * fields in double quotes may hold commas, line breaks and doubled quotes. Blank lines are skipped (a
 * trailing one is common). A record knows the line of the file it starts on, for error messages.
 */
final class CsvReader implements AutoCloseable {
    /** One record: the file line it starts on (1-based) and its fields. */
    record Record(long line, List<String> fields) {}

    private final Reader in;
    private final char[] buf = new char[8192];
    private int pos;
    private int len;
    private long line = 1;
    private boolean first = true;

    CsvReader(Reader in) {
        this.in = in;
    }

    /** The next record, or null at the end of the input; a malformed record throws, naming its line. */
    Record next() throws IOException {
        while (true) {
            int c = read();
            if (c < 0) {
                return null;
            }
            if (first && c == '\uFEFF') { // a byte order mark some spreadsheets write
                first = false;
                continue;
            }
            first = false;
            if (c == '\n') {
                line++;
                continue;
            }
            if (c == '\r') {
                if (peek() != '\n') {
                    line++; // a lone CR ends a line too
                }
                continue;
            }
            return record(c);
        }
    }

    private Record record(int c) throws IOException {
        long start = line;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        while (true) {
            if (c == '"' && field.length() == 0) {
                quoted(field, start);
                c = read();
                if (c != ',' && c != '\n' && c != '\r' && c >= 0) {
                    long at = line;
                    skipLine(c);
                    throw new CsvException(
                            at, "a quoted field must end at a comma or the end of the line, found '" + (char) c + "'");
                }
            } else {
                while (c >= 0 && c != ',' && c != '\n' && c != '\r') {
                    field.append((char) c);
                    c = read();
                }
            }
            fields.add(field.toString());
            field.setLength(0);
            if (c == ',') {
                c = read();
                continue;
            }
            if (c == '\r' && peek() == '\n') {
                read();
            }
            if (c >= 0) {
                line++;
            }
            return new Record(start, List.copyOf(fields));
        }
    }

    /** Skips the rest of a bad record's line, so that reading goes on with the next record. */
    private void skipLine(int c) throws IOException {
        while (c >= 0 && c != '\n' && c != '\r') {
            c = read();
        }
        if (c == '\r' && peek() == '\n') {
            read();
        }
        if (c >= 0) {
            line++;
        }
    }

    private void quoted(StringBuilder field, long start) throws IOException {
        while (true) {
            int c = read();
            if (c < 0) {
                throw new CsvException(start, "a quoted field is not closed (a \" is missing)");
            }
            if (c == '"') {
                if (peek() == '"') {
                    read();
                    field.append('"');
                    continue;
                }
                return;
            }
            if (c == '\n') {
                line++;
            }
            field.append((char) c);
        }
    }

    private int read() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                return -1;
            }
        }
        return buf[pos++];
    }

    private int peek() throws IOException {
        if (pos == len) {
            len = in.read(buf, 0, buf.length);
            pos = 0;
            if (len <= 0) {
                len = 0;
                return -1;
            }
        }
        return buf[pos];
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** A record that is not valid CSV. */
    static final class CsvException extends IOException {
        private final long line;

        CsvException(long line, String message) {
            super("line " + line + ": " + message);
            this.line = line;
        }

        long line() {
            return line;
        }
    }
}
