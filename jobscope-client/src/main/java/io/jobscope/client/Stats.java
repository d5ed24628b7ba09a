package io.jobscope.client;

import java.util.List;
import java.util.Map;

/**
 * Aggregate figures over jobs. {@code failed} counts failed, error and timeout jobs (as the task-queue
 * monitor did); {@code byStatus} has the exact count of each status.
 */
public record Stats(
        long total,
        long success,
        long failed,
        double successRate,
        Map<String, Long> byStatus,
        double totalCpuS,
        double totalDurationS,
        double avgDurationS,
        String by,
        List<Group> groups) {

    /** The figures of one value of the grouping key. */
    public record Group(
            String key,
            long total,
            long success,
            long failed,
            double totalCpuS,
            double totalDurationS,
            double avgDurationS,
            Map<String, Long> byStatus) {}
}
