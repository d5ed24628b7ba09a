package io.jobscope.agent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Reads job logs from the end, so that the last lines of a log of gigabytes cost a few reads. */
public final class LogFiles {
    private static final int BLOCK = 8192;

    private LogFiles() {}

    /**
     * The offset where the last {@code lines} lines of {@code file} begin (a final line without newline
     * counts as a line), found by reading blocks backwards from the end.
     */
    public static long tailOffset(Path file, int lines) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            if (lines <= 0 || len == 0) {
                return len;
            }
            byte[] buf = new byte[BLOCK];
            long pos = len;
            int newlines = 0;
            boolean first = true;
            while (pos > 0) {
                int n = (int) Math.min(BLOCK, pos);
                pos -= n;
                f.seek(pos);
                f.readFully(buf, 0, n);
                for (int i = n - 1; i >= 0; i--) {
                    if (buf[i] == '\n') {
                        if (first && pos + i == len - 1) {
                            continue; // the newline ending the last line
                        }
                        if (++newlines == lines) {
                            return pos + i + 1;
                        }
                    }
                }
                first = false;
            }
            return 0;
        }
    }

    /** Copies {@code file} from {@code offset} to the end into {@code out}, in blocks. */
    public static void copyFrom(Path file, long offset, OutputStream out) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            f.seek(offset);
            byte[] buf = new byte[65536];
            int n;
            while ((n = f.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            out.flush();
        }
    }

    /** The last {@code lines} lines of a text held in memory (a tail kept in the store). */
    public static String lastLines(String text, int lines) {
        if (text == null || lines <= 0) {
            return text == null ? null : lines == 0 ? "" : text;
        }
        int end = text.endsWith("\n") ? text.length() - 1 : text.length();
        int pos = end;
        for (int i = 0; i < lines; i++) {
            pos = text.lastIndexOf('\n', pos - 1);
            if (pos < 0) {
                return text;
            }
        }
        return text.substring(pos + 1);
    }
}
