package io.jobscope.diagnose;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the lines of a byte buffer that contain any of a set of literals, case-insensitively (ASCII),
 * in one pass: an Aho–Corasick automaton compiled to a table of 256 transitions per state. Only lines
 * with a hit reach the caller, with the set of groups (rules) whose literal occurs in them; a group with
 * no literals is a candidate on every line.
 */
final class LineScanner {
    private static final int ACCEPT = 0x80000000;

    /** Receives each candidate line: its number (1-based), byte offset, bounds, and the candidate groups. */
    interface Sink {
        void line(long lineNo, long offset, byte[] buf, int start, int end, long[] candidates);
    }

    /** Transitions: {@code delta[state * width + byteClass[b]]} is the next state times width, | ACCEPT. */
    private final int[] delta;

    private final int[] byteClass;
    private final int width;
    private final int[][] outputs;
    private final long[] always;
    private final boolean anyAlways;
    private final int words;

    LineScanner(List<List<String>> groups) {
        words = Math.max(1, (groups.size() + 63) >>> 6);
        always = new long[words];
        boolean anyAlways = false;
        // Trie over the lower-cased UTF-8 bytes of every literal.
        List<int[]> next = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        next.add(newRow());
        out.add(new ArrayList<>());
        for (int g = 0; g < groups.size(); g++) {
            List<String> lits = groups.get(g);
            if (lits.isEmpty()) {
                always[g >>> 6] |= 1L << g;
                anyAlways = true;
                continue;
            }
            for (String lit : lits) {
                int s = 0;
                for (byte b : lower(lit).getBytes(StandardCharsets.UTF_8)) {
                    int c = b & 0xff;
                    if (next.get(s)[c] < 0) {
                        next.get(s)[c] = next.size();
                        next.add(newRow());
                        out.add(new ArrayList<>());
                    }
                    s = next.get(s)[c];
                }
                if (!out.get(s).contains(g)) {
                    out.get(s).add(g);
                }
            }
        }
        this.anyAlways = anyAlways;
        int n = next.size();
        int[] fail = new int[n];
        int[][] d = new int[n][];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        d[0] = new int[256];
        for (int c = 0; c < 256; c++) {
            int child = next.get(0)[c];
            if (child >= 0) {
                d[0][c] = child;
                fail[child] = 0;
                queue.add(child);
            } else {
                d[0][c] = 0;
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            out.get(s)
                    .addAll(out.get(fail[s]).stream()
                            .filter(x -> !out.get(s).contains(x))
                            .toList());
            d[s] = new int[256];
            for (int c = 0; c < 256; c++) {
                int child = next.get(s)[c];
                if (child >= 0) {
                    d[s][c] = child;
                    fail[child] = d[fail[s]][c];
                    queue.add(child);
                } else {
                    d[s][c] = d[fail[s]][c];
                }
            }
        }
        // Bytes that occur in no literal all lead back to the root: one column for all of them, so that the
        // table (states x classes) stays small enough for the CPU's caches.
        byteClass = new int[256];
        int classes = 1;
        int[] classOfFolded = new int[256];
        for (int c = 0; c < 256; c++) {
            int folded = c >= 'A' && c <= 'Z' ? c + 32 : c;
            if (classOfFolded[folded] == 0 && usedBelowRoot(next, folded)) {
                classOfFolded[folded] = classes++;
            }
            byteClass[c] = classOfFolded[folded];
        }
        width = classes;
        int[] representative = new int[classes];
        for (int c = 255; c >= 0; c--) {
            representative[byteClass[c]] = c >= 'A' && c <= 'Z' ? c + 32 : c;
        }
        delta = new int[n * width];
        outputs = new int[n][];
        for (int st = 0; st < n; st++) {
            outputs[st] = out.get(st).stream().mapToInt(Integer::intValue).toArray();
            for (int k = 0; k < width; k++) {
                int t = k == 0 ? 0 : d[st][representative[k]];
                delta[st * width + k] = (t * width) | (out.get(t).isEmpty() ? 0 : ACCEPT);
            }
        }
    }

    private static boolean usedBelowRoot(List<int[]> next, int c) {
        for (int[] row : next) {
            if (row[c] >= 0) {
                return true;
            }
        }
        return false;
    }

    private static int[] newRow() {
        int[] row = new int[256];
        Arrays.fill(row, -1);
        return row;
    }

    private static String lower(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    /** Whether some group has no literal, so that every line is a candidate. */
    boolean everyLineIsCandidate() {
        return anyAlways;
    }

    int groupWords() {
        return words;
    }

    /**
     * Scans {@code buf[from, to)}, which holds whole lines (the last may lack its newline); {@code
     * firstLine} is the number of the line at {@code from}, {@code baseOffset} the file offset of {@code
     * buf[0]}. Returns the number of the line after the last one.
     */
    long scan(byte[] buf, int from, int to, long firstLine, long baseOffset, Sink sink) {
        long[] cand = new long[words];
        if (anyAlways) {
            return scanEveryLine(buf, from, to, firstLine, baseOffset, sink, cand);
        }
        final int[] d = delta;
        final int[] cls = byteClass;
        long lineNo = firstLine;
        int counted = from;
        int s = 0;
        int i = from;
        while (i < to) {
            s = d[s + cls[buf[i] & 0xff]];
            if (s >= 0) {
                i++;
                continue;
            }
            int lineStart = i;
            while (lineStart > counted && buf[lineStart - 1] != '\n') {
                lineStart--;
            }
            lineNo += countNewlines(buf, counted, lineStart);
            int end;
            int state = s & ~ACCEPT;
            addOutputs(cand, state / width);
            for (end = i + 1; end < to && buf[end] != '\n'; end++) {
                state = d[state + cls[buf[end] & 0xff]];
                if (state < 0) {
                    state &= ~ACCEPT;
                    addOutputs(cand, state / width);
                }
            }
            sink.line(lineNo, baseOffset + lineStart, buf, lineStart, end, cand);
            Arrays.fill(cand, 0);
            lineNo++;
            i = end + 1;
            counted = Math.min(i, to);
            s = 0;
        }
        return lineNo + countNewlines(buf, counted, to);
    }

    private long scanEveryLine(byte[] buf, int from, int to, long firstLine, long baseOffset, Sink sink, long[] cand) {
        final int[] d = delta;
        final int[] cls = byteClass;
        long lineNo = firstLine;
        int start = from;
        while (start < to) {
            int end = start;
            int state = 0;
            System.arraycopy(always, 0, cand, 0, words);
            for (; end < to && buf[end] != '\n'; end++) {
                state = d[state + cls[buf[end] & 0xff]];
                if (state < 0) {
                    state &= ~ACCEPT;
                    addOutputs(cand, state / width);
                }
            }
            sink.line(lineNo, baseOffset + start, buf, start, end, cand);
            lineNo++;
            start = end + 1;
        }
        return lineNo;
    }

    private void addOutputs(long[] cand, int state) {
        for (int g : outputs[state]) {
            cand[g >>> 6] |= 1L << g;
        }
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

    /** The newlines in {@code buf[from, to)}, eight bytes at a time. */
    static long countNewlines(byte[] buf, int from, int to) {
        long n = 0;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(buf, i) ^ NEWLINES; // a newline byte is now zero
            // High bit of each byte set when the byte is not zero (exact, no borrow between bytes).
            long nonZero = ((x & LOW7) + LOW7) | x;
            n += 8 - Long.bitCount(nonZero & ~LOW7);
        }
        for (; i < to; i++) {
            if (buf[i] == '\n') {
                n++;
            }
        }
        return n;
    }
}
