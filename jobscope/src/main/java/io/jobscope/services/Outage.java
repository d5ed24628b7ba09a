package io.jobscope.services;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * One non-operational interval of a service: from when it left {@code operational} to when it came back
 * ({@code end} is null while it is still out), the worst state it reached, the states it went through and
 * the messages reported meanwhile (including the one that closed it).
 *
 * @param durationS seconds from start to end, or to now while ongoing
 * @param until for an outage that is a maintenance window in progress, when the window is scheduled to end
 */
public record Outage(
        String service,
        Instant start,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant end,
        double durationS,
        ServiceState worst,
        boolean ongoing,
        @JsonInclude(JsonInclude.Include.NON_NULL) Instant until,
        List<Segment> segments,
        List<Note> messages) {

    /** A stretch of one state inside an outage. */
    public record Segment(Instant start, Instant end, ServiceState state) {}

    /** A message reported while the service was out, with the state and source that reported it. */
    public record Note(Instant time, ServiceState state, String message, String source) {}

    /** True when this outage and [from, to] share some time (an instant job overlaps an outage around it). */
    public boolean overlaps(Instant from, Instant to) {
        boolean startsBeforeEnd = from.equals(to) ? !start.isAfter(to) : start.isBefore(to);
        return startsBeforeEnd && (end == null || end.isAfter(from));
    }

    /** Milliseconds of this outage inside [from, to], counting only states other than maintenance. */
    long downMillisWithin(long from, long to, long now) {
        long total = 0;
        for (Segment s : segments) {
            if (s.state() == ServiceState.MAINTENANCE) {
                continue;
            }
            long a = Math.max(from, s.start().toEpochMilli());
            long b = Math.min(to, s.end() == null ? now : s.end().toEpochMilli());
            if (b > a) {
                total += b - a;
            }
        }
        return total;
    }
}
