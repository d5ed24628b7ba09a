package io.jobscope.demo;

import io.jobscope.client.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the demo runs: a reconstruction workflow with a DAG (fetch → gen → sim → reco → merge → plot) in
 * which one simulation crashes, a parameter scan with an out-of-memory kill and a timeout, and, for the
 * charts' history, a day of earlier finished jobs.
 */
final class DemoWorkload {
    static final String RECO = "demo-reco";
    static final String SCAN = "demo-scan";
    private static final long MB = 1L << 20;

    private DemoWorkload() {}

    static List<DemoTask> reco() {
        List<DemoTask> t = new ArrayList<>();
        t.add(task("fetch-inputs", RECO, "fetch", List.of(), List.of("stage-in"), 6, 1, 200 * MB, null));
        for (int i = 1; i <= 6; i++) {
            t.add(task(
                    "gen-" + i,
                    RECO,
                    "gen",
                    List.of("fetch-inputs"),
                    List.of("setup", "generate"),
                    8,
                    1,
                    300 * MB,
                    null));
        }
        for (int i = 1; i <= 6; i++) {
            DemoTask.Failure f = i == 4
                    ? new DemoTask.Failure(
                            "simulate",
                            "failed",
                            1,
                            null,
                            "INFO  geometry: loading v9 from /cvmfs/geo.example.org\n"
                                    + "Traceback (most recent call last):\n"
                                    + "  File \"/opt/sim/bin/simulate.py\", line 212, in <module>\n"
                                    + "    main(parse_args())\n"
                                    + "  File \"/opt/sim/bin/simulate.py\", line 187, in main\n"
                                    + "    geo = load_geometry(args.geometry)\n"
                                    + "  File \"/opt/sim/lib/geometry.py\", line 54, in load_geometry\n"
                                    + "    raise FileNotFoundError(f\"geometry {tag!r} not found in {root}\")\n"
                                    + "FileNotFoundError: geometry 'v9' not found in /cvmfs/geo.example.org\n",
                            "traceback",
                            null)
                    : null;
            t.add(task(
                    "sim-" + i,
                    RECO,
                    "sim",
                    List.of("gen-" + i),
                    List.of("stage-in", "simulate", "stage-out"),
                    20 + 3 * (i % 3),
                    4,
                    1800 * MB,
                    f));
        }
        for (int i = 1; i <= 6; i++) {
            t.add(task(
                    "reco-" + i,
                    RECO,
                    "reco",
                    List.of("sim-" + i),
                    List.of("reconstruct", "write"),
                    10,
                    2,
                    1200 * MB,
                    null));
        }
        List<String> recos = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            recos.add("reco-" + i);
        }
        t.add(task("merge", RECO, "merge", recos, List.of("merge"), 6, 1, 600 * MB, null));
        t.add(task("plots", RECO, "plot", List.of("merge"), List.of("plot"), 4, 1, 250 * MB, null));
        return t;
    }

    static List<DemoTask> scan() {
        List<DemoTask> t = new ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            DemoTask.Failure f = null;
            if (i == 7) {
                f = new DemoTask.Failure(
                        "fit",
                        "failed",
                        137,
                        9,
                        "fit: lambda=0.0007, 4096 bins\nfit: allocating covariance matrix (4096 x 4096 x 8 B)\n"
                                + "Killed\nslurmstepd: error: Detected 1 oom-kill event(s) in StepId=81723.0."
                                + " Some of your processes may have been killed by the cgroup out-of-memory handler.\n",
                        "memory",
                        null);
            } else if (i == 12) {
                f = new DemoTask.Failure(
                        "fit",
                        "timeout",
                        124,
                        null,
                        "fit: lambda=0.0012: iteration 9000, chi2/ndf=4.71, not converged\n"
                                + "jobscope: wall-time limit of 30 s reached, sent SIGTERM\n",
                        "timeout",
                        null);
            } else if (i == 3) {
                f = new DemoTask.Failure(
                        "fit",
                        "failed",
                        139,
                        11,
                        "fit: calling libminuit2 migrad()\nFatal Python error: Segmentation fault\n",
                        "segfault",
                        null);
            } else if (i == 10) {
                f = new DemoTask.Failure(
                        "load",
                        "failed",
                        1,
                        null,
                        "dcap: failed to open dcap://dcache-door.demo:22125/pnfs/demo/data/run0031.root:"
                                + " Connection refused\nError: cannot read input run0031.root, giving up after 1 attempt\n",
                        "service",
                        "dcache");
            }
            t.add(task(
                    String.format("scan-%02d", i),
                    SCAN,
                    "fit",
                    List.of(),
                    List.of("load", "fit"),
                    5 + (i % 4) * 2,
                    2,
                    (500 + 60L * i) * MB,
                    f));
        }
        return t;
    }

    private static DemoTask task(
            String id,
            String wf,
            String app,
            List<String> deps,
            List<String> phases,
            double seconds,
            int cores,
            long mem,
            DemoTask.Failure f) {
        return new DemoTask(id, wf, app, "/opt/" + app + "/bin/" + app + ".sh", deps, phases, seconds, cores, mem, f);
    }

    /** A day of earlier, finished jobs so that the throughput chart and the stats have a history. */
    static List<Event> history(Instant now, String host, String cpuModel) {
        Random r = new Random(7);
        List<Event> out = new ArrayList<>();
        String[] apps = {"gen", "sim", "reco", "fit"};
        for (int w = 0; w < 6; w++) {
            String wf = "nightly-" + (6 - w);
            Instant ws = now.minusSeconds(3600L * (23 - w * 4));
            out.add(Event.workflow(Event.WORKFLOW_STARTED, wf, ws)
                    .put("name", "nightly reconstruction #" + (6 - w))
                    .put("user", w % 2 == 0 ? "alice" : "bob"));
            Instant last = ws;
            boolean anyFailed = false;
            for (int i = 0; i < 40; i++) {
                String app = apps[i % apps.length];
                String id = wf + "-" + app + "-" + i;
                Instant s = ws.plusSeconds(60L * i + r.nextInt(60));
                double wall = 120 + r.nextInt(1500);
                Instant e = s.plusMillis((long) (wall * 1000));
                last = e.isAfter(last) ? e : last;
                boolean failed = r.nextInt(100) < 6;
                anyFailed |= failed;
                int cores = app.equals("sim") ? 4 : 1;
                out.add(Event.job(Event.JOB_STARTED, id, s)
                        .put("workflow", wf)
                        .put("app", app)
                        .put("host", host)
                        .put("site", "local")
                        .put("attributes", Map.of("cpu_model", cpuModel, "cores", cores, "demo", true)));
                Event fin = Event.job(Event.JOB_FINISHED, id, e)
                        .put("status", failed ? "failed" : "success")
                        .put("exit_code", failed ? 2 : 0)
                        .put("cpu_user_s", Math.round(wall * cores * (0.5 + 0.45 * r.nextDouble())))
                        .put("cpu_system_s", Math.round(wall * 0.03))
                        .put("mem_peak_bytes", (300 + r.nextInt(2500)) * MB);
                if (failed) {
                    fin.put(
                            "stderr_tail",
                            "ERROR: input file root://eos.example.org//store/run" + (1000 + i)
                                    + ".root: [FATAL] Connection refused\n");
                }
                out.add(fin);
            }
            out.add(Event.workflow(Event.WORKFLOW_FINISHED, wf, last).put("status", anyFailed ? "failed" : "success"));
        }
        return out;
    }
}
