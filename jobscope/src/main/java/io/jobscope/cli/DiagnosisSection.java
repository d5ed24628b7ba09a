package io.jobscope.cli;

import io.jobscope.client.Job;
import io.jobscope.client.JobscopeClient;
import io.jobscope.client.JobscopeException;
import io.jobscope.client.Statuses;
import io.jobscope.diagnose.Classifier;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.diagnose.Diagnosis;
import io.jobscope.diagnose.OutageLookup;
import io.jobscope.diagnose.RuleBook;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** The "Diagnosis" section {@code jobscope show} prints for a failed or held job. */
final class DiagnosisSection {
    private DiagnosisSection() {}

    static void print(PrintWriter out, Target target, Job job) {
        if (!Statuses.isFailure(job.status()) && !Statuses.HELD.equals(job.status())) {
            return;
        }
        Optional<Diagnosis> d;
        try {
            d = target.remote()
                    ? Optional.ofNullable(new JobscopeClient(target.serverUri(), target.token)
                            .get(
                                    "/api/v1/jobs/" + URLEncoder.encode(job.id(), StandardCharsets.UTF_8)
                                            + "/diagnosis",
                                    Diagnosis.class))
                    : new DiagnoseService(
                                    target.existingDatabase(),
                                    Classifier.standard(RuleBook.load(List.of(), true)),
                                    OutageLookup.NONE)
                            .diagnosis(job.id());
        } catch (JobscopeException e) {
            return; // a server without diagnosis: show the rest
        }
        if (d.isEmpty()) {
            return;
        }
        Diagnosis x = d.get();
        String[] verdict = DiagnoseService.verdict(x, job.id(), List.of(job.id()), null);
        out.println();
        out.println("Diagnosis:");
        line(out, "Category", x.category().label() + (x.service() == null ? "" : " (" + x.service() + ")"));
        line(out, "Rule", x.rule() == null ? "none matched" : x.rule() + (x.title() == null ? "" : ": " + x.title()));
        line(out, "Signature", x.signature());
        if (x.stream() != null) {
            line(out, "Where", x.stream() + (x.lineNo() == null ? "" : ", line " + x.lineNo()));
        }
        if (x.excerpt() != null) {
            out.println("  Excerpt:");
            x.excerpt().lines().limit(8).forEach(l -> out.println("    | " + l));
        }
        line(out, "Retryable", x.retryable() ? "yes" : "no");
        line(out, "Hint", x.hint());
        line(out, "Verdict", verdict[0]);
        line(out, "Next", verdict[1]);
    }

    private static void line(PrintWriter out, String label, String value) {
        if (value != null) {
            out.printf("  %s: %s%n", label, value);
        }
    }
}
