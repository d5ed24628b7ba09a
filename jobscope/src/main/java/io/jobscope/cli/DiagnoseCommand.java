package io.jobscope.cli;

import io.jobscope.client.JobscopeClient;
import io.jobscope.diagnose.DiagnoseScope;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.diagnose.LogDirReport;
import io.jobscope.diagnose.RuleBook;
import io.jobscope.util.Times;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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

/** {@code jobscope diagnose}: why jobs failed, grouped by signature, with a verdict per group. */
@Command(
        name = "diagnose",
        mixinStandardHelpOptions = true,
        description = {
            "Why jobs failed: failures grouped by signature (most frequent first) with category, hosts, sites,"
                    + " an example, and a verdict: retry a service problem, read the log of a code problem.",
            "With --dir, reads a multi-node log directory instead and reports which worker failed first."
        })
final class DiagnoseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Parameters(paramLabel = "JOB", arity = "0..1", description = "Diagnose one job (default: all failed jobs).")
    String job;

    @Option(names = "--workflow", paramLabel = "W", description = "Only the jobs of workflow W.")
    String workflow;

    @Option(
            names = "--since",
            paramLabel = "T",
            description = "Only jobs since T: ISO 8601, a date, or an age such as 24h or 7d.")
    String since;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(
            names = "--rules",
            paramLabel = "DIR",
            description = "Also use the rule packs (*.yaml) in DIR (or the pack file); repeatable.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--reclassify", description = "Classify every failed job in scope again, not only new ones.")
    boolean reclassify;

    @Option(
            names = "--dir",
            paramLabel = "LOGDIR",
            description = "A multi-node log directory (srtctl layout): which worker failed first, when, and why.")
    Path dir;

    @Option(
            names = "--limit",
            defaultValue = "20",
            description = "Groups to print (default: ${DEFAULT-VALUE}; --json prints all).")
    int limit;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit: expecting a value > 0, found " + limit);
        }
        if (dir != null) {
            if (!Files.isDirectory(dir)) {
                throw new UserException("--dir: " + dir + " is not a directory");
            }
            LogDirReport report = LogDirReport.read(dir, RuleBook.load(rules, true));
            if (json) {
                Format.json(out, report);
            } else {
                report.print(out);
            }
            return 0;
        }
        Instant from = since == null ? null : Times.parseInstant(since, Clock.systemUTC());
        try (Target ignored = target) {
            DiagnoseService.Report report;
            if (target.remote()) {
                if (!rules.isEmpty() || reclassify) {
                    throw new UserException("--rules and --reclassify work on the store (--db), not through --server");
                }
                report = remote(from);
            } else {
                DiagnoseService service = Diagnoses.over(target.existingDatabase(), RuleBook.load(rules, true));
                if (job != null && target.queries().job(job).isEmpty()) {
                    throw new UserException("no job with id '" + job + "'");
                }
                report = service.report(new DiagnoseScope(job, workflow, from), reclassify);
            }
            if (report.groups().isEmpty()) {
                target.requireWorkflow(workflow);
            }
            if (json) {
                Format.json(out, report.groups());
            } else {
                print(out, report, limit);
            }
        }
        return 0;
    }

    private DiagnoseService.Report remote(Instant from) {
        StringBuilder q = new StringBuilder("/api/v1/diagnose?");
        param(q, "job", job);
        param(q, "workflow", workflow);
        param(q, "since", from == null ? null : from.toString());
        JobscopeClient client = new JobscopeClient(target.serverUri(), target.token);
        return client.get(q.toString(), DiagnoseService.Report.class);
    }

    private static void param(StringBuilder q, String name, String value) {
        if (value != null) {
            q.append(name)
                    .append('=')
                    .append(URLEncoder.encode(value, StandardCharsets.UTF_8))
                    .append('&');
        }
    }

    static void print(PrintWriter out, DiagnoseService.Report r, int limit) {
        if (r.failedJobs() == 0) {
            out.println("No failed jobs.");
            return;
        }
        out.printf(
                "%d failed job(s) in %d group(s)%s%n",
                r.failedJobs(),
                r.groups().size(),
                r.classifiedNow() > 0 ? " (" + r.classifiedNow() + " classified now)" : "");
        int n = 0;
        for (DiagnoseService.Group g : r.groups()) {
            if (++n > limit) {
                out.printf(
                        "%n... %d more group(s); --limit or --json shows them%n",
                        r.groups().size() - limit);
                break;
            }
            out.println();
            out.printf(
                    "#%d  %d job(s)  %s%s  %s%s%n",
                    n,
                    g.count(),
                    g.category().toUpperCase(Locale.ROOT),
                    g.service() == null ? "" : " (" + g.service() + ")",
                    g.rule() == null ? "no rule matched" : "rule " + g.rule(),
                    g.retryable() ? ", retryable" : "");
            out.printf("    signature:  %s%n", g.signature());
            if (g.title() != null) {
                out.printf("    what:       %s%n", g.title());
            }
            out.printf("    seen:       %s .. %s%n", Format.time(g.firstSeen()), Format.time(g.lastSeen()));
            if (!g.hosts().isEmpty()) {
                out.printf("    hosts:      %s%n", few(g.hosts()));
            }
            if (!g.sites().isEmpty()) {
                out.printf("    sites:      %s%n", few(g.sites()));
            }
            out.printf(
                    "    example:    %s%s%n",
                    g.exampleJob(),
                    g.stream() == null
                            ? ""
                            : " (" + g.stream() + (g.lineNo() == null ? "" : ", line " + g.lineNo()) + ")");
            if (g.excerpt() != null) {
                g.excerpt().lines().limit(6).forEach(l -> out.printf("      | %s%n", Format.firstLine(l, 160)));
            }
            if (g.outage() != null) {
                out.printf("    outage:     %s%n", g.outage());
            }
            out.printf("    verdict:    %s%n", g.verdict());
            out.printf("      $ %s%n", g.command());
        }
    }

    private static String few(List<String> items) {
        return items.size() <= 5
                ? String.join(", ", items)
                : String.join(", ", items.subList(0, 5)) + " (+" + (items.size() - 5) + " more)";
    }
}
