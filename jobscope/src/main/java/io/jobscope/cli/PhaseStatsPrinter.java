package io.jobscope.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.JobscopeClient;
import io.jobscope.client.Json;
import io.jobscope.jobs.PhaseStatsService;
import io.jobscope.jobs.PhaseStatsService.PhaseStats;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/** {@code jobscope stats --by phase}: wall and CPU per phase across jobs, in-process or through a server. */
final class PhaseStatsPrinter {
    private PhaseStatsPrinter() {}

    static int call(CommandSpec spec, Target target, Instant since, String workflow, boolean json) {
        try (Target ignored = target) {
            List<PhaseStats> rows;
            if (target.remote()) {
                StringBuilder q = new StringBuilder("/api/v1/stats?by=phase");
                if (since != null) {
                    q.append("&since=").append(URLEncoder.encode(since.toString(), StandardCharsets.UTF_8));
                }
                if (workflow != null) {
                    q.append("&workflow=").append(URLEncoder.encode(workflow, StandardCharsets.UTF_8));
                }
                JsonNode n = ((JobscopeClient) target.queries()).get(q.toString(), JsonNode.class);
                rows = new ArrayList<>();
                for (JsonNode p : n.path("phases")) {
                    rows.add(Json.mapper().convertValue(p, PhaseStats.class));
                }
            } else {
                rows = new PhaseStatsService(target.existingDatabase()).byPhase(since, workflow);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Format.json(out, new PhaseStatsService.Report(rows));
            } else {
                print(out, rows);
            }
            return 0;
        }
    }

    static void print(PrintWriter out, List<PhaseStats> rows) {
        out.println("Phase Statistics (wall and CPU of the whole process tree between the phase marks):");
        out.println();
        if (rows.isEmpty()) {
            out.println("  no phases recorded");
            return;
        }
        out.printf(
                "  %-20s %6s %6s %6s %8s %14s %10s %10s %14s %10s %8s%n",
                "PHASE",
                "JOBS",
                "DONE",
                "FAILED",
                "RUNNING",
                "TOTAL WALL",
                "AVG WALL",
                "MAX WALL",
                "TOTAL CPU",
                "AVG CPU",
                "CPU/WALL");
        for (PhaseStats p : rows) {
            String ratio = p.totalCpuS() == null || p.totalWallS() == null || p.totalWallS() == 0
                    ? "-"
                    : String.format(java.util.Locale.ROOT, "%.2f", p.totalCpuS() / p.totalWallS());
            out.printf(
                    "  %-20s %6d %6d %6d %8d %14s %10s %10s %14s %10s %8s%n",
                    p.phase(),
                    p.jobs(),
                    p.done(),
                    p.failed(),
                    p.running(),
                    Format.seconds(p.totalWallS()),
                    Format.seconds(p.avgWallS()),
                    Format.seconds(p.maxWallS()),
                    Format.seconds(p.totalCpuS()),
                    Format.seconds(p.avgCpuS()),
                    ratio);
        }
    }
}
