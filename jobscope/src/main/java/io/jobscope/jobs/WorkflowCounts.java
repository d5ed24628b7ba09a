package io.jobscope.jobs;

import io.jobscope.client.Statuses;
import java.util.Map;

/**
 * A workflow's job counts by status, and the status it has when no workflow event set one: running while
 * any job is pending, held or running; else failed if any failed; else success (unknown without jobs).
 */
record WorkflowCounts(long total, long running, long pending, long success, long failed) {
    static WorkflowCounts of(Map<String, Long> byStatus) {
        long total = 0;
        long failed = 0;
        for (Map.Entry<String, Long> e : byStatus.entrySet()) {
            total += e.getValue();
            if (Statuses.isFailure(e.getKey())) {
                failed += e.getValue();
            }
        }
        return new WorkflowCounts(
                total,
                byStatus.getOrDefault(Statuses.RUNNING, 0L),
                byStatus.getOrDefault(Statuses.PENDING, 0L) + byStatus.getOrDefault(Statuses.HELD, 0L),
                byStatus.getOrDefault(Statuses.SUCCESS, 0L),
                failed);
    }

    /** The derived status when no workflow event set one. */
    String derivedStatus() {
        return running + pending > 0
                ? Statuses.RUNNING
                : failed > 0 ? Statuses.FAILED : total > 0 ? Statuses.SUCCESS : "unknown";
    }
}
