package io.jobscope.diagnose;

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

    private final int[] delta;
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
        delta = new int[n * 256];
        outputs = new int[n][];
        for (int s = 0; s < n; s++) {
            outputs[s] = out.get(s).stream().mapToInt(Integer::intValue).toArray();
            for (int c = 0; c < 256; c++) {
                int folded = c >= 'A' && c <= 'Z' ? c + 32 : c;
                int t = d[s][folded];
                delta[(s << 8) | c] = (t << 8) | (out.get(t).isEmpty() ? 0 : ACCEPT);
            }
        }
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
        long lineNo = firstLine;
        int counted = from;
        int s = 0;
        int i = from;
        while (i < to) {
            s = d[s | (buf[i] & 0xff)];
            if (s >= 0) {
                i++;
                continue;
            }
            int lineStart = i;
            while (lineStart > counted && buf[lineStart - 1] != '\n') {
                lineStart--;
            }
            lineNo += countNewlines(buf, counted, lineStart);
            int end = i;
            int state = s & ~ACCEPT;
            addOutputs(cand, state >>> 8);
            for (end = i + 1; end < to && buf[end] != '\n'; end++) {
                state = d[state | (buf[end] & 0xff)];
                if (state < 0) {
                    state &= ~ACCEPT;
                    addOutputs(cand, state >>> 8);
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
        long lineNo = firstLine;
        int start = from;
        while (start < to) {
            int end = start;
            int state = 0;
            System.arraycopy(always, 0, cand, 0, words);
            for (; end < to && buf[end] != '\n'; end++) {
                state = delta[state | (buf[end] & 0xff)];
                if (state < 0) {
                    state &= ~ACCEPT;
                    addOutputs(cand, state >>> 8);
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

    static long countNewlines(byte[] buf, int from, int to) {
        long n = 0;
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                n++;
            }
        }
        return n;
    }
}
