package io.jobscope.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A job as the store projects it from its events. History listings carry the summary fields; the
 * details view ({@code show}) also carries the fields marked "details only", which are null in listings
 * and then left out of the JSON.
 */
public record Job(
        String id,
        String workflow,
        String app,
        String script,
        Map<String, Object> params,
        String status,
        Integer exitCode,
        Instant submitTime,
        Instant startTime,
        Instant endTime,
        Double durationS,
        Double cpuUserS,
        Double cpuSystemS,
        Double cpuTotalS,
        Double memPeakMb,
        String host,
        String site,
        String client,
        String error,
        @JsonInclude(JsonInclude.Include.NON_NULL) Details details) {

    /** Fields shown only by the details view. */
    public record Details(
            Integer signal,
            String heldReason,
            Long memPeakBytes,
            Long readBytes,
            Long writeBytes,
            List<String> dependsOn,
            Map<String, Object> attributes,
            List<Phase> phases,
            SampleSummary samples,
            String stdoutTail,
            String stderrTail,
            List<StatusChange> statusHistory) {}

    /** One phase of a job: what it reported between its start and done/failed marks. */
    public record Phase(String name, String state, Instant startTime, Instant endTime, Double wallS, Double cpuS) {}

    /** A digest of the resource samples of a job. */
    public record SampleSummary(
            long count, Instant first, Instant last, Double maxCpuPercent, Long maxRssBytes, Integer maxProcesses) {}

    /** A status the job entered, with the event that said so. */
    public record StatusChange(Instant time, String status, String event) {}

    /** This job without its details, as listings show it. */
    public Job summary() {
        return details == null ? this : withDetails(null);
    }

    /** This job with other details (null for none). */
    public Job withDetails(Details other) {
        return new Job(
                id,
                workflow,
                app,
                script,
                params,
                status,
                exitCode,
                submitTime,
                startTime,
                endTime,
                durationS,
                cpuUserS,
                cpuSystemS,
                cpuTotalS,
                memPeakMb,
                host,
                site,
                client,
                error,
                other);
    }
}
