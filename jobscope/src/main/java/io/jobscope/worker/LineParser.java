package io.jobscope.worker;

/**
 * Parses the lines of one stretch of a worker log into an {@link ItemTable}, from bytes: no String and
 * no regular expression per line. Lines it cannot read are counted, with the first one's number.
 */
abstract class LineParser {
    final ItemTable items;
    final ClientTable clients = new ClientTable();
    /** Lines seen, including blank and skipped ones. */
    long lines;
    /** Lines that could not be read. */
    long skipped;
    /** Number (1-based, within the stretch) of the first skipped line, 0 when none. */
    long firstSkipped;
    /** Empty or whitespace-only lines: no error, but counted. */
    long blank;

    LineParser(int expectedItems) {
        this.items = new ItemTable(expectedItems);
    }

    /** One line, {@code b[s, e)}, without its line end; {@link #lines} already counts it. */
    abstract void line(byte[] b, int s, int e);

    /** A fresh parser of the same format for another stretch. */
    abstract LineParser fresh(int expectedItems);

    /** Roughly how many bytes of log one work item takes, to size tables up front. */
    abstract int bytesPerItem();

    final void malformed(byte[] b, int s, int e) {
        for (int i = s; i < e; i++) {
            if (b[i] != ' ' && b[i] != '\t') {
                skipped++;
                if (firstSkipped == 0) {
                    firstSkipped = lines;
                }
                return;
            }
        }
        blank++; // a blank line carries nothing and is no error
    }

    /** Counts a line too long to hold in memory as skipped. */
    final void tooLong() {
        skipped++;
        if (firstSkipped == 0) {
            firstSkipped = lines;
        }
    }

    static boolean startsWith(byte[] b, int at, int end, byte[] prefix) {
        if (end - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Two decimal digits at {@code at}, or -1. */
    static int d2(byte[] b, int at) {
        int x = b[at] - '0';
        int y = b[at + 1] - '0';
        if (x < 0 || x > 9 || y < 0 || y > 9) {
            return -1;
        }
        return x * 10 + y;
    }

    /** Microseconds since 1970-01-01T00:00 of a local date and time, read as if it were UTC. */
    static long micros(int year, int month, int day, int hour, int minute, int second, long micro) {
        long y = year;
        long total = 365 * y + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        total += (367L * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            boolean leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
            if (!leap) {
                total--;
            }
        }
        long days = total - 719_528L;
        return ((days * 24 + hour) * 60 + minute) * 60_000_000L + second * 1_000_000L + micro;
    }

    static boolean validTime(int year, int month, int day, int hour, int minute, int second) {
        return year >= 1970
                && month >= 1
                && month <= 12
                && day >= 1
                && day <= 31
                && hour >= 0
                && hour < 24
                && minute >= 0
                && minute < 60
                && second >= 0
                && second <= 60;
    }
}
