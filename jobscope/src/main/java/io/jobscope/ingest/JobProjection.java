package io.jobscope.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.client.Statuses;
import java.io.IOException;

/**
 * How events fold into a job's row. The result does not depend on the order events arrive in: a status
 * is taken from the event with the latest time (at equal times, the further one: terminal over running
 * over pending), times and fields from the events that carry them.
 */
final class JobProjection {
    private JobProjection() {}

    static void apply(JobRow row, IngestEvent e) {
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

    private static void finished(JobRow row, IngestEvent e, ObjectNode f) {
        if (row.endTimeMs == null) {
            row.endTimeMs = e.timeMs();
        }
        if (f.hasNonNull("start_time")) {
            try {
                long start = EventValidator.time(f, "start_time", false);
                if (row.startTimeMs == null) {
                    row.startTimeMs = start;
                }
            } catch (InvalidEventException ignored) {
                // validated already
            }
        }
        Integer exit = f.hasNonNull("exit_code") ? f.get("exit_code").asInt() : null;
        Integer signal = f.hasNonNull("signal") ? f.get("signal").asInt() : null;
        String status = text(f, "status");
        if (status == null) {
            status = exit != null && exit == 0 && signal == null ? Statuses.SUCCESS : Statuses.FAILED;
        }
        boolean took = offerStatus(row, status, e.timeMs());
        if (took) {
            // The latest outcome replaces the previous attempt's, including its error: a successful retry
            // must not keep the failed attempt's message.
            row.endTimeMs = e.timeMs();
            row.exitCode = exit;
            row.signal = signal;
            row.error = text(f, "error");
            row.heldReason = text(f, "held_reason");
        } else {
            row.exitCode = row.exitCode == null ? exit : row.exitCode;
            row.signal = row.signal == null ? signal : row.signal;
            row.error = coalesce(row.error, text(f, "error"));
            row.heldReason = coalesce(row.heldReason, text(f, "held_reason"));
        }
        Double cpuUser = doubleValue(f, "cpu_user_s");
        Double cpuSystem = doubleValue(f, "cpu_system_s");
        if (took || row.cpuUserS == null) {
            row.cpuUserS = coalesce(cpuUser, row.cpuUserS);
            row.cpuSystemS = coalesce(cpuSystem, row.cpuSystemS);
        }
        Long peak = longValue(f, "mem_peak_bytes");
        if (peak != null) {
            row.memPeakBytes = max(row.memPeakBytes, peak);
        }
        if (took || row.readBytes == null) {
            row.readBytes = coalesce(longValue(f, "read_bytes"), row.readBytes);
            row.writeBytes = coalesce(longValue(f, "write_bytes"), row.writeBytes);
        }
        Double duration = doubleValue(f, "duration_s");
        if (duration != null) {
            row.durationS = duration;
            row.durationGiven = true;
        }
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
