package io.jobscope.web;

import io.jobscope.client.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small store the dashboard tests know by heart: workflow {@code wf-reco} (alice) is a DAG
 * gen → sim → reco → merge of 10 jobs, one sim failed with a Python traceback, one reco job's output holds a
 * script-injection payload; workflow {@code wf-scan} (bob) has 5 succeeded jobs at another site; one job
 * runs. All times are just before {@code now}, so the overview's last-hour counts include them.
 */
final class DashboardSeed {
    static final String PAYLOAD = "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\">";
    static final String EVIL_JOB = "reco-3";
    static final String FAILED_JOB = "sim-2";
    static final String ERROR_LINE = "ValueError: detector geometry 'v9' not found in /cvmfs/geo";

    /** Jobs by status in the seed. */
    static final int SUCCEEDED = 12;

    static final int FAILED = 1;
    static final int RUNNING = 1;
    static final int PENDING = 1;
    static final int CANCELLED = 1;
    static final int TOTAL = SUCCEEDED + FAILED + RUNNING + PENDING + CANCELLED;

    private DashboardSeed() {}

    static List<Event> events(Instant now) {
        List<Event> out = new ArrayList<>();
        Instant t0 = now.minusSeconds(40 * 60);
        out.add(Event.workflow(Event.WORKFLOW_STARTED, "wf-reco", t0)
                .put("name", "nightly-reco")
                .put("user", "alice"));
        for (int i = 1; i <= 3; i++) {
            Instant s = t0.plusSeconds(i * 10L);
            job(out, "gen-" + i, "wf-reco", "gen", s, s.plusSeconds(60), "success", 0, List.of(), "cn01", "leuven");
        }
        Instant simStart = t0.plusSeconds(120);
        job(
                out,
                "sim-1",
                "wf-reco",
                "sim",
                simStart,
                simStart.plusSeconds(600),
                "success",
                0,
                List.of("gen-1"),
                "cn02",
                "leuven");
        job(
                out,
                "sim-2",
                "wf-reco",
                "sim",
                simStart,
                simStart.plusSeconds(95),
                "failed",
                1,
                List.of("gen-2"),
                "cn03",
                "leuven");
        out.add(Event.job(Event.JOB_FINISHED, "sim-2", simStart.plusSeconds(95))
                .put("status", "failed")
                .put("exit_code", 1)
                .put(
                        "stderr_tail",
                        "INFO loading geometry\nTraceback (most recent call last):\n  File \"sim.py\", line 12, in <module>\n"
                                + ERROR_LINE + "\n"));
        job(
                out,
                "sim-3",
                "wf-reco",
                "sim",
                simStart,
                simStart.plusSeconds(640),
                "success",
                0,
                List.of("gen-3"),
                "cn04",
                "leuven");
        for (int k = 0; k < 6; k++) {
            Instant t = simStart.plusSeconds(30 + k * 100L);
            out.add(Event.job(Event.JOB_SAMPLE, "sim-1", t)
                    .put("cpu_percent", 180.0 + k)
                    .put("rss_bytes", (600L + 50 * k) << 20));
            out.add(Event.job(Event.JOB_SAMPLE, "sim-3", t)
                    .put("cpu_percent", 95.0)
                    .put("rss_bytes", 400L << 20));
        }
        phase(out, "sim-1", "stage-in", simStart, 40, 2);
        phase(out, "sim-1", "simulate", simStart.plusSeconds(40), 520, 1010);
        phase(out, "sim-1", "stage-out", simStart.plusSeconds(560), 40, 3);
        Instant recoStart = simStart.plusSeconds(700);
        job(
                out,
                "reco-1",
                "wf-reco",
                "reco",
                recoStart,
                recoStart.plusSeconds(300),
                "success",
                0,
                List.of("sim-1"),
                "cn02",
                "leuven");
        job(
                out,
                "reco-2",
                "wf-reco",
                "reco",
                null,
                simStart.plusSeconds(96),
                "cancelled",
                null,
                List.of("sim-2"),
                null,
                "leuven");
        job(
                out,
                "reco-3",
                "wf-reco",
                "reco",
                recoStart,
                recoStart.plusSeconds(280),
                "success",
                0,
                List.of("sim-3"),
                "cn04",
                "leuven");
        out.add(Event.job(Event.JOB_FINISHED, EVIL_JOB, recoStart.plusSeconds(280))
                .put("status", "success")
                .put("exit_code", 0)
                .put("stdout_tail", "processing event 1\n" + PAYLOAD + "\ndone\n"));
        out.add(Event.job(Event.JOB_SUBMITTED, "merge", recoStart)
                .put("workflow", "wf-reco")
                .put("app", "merge")
                .put("depends_on", List.of("reco-1", "reco-2", "reco-3")));

        Instant scan = now.minusSeconds(30 * 60);
        out.add(Event.workflow(Event.WORKFLOW_STARTED, "wf-scan", scan)
                .put("name", "param-scan")
                .put("user", "bob"));
        for (int i = 1; i <= 5; i++) {
            Instant s = scan.plusSeconds(i * 20L);
            job(out, "scan-" + i, "wf-scan", "scan", s, s.plusSeconds(100 + i), "success", 0, List.of(), "wn7", "cern");
        }
        out.add(Event.workflow(Event.WORKFLOW_FINISHED, "wf-scan", scan.plusSeconds(300))
                .put("status", "success"));
        out.add(Event.job(Event.JOB_STARTED, "train-1", now.minusSeconds(120))
                .put("app", "train")
                .put("host", "gpu01")
                .put("site", "cern"));
        return out;
    }

    private static void job(
            List<Event> out,
            String id,
            String wf,
            String app,
            Instant start,
            Instant end,
            String status,
            Integer exit,
            List<String> deps,
            String host,
            String site) {
        Instant submit = (start == null ? end : start).minusSeconds(5);
        out.add(Event.job(Event.JOB_SUBMITTED, id, submit)
                .put("workflow", wf)
                .put("app", app)
                .put("depends_on", deps.isEmpty() ? null : deps)
                .put("params", Map.of("seed", id.hashCode() & 0xff))
                .put("site", site));
        if (start != null) {
            out.add(Event.job(Event.JOB_STARTED, id, start)
                    .put("host", host)
                    .put("attributes", Map.of("cpu_model", "AMD EPYC 7763", "cores", 2)));
        }
        out.add(Event.job(Event.JOB_FINISHED, id, end)
                .put("status", status)
                .put("exit_code", exit)
                .put("cpu_user_s", start == null ? null : 50.0)
                .put("cpu_system_s", start == null ? null : 5.0)
                .put("mem_peak_bytes", start == null ? null : 512L << 20));
    }

    private static void phase(List<Event> out, String job, String name, Instant start, double wall, double cpu) {
        out.add(Event.job(Event.JOB_PHASE, job, start).put("phase", name).put("state", "start"));
        out.add(Event.job(Event.JOB_PHASE, job, start.plusMillis((long) (wall * 1000)))
                .put("phase", name)
                .put("state", "done")
                .put("wall_s", wall)
                .put("cpu_s", cpu));
    }
}
