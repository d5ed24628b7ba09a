package io.jobscope.client;

import java.time.Instant;

/** Filters and paging of a job listing; null means "any". Listings are newest first. */
public record JobQuery(
        String status,
        String app,
        String workflow,
        String site,
        String host,
        Instant since,
        Instant until,
        int limit,
        String cursor) {
    public static final int MAX_LIMIT = 10_000;

    public JobQuery {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (status != null && !Statuses.isKnown(status)) {
            throw new IllegalArgumentException("status must be one of " + Statuses.ALL + ", got '" + status + "'");
        }
        if (since != null && until != null && until.isBefore(since)) {
            throw new IllegalArgumentException("until (" + until + ") is before since (" + since + ")");
        }
    }

    /** The newest {@code limit} jobs, unfiltered. */
    public static JobQuery latest(int limit) {
        return new JobQuery(null, null, null, null, null, null, null, limit, null);
    }

    public JobQuery withCursor(String next) {
        return new JobQuery(status, app, workflow, site, host, since, until, limit, next);
    }
}
