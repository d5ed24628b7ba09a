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
     * buf[0]}. Returns the number of the line at {@code to}: {@code firstLine} plus the newlines.
     */
    long scan(byte[] buf, int from, int to, long firstLine, long baseOffset, Sink sink) {
        long[] cand = new long[words];
        if (anyAlways) {
            return scanEveryLine(buf, from, to, firstLine, baseOffset, sink, cand);
        }
        int mid = to - from >= 2 * MIN_HALF ? lineStartAfter(buf, from + (to - from) / 2, to) : to;
        if (mid >= to) {
            return scanFrom(buf, from, to, 0, from, firstLine, baseOffset, sink, cand);
        }
        // Two halves at once: each step of the automaton waits for the one before (a chain of dependent
        // loads), so the CPU runs two independent chains in about the time of one. Candidate lines of the
        // second half are kept (they are rare) and handed over in order once the first half is done.
        final int[] d = delta;
        final int[] cls = byteClass;
        List<long[]> later = new ArrayList<>();
        long lineNo = firstLine;
        int counted = from;
        int lo2 = mid;
        int s1 = 0;
        int s2 = 0;
        int i = from;
        int j = mid;
        while (i < mid && j < to) {
            s1 = d[s1 + cls[buf[i] & 0xff]];
            s2 = d[s2 + cls[buf[j] & 0xff]];
            if ((s1 | s2) >= 0) {
                i++;
                j++;
                continue;
            }
            if (s1 < 0) {
                int lineStart = lineStart(buf, i, counted);
                lineNo += countNewlines(buf, counted, lineStart);
                int end = finishLine(buf, i, mid, s1, cand);
                sink.line(lineNo, baseOffset + lineStart, buf, lineStart, end, cand);
                Arrays.fill(cand, 0);
                lineNo += end < mid ? 1 : 0;
                i = end + 1;
                counted = Math.min(i, mid);
                s1 = 0;
            } else {
                i++;
            }
            if (s2 < 0) {
                int lineStart = lineStart(buf, j, lo2);
                int end = finishLine(buf, j, to, s2, cand);
                long[] found = Arrays.copyOf(cand, words + 2);
                found[words] = lineStart;
                found[words + 1] = end;
                later.add(found);
                Arrays.fill(cand, 0);
                j = end + 1;
                lo2 = Math.min(j, to);
                s2 = 0;
            } else {
                j++;
            }
        }
        lineNo = scanFrom(buf, i, mid, s1, counted, lineNo, baseOffset, sink, cand);
        counted = mid;
        for (long[] found : later) {
            int lineStart = (int) found[words];
            int end = (int) found[words + 1];
            lineNo += countNewlines(buf, counted, lineStart);
            sink.line(lineNo, baseOffset + lineStart, buf, lineStart, end, Arrays.copyOf(found, words));
            lineNo += end < to ? 1 : 0;
            counted = Math.min(end + 1, to);
        }
        return scanFrom(buf, Math.max(j, counted), to, s2, counted, lineNo, baseOffset, sink, cand);
    }

    /** Halves smaller than this are not worth splitting a buffer for. */
    private static final int MIN_HALF = 2048;

    /**
     * Scans {@code buf[i, to)} from automaton state {@code s}; {@code counted} is where the newlines
     * have been counted up to, {@code lineNo} the number of the line there. Returns the number of the line at
     * {@code to}.
     */
    private long scanFrom(
            byte[] buf, int i, int to, int s, int counted, long lineNo, long baseOffset, Sink sink, long[] cand) {
        final int[] d = delta;
        final int[] cls = byteClass;
        while (i < to) {
            s = d[s + cls[buf[i] & 0xff]];
            if (s >= 0) {
                i++;
                continue;
            }
            int lineStart = lineStart(buf, i, counted);
            lineNo += countNewlines(buf, counted, lineStart);
            int end = finishLine(buf, i, to, s, cand);
            sink.line(lineNo, baseOffset + lineStart, buf, lineStart, end, cand);
            Arrays.fill(cand, 0);
            lineNo += end < to ? 1 : 0; // a last line without newline is not followed by one
            i = end + 1;
            counted = Math.min(i, to);
            s = 0;
        }
        return lineNo + countNewlines(buf, counted, to);
    }

    /** The start of the line holding position {@code i}, not before {@code lo}. */
    private static int lineStart(byte[] buf, int i, int lo) {
        int start = i;
        while (start > lo && buf[start - 1] != '\n') {
            start--;
        }
        return start;
    }

    /** The first line start at or after {@code pos}, or {@code to}. */
    private static int lineStartAfter(byte[] buf, int pos, int to) {
        for (int k = pos; k < to; k++) {
            if (buf[k] == '\n') {
                return k + 1;
            }
        }
        return to;
    }

    /**
     * Runs the automaton from an accepting state {@code s} at {@code i} to the end of the line, adding the
     * groups of every literal that ends there to {@code cand}; returns the end (the newline, or {@code to}).
     */
    private int finishLine(byte[] buf, int i, int to, int s, long[] cand) {
        int state = s & ~ACCEPT;
        addOutputs(cand, state / width);
        int end;
        for (end = i + 1; end < to && buf[end] != '\n'; end++) {
            state = delta[state + byteClass[buf[end] & 0xff]];
            if (state < 0) {
                state &= ~ACCEPT;
                addOutputs(cand, state / width);
            }
        }
        return end;
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
            lineNo += end < to ? 1 : 0;
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
