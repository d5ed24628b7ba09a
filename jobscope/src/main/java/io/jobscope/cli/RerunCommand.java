package io.jobscope.cli;

import io.jobscope.client.Event;
import io.jobscope.client.Job;
import io.jobscope.client.JobQueries;
import io.jobscope.client.JobscopeClient;
import io.jobscope.diagnose.Rerun;
import io.jobscope.diagnose.RuleBook;
import io.jobscope.ingest.EventValidator;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.IngestEvent;
import io.jobscope.ingest.InvalidEventException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope rerun JOB…}: re-runs wrapped jobs as new attempts, optionally with debug turned up. */
@Command(
        name = "rerun",
        mixinStandardHelpOptions = true,
        description = {
            "Re-run a job started with 'jobscope run': its recorded command, working directory and (allow-listed)"
                    + " environment, as a new job <id>.rerunN linked to the original.",
            "--debug adds the debug overlay of the job's app pack (debug: env/args in its rule pack)."
        })
final class RerunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Parameters(paramLabel = "JOB", arity = "1..*", description = "Jobs to re-run, one after the other.")
    List<String> jobs;

    @Option(names = "--debug", description = "Apply the debug overlay of the job's app rule pack.")
    boolean debug;

    @Option(names = "--env", paramLabel = "K=V", description = "Set an environment variable; repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = "--rules", paramLabel = "DIR", description = "Also use the rule packs in DIR; repeatable.")
    List<Path> rules = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print what would run, run nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        Map<String, String> extra = new LinkedHashMap<>();
        for (String kv : env) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UserException("--env: expecting NAME=VALUE, found '" + kv + "'");
            }
            extra.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        PrintWriter out = spec.commandLine().getOut();
        RuleBook book = RuleBook.load(rules, true);
        int worst = 0;
        try (Target ignored = target) {
            JobQueries q = target.queries();
            EventWriter writer = target.remote() ? null : new EventWriter(target.database());
            try {
                Consumer<List<Event>> report = events -> send(events, writer);
                for (String id : jobs) {
                    Job job = q.job(id).orElseThrow(() -> new UserException("no job with id '" + id + "'"));
                    Rerun.Plan plan =
                            Rerun.plan(job, debug, extra, book, x -> q.job(x).isPresent());
                    out.printf("%s: re-running as %s (attempt %d)%n", id, plan.newId(), plan.attempt());
                    out.printf("  cwd:     %s%n", plan.cwd());
                    out.printf("  command: %s%n", String.join(" ", plan.command()));
                    if (!plan.env().isEmpty()) {
                        out.printf(
                                "  env:     %s%n", Rerun.recordable(plan.env()).keySet());
                    }
                    if (debug) {
                        out.printf(
                                "  debug:   %s%n",
                                plan.overlaySource() == null
                                        ? "no debug overlay for app '" + job.app()
                                                + "' (add 'debug: {env: {...}, args: [...]}' to its rule pack)"
                                        : "overlay from " + plan.overlaySource());
                    }
                    out.flush();
                    if (dryRun) {
                        continue;
                    }
                    int code = Rerun.run(
                            plan,
                            new FileOutputStream(FileDescriptor.out),
                            new FileOutputStream(FileDescriptor.err),
                            report);
                    out.printf("%s: exited with code %d%n", plan.newId(), code);
                    worst = Math.max(worst, code);
                }
            } finally {
                if (writer != null) {
                    writer.close();
                }
            }
        }
        return worst;
    }

    private void send(List<Event> events, EventWriter writer) {
        if (writer == null) {
            new JobscopeClient(target.serverUri(), target.token).send(events);
            return;
        }
        List<IngestEvent> valid = new ArrayList<>();
        for (Event e : events) {
            try {
                valid.add(
                        EventValidator.validate(io.jobscope.client.Json.mapper().readTree(e.toLine()), null));
            } catch (InvalidEventException | com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new IllegalStateException("rerun built an invalid event: " + ex.getMessage(), ex);
            }
        }
        writer.write(valid);
    }
}
