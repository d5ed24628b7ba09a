package io.jobscope.web;

import io.jobscope.services.Outage;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServiceState;
import io.jobscope.services.ServicesApi;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the dashboard's services pages show, computed from the services board: each service with its
 * 30-day uptime bars, open incidents, maintenance, and one service's outages and impacted jobs.
 */
public final class ServicePages {
    /** Days of uptime bars on the board and on a service page. */
    public static final int DAYS = 30;

    private final ServiceBoard board;

    ServicePages(ServiceBoard board) {
        this.board = board;
    }

    /**
     * One UTC day of a service: the share of it the service was up (maintenance is not downtime) and a CSS
     * class from a fixed set ({@code up}, {@code maint}, {@code partial} under 100 %, {@code down} under 99 %).
     */
    public record DayBar(int index, Instant day, double upPercent, double downS, double maintenanceS, String cls) {
        /** The tooltip: date, uptime, and how long it was down or in maintenance. */
        public String label() {
            StringBuilder sb = new StringBuilder(day.toString().substring(0, 10))
                    .append(": ")
                    .append(String.format(Locale.ROOT, "%.2f %% up", upPercent));
            if (downS > 0) {
                sb.append(", down ").append(Fmt.dur(downS));
            }
            if (maintenanceS > 0) {
                sb.append(", maintenance ").append(Fmt.dur(maintenanceS));
            }
            return sb.toString();
        }
    }

    /** A service's row on the board. */
    public record Row(ServicesApi.ServiceView service, List<DayBar> bars) {}

    /** The board: every service, those not operational, and the maintenance not yet over. */
    public record Board(
            List<Row> rows, List<ServicesApi.ServiceView> incidents, List<ServicesApi.Maintenance> maintenance) {
        public long operational() {
            return rows.stream()
                    .filter(r -> r.service().state().isOperational())
                    .count();
        }
    }

    /** One service: its history (newest outage first), uptime bars, and the failed jobs its outages hit. */
    public record Detail(ServicesApi.ServiceHistory history, List<DayBar> bars, ServicesApi.Impact impact) {}

    Board board(Instant now) {
        List<ServicesApi.ServiceView> services = board.list();
        Instant from = dayStart(now).minus(Duration.ofDays(DAYS - 1));
        Map<String, List<Outage>> byService = new HashMap<>();
        List<String> names =
                services.stream().map(ServicesApi.ServiceView::name).toList();
        for (Outage o : board.outagesDuring(names, from, now)) {
            byService.computeIfAbsent(o.service(), k -> new ArrayList<>()).add(o);
        }
        List<Row> rows = new ArrayList<>();
        List<ServicesApi.ServiceView> incidents = new ArrayList<>();
        for (ServicesApi.ServiceView s : services) {
            rows.add(new Row(s, bars(byService.getOrDefault(s.name(), List.of()), now)));
            if (!s.state().isOperational() && s.state() != ServiceState.MAINTENANCE) {
                incidents.add(s);
            }
        }
        return new Board(rows, incidents, board.maintenance(false));
    }

    Detail detail(String name, Instant now) {
        ServicesApi.ServiceHistory h = board.history(name, now.minus(Duration.ofDays(DAYS)));
        return new Detail(h, bars(h.outages(), now), board.impact(name, now.minus(Duration.ofDays(DAYS)), 100));
    }

    /** The outages during a job's run, or null when the job has not started. */
    ServicesApi.Correlation correlation(String jobId) {
        return board.correlate(jobId);
    }

    List<ServicesApi.Announcement> announcements() {
        return board.announcements(false);
    }

    /** Per UTC day, the last {@link #DAYS} days up to {@code now}, from a service's outages. */
    static List<DayBar> bars(List<Outage> outages, Instant now) {
        Instant today = dayStart(now);
        List<DayBar> out = new ArrayList<>(DAYS);
        for (int i = 0; i < DAYS; i++) {
            Instant a = today.minus(Duration.ofDays(DAYS - 1 - i));
            Instant b = i == DAYS - 1 ? now : a.plus(Duration.ofDays(1));
            long from = a.toEpochMilli();
            long to = Math.max(from + 1, b.toEpochMilli());
            long down = 0;
            long maint = 0;
            for (Outage o : outages) {
                for (Outage.Segment s : o.segments()) {
                    long x = Math.max(from, s.start().toEpochMilli());
                    long y = Math.min(
                            to, s.end() == null ? now.toEpochMilli() : s.end().toEpochMilli());
                    if (y > x) {
                        if (s.state() == ServiceState.MAINTENANCE) {
                            maint += y - x;
                        } else {
                            down += y - x;
                        }
                    }
                }
            }
            double up = 100.0 * (1 - Math.min(1.0, down / (double) (to - from)));
            String cls = down == 0 ? (maint > 0 ? "maint" : "up") : up >= 99 ? "partial" : "down";
            out.add(new DayBar(i, a, Math.round(up * 100) / 100.0, down / 1000.0, maint / 1000.0, cls));
        }
        return out;
    }

    private static Instant dayStart(Instant t) {
        return t.truncatedTo(ChronoUnit.DAYS);
    }

    /** An uptime percentage with two decimals: "99.95 %". */
    public static String uptime(Double pct) {
        return pct == null ? Fmt.NONE : String.format(Locale.ROOT, "%.2f %%", pct);
    }

    /** The CSS class of a service state (from the enum, so nothing a reporter sends reaches a class name). */
    public static String stateClass(ServiceState s) {
        return "svc-" + (s == null ? "unknown" : s.wire());
    }

    /** A state in words: "partial outage". */
    public static String stateText(ServiceState s) {
        return s == null ? "unknown" : s.wire().replace('_', ' ');
    }

    /** The CSS class of an announcement's severity, from a fixed set. */
    public static String severityClass(String severity) {
        return switch (severity == null ? "" : severity) {
            case "warning", "critical" -> "sev-" + severity;
            default -> "sev-info";
        };
    }

    /** The CSS class of a diagnosis category, from a fixed set. */
    public static String categoryClass(String category) {
        return switch (category == null ? "" : category) {
            case "service", "code", "resources", "infrastructure", "configuration" -> "cat-" + category;
            default -> "cat-unknown";
        };
    }
}
