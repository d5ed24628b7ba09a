package io.jobscope.cli;

import io.jobscope.client.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Human output helpers: units on every number, times in ISO 8601 (UTC). */
final class Format {
    private Format() {}

    static String seconds(Double s) {
        return s == null ? "-" : String.format(Locale.ROOT, "%.2fs", s);
    }

    /** 330.12s (5m 30s) for anything over a minute. */
    static String duration(Double s) {
        if (s == null) {
            return "-";
        }
        String base = String.format(Locale.ROOT, "%.2fs", s);
        if (s < 60) {
            return base;
        }
        Duration d = Duration.ofMillis((long) (s * 1000));
        String human = d.toDays() > 0
                ? String.format(Locale.ROOT, "%dd %dh %dm", d.toDays(), d.toHoursPart(), d.toMinutesPart())
                : d.toHours() > 0
                        ? String.format(Locale.ROOT, "%dh %dm %ds", d.toHours(), d.toMinutesPart(), d.toSecondsPart())
                        : String.format(Locale.ROOT, "%dm %ds", d.toMinutes(), d.toSecondsPart());
        return base + " (" + human + ")";
    }

    static String mb(Double mb) {
        return mb == null ? "-" : String.format(Locale.ROOT, "%.2f MB", mb);
    }

    static String bytes(Long b) {
        if (b == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2f MB", b / 1048576.0);
    }

    static String time(Instant t) {
        return t == null ? "-" : t.toString();
    }

    static String percent(double p) {
        return String.format(Locale.ROOT, "%.1f%%", p);
    }

    static String firstLine(String s, int max) {
        if (s == null) {
            return null;
        }
        String line = s.strip();
        int nl = line.indexOf('\n');
        if (nl >= 0) {
            line = line.substring(0, nl) + " ...";
        }
        return line.length() > max ? line.substring(0, max - 3) + "..." : line;
    }

    /**
     * Prints a listing: as JSON ({@code {"key": [...]}}), else {@code empty} when there is nothing, else its
     * rows. Returns the exit code, 0.
     */
    static <T> int listing(
            PrintWriter out, boolean json, String key, java.util.List<T> list, String empty, Runnable rows) {
        if (json) {
            json(out, java.util.Map.of(key, list));
        } else if (list.isEmpty()) {
            out.println(empty);
        } else {
            rows.run();
        }
        return 0;
    }

    static void json(PrintWriter out, Object value) {
        try {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
