package io.jobscope.services;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Interval arithmetic over a service's reports: replays every report in time order (whatever order they
 * arrived in) together with its maintenance windows, and cuts the result into outages. A service's state
 * at any moment is {@code maintenance} inside a window, else the worst state its signals last reported.
 */
final class Timeline {
    /** One stored report: what one signal said about the service at a time. */
    record Report(String signal, long timeMs, ServiceState state, String message, String source) {}

    /** A maintenance window as it is in effect (a cancelled window ends when it was cancelled). */
    record Window(String id, long startMs, long endMs, String reason) {}

    private Timeline() {}

    /**
     * The outages of {@code service} up to {@code nowMs}, oldest first. Reports must be sorted by time (ties in
     * the order they were received); reports and window edges after {@code nowMs} are not history yet.
     */
    static List<Outage> outages(String service, List<Report> reports, List<Window> windows, long nowMs) {
        TreeMap<Long, List<Object>> points = new TreeMap<>();
        for (Report r : reports) {
            if (r.timeMs() <= nowMs) {
                points.computeIfAbsent(r.timeMs(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Window w : windows) {
            if (w.endMs() > w.startMs() && w.startMs() <= nowMs) {
                points.computeIfAbsent(w.startMs(), k -> new ArrayList<>()).add(new Edge(w, true));
                if (w.endMs() <= nowMs) {
                    points.computeIfAbsent(w.endMs(), k -> new ArrayList<>()).add(new Edge(w, false));
                }
            }
        }
        Map<String, ServiceState> signals = new HashMap<>();
        Map<String, Window> open = new TreeMap<>();
        List<Outage> result = new ArrayList<>();
        Builder current = null;
        for (Map.Entry<Long, List<Object>> point : points.entrySet()) {
            long t = point.getKey();
            List<Outage.Note> notes = new ArrayList<>();
            for (Object change : point.getValue()) {
                if (change instanceof Report r) {
                    if (r.state().isOperational()) {
                        signals.remove(r.signal());
                    } else {
                        signals.put(r.signal(), r.state());
                    }
                    if (r.message() != null && !r.message().isBlank()) {
                        notes.add(new Outage.Note(Instant.ofEpochMilli(t), r.state(), r.message(), r.source()));
                    }
                } else {
                    Edge e = (Edge) change;
                    if (e.enter()) {
                        open.put(e.window().id(), e.window());
                        notes.add(new Outage.Note(
                                Instant.ofEpochMilli(t),
                                ServiceState.MAINTENANCE,
                                "maintenance " + e.window().id()
                                        + (e.window().reason() == null
                                                ? ""
                                                : ": " + e.window().reason()),
                                "maintenance"));
                    } else {
                        open.remove(e.window().id());
                    }
                }
            }
            ServiceState state = open.isEmpty() ? worst(signals) : ServiceState.MAINTENANCE;
            if (current != null) {
                current.notes.addAll(notes);
                if (state.isOperational()) {
                    result.add(current.close(t, nowMs, open));
                    current = null;
                } else {
                    current.enter(state, t);
                }
            } else if (!state.isOperational()) {
                current = new Builder(service, t);
                current.enter(state, t);
                current.notes.addAll(notes);
            }
        }
        if (current != null) {
            result.add(current.close(null, nowMs, open));
        }
        return result;
    }

    static ServiceState worst(Map<String, ServiceState> signals) {
        ServiceState w = ServiceState.OPERATIONAL;
        for (ServiceState s : signals.values()) {
            w = ServiceState.worst(w, s);
        }
        return w;
    }

    /** Percentage of [from, to] the service was up; maintenance is not downtime. 100 when the span is empty. */
    static double uptimePercent(List<Outage> outages, long from, long to, long nowMs) {
        long span = to - from;
        if (span <= 0) {
            return 100.0;
        }
        long down = 0;
        for (Outage o : outages) {
            down += o.downMillisWithin(from, to, nowMs);
        }
        return 100.0 * (span - Math.min(span, down)) / span;
    }

    private record Edge(Window window, boolean enter) {}

    private static final class Builder {
        final String service;
        final long start;
        final List<Outage.Segment> segments = new ArrayList<>();
        final List<Outage.Note> notes = new ArrayList<>();
        ServiceState segState;
        long segStart;
        ServiceState worst = ServiceState.OPERATIONAL;

        Builder(String service, long start) {
            this.service = service;
            this.start = start;
        }

        void enter(ServiceState state, long t) {
            if (state == segState) {
                return;
            }
            if (segState != null && t > segStart) {
                segments.add(new Outage.Segment(Instant.ofEpochMilli(segStart), Instant.ofEpochMilli(t), segState));
            }
            if (segState == null || t > segStart) {
                segStart = t;
            }
            segState = state;
            worst = ServiceState.worst(worst, state);
        }

        Outage close(Long end, long nowMs, Map<String, Window> open) {
            segments.add(new Outage.Segment(
                    Instant.ofEpochMilli(segStart), end == null ? null : Instant.ofEpochMilli(end), segState));
            // A state that lasted no time at all (reported and cleared in the same millisecond) is not worst.
            ServiceState w = ServiceState.OPERATIONAL;
            for (Outage.Segment s : segments) {
                w = ServiceState.worst(w, s.state());
            }
            long stop = end == null ? nowMs : end;
            Instant until = null;
            if (end == null && segState == ServiceState.MAINTENANCE) {
                until = Instant.ofEpochMilli(open.values().stream()
                        .map(Window::endMs)
                        .max(Comparator.naturalOrder())
                        .orElse(nowMs));
            }
            Set<Outage.Note> unique = new LinkedHashSet<>(notes);
            return new Outage(
                    service,
                    Instant.ofEpochMilli(start),
                    end == null ? null : Instant.ofEpochMilli(end),
                    (stop - start) / 1000.0,
                    w,
                    end == null,
                    until,
                    List.copyOf(segments),
                    List.copyOf(unique));
        }
    }
}
