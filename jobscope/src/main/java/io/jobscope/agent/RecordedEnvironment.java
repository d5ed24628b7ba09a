package io.jobscope.agent;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The part of a job's environment jobscope stores, so that {@code jobscope rerun} can repeat it: an
 * allow-list of names that shape how a job runs (paths, locale, threads, scheduler and GPU settings), and
 * never a name that looks like a secret, even when allowed.
 */
public final class RecordedEnvironment {
    private static final List<String> NAMES = List.of(
            "PATH",
            "HOME",
            "USER",
            "LOGNAME",
            "SHELL",
            "LANG",
            "TZ",
            "TMPDIR",
            "PWD",
            "PYTHONPATH",
            "LD_LIBRARY_PATH",
            "VIRTUAL_ENV",
            "OMP_NUM_THREADS",
            "MKL_NUM_THREADS",
            "OPENBLAS_NUM_THREADS",
            "CUDA_VISIBLE_DEVICES",
            "JAVA_HOME",
            "LOG_LEVEL",
            "DEBUG",
            "VERBOSE",
            "JOBSCOPE_SITE",
            "JOBSCOPE_CORES");
    private static final List<String> PREFIXES = List.of(
            "LC_",
            "SLURM_",
            "PBS_",
            "_CONDOR_",
            "GLIDEIN_",
            "CONDA_",
            "NCCL_",
            "OMPI_",
            "MPI_",
            "APPTAINER_",
            "SINGULARITY_");
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(TOKEN|SECRET|PASSW|PASSWD|CREDENTIAL|PRIVATE|_KEY|APIKEY|AUTH|COOKIE|SESSION|PROXY).*");

    private RecordedEnvironment() {}

    /** The allowed, non-secret entries of {@code env}, sorted by name. */
    public static Map<String, String> of(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((k, v) -> {
            if (allowed(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** Whether a variable of this name may be stored. */
    public static boolean allowed(String name) {
        if (SECRET.matcher(name).matches()) {
            return false;
        }
        if (NAMES.contains(name)) {
            return true;
        }
        for (String p : PREFIXES) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
