package io.jobscope.jobs;

import io.jobscope.store.Database;
import io.jobscope.store.Rows;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.statement.Query;

/** Wall and CPU time per phase name across jobs ("CPU and wall clock per stage"). */
public final class PhaseStatsService {
    /** One phase name over every job that reported it; times over the phases that ended (done or failed). */
    public record PhaseStats(
            String phase,
            long jobs,
            long done,
            long failed,
            long running,
            Double totalWallS,
            Double avgWallS,
            Double maxWallS,
            Double totalCpuS,
            Double avgCpuS) {}

    /** What {@code stats --by phase} and {@code GET /api/v1/stats?by=phase} answer, keys in this order. */
    public record Report(String by, List<PhaseStats> phases) {
        public Report(List<PhaseStats> phases) {
            this("phase", phases);
        }
    }

    /**
     * A phase's wall seconds in SQL, {@code p} being the alias of {@code job_phase}: the reported {@code
     * wall_s}, else end − start (docs/schema.md). The one definition for the job's details and the statistics.
     */
    static String wallSql(String p) {
        return "COALESCE(" + p + ".wall_s, (" + p + ".end_time_ms - " + p + ".start_time_ms) / 1000.0)";
    }

    private final Database db;

    public PhaseStatsService(Database db) {
        this.db = db;
    }

    private static final String WALL = wallSql("p");

    /** Phases of jobs since {@code since} (by the job's time) and of {@code workflow}, when given. */
    public List<PhaseStats> byPhase(Instant since, String workflow) {
        StringBuilder sql = new StringBuilder("SELECT p.name AS phase, COUNT(*) AS jobs,"
                + " SUM(CASE WHEN p.state = 'done' THEN 1 ELSE 0 END) AS done,"
                + " SUM(CASE WHEN p.state = 'failed' THEN 1 ELSE 0 END) AS failed,"
                + " SUM(CASE WHEN p.state = 'running' THEN 1 ELSE 0 END) AS running,"
                + " SUM(" + WALL + ") AS total_wall, AVG(" + WALL + ") AS avg_wall, MAX(" + WALL + ") AS max_wall,"
                + " SUM(p.cpu_s) AS total_cpu, AVG(p.cpu_s) AS avg_cpu"
                + " FROM job_phase p");
        Map<String, Object> args = new LinkedHashMap<>();
        if (since != null || workflow != null) {
            sql.append(" JOIN job j ON j.id = p.job_id WHERE 1=1");
            if (since != null) {
                sql.append(" AND j.sort_time_ms >= :since");
                args.put("since", since.toEpochMilli());
            }
            if (workflow != null) {
                sql.append(" AND j.workflow_id = :workflow");
                args.put("workflow", workflow);
            }
        }
        sql.append(" GROUP BY p.name ORDER BY COALESCE(SUM(" + WALL + "), 0) DESC, p.name");
        return db.jdbi().withHandle(h -> {
            Query q = h.createQuery(sql.toString());
            args.forEach(q::bind);
            return q.map((rs, ctx) -> new PhaseStats(
                            rs.getString("phase"),
                            rs.getLong("jobs"),
                            rs.getLong("done"),
                            rs.getLong("failed"),
                            rs.getLong("running"),
                            Rows.doubleOrNull(rs, "total_wall"),
                            Rows.doubleOrNull(rs, "avg_wall"),
                            Rows.doubleOrNull(rs, "max_wall"),
                            Rows.doubleOrNull(rs, "total_cpu"),
                            Rows.doubleOrNull(rs, "avg_cpu")))
                    .list();
        });
    }
}
