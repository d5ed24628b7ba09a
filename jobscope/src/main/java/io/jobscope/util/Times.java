package io.jobscope.util;

import io.jobscope.ingest.EventValidator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the times and durations users type: ISO 8601, a date, or "how long ago" such as 24h or 7d. */
public final class Times {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d|w)");

    /** Longer than any job or look back; what plus or minus now still makes a time in the years 1 to 9999. */
    private static final long MAX_DURATION_MS = 1000L * 366 * 86_400_000;

    private Times() {}

    /** An instant from ISO 8601 (offset optional, UTC assumed), a date (its UTC midnight), or a duration ago. */
    public static Instant parseInstant(String text, Clock clock) {
        String s = text.trim();
        if (DURATION.matcher(s).matches()) {
            return clock.instant()
                    .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                    .minus(parseDuration(s));
        }
        try {
            if (s.length() == 10) {
                return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return EventValidator.parseTime(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time"
                    + (EventValidator.OUT_OF_RANGE.equals(e.getMessage())
                            ? " jobscope can store (" + e.getMessage() + ")"
                            : "")
                    + ": use ISO 8601 (2026-11-21T10:30:00Z), a date (2026-11-21) or an age such as 24h or 7d");
        }
    }

    /** A duration such as 500ms, 30s, 10m, 6h, 7d or 2w (a bare number is seconds). */
    public static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.matches("\\d+(\\.\\d+)?")) {
            s = s + "s";
        }
        Matcher m = DURATION.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration: use a number and a unit, such as 500ms, 30s, 10m, 6h, 7d");
        }
        double v = Double.parseDouble(m.group(1));
        long ms = switch (m.group(2)) {
            case "ms" -> (long) v;
            case "s" -> (long) (v * 1000);
            case "m" -> (long) (v * 60_000);
            case "h" -> (long) (v * 3_600_000);
            case "d" -> (long) (v * 86_400_000);
            default -> (long) (v * 7 * 86_400_000);
        };
        if (ms > MAX_DURATION_MS) {
            throw new IllegalArgumentException("'" + text + "' is longer than 1,000 years");
        }
        return Duration.ofMillis(ms);
    }
}
