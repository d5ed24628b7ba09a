package io.jobscope.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.client.Statuses;
import java.io.IOException;
import java.util.Comparator;
import java.util.List;

/**
 * How events fold into a job's row. The row is the fold of the job's events in {@link #ORDER} (time, then
 * pending before running before terminal, then event id), so it does not depend on the order they arrive
 * in: the writer folds a batch's events onto a row only when they all come after every event the row
 * holds, and otherwise folds the job's whole history again (see {@code BatchStore}).
 */
final class JobProjection {
    private JobProjection() {}

    /**
     * The order events are folded in: by time; at equal times pending before running before terminal (the
     * status of a tie is the further one); then by id, so that of two events at the same time carrying
     * the same field, the one with the greater id gives it, however they arrived.
     */
    static final Comparator<IngestEvent> ORDER = Comparator.comparingLong(IngestEvent::timeMs)
            .thenComparingInt(JobProjection::orderRank)
            .thenComparing(IngestEvent::id);

    private static int orderRank(IngestEvent e) {
        String status = text(e.fields(), "status");
        return switch (e.type()) {
            case Event.JOB_SUBMITTED -> rank(status != null ? status : Statuses.PENDING);
            case Event.JOB_FINISHED -> status != null ? rank(status) : 2;
            case Event.JOB_STARTED -> rank(status != null ? status : Statuses.RUNNING);
            default -> 1; // a sample or phase: running
        };
    }

    /**
     * Whether every event of {@code batch} comes after, in {@link #ORDER}, every event folded into the row, so
     * that folding the batch onto the row gives what folding the whole history would. At the time of the last
     * event folded in, that takes its rank and id, known when the row was folded here; a row read back from
     * the store knows only the time, and a tie then says no.
     */
    static boolean comesAfter(List<IngestEvent> batch, JobRow row) {
        if (row.lastEventMs == null) {
            return false;
        }
        IngestEvent first = java.util.Collections.min(batch, ORDER);
        if (first.timeMs() != row.lastEventMs) {
            return first.timeMs() > row.lastEventMs;
        }
        return row.lastId != null && afterLastAtItsTime(first, row);
    }

    /** At the time of the row's last event (whose rank and id are known): whether {@code e} sorts after it. */
    private static boolean afterLastAtItsTime(IngestEvent e, JobRow row) {
        int rank = orderRank(e);
        return rank > row.lastRank || rank == row.lastRank && e.id().compareTo(row.lastId) > 0;
    }

    /** Keeps the time, rank and id of the greatest event in {@link #ORDER} folded into the row. */
    private static void noteApplied(JobRow row, IngestEvent e) {
        if (row.lastEventMs == null
                || e.timeMs() > row.lastEventMs
                || e.timeMs() == row.lastEventMs && row.lastId != null && afterLastAtItsTime(e, row)) {
            row.lastEventMs = e.timeMs();
            row.lastRank = orderRank(e);
            row.lastId = e.id();
        }
    }

    /** Folds {@code events} (sorted here, in place, by {@link #ORDER}) into {@code row}. */
    static void fold(JobRow row, List<IngestEvent> events) {
        events.sort(ORDER);
        for (IngestEvent e : events) {
            apply(row, e);
        }
    }

    /**
     * Applies one event. Only right when {@code e} comes after, in {@link #ORDER}, every event applied to the
     * row before: use {@link #fold}.
     */
    private static void apply(JobRow row, IngestEvent e) {
        noteApplied(row, e);
        ObjectNode f = e.fields();
        if (e.workflowId() != null) {
            row.workflowId = e.workflowId();
        }
        String app = text(f, "app");
        if (app == null) {
            app = text(f, "tool");
        }
        if (app != null) {
            row.app = app;
        }
        row.script = coalesce(text(f, "script"), row.script);
        row.host = coalesce(text(f, "host"), row.host);
        row.site = coalesce(text(f, "site"), row.site);
        row.client = coalesce(text(f, "client"), row.client);
        if (e.paramsJson() != null) {
            row.params = e.paramsJson();
        }
        if (e.dependsOnJson() != null) {
            row.dependsOn = e.dependsOnJson();
        }
        if (e.attributesJson() != null) {
            row.attributes = mergeObjects(row.attributes, e.attributesJson());
        }
        switch (e.type()) {
            case Event.JOB_SUBMITTED -> {
                row.submitTimeMs = min(row.submitTimeMs, e.timeMs());
                offerStatus(row, coalesce(text(f, "status"), Statuses.PENDING), e.timeMs());
            }
            case Event.JOB_STARTED -> {
                boolean took = offerStatus(row, coalesce(text(f, "status"), Statuses.RUNNING), e.timeMs());
                if (took && row.endTimeMs != null && row.endTimeMs < e.timeMs()) {
                    // Started again after it ended: a new attempt, whose outcome is not known yet.
                    row.endTimeMs = null;
                    row.exitCode = null;
                    row.signal = null;
                    row.error = null;
                    row.heldReason = null;
                    row.durationS = null;
                    row.durationGiven = false;
                }
                if (took || row.startTimeMs == null) {
                    row.startTimeMs = e.timeMs();
                }
            }
            case Event.JOB_FINISHED -> finished(row, e, f);
            case Event.JOB_SAMPLE -> {
                Long rss = longValue(f, "rss_bytes");
                if (rss != null) {
                    row.memPeakBytes = max(row.memPeakBytes, rss);
                }
                runningEvidence(row, e.timeMs());
            }
            case Event.JOB_PHASE -> runningEvidence(row, e.timeMs());
            default -> {}
        }
        if (row.status == null) {
            row.status = Statuses.PENDING;
        }
        if (row.startTimeMs != null && row.endTimeMs != null && !row.durationGiven) {
            row.durationS = Math.max(0, row.endTimeMs - row.startTimeMs) / 1000.0;
        }
        long sort = Long.MAX_VALUE;
        for (Long t : new Long[] {row.submitTimeMs, row.startTimeMs, row.endTimeMs}) {
            if (t != null && t < sort) {
                sort = t;
            }
        }
        if (sort != Long.MAX_VALUE) {
            row.sortTimeMs = sort;
        } else if (row.sortTimeMs == 0) {
            row.sortTimeMs = e.timeMs();
        }
    }

