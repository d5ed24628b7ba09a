package io.jobscope.client;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The read side of jobscope: the same questions answered in-process over the store or through the HTTP
 * API ({@link JobscopeClient}).
 */
public interface JobQueries {
    JobPage history(JobQuery query);

    Optional<Job> job(String id);

    /** Statistics over jobs that started (or were submitted) at or after {@code since}, grouped {@code by}. */
    Stats stats(String by, Instant since, String workflow);

    List<Workflow> workflows(int limit);

    /** One workflow with its counts, or empty when there is none of that id. */
    Optional<Workflow> workflow(String id);

    List<Sample> samples(String jobId);
}
