package io.jobscope.cli;

import io.jobscope.client.Job;
import io.jobscope.client.JobscopeClient;
import io.jobscope.client.JobscopeException;
import io.jobscope.client.Statuses;
import io.jobscope.diagnose.DiagnoseScope;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.diagnose.RuleBook;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The "Diagnosis" section {@code jobscope show} prints for a failed or held job: the job's group as
 * {@code jobscope diagnose JOB} reports it, so the verdict (and the outage it names) is the same.
 */
final class DiagnosisSection {
    private DiagnosisSection() {}

    static void print(PrintWriter out, Target target, Job job) {
        if (!Statuses.isFailure(job.status()) && !Statuses.HELD.equals(job.status())) {
            return;
        }
        DiagnoseService.Report report;
        try {
            report = target.remote()
                    ? new JobscopeClient(target.serverUri(), target.token)
                            .get(
                                    "/api/v1/diagnose?job=" + URLEncoder.encode(job.id(), StandardCharsets.UTF_8),
                                    DiagnoseService.Report.class)
                    : Diagnoses.over(target.existingDatabase(), RuleBook.load(List.of(), true))
                            .report(new DiagnoseScope(job.id(), null, null), false);
        } catch (JobscopeException e) {
            return; // a server without diagnosis: show the rest
        }
        if (report.groups().isEmpty()) {
            return;
        }
        DiagnoseService.Group g = report.groups().get(0);
        out.println();
        out.println("Diagnosis:");
        line(out, "Category", g.category() + (g.service() == null ? "" : " (" + g.service() + ")"));
        line(out, "Rule", g.rule() == null ? "none matched" : g.rule() + (g.title() == null ? "" : ": " + g.title()));
        line(out, "Signature", g.signature());
        if (g.stream() != null) {
            line(out, "Where", g.stream() + (g.lineNo() == null ? "" : ", line " + g.lineNo()));
        }
        if (g.excerpt() != null) {
            out.println("  Excerpt:");
            g.excerpt().lines().limit(8).forEach(l -> out.println("    | " + l));
        }
        line(out, "Retryable", g.retryable() ? "yes" : "no");
        line(out, "Hint", g.hint());
        line(out, "Verdict", g.verdict());
        line(out, "Next", g.command());
    }

    private static void line(PrintWriter out, String label, String value) {
        if (value != null) {
            out.printf("  %s: %s%n", label, value);
        }
    }
}
