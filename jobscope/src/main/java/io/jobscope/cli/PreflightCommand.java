package io.jobscope.cli;

import io.jobscope.services.ServicesApi;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobscope preflight}: is everything this campaign needs up, with no maintenance during it? */
@Command(
        name = "preflight",
        mixinStandardHelpOptions = true,
        description = "Check that the required services are operational and no maintenance overlaps the run."
                + " Exit 0: ready; 1: something is down, degraded or scheduled; 2: bad input.")
final class PreflightCommand implements Callable<Integer> {
    static final int NOT_READY = 1;

    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Option(names = "--require", split = ",", description = "The services needed (comma-separated).")
    List<String> require;

    @Option(names = "--app", description = "Without --require: the services this app requires.")
    String app;

    @Option(names = "--workflow", description = "Without --require: the services this workflow requires.")
    String workflow;

    @Option(names = "--at", description = "When the run starts (default: now): ISO 8601 or in how long (+2h).")
    String at;

    @Option(
            names = "--duration",
            defaultValue = "1h",
            description = "How long the run lasts (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        Instant start = at == null ? null : ServicesOutput.ahead("--at", at);
        Duration d = ServicesOutput.duration("--duration", duration);
        if ((require == null || require.isEmpty()) && app == null && workflow == null) {
            throw new UserException("say what to check: --require SERVICES, --app APP or --workflow WF");
        }
        try (Target ignored = target) {
            ServicesApi.PreflightReport r = ServicesOutput.api(target).preflight(require, app, workflow, start, d);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Format.json(out, r);
                return r.ready() ? 0 : NOT_READY;
            }
            ServicesOutput.banner(out, r.announcements());
            out.printf("Preflight from %s until %s:%n", r.at(), r.until());
            for (ServicesApi.PreflightService s : r.services()) {
                out.printf(
                        "  %-4s %-20s %s%s%n",
                        s.ok() ? "ok" : "NO",
                        s.name(),
                        s.state().wire(),
                        s.since() == null ? "" : " since " + s.since());
            }
            out.println();
            if (r.ready()) {
                out.println("READY: every required service is operational and no maintenance is scheduled.");
                return 0;
            }
            out.println("NOT READY:");
            for (String p : r.problems()) {
                out.println("  - " + p);
            }
            return NOT_READY;
        }
    }
}
