package io.jobscope.cli;

import io.jobscope.services.Outage;
import io.jobscope.services.ServiceBoard;
import io.jobscope.services.ServiceState;
import io.jobscope.services.ServicesApi;
import io.jobscope.services.ServicesConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope services}: the services board — states, outage history, reports, maintenance, impact. */
@Command(
        name = "services",
        mixinStandardHelpOptions = true,
        description = "The services board: each service's state and uptime (no subcommand: list).",
        subcommands = {
            ServicesCommand.ListCmd.class,
            ServicesCommand.HistoryCmd.class,
            ServicesCommand.SetCmd.class,
            ServicesCommand.MaintenanceCmd.class,
            ServicesCommand.ImpactCmd.class,
            ServicesCommand.HeartbeatCmd.class,
            ServicesCommand.LoadCmd.class
        })
final class ServicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        return ListCmd.list(spec, target, json);
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "Each service's state, since when, and uptime.")
    static final class ListCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            return list(spec, target, json);
        }

        static int list(CommandSpec spec, Target target, boolean json) {
            try (Target ignored = target) {
                List<ServicesApi.ServiceView> list = ServicesOutput.api(target).list();
                PrintWriter out = spec.commandLine().getOut();
                String empty = "No services known yet: load a services file, or report a status"
                        + " ('jobscope services set NAME STATE').";
                return Format.listing(out, json, "services", list, empty, () -> rows(out, list));
            }
        }

        private static void rows(PrintWriter out, List<ServicesApi.ServiceView> list) {
            out.printf(
                    "%-20s %-12s %-15s %-22s %-26s %s%n",
                    "SERVICE", "GROUP", "STATE", "UPTIME 24h/7d/30d", "SINCE", "MESSAGE");
            for (ServicesApi.ServiceView v : list) {
                out.printf(
                        "%-20s %-12s %-15s %-22s %-26s %s%n",
                        v.name(),
                        v.group() == null ? "-" : v.group(),
                        v.state().wire(),
                        pct(v.uptimePercent().get("24h")) + "/"
                                + pct(v.uptimePercent().get("7d")) + "/"
                                + pct(v.uptimePercent().get("30d")),
                        v.since() == null ? "-" : v.since().toString(),
                        v.message() == null ? "" : Format.firstLine(v.message(), 80));
            }
            for (ServicesApi.ServiceView v : list) {
                for (ServicesApi.Maintenance m : v.maintenance()) {
                    out.printf(
                            "maintenance %s: %s from %s until %s%s%n",
                            m.id(), v.name(), m.start(), m.end(), m.reason() == null ? "" : " (" + m.reason() + ")");
                }
            }
        }
    }

    static String pct(Double p) {
        if (p == null) {
            return "-";
        }
        return p >= 99.995 ? "100%" : String.format(Locale.ROOT, "%.2f%%", p);
    }

    @Command(
            name = "history",
            mixinStandardHelpOptions = true,
            description = "When a service stopped working and for how long: its outages, newest first.")
    static final class HistoryCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "NAME", description = "The service.")
        String name;

        @Option(
                names = "--since",
                description = "Outages since this time (default: 30d): ISO 8601, a date, or an age such as 7d.")
        String since;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            Instant from = ServicesOutput.since("--since", since);
            try (Target ignored = target) {
                ServicesApi api = ServicesOutput.api(target);
                ServicesApi.ServiceHistory h = api.history(name, from);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Format.json(out, h);
                    return 0;
                }
                ServicesOutput.banner(out, target);
                ServicesApi.ServiceView v = h.service();
                out.printf("Service: %s%s%n", v.name(), v.group() == null ? "" : "  (group " + v.group() + ")");
                out.printf(
                        "State: %s%s%s%n",
                        v.state().wire(),
                        v.since() == null ? "" : " since " + ServicesOutput.ago(v.since()),
                        v.message() == null ? "" : ": " + Format.firstLine(v.message(), 120));
                out.printf(
                        "Uptime: %s (24h), %s (7d), %s (30d)%n",
                        pct(v.uptimePercent().get("24h")),
                        pct(v.uptimePercent().get("7d")),
                        pct(v.uptimePercent().get("30d")));
                out.println();
                if (h.outages().isEmpty()) {
                    out.printf("No outages since %s.%n", h.since());
                    return 0;
                }
                out.printf(
                        "Outages since %s (%d, newest first):%n",
                        h.since(), h.outages().size());
                for (Outage o : h.outages()) {
                    out.printf(
                            "  %s -> %s  %s  worst: %s%n",
                            o.start(),
                            o.end() == null
                                    ? (o.until() == null ? "ongoing" : "ongoing (until " + o.until() + ")")
                                    : o.end().toString(),
                            ServicesOutput.human(o.durationS()),
                            o.worst().wire());
                    for (Outage.Note n : o.messages()) {
                        out.printf(
                                "      %s  %-14s %s (%s)%n",
                                n.time(), n.state().wire(), Format.firstLine(n.message(), 120), n.source());
                    }
                }
                return 0;
            }
        }
    }

    @Command(
            name = "set",
            mixinStandardHelpOptions = true,
            description = "Report a service's state (registers a new service).")
    static final class SetCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "NAME", description = "The service.")
        String name;

        @Parameters(
                index = "1",
                paramLabel = "STATE",
                description = "operational, degraded, partial_outage, major_outage, maintenance or unknown.")
        String state;

        @Option(names = "--message", description = "What is wrong (or fixed).")
        String message;

        @Option(
                names = "--source",
                defaultValue = "cli",
                description = "Who says so (default: ${DEFAULT-VALUE}); each source is its own voice.")
        String source;

        @Option(names = "--time", description = "When (default: now): ISO 8601 or an age such as 10m.")
        String time;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            ServiceState.parse(state);
            Instant at = ServicesOutput.since("--time", time);
            try (Target ignored = target) {
                ServicesApi.Applied a = ServicesOutput.api(target)
                        .set(name, new ServicesApi.StatusUpdate(state, message, source, at, null));
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Format.json(out, a);
                } else {
                    out.printf(
                            "%s: %s%s%n",
                            a.service(),
                            a.state().wire(),
                            a.duplicate()
                                    ? " (same report already recorded)"
                                    : a.stale()
                                            ? " (report is older than the latest from " + source
                                                    + ": kept in history only)"
                                            : "");
                }
                return 0;
            }
        }
    }

    @Command(
            name = "maintenance",
            mixinStandardHelpOptions = true,
            description = "Scheduled maintenance windows: add, list, cancel.",
            subcommands = {MaintenanceCmd.Add.class, MaintenanceCmd.ListWindows.class, MaintenanceCmd.Cancel.class})
    static final class MaintenanceCmd implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }

        @Command(
                name = "add",
                mixinStandardHelpOptions = true,
                description = "Schedule a window: the services are in maintenance during it.")
        static final class Add implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Mixin
            Target target;

            @Option(names = "--services", required = true, split = ",", description = "The services (comma-separated).")
            List<String> services;

            @Option(
                    names = "--start",
                    defaultValue = "now",
                    description = "Start: now, ISO 8601, or in how long (+2h) (default: now).")
            String start;

            @Option(names = "--end", description = "End: ISO 8601 or in how long from now (+6h).")
            String end;

            @Option(names = "--duration", description = "Or the length, from the start (6h).")
            String duration;

            @Option(names = "--reason", description = "Why.")
            String reason;

            @Option(names = "--json", description = "Print JSON.")
            boolean json;

            @Override
            public Integer call() {
                Instant s = ServicesOutput.ahead("--start", start);
                if ((end == null) == (duration == null)) {
                    throw new UserException("give either --end or --duration");
                }
                Instant e = end != null
                        ? ServicesOutput.ahead("--end", end)
                        : s.plus(ServicesOutput.duration("--duration", duration));
                try (Target ignored = target) {
                    ServicesApi.Maintenance m = ServicesOutput.api(target).addMaintenance(services, s, e, reason);
                    PrintWriter out = spec.commandLine().getOut();
                    if (json) {
                        Format.json(out, m);
                    } else {
                        out.printf(
                                "maintenance %s: %s from %s until %s%n",
                                m.id(), String.join(", ", m.services()), m.start(), m.end());
                    }
                    return 0;
                }
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "Windows in progress or to come.")
        static final class ListWindows implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Mixin
            Target target;

            @Option(names = "--all", description = "Also past and cancelled windows.")
            boolean all;

            @Option(names = "--json", description = "Print JSON.")
            boolean json;

            @Override
            public Integer call() {
                try (Target ignored = target) {
                    List<ServicesApi.Maintenance> list =
                            ServicesOutput.api(target).maintenance(all);
                    PrintWriter out = spec.commandLine().getOut();
                    return Format.listing(out, json, "maintenance", list, "No maintenance scheduled.", () -> {
                        out.printf("%-10s %-24s %-24s %-24s %s%n", "ID", "SERVICES", "START", "END", "REASON");
                        for (ServicesApi.Maintenance m : list) {
                            out.printf(
                                    "%-10s %-24s %-24s %-24s %s%s%n",
                                    m.id(),
                                    String.join(",", m.services()),
                                    m.start(),
                                    m.end(),
                                    m.reason() == null ? "" : m.reason(),
                                    m.cancelled() == null ? "" : " (cancelled " + m.cancelled() + ")");
                        }
                    });
                }
            }
        }

        @Command(
                name = "cancel",
                mixinStandardHelpOptions = true,
                description = "Cancel a window (one in progress ends now).")
        static final class Cancel implements Callable<Integer> {
            @Spec
            CommandSpec spec;

            @Mixin
            Target target;

            @Parameters(paramLabel = "ID", description = "The window id (from 'maintenance list').")
            String id;

            @Override
            public Integer call() {
                try (Target ignored = target) {
                    ServicesApi.Maintenance m = ServicesOutput.api(target).cancelMaintenance(id);
                    spec.commandLine()
                            .getOut()
                            .printf("maintenance %s cancelled (%s)%n", m.id(), String.join(", ", m.services()));
                    return 0;
                }
            }
        }
    }

    @Command(
            name = "impact",
            mixinStandardHelpOptions = true,
            description = "The jobs that failed during a service's outages, and the CPU hours they wasted.")
    static final class ImpactCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "NAME", description = "The service.")
        String name;

        @Option(names = "--since", description = "Outages since this time (default: 30d).")
        String since;

        @Option(
                names = "--limit",
                defaultValue = "20",
                description = "Jobs to list (default: ${DEFAULT-VALUE}); totals count all.")
        int limit;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            if (limit < 0) {
                throw new UserException("--limit: expecting a value >= 0, found " + limit);
            }
            Instant from = ServicesOutput.since("--since", since);
            try (Target ignored = target) {
                ServicesApi.Impact i = ServicesOutput.api(target).impact(name, from, limit);
                PrintWriter out = spec.commandLine().getOut();
                if (json) {
                    Format.json(out, i);
                    return 0;
                }
                out.printf(
                        "%s since %s: %d outage(s); %d failed job(s) ran during them (%d require %s),"
                                + " wasting %.2f CPU hours (%.2f wall hours)%n",
                        i.service(),
                        i.since(),
                        i.outages(),
                        i.failedJobs(),
                        i.failedJobsRequiringIt(),
                        i.service(),
                        i.cpuHoursWasted(),
                        i.wallHoursWasted());
                if (!i.jobs().isEmpty()) {
                    out.println();
                    out.printf(
                            "%-24s %-14s %-9s %-24s %10s %10s %s%n",
                            "JOB", "APP", "STATUS", "STARTED", "CPU h", "WALL h", "REQUIRES");
                    for (ServicesApi.ImpactedJob j : i.jobs()) {
                        out.printf(
                                Locale.ROOT,
                                "%-24s %-14s %-9s %-24s %10.3f %10.3f %s%n",
                                j.id(),
                                j.app() == null ? "-" : j.app(),
                                j.status(),
                                j.start(),
                                j.cpuHours(),
                                j.wallHours(),
                                j.requiresService() ? "yes" : "-");
                    }
                    if (i.failedJobs() > i.jobs().size()) {
                        out.printf(
                                "(%d more; --limit to list them)%n",
                                i.failedJobs() - i.jobs().size());
                    }
                }
                return 0;
            }
        }
    }

    @Command(
            name = "heartbeat",
            mixinStandardHelpOptions = true,
            description = "Create (or replace) a service's heartbeat push URL; silent longer than the timeout, it takes"
                    + " the timeout state. Keeps the service's timeout and state (such as a services file's heartbeat)"
                    + " unless given.")
    static final class HeartbeatCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "NAME", description = "The service.")
        String name;

        @Option(
                names = "--timeout",
                paramLabel = "DURATION",
                description = "Silence allowed (default: the service's own, else 5m).")
        String timeout;

        @Option(
                names = "--on-timeout",
                paramLabel = "STATE",
                description = "State of a silent service: any but operational, such as unknown, degraded,"
                        + " major_outage (default: the service's own, else unknown).")
        String onTimeout;

        @Override
        public Integer call() {
            ServiceState on = null;
            if (onTimeout != null) {
                try {
                    on = ServiceState.parse(onTimeout);
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "--on-timeout: " + e.getMessage());
                }
                if (on.isOperational()) {
                    throw new ParameterException(
                            spec.commandLine(), "--on-timeout: a silent service cannot be 'operational'");
                }
            }
            Duration silence = timeout == null ? null : ServicesOutput.duration("--timeout", timeout);
            try (Target ignored = target) {
                ServicesApi.Heartbeat hb = ServicesOutput.api(target).heartbeat(name, silence, on);
                PrintWriter out = spec.commandLine().getOut();
                String base =
                        target.remote() ? target.serverUri().toString().replaceAll("/$", "") : "http://SERVER:8080";
                out.println(base + hb.path());
                spec.commandLine()
                        .getErr()
                        .printf(
                                "heartbeat for %s: push to the URL above (?status=up|down&msg=...) at least every %ds,"
                                        + " or %s goes %s; the URL is shown only now%n",
                                name, hb.timeoutS(), name, hb.onTimeout().wire());
                return 0;
            }
        }
    }

    @Command(name = "load", mixinStandardHelpOptions = true, description = "Apply a services file (YAML) to the store.")
    static final class LoadCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "FILE", description = "The services file.")
        Path file;

        @Override
        public Integer call() {
            ServicesConfig cfg = ServicesConfig.load(file);
            if (target.remote()) {
                throw new UserException("services load works on the store (--db); a server loads its file with"
                        + " 'jobscope server --services-file FILE'");
            }
            try (Target ignored = target) {
                new ServiceBoard(target.database(), Clock.systemUTC(), cfg.alerting()).configure(cfg);
                spec.commandLine()
                        .getOut()
                        .printf("%d service(s) loaded from %s%n", cfg.services().size(), file);
                return 0;
            }
        }
    }
}
