package io.jobscope.sweep;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a sweep: a CSV file (RFC 4180, UTF-8) whose header names the placeholders, one work
 * item per further record. Rows are numbered from 1 after the header, bad rows included, so that a row
 * keeps its number (and its item id) when others are fixed. The file is streamed, never held in memory.
 */
public final class ParamFile {
    /** A valid row: its number, the file line it starts on, and its values by column. */
    public record Row(int number, long line, Map<String, String> values) {}

    /** A row that cannot be used: its number (0 when unknown), its line, and what is wrong. */
    public record BadRow(int number, long line, String problem) {
        public String message() {
            return "line " + line + (number > 0 ? " (row " + number + ")" : "") + ": " + problem;
        }
    }

    /** What a pass over the whole file found. */
    public record Check(int rows, int valid, List<BadRow> bad, int badCount) {}

    private static final int KEPT_BAD_ROWS = 20;

    private final Path path;
    private final List<String> columns;

    private ParamFile(Path path, List<String> columns) {
        this.path = path;
        this.columns = columns;
    }

    /** Opens {@code path} and reads its header; a missing file or a bad header is an {@link IllegalArgumentException}. */
    public static ParamFile open(Path path) {
        try (CsvReader r = reader(path)) {
            CsvReader.Record header = r.next();
            if (header == null) {
                throw new IllegalArgumentException(
                        path + ": the file is empty; expecting a header line naming the placeholders, e.g. x,y");
            }
            List<String> names = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < header.fields().size(); i++) {
                String n = header.fields().get(i).strip();
                if (n.isEmpty()) {
                    throw new IllegalArgumentException(
                            path + ": line " + header.line() + ": column " + (i + 1) + " of the header has no name");
                }
                if (n.contains("{") || n.contains("}")) {
                    throw new IllegalArgumentException(
                            path + ": line " + header.line() + ": column name '" + n + "' may not contain { or }");
                }
                if (!seen.add(n)) {
                    throw new IllegalArgumentException(
                            path + ": line " + header.line() + ": column '" + n + "' appears twice in the header");
                }
                names.add(n);
            }
            return new ParamFile(path, List.copyOf(names));
        } catch (CsvReader.CsvException e) {
            throw new IllegalArgumentException(path + ": the header is not valid CSV: " + e.getMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(readError(path, e));
        }
    }

    public Path path() {
        return path;
    }

    public List<String> columns() {
        return columns;
    }

    /** Reads the whole file once: how many rows, and which are bad (the first few kept, all counted). */
    public Check check() {
        int[] rows = {0};
        int[] valid = {0};
        int[] badCount = {0};
        List<BadRow> bad = new ArrayList<>();
        forEach(
                row -> {
                    rows[0]++;
                    valid[0]++;
                },
                b -> {
                    rows[0]++;
                    badCount[0]++;
                    if (bad.size() < KEPT_BAD_ROWS) {
                        bad.add(b);
                    }
                });
        return new Check(rows[0], valid[0], List.copyOf(bad), badCount[0]);
    }

    /** Streams every row to {@code valid} or {@code bad}, in file order. */
    public void forEach(java.util.function.Consumer<Row> valid, java.util.function.Consumer<BadRow> bad) {
        try (Rows rows = rows()) {
            Object next;
            while ((next = rows.next()) != null) {
                if (next instanceof Row r) {
                    valid.accept(r);
                } else {
                    bad.accept((BadRow) next);
                }
            }
        }
    }

    /** A cursor over the rows after the header; {@link Rows#next()} gives a {@link Row} or a {@link BadRow}. */
    public Rows rows() {
        try {
            CsvReader r = reader(path);
            r.next(); // the header, checked by open()
            return new Rows(r);
        } catch (IOException e) {
            throw new IllegalArgumentException(readError(path, e));
        }
    }

    /** Rows of the file, read on demand. Not thread-safe. */
    public final class Rows implements AutoCloseable {
        private final CsvReader reader;
        private int number;
        private boolean done;

        private Rows(CsvReader reader) {
            this.reader = reader;
        }

        /** The next row, good or bad, or null at the end. */
        public Object next() {
            if (done) {
                return null;
            }
            CsvReader.Record rec;
            try {
                rec = reader.next();
            } catch (CsvReader.CsvException e) {
                number++;
                if (e.getMessage().contains("is not closed")) {
                    done = true; // the open quote swallowed the rest of the file
                }
                return new BadRow(number, e.line(), e.getMessage().replaceFirst("^line \\d+: ", ""));
            } catch (CharacterCodingException e) {
                done = true;
                return new BadRow(0, 0, "the file is not UTF-8 text past row " + number);
            } catch (IOException e) {
                throw new IllegalArgumentException(readError(path, e));
            }
            if (rec == null) {
                done = true;
                return null;
            }
            number++;
            if (rec.fields().size() != columns.size()) {
                return new BadRow(
                        number,
                        rec.line(),
                        "expecting " + columns.size() + " field" + (columns.size() == 1 ? "" : "s") + " ("
                                + String.join(",", columns) + "), found "
                                + rec.fields().size());
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                values.put(columns.get(i), rec.fields().get(i));
            }
            return new Row(number, rec.line(), values);
        }

        @Override
        public void close() {
            try {
                reader.close();
            } catch (IOException ignored) {
                // read-only
            }
        }
    }

    private static CsvReader reader(Path path) throws IOException {
        var decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        return new CsvReader(new BufferedReader(new InputStreamReader(Files.newInputStream(path), decoder), 65536));
    }

    private static String readError(Path path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return path + ": no such file";
        }
        if (e instanceof AccessDeniedException) {
            return path + ": permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return path + ": not UTF-8 text";
        }
        if (Files.isDirectory(path)) {
            return path + ": is a directory, expecting a CSV file";
        }
        return path + ": cannot read: " + e.getMessage();
    }
}
