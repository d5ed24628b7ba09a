package io.jobscope.worker;

import io.jobscope.client.Job;
import io.jobscope.client.JobPage;
import io.jobscope.client.JobQueries;
import io.jobscope.client.JobQuery;
import io.jobscope.client.Statuses;
import io.jobscope.store.Database;
import java.util.Optional;

/**
 * {@code summarize --workflow}: the same summary over the jobs of a workflow in jobscope's store, each
 * job a work item, its {@code client} (else its host) the client. Success is status success; failure
 * any other final status; incomplete a job not finished (pending, held or running).
 */
public final class StoreSummaries {
    private StoreSummaries() {}

    /** The summary of {@code workflow}, or empty when the store holds neither the workflow nor a job of it. */
    public static Optional<Summary> summarize(Database db, String workflow) {
        return db.jdbi().inTransaction(h -> {
            SummaryBuilder b = new SummaryBuilder(java.util.List.of(), 1024);
            long[] jobs = {0};
            // PostgreSQL streams rows (fetch size) only inside a transaction.
            try (var rows = h
                    .createQuery("SELECT id, status, client, host, start_time_ms, end_time_ms, duration_s"
                            + " FROM job WHERE workflow_id = :w")
                    .bind("w", workflow)
                    .setFetchSize(2000)
                    .map((rs, ctx) -> {
                        jobs[0]++;
                        String id = rs.getString("id");
                        String status = rs.getString("status");
                        String client = rs.getString("client");
                        if (client == null) {
                            client = rs.getString("host");
                        }
                        int c = client == null ? -1 : b.client(client);
                        if (!Statuses.isTerminal(status)) {
                            b.incomplete(id, c);
                            return 0;
                        }
                        double seconds = rs.getDouble("duration_s");
                        if (rs.wasNull()) {
                            long start = rs.getLong("start_time_ms");
                            boolean hasStart = !rs.wasNull();
                            long end = rs.getLong("end_time_ms");
                            seconds = hasStart && !rs.wasNull() ? (end - start) / 1000.0 : Double.NaN;
                        }
                        b.finished(id, c, Statuses.SUCCESS.equals(status), seconds);
                        return 0;
                    })
                    .stream()) {
                rows.forEach(x -> {});
            }
            if (jobs[0] == 0) {
                boolean known = h.createQuery("SELECT COUNT(*) FROM workflow WHERE id = :w")
                                .bind("w", workflow)
                                .mapTo(Long.class)
                                .one()
                        > 0;
                if (!known) {
                    return Optional.<Summary>empty();
                }
            }
            return Optional.of(b.build("workflow " + workflow, 0, null, 0, 0, false));
        });
    }

    /**
     * The same summary through the read API (a jobscope server: {@code --server}), paging through the
     * workflow's jobs; empty when it has none.
     */
    public static Optional<Summary> summarize(JobQueries queries, String workflow) {
        SummaryBuilder b = new SummaryBuilder(java.util.List.of(), 1024);
        JobQuery q = new JobQuery(null, null, workflow, null, null, null, null, JobQuery.MAX_LIMIT, null);
        long jobs = 0;
        while (true) {
            JobPage page = queries.history(q);
            for (Job j : page.jobs()) {
                jobs++;
                String client = j.client() != null ? j.client() : j.host();
                int c = client == null ? -1 : b.client(client);
                if (!Statuses.isTerminal(j.status())) {
                    b.incomplete(j.id(), c);
                    continue;
                }
                double seconds = j.durationS() != null
                        ? j.durationS()
                        : j.startTime() != null && j.endTime() != null
                                ? (j.endTime().toEpochMilli() - j.startTime().toEpochMilli()) / 1000.0
                                : Double.NaN;
                b.finished(j.id(), c, Statuses.SUCCESS.equals(j.status()), seconds);
            }
            if (page.nextCursor() == null || page.jobs().isEmpty()) {
                break;
            }
            q = q.withCursor(page.nextCursor());
        }
        if (jobs == 0) {
            return Optional.empty();
        }
        return Optional.of(b.build("workflow " + workflow, 0, null, 0, 0, false));
    }
}
