package io.jobscope.worker;

import java.nio.charset.StandardCharsets;

/**
 * The newer worker format, {@code server.log}: {@code YYYY-MM-DD HH:MM:SS.ffffff [info]: workitem <n>
 * started: <client>} and {@code ... workitem <n> done: <exit>}; every other timestamped message is read
 * past, a line without a timestamp is skipped.
 */
final class ServerLogParser extends LineParser {
    private static final byte[] WORKITEM = "workitem ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STARTED = " started:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = " done:".getBytes(StandardCharsets.US_ASCII);

    ServerLogParser(int expectedItems) {
        super(expectedItems);
    }

    @Override
    LineParser fresh(int expectedItems) {
        return new ServerLogParser(expectedItems);
    }

    @Override
    int bytesPerItem() {
        return 450;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    /** "workitem" is eight bytes: one comparison of a long. */
    private static final long WORKITEM8 = (long) LONGS.get(WORKITEM, 0);
    /** The usual shape, "YYYY-MM-DD HH:MM:SS.ffffff [info]: ", is checked in a few comparisons. */
    private static final byte[] INFO = " [info]: ".getBytes(StandardCharsets.US_ASCII);

    /** The date and time to the second of the last timestamp parsed, and its value: lines come in bursts. */
    private long lastStamp0 = -1;

    private long lastStamp1 = -1;
    private long lastSecondMicros;

    @Override
    void line(byte[] b, int s, int e) {
        // fast path: the worker server's usual line; anything else goes the careful way below
        if (e - s >= 44
                && b[s + 19] == '.'
                && b[s + 26] == ' '
                && b[s + 32] == ']'
                && b[s + 4] == '-'
                && b[s + 7] == '-'
                && b[s + 10] == ' '
                && b[s + 13] == ':'
                && b[s + 16] == ':'
                && startsWith(b, s + 26, e, INFO)) {
            int m = s + 35;
            if ((long) LONGS.get(b, m) == WORKITEM8 && b[m + 8] == ' ') {
                workitem(b, s, m + WORKITEM.length, e);
            }
            return;
        }
        if (e - s < 24
                || b[s + 4] != '-'
                || b[s + 7] != '-'
                || b[s + 10] != ' '
                || b[s + 13] != ':'
                || b[s + 16] != ':') {
            malformed(b, s, e);
            return;
        }
        // optional fraction of a second, then " [level]: "
        int p = s + 19;
        if (b[p] == '.' || b[p] == ',') {
            p++;
            while (p < e && b[p] >= '0' && b[p] <= '9') {
                p++;
            }
        }
        if (p + 1 >= e || b[p] != ' ' || b[p + 1] != '[') {
            malformed(b, s, e);
            return;
        }
        int q = p + 2;
        while (q < e && b[q] != ']') {
            q++;
        }
        if (q + 1 >= e || b[q + 1] != ':') {
            malformed(b, s, e);
            return;
        }
        int m = q + 2;
        while (m < e && b[m] == ' ') {
            m++;
        }
        if (e - m < WORKITEM.length || b[m] != 'w' || b[m + 4] != 'i' || !startsWith(b, m, e, WORKITEM)) {
            return; // another message of the server: read past it
        }
        workitem(b, s, m + WORKITEM.length, e);
    }

    private void workitem(byte[] b, int s, int p, int e) {
        long item = 0;
        int digits = 0;
        while (p < e && b[p] >= '0' && b[p] <= '9' && digits < 18) {
            item = item * 10 + (b[p] - '0');
            p++;
            digits++;
        }
        if (digits == 0) {
            malformed(b, s, e);
            return;
        }
        long time = time(b, s);
        if (time == Long.MIN_VALUE) {
            malformed(b, s, e);
            return;
        }
        while (e > p && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
            e--;
        }
        if (startsWith(b, p, e, STARTED)) {
            int c = p + STARTED.length;
            while (c < e && b[c] == ' ') {
                c++;
            }
            if (c == e) {
                malformed(b, s, e);
                return;
            }
            items.started(item, time, clients.id(b, c, e));
        } else if (startsWith(b, p, e, DONE)) {
            int c = p + DONE.length;
            while (c < e && b[c] == ' ') {
                c++;
            }
            boolean negative = c < e && b[c] == '-';
            if (negative) {
                c++;
            }
            if (c == e || e - c > 9) {
                malformed(b, s, e);
                return;
            }
            int exit = 0;
            for (; c < e; c++) {
                int d = b[c] - '0';
                if (d < 0 || d > 9) {
                    malformed(b, s, e);
                    return;
                }
                exit = exit * 10 + d;
            }
            items.done(item, time, negative ? -exit : exit);
        } else {
            malformed(b, s, e);
        }
    }

    /** The line's timestamp in µs (local time read as UTC), or Long.MIN_VALUE when it is not one. */
    private long time(byte[] b, int s) {
        long stamp0 = (long) LONGS.get(b, s);
        long stamp1 = (long) LONGS.get(b, s + 8);
        long second;
        if (stamp0 == lastStamp0
                && stamp1 == lastStamp1
                && b[s + 16] == lastS16
                && b[s + 17] == lastS17
                && b[s + 18] == lastS18) {
            second = lastSecondMicros;
        } else {
            second = secondOf(b, s);
            if (second == Long.MIN_VALUE) {
                return second;
            }
            lastStamp0 = stamp0;
            lastStamp1 = stamp1;
            lastS16 = b[s + 16];
            lastS17 = b[s + 17];
            lastS18 = b[s + 18];
            lastSecondMicros = second;
        }
        long micro = 0;
        int p = s + 19;
        if (b[p] == '.' || b[p] == ',') {
            long scale = 100_000;
            for (p++; b[p] >= '0' && b[p] <= '9'; p++) {
                micro += (b[p] - '0') * scale;
                scale /= 10;
            }
        }
        return second + micro;
    }

    private byte lastS16;
    private byte lastS17;
    private byte lastS18;

    /** The µs of {@code YYYY-MM-DD HH:MM:SS} at {@code s}, or Long.MIN_VALUE. */
    private static long secondOf(byte[] b, int s) {
        int c1 = d2(b, s);
        int c2 = d2(b, s + 2);
        int month = d2(b, s + 5);
        int day = d2(b, s + 8);
        int hour = d2(b, s + 11);
        int minute = d2(b, s + 14);
        int second = d2(b, s + 17);
        if ((c1 | c2 | month | day | hour | minute | second) < 0) {
            return Long.MIN_VALUE;
        }
        int year = c1 * 100 + c2;
        if (!validTime(year, month, day, hour, minute, second)) {
            return Long.MIN_VALUE;
        }
        return micros(year, month, day, hour, minute, second, 0);
    }
}
