package io.jobscope.client;

import java.time.Instant;
import java.util.Map;

/** A workflow with the counts of its jobs by status. */
public record Workflow(
        String id,
        String name,
        String user,
        String status,
        Instant startTime,
        Instant endTime,
        Double durationS,
        long jobs,
        long running,
        long success,
        long failed,
        Map<String, Long> byStatus) {}
