package io.jobscope.cli;

import io.jobscope.client.Stats;
import io.jobscope.util.Times;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobscope stats}: totals, success rate and resources, optionally by app, site, host, status… */
@Command(
        name = "stats",
        mixinStandardHelpOptions = true,
        description = "Aggregate statistics: counts, success rate, CPU and duration, optionally grouped.")
final class StatsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Option(names = "--by", description = "Group by app, site, host, status, workflow, client or phase.")
    String by;

    @Option(names = "--since", description = "Only jobs since this time: ISO 8601, a date, or an age such as 24h, 7d.")
    String since;

    @Option(names = "--workflow", description = "Only this workflow.")
    String workflow;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        Instant from;
        try {
            from = since == null ? null : Times.parseInstant(since, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--since: " + e.getMessage());
        }
        String key = by == null ? null : by.toLowerCase(java.util.Locale.ROOT);
        if (key != null && key.equals("tool")) {
            key = "app";
        }
        if ("phase".equals(key)) {
            return PhaseStatsPrinter.call(spec, target, from, workflow, json);
        }
        if (key != null && !io.jobscope.jobs.JobService.GROUP_COLUMNS.containsKey(key)) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(),
                    "--by: cannot group by '" + by + "'; use one of "
                            + String.join(", ", io.jobscope.jobs.JobService.GROUP_COLUMNS.keySet()) + ", phase");
        }
        try (Target ignored = target) {
            Stats s = target.queries().stats(key, from, workflow);
            if (s.total() == 0) {
                target.requireWorkflow(workflow);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Format.json(out, s);
            } else {
                print(out, s);
            }
            return 0;
        }
    }

    static void print(PrintWriter out, Stats s) {
        out.println("Job Statistics Summary:");
        out.println();
        out.println("Overall:");
        out.printf("  Total Jobs: %d%n", s.total());
        out.printf("  Successful: %d (%s)%n", s.success(), Format.percent(s.successRate()));
        out.printf("  Failed: %d (failed, error or timeout)%n", s.failed());
        out.printf("  Success Rate: %s%n", Format.percent(s.successRate()));
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Long> e : s.byStatus().entrySet()) {
            sb.append(sb.length() == 0 ? "" : ", ")
                    .append(e.getKey())
                    .append(' ')
                    .append(e.getValue());
        }
        out.printf("  By Status: %s%n", sb.length() == 0 ? "-" : sb);
        out.println();
        out.println("Resource Usage:");
        out.printf("  Total CPU Time: %s%n", Format.duration(s.totalCpuS()));
        out.printf("  Total Duration: %s%n", Format.duration(s.totalDurationS()));
        out.printf("  Average Duration: %s%n", Format.duration(s.avgDurationS()));
        if (s.groups() != null) {
            out.println();
            out.printf("By %s:%n", capitalize(s.by()));
            for (Stats.Group g : s.groups()) {
                double rate = g.total() == 0 ? 0 : g.success() * 100.0 / g.total();
                out.printf("  %s:%n", g.key());
                out.printf("    Jobs: %d%n", g.total());
                out.printf("    Successful: %d (%s)%n", g.success(), Format.percent(rate));
                out.printf("    Failed: %d%n", g.failed());
                out.printf("    Total CPU Time: %s%n", Format.duration(g.totalCpuS()));
                out.printf("    Total Duration: %s%n", Format.duration(g.totalDurationS()));
                out.printf("    Average Duration: %s%n", Format.duration(g.avgDurationS()));
            }
        }
    }

    private static String capitalize(String s) {
        return s == null || s.isEmpty() ? "" : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