    /**
     * A {@code job.finished} of the current attempt (a {@code job.started} after the end clears the outcome
     * first). One that gives an outcome ({@code status}, {@code exit_code} or {@code signal}) replaces the
     * whole outcome — status, exit code, signal, error, hold reason — with its own (an earlier failure's error
     * does not stay on a success); one that gives none (only memory, say) keeps the outcome and adds what it
     * carries. Resource figures it carries replace earlier ones; those it does not carry are kept.
     */
    private static void finished(JobRow row, IngestEvent e, ObjectNode f) {
        row.endTimeMs = max(row.endTimeMs, e.timeMs());
        if (f.hasNonNull("start_time") && row.startTimeMs == null) {
            try {
                row.startTimeMs = EventValidator.time(f, "start_time", false);
            } catch (InvalidEventException ignored) {
                // validated already
            }
        }
        Integer exit = f.hasNonNull("exit_code") ? f.get("exit_code").asInt() : null;
        Integer signal = f.hasNonNull("signal") ? f.get("signal").asInt() : null;
        String status = text(f, "status");
        boolean hadOutcome = row.status != null && rank(row.status) == 2;
        boolean givesOutcome = status != null || exit != null || signal != null;
        if (givesOutcome) {
            row.exitCode = exit;
            row.signal = signal;
            row.error = text(f, "error");
            row.heldReason = text(f, "held_reason");
        } else {
            row.error = coalesce(text(f, "error"), row.error);
            row.heldReason = coalesce(text(f, "held_reason"), row.heldReason);
        }
        row.cpuUserS = coalesce(doubleValue(f, "cpu_user_s"), row.cpuUserS);
        row.cpuSystemS = coalesce(doubleValue(f, "cpu_system_s"), row.cpuSystemS);
        row.readBytes = coalesce(longValue(f, "read_bytes"), row.readBytes);
        row.writeBytes = coalesce(longValue(f, "write_bytes"), row.writeBytes);
        Long peak = longValue(f, "mem_peak_bytes");
        if (peak != null) {
            row.memPeakBytes = max(row.memPeakBytes, peak);
        }
        Double duration = doubleValue(f, "duration_s");
        if (duration != null) {
            row.durationS = duration;
            row.durationGiven = true;
        }
        if (status == null) {
            if (!givesOutcome && hadOutcome) {
                status = row.status;
            } else {
                status = row.exitCode != null && row.exitCode == 0 && row.signal == null
                        ? Statuses.SUCCESS
                        : Statuses.FAILED;
            }
        }
        offerStatus(row, status, e.timeMs());
    }

    /** Takes {@code status} when it is at least as recent as the current one; says whether it did. */
    static boolean offerStatus(JobRow row, String status, long timeMs) {
        if (row.status == null
                || row.statusTimeMs == null
                || timeMs > row.statusTimeMs
                || timeMs == row.statusTimeMs && rank(status) >= rank(row.status)) {
            row.status = status;
            row.statusTimeMs = timeMs;
            return true;
        }
        return false;
    }

    /** A sample or phase means the job runs: a pending job becomes running, nothing else changes. */
    private static void runningEvidence(JobRow row, long timeMs) {
        if (row.status == null || Statuses.PENDING.equals(row.status)) {
            offerStatus(row, Statuses.RUNNING, timeMs);
        }
    }

    static int rank(String status) {
        if (Statuses.PENDING.equals(status)) {
            return 0;
        }
        if (Statuses.RUNNING.equals(status) || Statuses.HELD.equals(status)) {
            return 1;
        }
        return 2;
    }

    /** The stored object {@code existing} with the fields of {@code add} (both JSON objects as text) set. */
    static String mergeObjects(String existing, String add) {
        if (existing == null) {
            return add;
        }
        try {
            JsonNode old = Json.mapper().readTree(existing);
            JsonNode more = Json.mapper().readTree(add);
            if (old instanceof ObjectNode o && more instanceof ObjectNode m) {
                o.setAll(m);
                return o.toString();
            }
        } catch (IOException ignored) {
            // an unreadable stored value is replaced
        }
        return add;
    }

    static String text(ObjectNode f, String name) {
        JsonNode v = f.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Long longValue(ObjectNode f, String name) {
        JsonNode v = f.get(name);
        return v == null || v.isNull() ? null : v.asLong();
    }

    static Double doubleValue(ObjectNode f, String name) {
        JsonNode v = f.get(name);
        return v == null || v.isNull() ? null : v.asDouble();
    }

    private static <T> T coalesce(T a, T b) {
        return a != null ? a : b;
    }

    private static Long min(Long a, long b) {
        return a == null ? b : Math.min(a, b);
    }

    private static Long max(Long a, long b) {
        return a == null ? b : Math.max(a, b);
    }
}
