package io.jobscope.agent;

import io.jobscope.client.Event;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times the phases a job reports (a marker line in its output, or {@code jobscope phase} through the
 * control socket): wall time and the CPU time of the whole tree between the start and done/failed marks.
 */
final class PhaseTracker {
    static final Set<String> STATES = Set.of("start", "done", "failed");

    private record Open(Instant start, long startNanos, long startCpuMicros) {}

    private final String jobId;
    private final Pattern marker;
    private final LongSupplier treeCpuMicros;
    private final Consumer<Event> events;
    private final Clock clock;
    private final Map<String, Open> open = new LinkedHashMap<>();
    private final Map<String, Integer> seq = new LinkedHashMap<>();
    private long excludedCpuMicros;

    PhaseTracker(String jobId, Pattern marker, LongSupplier treeCpuMicros, Consumer<Event> events, Clock clock) {
        this.jobId = jobId;
        this.marker = marker;
        this.treeCpuMicros = treeCpuMicros;
        this.events = events;
        this.clock = clock;
    }

    /** Looks for a marker in one line of the job's output. */
    void line(String line) {
        if (line.length() < 8 || (line.indexOf("PHASE") < 0 && !customPattern())) {
            return;
        }
        Matcher m = marker.matcher(line);
        if (m.find()) {
            String state = m.group("state").toLowerCase(java.util.Locale.ROOT);
            if (STATES.contains(state)) {
                mark(m.group("name"), state, 0);
            }
        }
    }

    private boolean customPattern() {
        return !RunSpec.DEFAULT_PHASE_PATTERN.equals(marker.pattern());
    }

    /**
     * Records a mark. {@code toolCpuMicros} is CPU the reporting tool itself used so far (the
     * {@code jobscope phase} process); it is kept out of the phase's CPU.
     */
    synchronized void mark(String name, String state, long toolCpuMicros) {
        long nanos = System.nanoTime();
        Instant now = clock.instant();
        excludedCpuMicros += Math.max(0, toolCpuMicros);
        long cpu = treeCpuMicros.getAsLong() - excludedCpuMicros;
        int n = seq.merge(name + "\u0000" + state, 1, Integer::sum);
        Event e = Event.job(Event.JOB_PHASE, jobId, now)
                .id(jobId + ":phase:" + name + ":" + state + ":" + n)
                .put("phase", name)
                .put("state", state);
        if ("start".equals(state)) {
            open.put(name, new Open(now, nanos, cpu));
        } else {
            Open o = open.remove(name);
            if (o != null) {
                e.put("wall_s", round((nanos - o.startNanos) / 1e9))
                        .put("cpu_s", round(Math.max(0, cpu - o.startCpuMicros) / 1e6));
            }
        }
        events.accept(e);
    }

    /** Closes the phases still open when the job ends: done if it succeeded, failed otherwise. */
    synchronized void finish(boolean success) {
        for (String name : open.keySet().toArray(new String[0])) {
            mark(name, success ? "done" : "failed", 0);
        }
    }

    static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
