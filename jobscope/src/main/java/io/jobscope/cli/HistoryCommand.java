package io.jobscope.cli;

import io.jobscope.client.Job;
import io.jobscope.client.JobPage;
import io.jobscope.client.JobQuery;
import io.jobscope.util.Times;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobscope history}: recent jobs with their resources, newest first. */
@Command(
        name = "history",
        mixinStandardHelpOptions = true,
        description = "Recent jobs with their status and resource use, newest first.")
final class HistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Option(names = "--limit", defaultValue = "10", description = "How many jobs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(
            names = {"--app", "--tool"},
            description = "Only this app.")
    String app;

    @Option(
            names = "--status",
            description = "Only this status: pending, running, success, failed, timeout, error, cancelled, held.")
    String status;

    @Option(names = "--workflow", description = "Only this workflow.")
    String workflow;

    @Option(names = "--site", description = "Only this site.")
    String site;

    @Option(names = "--host", description = "Only this host.")
    String host;

    @Option(names = "--since", description = "Only jobs since this time: ISO 8601, a date, or an age such as 24h, 7d.")
    String since;

    @Option(names = "--until", description = "Only jobs before this time.")
    String until;

    @Option(names = "--cursor", description = "Continue a listing where the previous page ended (printed at its end).")
    String cursor;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        JobQuery q;
        try {
            Instant from = since == null ? null : Times.parseInstant(since, Clock.systemUTC());
            Instant to = until == null ? null : Times.parseInstant(until, Clock.systemUTC());
            q = new JobQuery(
                    status == null ? null : status.toLowerCase(Locale.ROOT),
                    app,
                    workflow,
                    site,
                    host,
                    from,
                    to,
                    limit,
                    cursor);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Target ignored = target) {
            JobPage page = target.queries().history(q);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Format.json(out, page);
                return 0;
            }
            ServicesOutput.banner(out, target);
            print(out, page);
            return 0;
        }
    }

    static void print(PrintWriter out, JobPage page) {
        if (page.jobs().isEmpty()) {
            out.println("No jobs match.");
            return;
        }
        out.printf(
                "Job History (showing %d job%s, newest first):%n%n",
                page.jobs().size(), page.jobs().size() == 1 ? "" : "s");
        int i = 1;
        for (Job j : page.jobs()) {
            out.printf("%d. Job: %s%s%n", i++, j.id(), j.workflow() == null ? "" : "  (workflow " + j.workflow() + ")");
            out.printf("   App: %s, Script: %s%n", dash(j.app()), dash(j.script()));
            String exit = j.exitCode() == null ? "" : " (exit " + j.exitCode() + ")";
            out.printf("   Status: %s%s%n", j.status().toUpperCase(Locale.ROOT), exit);
            String where = j.host() == null ? "" : "  on " + j.host() + (j.site() == null ? "" : " (" + j.site() + ")");
            if (where.isEmpty() && j.site() != null) {
                where = "  at " + j.site();
            }
            if (j.startTime() != null || j.submitTime() == null) {
                out.printf("   Started: %s%s%n", Format.time(j.startTime()), where);
            } else { // pending or held: not started yet
                out.printf("   Submitted: %s%s%n", Format.time(j.submitTime()), where);
            }
            out.printf("   Duration: %s%n", Format.duration(j.durationS()));
            if (j.cpuTotalS() != null) {
                out.printf(
                        "   CPU Time: %s (user: %s, system: %s)%n",
                        Format.seconds(j.cpuTotalS()), Format.seconds(j.cpuUserS()), Format.seconds(j.cpuSystemS()));
            }
            if (j.memPeakMb() != null) {
                out.printf("   Memory Peak: %s%n", Format.mb(j.memPeakMb()));
            }
            if (j.error() != null) {
                out.printf("   Error: %s%n", Format.firstLine(io.jobscope.jobs.ErrorLines.headline(j.error()), 160));
            }
            out.println();
        }
        if (page.nextCursor() != null) {
            out.printf("More: --cursor %s%n", page.nextCursor());
        }
    }

    private static String dash(String s) {
        return s == null ? "-" : s;
    }
}
