package io.jobscope.client;

import java.util.List;

/** One page of a job listing; {@code nextCursor} fetches the next, older page, and is null on the last. */
public record JobPage(List<Job> jobs, String nextCursor) {}
