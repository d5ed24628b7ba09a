package io.jobscope.worker;

import java.nio.charset.StandardCharsets;

/**
 * The older MPI worker format, {@code <name>.log<jobid>}: {@code <n> started by <rank> at <date>},
 * {@code <n> completed by <rank> at <date>} (exit 0) and {@code <n> failed by <rank> at <date>: <exit>},
 * the date as C's {@code ctime} writes it ({@code Tue Mar  5 10:49:13 2019}). The client is the rank.
 */
final class MpiLogParser extends LineParser {
    private static final byte[] STARTED = "started by ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMPLETED = "completed by ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FAILED = "failed by ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AT = " at ".getBytes(StandardCharsets.US_ASCII);
    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    MpiLogParser(int expectedItems) {
        super(expectedItems);
    }

    @Override
    LineParser fresh(int expectedItems) {
        return new MpiLogParser(expectedItems);
    }

    @Override
    int bytesPerItem() {
        return 90;
    }

    @Override
    void line(byte[] b, int s, int e) {
        while (e > s && (b[e - 1] == ' ' || b[e - 1] == '\t')) {
            e--;
        }
        int p = s;
        long item = 0;
        while (p < e && b[p] >= '0' && b[p] <= '9' && p - s < 18) {
            item = item * 10 + (b[p] - '0');
            p++;
        }
        if (p == s || p >= e || b[p] != ' ') {
            malformed(b, s, e);
            return;
        }
        p++;
        int kind;
        if (startsWith(b, p, e, STARTED)) {
            kind = 0;
            p += STARTED.length;
        } else if (startsWith(b, p, e, COMPLETED)) {
            kind = 1;
            p += COMPLETED.length;
        } else if (startsWith(b, p, e, FAILED)) {
            kind = 2;
            p += FAILED.length;
        } else {
            malformed(b, s, e);
            return;
        }
        int rankStart = p;
        while (p < e && b[p] != ' ') {
            p++;
        }
        int rankEnd = p;
        if (rankEnd == rankStart || !startsWith(b, p, e, AT)) {
            malformed(b, s, e);
            return;
        }
        p += AT.length;
        // Www Mmm dd HH:MM:SS YYYY
        if (e - p < 20) {
            malformed(b, s, e);
            return;
        }
        p += 3;
        while (p < e && b[p] == ' ') {
            p++;
        }
        if (e - p < 3) {
            malformed(b, s, e);
            return;
        }
        int month = month(b, p);
        p += 3;
        while (p < e && b[p] == ' ') {
            p++;
        }
        int day = 0;
        int dayStart = p;
        while (p < e && b[p] >= '0' && b[p] <= '9' && p - dayStart < 2) {
            day = day * 10 + (b[p] - '0');
            p++;
        }
        if (p == dayStart || p + 14 > e || b[p] != ' ' || b[p + 3] != ':' || b[p + 6] != ':' || b[p + 9] != ' ') {
            malformed(b, s, e);
            return;
        }
        int hour = d2(b, p + 1);
        int minute = d2(b, p + 4);
        int second = d2(b, p + 7);
        int y1 = d2(b, p + 10);
        int y2 = d2(b, p + 12);
        p += 14;
        if ((month | hour | minute | second | y1 | y2) < 0) {
            malformed(b, s, e);
            return;
        }
        int year = y1 * 100 + y2;
        if (!validTime(year, month, day, hour, minute, second)) {
            malformed(b, s, e);
            return;
        }
        long time = micros(year, month, day, hour, minute, second, 0);
        int exit = 0;
        if (p < e) {
            // ": <exit>"
            if (kind == 0 || b[p] != ':') {
                malformed(b, s, e);
                return;
            }
            p++;
            while (p < e && b[p] == ' ') {
                p++;
            }
            boolean negative = p < e && b[p] == '-';
            if (negative) {
                p++;
            }
            if (p == e || e - p > 9) {
                malformed(b, s, e);
                return;
            }
            for (; p < e; p++) {
                int d = b[p] - '0';
                if (d < 0 || d > 9) {
                    malformed(b, s, e);
                    return;
                }
                exit = exit * 10 + d;
            }
            exit = negative ? -exit : exit;
        } else if (kind == 2) {
            exit = 1; // failed, the code not written
        }
        if (kind == 0) {
            items.started(item, time, clients.id(b, rankStart, rankEnd));
        } else {
            items.done(item, time, exit);
        }
    }

    private static int month(byte[] b, int p) {
        for (int m = 0; m < 12; m++) {
            int k = m * 3;
            if (b[p] == MONTHS.charAt(k) && b[p + 1] == MONTHS.charAt(k + 1) && b[p + 2] == MONTHS.charAt(k + 2)) {
                return m + 1;
            }
        }
        return -1;
    }
}
