package io.jobscope.web;

import io.jobscope.client.Job;
import io.jobscope.jobs.CpuEfficiency;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Numbers with units, durations and URLs as the dashboard's templates print them. */
public final class Fmt {
    public static final String NONE = "—";
    private static final double MB = 1024.0 * 1024.0;

    private Fmt() {}

    /** A duration in seconds: "850 ms", "12.3 s", "4m 05s", "2h 03m", "3d 04h". */
    public static String dur(Double s) {
        if (s == null) {
            return NONE;
        }
        if (s < 1) {
            return String.format(Locale.ROOT, "%.0f ms", s * 1000);
        }
        if (s < 60) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        long t = Math.round(s);
        if (t < 3600) {
            return String.format(Locale.ROOT, "%dm %02ds", t / 60, t % 60);
        }
        if (t < 86_400) {
            return String.format(Locale.ROOT, "%dh %02dm", t / 3600, (t % 3600) / 60);
        }
        return String.format(Locale.ROOT, "%dd %02dh", t / 86_400, (t % 86_400) / 3600);
    }

    /** Bytes in MB or GB (1 MB = 1,048,576 bytes). */
    public static String bytes(Long b) {
        if (b == null) {
            return NONE;
        }
        double mb = b / MB;
        if (mb >= 1024) {
            return String.format(Locale.ROOT, "%.2f GB", mb / 1024);
        }
        return String.format(Locale.ROOT, mb >= 10 ? "%.0f MB" : "%.1f MB", mb);
    }

    /** A count with thousands separators. */
    public static String num(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    public static String pct(Double p) {
        return p == null ? NONE : String.format(Locale.ROOT, "%.1f %%", p);
    }

    /** A job's CPU efficiency and what it is of: "20.0 % of 4 cores", "71.8 % of 1 core". */
    public static String efficiency(Job job) {
        Double p = CpuEfficiency.percent(job);
        if (p == null) {
            return NONE;
        }
        double cores =
                CpuEfficiency.cores(job.details() == null ? null : job.details().attributes());
        String n = cores == Math.rint(cores) ? String.valueOf((long) cores) : String.valueOf(cores);
        return pct(p) + " of " + n + (cores == 1 ? " core" : " cores");
    }

    public static String hours(double h) {
        return h < 10 ? String.format(Locale.ROOT, "%.2f h", h) : String.format(Locale.ROOT, "%,.1f h", h);
    }

    public static String cpu(Double s) {
        return s == null ? NONE : dur(s);
    }

    public static String iso(Instant t) {
        return t == null ? "" : t.toString();
    }

    public static String text(Object o) {
        return o == null || o.toString().isEmpty() ? NONE : o.toString();
    }

    /** One path segment, percent-encoded. */
    public static String seg(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A query string from pairs of name and value, leaving out empty values; starts with "?" when not empty. */
    public static String query(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        StringJoiner j = new StringJoiner("&", "?", "").setEmptyValue("");
        m.forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                j.add(URLEncoder.encode(k, StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return j.toString();
    }

    /** The CSS class of a status, from a fixed set so that any text a job supplies stays out of class names. */
    public static String statusClass(String status) {
        if (status == null) {
            return "st-unknown";
        }
        return switch (status) {
            case "pending", "running", "success", "failed", "timeout", "error", "cancelled", "held" -> "st-" + status;
            default -> "st-unknown";
        };
    }
}
