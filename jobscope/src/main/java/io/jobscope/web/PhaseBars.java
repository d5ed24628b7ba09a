package io.jobscope.web;

import io.jobscope.client.Job;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's phases laid out on its time line for an SVG drawing: positions in per mille of the job's span,
 * so the page needs neither inline styles nor script.
 */
public record PhaseBars(List<Bar> bars, Instant start, Instant end) {
    /** One phase: where its bar starts and how wide it is (0..1000), and its figures. */
    public record Bar(String name, String state, int x, int width, int y, Double wallS, Double cpuS) {}

    public static final int ROW = 26;

    public int height() {
        return Math.max(1, bars.size()) * ROW + 4;
    }

    static PhaseBars of(Job job) {
        List<Job.Phase> phases = job.details() == null || job.details().phases() == null
                ? List.of()
                : job.details().phases();
        Instant start = job.startTime();
        Instant end = job.endTime();
        for (Job.Phase p : phases) {
            start = min(start, p.startTime());
            end = max(end, p.endTime());
        }
        if (start == null) {
            start = job.submitTime();
        }
        if (end == null) {
            end = Instant.now();
        }
        long t0 = start == null ? 0 : start.toEpochMilli();
        long span = Math.max(1, end.toEpochMilli() - t0);
        List<Bar> bars = new ArrayList<>();
        int row = 0;
        for (Job.Phase p : phases) {
            Instant ps = p.startTime();
            Instant pe = p.endTime();
            if (ps == null && pe != null && p.wallS() != null) {
                ps = pe.minusMillis((long) (p.wallS() * 1000));
            }
            if (pe == null && ps != null) {
                pe = p.wallS() != null ? ps.plusMillis((long) (p.wallS() * 1000)) : end;
            }
            int x = ps == null ? 0 : (int) Math.max(0, Math.min(1000, (ps.toEpochMilli() - t0) * 1000 / span));
            int x2 = pe == null ? x : (int) Math.max(0, Math.min(1000, (pe.toEpochMilli() - t0) * 1000 / span));
            bars.add(new Bar(p.name(), p.state(), x, Math.max(3, x2 - x), row * ROW + 2, p.wallS(), p.cpuS()));
            row++;
        }
        return new PhaseBars(bars, start, end);
    }

    private static Instant min(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }
}
