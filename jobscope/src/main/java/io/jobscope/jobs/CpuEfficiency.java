package io.jobscope.jobs;

import io.jobscope.client.Job;
import io.jobscope.store.Dialect;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU efficiency, defined once for the job page and the stats page: CPU time (user + system) ÷ (wall × cores),
 * cores being the job's {@code cores} attribute when it is a number above 0, else 1.
 */
public final class CpuEfficiency {
    private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]+)?");

    private CpuEfficiency() {}

    /** The cores a job was given: its {@code cores} attribute when a number (or a number as text) above 0, else 1. */
    public static double cores(Map<String, Object> attributes) {
        Object v = attributes == null ? null : attributes.get("cores");
        double cores = 0;
        if (v instanceof Number n) {
            cores = n.doubleValue();
        } else if (v instanceof String s && DECIMAL.matcher(s).matches()) {
            cores = Double.parseDouble(s);
        }
        return cores > 0 && Double.isFinite(cores) ? cores : 1;
    }

    /** The job's efficiency in percent, or null without CPU figures or wall time. */
    public static Double percent(Job job) {
        Double cpu = job.cpuTotalS();
        Double wall = job.durationS();
        if (cpu == null || wall == null || wall <= 0) {
            return null;
        }
        return 100.0
                * cpu
                / (wall * cores(job.details() == null ? null : job.details().attributes()));
    }

    /** {@link #cores} as SQL over a job row's {@code attributes} column. */
    static String coresSql(Dialect d) {
        String number;
        if (d == Dialect.SQLITE) {
            // max(x, 0) is NULL for NULL, 0 for negatives; text that is not a number casts to 0.
            number = "max(CAST(json_extract(attributes, '$.cores') AS REAL), 0)";
        } else {
            String t = "(CAST(attributes AS jsonb) ->> 'cores')";
            number = "(CASE WHEN " + t + " ~ '^[0-9]+(\\.[0-9]+)?$' THEN CAST(" + t + " AS DOUBLE PRECISION) END)";
        }
        return "COALESCE(NULLIF(" + number + ", 0), 1)";
    }
}
