package io.jobscope.cli;

import io.jobscope.client.Job;
import io.jobscope.client.JobscopeClient;
import io.jobscope.services.Outage;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServicesApi;
import io.jobscope.services.ServicesClient;
import io.jobscope.util.Times;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Shared plumbing of the services commands: where the board is, times users type, and common printing. */
final class ServicesOutput {
    private ServicesOutput() {}

    /** The board in-process ({@code --db}) or on a server ({@code --server}). */
    static ServicesApi api(Target target) {
        if (target.remote()) {
            return new ServicesClient(new JobscopeClient(target.serverUri(), target.token));
        }
        return new ServiceBoard(target.existingDatabase(), Clock.systemUTC());
    }

    /**
     * A time ahead: {@code now}, ISO 8601, a date, or a duration from now ({@code 2h}, {@code +2h}). Unlike
     * {@code --since}, a bare duration here means "from now".
     */
    static Instant ahead(String option, String text) {
        if (text == null) {
            return null;
        }
        String s = text.strip();
        // to the millisecond, as the store keeps times (and prints them)
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        try {
            if (s.equalsIgnoreCase("now")) {
                return now;
            }
            if (s.startsWith("+")) {
                return now.plus(Times.parseDuration(s.substring(1)));
            }
            if (s.matches("\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w)")) {
                return now.plus(Times.parseDuration(s));
            }
            return Times.parseInstant(s, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new UserException(option + ": " + e.getMessage());
        }
    }

    static Instant since(String option, String text) {
        if (text == null) {
            return null;
        }
        try {
            return Times.parseInstant(text, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new UserException(option + ": " + e.getMessage());
        }
    }

    static Duration duration(String option, String text) {
        try {
            return Times.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new UserException(option + ": " + e.getMessage());
        }
    }

    /** Active announcements, one line each, above a command's output; never fails the command. */
    static void banner(PrintWriter out, Target target) {
        List<ServicesApi.Announcement> list;
        try {
            list = api(target).announcements(false);
        } catch (RuntimeException e) {
            return;
        }
        banner(out, list);
    }

    static void banner(PrintWriter out, List<ServicesApi.Announcement> list) {
        if (list == null || list.isEmpty()) {
            return;
        }
        for (ServicesApi.Announcement a : list) {
            out.printf(
                    "%s [%s] %s%s%n",
                    a.severity().equals("critical") ? "!!" : "!",
                    a.severity().toUpperCase(Locale.ROOT),
                    a.text(),
                    a.until() == null ? "" : " (until " + a.until() + ")");
        }
        out.println();
    }

    /** The outages during a job's run, as {@code show} lists them. */
    static void correlation(PrintWriter out, Target target, Job job) {
        if (job.startTime() == null) {
            return;
        }
        ServicesApi.Correlation c;
        try {
            c = api(target).correlate(job.id());
        } catch (RuntimeException e) {
            return;
        }
        boolean failed = io.jobscope.client.Statuses.isFailure(job.status());
        if (c.outages().isEmpty() && !failed) {
            return;
        }
        out.println();
        out.println("Service Outages During Run:");
        if (c.outages().isEmpty()) {
            out.println("  none: every known service was operational"
                    + (c.requiredServices().isEmpty()
                            ? ""
                            : " (required: " + String.join(", ", c.requiredServices()) + ")"));
            return;
        }
        for (Outage o : c.outages()) {
            out.printf(
                    "  %s%s: %s from %s %s%s%n",
                    o.service(),
                    c.requiredServices().contains(o.service()) ? " (required)" : "",
                    o.worst().wire(),
                    o.start(),
                    o.end() == null ? "still out" : "to " + o.end(),
                    firstMessage(o));
        }
    }

    static String firstMessage(Outage o) {
        return o.messages().isEmpty()
                ? ""
                : ": " + Format.firstLine(o.messages().get(0).message(), 100);
    }

    static String ago(Instant since) {
        if (since == null) {
            return "";
        }
        double s = Math.max(0, Duration.between(since, Instant.now()).toMillis() / 1000.0);
        return since + " (" + human(s) + ")";
    }

    static String human(double seconds) {
        if (seconds < 1) {
            return String.format(Locale.ROOT, "%.3fs", seconds);
        }
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.0fs", seconds);
        }
        Duration d = Duration.ofMillis((long) (seconds * 1000));
        if (d.toDays() > 0) {
            return String.format(Locale.ROOT, "%dd %dh %dm", d.toDays(), d.toHoursPart(), d.toMinutesPart());
        }
        if (d.toHours() > 0) {
            return String.format(Locale.ROOT, "%dh %dm", d.toHours(), d.toMinutesPart());
        }
        return String.format(Locale.ROOT, "%dm %ds", d.toMinutes(), d.toSecondsPart());
    }
}
