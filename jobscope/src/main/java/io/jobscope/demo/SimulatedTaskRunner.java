package io.jobscope.demo;

import io.jobscope.client.Event;
import io.jobscope.client.Reporter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Plays a task in real time and reports what the {@code jobscope run} wrapper would: started (with where
 * it runs), phases, a resource sample every two seconds, and the end with CPU, memory and output tails.
 */
final class SimulatedTaskRunner implements TaskRunner {
    private static final long TICK_MS = 2000;

    private final String host;
    private final String cpuModel;
    private final double speed;
    private final Random random = new Random();

    /** {@code speed} > 1 plays tasks faster than their nominal length (tests). */
    SimulatedTaskRunner(String host, String cpuModel, double speed) {
        this.host = host;
        this.cpuModel = cpuModel;
        this.speed = speed;
    }

    @Override
    public boolean run(DemoTask task, String slot, Reporter reporter) throws Exception {
        Instant start = Instant.now();
        reporter.send(List.of(Event.job(Event.JOB_STARTED, task.id(), start)
                .put("workflow", task.workflow())
                .put("app", task.app())
                .put("script", task.script())
                .put("host", host)
                .put("site", "local")
                .put("client", slot)
                .put("attributes", Map.of("cpu_model", cpuModel, "cores", task.cores(), "demo", true))));
        long totalMs = (long) (task.seconds() * 1000 / speed);
        double cpuUsed = 0;
        long peak = 0;
        DemoTask.Failure failure = task.failure();
        StringBuilder stdout = new StringBuilder();
        int phases = task.phases().size();
        for (int p = 0; p < phases; p++) {
            String phase = task.phases().get(p);
            boolean failsHere = failure != null && phase.equals(failure.phase());
            long phaseMs = totalMs / phases / (failsHere ? 2 : 1);
            Instant phaseStart = Instant.now();
            reporter.send(List.of(Event.job(Event.JOB_PHASE, task.id(), phaseStart)
                    .put("phase", phase)
                    .put("state", "start")));
            stdout.append(String.format("[%s] %s: starting%n", phaseStart, phase));
            double phaseCpu = 0;
            long elapsed = 0;
            while (elapsed < phaseMs) {
                long step = Math.min(TICK_MS, phaseMs - elapsed);
                Thread.sleep(step);
                elapsed += step;
                double load = phase.contains("stage") ? 0.15 : 0.75 + 0.2 * random.nextDouble();
                double cpuPercent = 100.0 * task.cores() * load;
                double cpu = cpuPercent / 100.0 * step / 1000.0 * speed;
                phaseCpu += cpu;
                long rss = (long) (task.memBytes()
                        * Math.min(1.0, 0.3 + 0.7 * (p + elapsed / (double) phaseMs) / phases)
                        * (0.95 + 0.1 * random.nextDouble()));
                if (failsHere && failure.signal() != null) {
                    rss = (long) (rss * (1 + elapsed / (double) phaseMs)); // runs away until the kernel kills it
                }
                peak = Math.max(peak, rss);
                reporter.send(List.of(Event.job(Event.JOB_SAMPLE, task.id(), Instant.now())
                        .put("cpu_percent", Math.round(cpuPercent * 10) / 10.0)
                        .put("rss_bytes", rss)
                        .put("threads", 1 + task.cores() * 2)
                        .put("processes", 1 + task.cores() / 2)));
            }
            cpuUsed += phaseCpu;
            if (failsHere) {
                Instant end = Instant.now();
                reporter.send(List.of(
                        Event.job(Event.JOB_PHASE, task.id(), end)
                                .put("phase", phase)
                                .put("state", "failed")
                                .put("wall_s", phaseMs * speed / 1000.0)
                                .put("cpu_s", round(phaseCpu)),
                        finished(task, end, failure.status(), failure.exitCode(), failure.signal(), cpuUsed, peak)
                                .put("stdout_tail", stdout.toString())
                                .put("stderr_tail", failure.stderr())));
                return false;
            }
            Instant phaseEnd = Instant.now();
            reporter.send(List.of(Event.job(Event.JOB_PHASE, task.id(), phaseEnd)
                    .put("phase", phase)
                    .put("state", "done")
                    .put("wall_s", phaseMs * speed / 1000.0)
                    .put("cpu_s", round(phaseCpu))));
            stdout.append(String.format("[%s] %s: done in %.1f s%n", phaseEnd, phase, phaseMs * speed / 1000.0));
        }
        stdout.append(task.app())
                .append(": wrote output for ")
                .append(task.id())
                .append('\n');
        reporter.send(List.of(finished(task, Instant.now(), "success", 0, null, cpuUsed, peak)
                .put("stdout_tail", stdout.toString())));
        return true;
    }

    private static Event finished(
            DemoTask task, Instant end, String status, int exit, Integer signal, double cpu, long peak) {
        return Event.job(Event.JOB_FINISHED, task.id(), end)
                .put("status", status)
                .put("exit_code", exit)
                .put("signal", signal)
                .put("cpu_user_s", round(cpu * 0.94))
                .put("cpu_system_s", round(cpu * 0.06))
                .put("mem_peak_bytes", peak)
                .put("read_bytes", (long) (task.memBytes() * 1.7))
                .put("write_bytes", (long) (task.memBytes() * 0.4));
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
