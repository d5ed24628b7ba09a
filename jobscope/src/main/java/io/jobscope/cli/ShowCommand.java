package io.jobscope.cli;

import io.jobscope.client.Job;
import io.jobscope.client.Json;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope show JOB}: everything known about one job. */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Everything known about one job: status, timing, resources, phases, where it ran, log tails.")
final class ShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Parameters(paramLabel = "JOB", description = "The job id.")
    String id;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Option(
            names = "--tail",
            defaultValue = "10",
            description = "Lines of each log tail to show (default: ${DEFAULT-VALUE}; 0 for none).")
    int tail;

    @Override
    public Integer call() {
        if (tail < 0) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--tail: expecting a number >= 0, found " + tail);
        }
        try (Target ignored = target) {
            Job job = target.queries().job(id).orElseThrow(() -> new UserException("no job with id '" + id + "'"));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Format.json(out, job);
            } else {
                print(out, job, tail);
                ServicesOutput.correlation(out, target, job);
                DiagnosisSection.print(out, target, job);
            }
            return 0;
        }
    }

    static void print(PrintWriter out, Job j, int tail) {
        Job.Details d = j.details();
        out.printf("Job Details: %s%n%n", j.id());
        out.println("Basic Information:");
        line(out, "Workflow", j.workflow());
        line(out, "App", j.app());
        line(out, "Script", j.script());
        line(out, "Status", j.status().toUpperCase(Locale.ROOT));
        line(out, "Return Code", j.exitCode() == null ? null : j.exitCode().toString());
        if (d != null) {
            line(out, "Signal", d.signal() == null ? null : d.signal().toString());
            line(out, "Held Reason", d.heldReason());
            if (d.dependsOn() != null && !d.dependsOn().isEmpty()) {
                line(out, "Depends On", String.join(", ", d.dependsOn()));
            }
        }
        line(out, "Error", j.error() == null ? null : Format.firstLine(j.error(), 200));
        out.println();
        out.println("Timing:");
        line(out, "Submitted", j.submitTime() == null ? null : Format.time(j.submitTime()));
        line(out, "Started", Format.time(j.startTime()));
        line(out, "Ended", Format.time(j.endTime()));
        line(out, "Duration", Format.duration(j.durationS()));
        out.println();
        if (j.params() != null && !j.params().isEmpty()) {
            out.println("Parameters:");
            try {
                String p = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(j.params());
                p.lines().forEach(l -> out.println("  " + l));
            } catch (java.io.IOException e) {
                out.println("  " + j.params());
            }
            out.println();
        }
        out.println("Resource Usage:");
        line(out, "CPU User Time", Format.seconds(j.cpuUserS()));
        line(out, "CPU System Time", Format.seconds(j.cpuSystemS()));
        line(out, "CPU Total Time", Format.seconds(j.cpuTotalS()));
        if (j.cpuTotalS() != null && j.durationS() != null && j.durationS() > 0) {
            line(out, "CPU / Wall", String.format(Locale.ROOT, "%.2f cores", j.cpuTotalS() / j.durationS()));
        }
        line(out, "Memory Peak", Format.mb(j.memPeakMb()));
        if (d != null) {
            if (d.readBytes() != null || d.writeBytes() != null) {
                line(out, "I/O", "read " + Format.bytes(d.readBytes()) + ", written " + Format.bytes(d.writeBytes()));
            }
            if (d.samples() != null) {
                Job.SampleSummary s = d.samples();
                line(
                        out,
                        "Samples",
                        s.count() + " from " + Format.time(s.first()) + " to " + Format.time(s.last())
                                + (s.maxCpuPercent() == null
                                        ? ""
                                        : String.format(Locale.ROOT, ", max CPU %.1f%%", s.maxCpuPercent()))
                                + (s.maxRssBytes() == null ? "" : ", max RSS " + Format.bytes(s.maxRssBytes()))
                                + (s.maxProcesses() == null ? "" : ", max " + s.maxProcesses() + " processes"));
            }
        }
        out.println();
        out.println("Where It Ran:");
        line(out, "Host", j.host());
        line(out, "Site", j.site());
        line(out, "Client", j.client());
        if (d != null && d.attributes() != null && !d.attributes().isEmpty()) {
            for (Map.Entry<String, Object> e : d.attributes().entrySet()) {
                if (!(e.getValue() instanceof Map) && !(e.getValue() instanceof java.util.List)) {
                    line(out, e.getKey(), String.valueOf(e.getValue()));
                }
            }
        }
        if (d == null) {
            return;
        }
        if (d.phases() != null && !d.phases().isEmpty()) {
            out.println();
            out.println("Phases:");
            out.printf("  %-24s %-8s %-24s %12s %12s%n", "PHASE", "STATE", "STARTED", "WALL", "CPU");
            for (Job.Phase p : d.phases()) {
                out.printf(
                        "  %-24s %-8s %-24s %12s %12s%n",
                        p.name(),
                        p.state(),
                        Format.time(p.startTime()),
                        Format.seconds(p.wallS()),
                        Format.seconds(p.cpuS()));
            }
        }
        if (d.statusHistory() != null && !d.statusHistory().isEmpty()) {
            out.println();
            out.println("Status History:");
            for (Job.StatusChange c : d.statusHistory()) {
                out.printf("  %s  %s%n", Format.time(c.time()), c.status());
            }
        }
        tail(out, "stdout", d.stdoutTail(), tail);
        tail(out, "stderr", d.stderrTail(), tail);
    }

    private static void tail(PrintWriter out, String name, String text, int lines) {
        if (text == null || text.isEmpty() || lines <= 0) {
            return;
        }
        String[] all = text.split("\n", -1);
        int end = all.length;
        if (end > 0 && all[end - 1].isEmpty()) {
            end--;
        }
        int from = Math.max(0, end - lines);
        out.println();
        out.printf("Last %d line(s) of %s:%n", end - from, name);
        for (int i = from; i < end; i++) {
            out.println("  | " + all[i]);
        }
    }

    private static void line(PrintWriter out, String label, String value) {
        if (value != null) {
            out.printf("  %s: %s%n", label, value);
        }
    }
}
