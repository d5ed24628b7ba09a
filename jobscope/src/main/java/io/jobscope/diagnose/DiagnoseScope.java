package io.jobscope.diagnose;

import java.time.Instant;
import java.util.List;

/** Which failed jobs a diagnosis covers: one job, a workflow, those since a time; or all. */
public record DiagnoseScope(String job, String workflow, Instant since, List<String> jobs) {
    public static final DiagnoseScope ALL = new DiagnoseScope(null, null, null);

    public DiagnoseScope(String job, String workflow, Instant since) {
        this(job, workflow, since, null);
    }

    static DiagnoseScope ofJobs(List<String> ids) {
        return new DiagnoseScope(null, null, null, List.copyOf(ids));
    }

    void where(StringBuilder sql, List<Object> args) {
        if (job != null) {
            sql.append(" AND j.id = ?");
            args.add(job);
        }
        if (jobs != null) {
            sql.append(" AND j.id IN (");
            for (int i = 0; i < jobs.size(); i++) {
                sql.append(i == 0 ? "?" : ",?");
                args.add(jobs.get(i));
            }
            sql.append(')');
        }
        if (workflow != null) {
            sql.append(" AND j.workflow_id = ?");
            args.add(workflow);
        }
        if (since != null) {
            sql.append(" AND j.sort_time_ms >= ?");
            args.add(since.toEpochMilli());
        }
    }
}
