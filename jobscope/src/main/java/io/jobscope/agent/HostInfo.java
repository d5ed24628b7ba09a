package io.jobscope.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a job runs: host name, addresses, CPU, memory, OS, the batch scheduler and its job id, the site,
 * and GPUs (through {@code nvidia-smi} when it is installed). Read from /proc and the environment, without
 * OSHI, so that {@code jobscope run} starts fast.
 */
final class HostInfo {
    private HostInfo() {}

    /** The host name as the kernel knows it. */
    static String hostname() {
        String h = firstLine(Path.of("/proc/sys/kernel/hostname"));
        if (h != null && !h.isBlank()) {
            return h.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The site: the option, else $JOBSCOPE_SITE, else what the scheduler or grid middleware says. */
    static String site(String option, Map<String, String> env) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        for (String k : new String[] {
            "JOBSCOPE_SITE", "GLIDEIN_Site", "OSG_SITE_NAME", "SLURM_CLUSTER_NAME", "PBS_SERVER", "SGE_CELL"
        }) {
            String v = env.get(k);
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    /** The batch system the job runs under, and its id for the job there, or nulls. */
    record Scheduler(String name, String jobId) {}

    static Scheduler scheduler(Map<String, String> env) {
        if (env.containsKey("SLURM_JOB_ID")) {
            String id = env.get("SLURM_JOB_ID");
            if (env.containsKey("SLURM_ARRAY_JOB_ID") && env.containsKey("SLURM_ARRAY_TASK_ID")) {
                id = env.get("SLURM_ARRAY_JOB_ID") + "_" + env.get("SLURM_ARRAY_TASK_ID");
            }
            return new Scheduler("slurm", id);
        }
        if (env.containsKey("PBS_JOBID")) {
            return new Scheduler("pbs", env.get("PBS_JOBID"));
        }
        if (env.containsKey("LSB_JOBID")) {
            return new Scheduler("lsf", env.get("LSB_JOBID"));
        }
        if (env.containsKey("JOB_ID") && env.containsKey("SGE_ROOT")) {
            return new Scheduler("sge", env.get("JOB_ID"));
        }
        Map<String, String> ad = condorJobAd(env);
        if (ad.containsKey("ClusterId")) {
            return new Scheduler("htcondor", ad.get("ClusterId") + "." + ad.getOrDefault("ProcId", "0"));
        }
        return new Scheduler(null, null);
    }

    private static final List<String> CONDOR_AD_KEYS = List.of("ClusterId", "ProcId", "RequestCpus");

    /** ClusterId, ProcId and RequestCpus from the HTCondor job ad the starter writes beside the job; empty elsewhere. */
    private static Map<String, String> condorJobAd(Map<String, String> env) {
        String ad = env.get("_CONDOR_JOB_AD");
        Map<String, String> out = new LinkedHashMap<>();
        if (ad == null) {
            return out;
        }
        try (BufferedReader r = Files.newBufferedReader(Path.of(ad), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null && out.size() < CONDOR_AD_KEYS.size()) {
                int eq = line.indexOf(" = ");
                if (eq > 0 && CONDOR_AD_KEYS.contains(line.substring(0, eq))) {
                    out.put(line.substring(0, eq), line.substring(eq + 3).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return Map.of();
        }
        return out;
    }

    /**
     * The variables that say how many cores a job was allocated, in the order they are believed: the user's
     * own statement, then SLURM (per task, on this node, per node as {@code 8(x2),4}), PBS/Torque, PBS Pro,
     * LSF, Grid Engine.
     */
    static final List<String> CORES_VARIABLES = List.of(
            "JOBSCOPE_CORES",
            "SLURM_CPUS_PER_TASK",
            "SLURM_CPUS_ON_NODE",
            "SLURM_JOB_CPUS_PER_NODE",
            "PBS_NUM_PPN",
            "NCPUS",
            "LSB_DJOB_NUMPROC",
            "NSLOTS");

    private static final Pattern LEADING_COUNT = Pattern.compile("(\\d+)(\\(x\\d+\\))?(,.*)?");

    /**
     * The cores the job was given, when an allocation says so ({@link #CORES_VARIABLES}, else HTCondor's
     * {@code RequestCpus} in the job ad), or null. Never the machine's processor count: a serial job outside a
     * scheduler on a 64-core node was given one core, not 64, and its efficiency must say so.
     */
    static Integer allocatedCores(Map<String, String> env) {
        for (String name : CORES_VARIABLES) {
            String v = env.get(name);
            Matcher m = v == null ? null : LEADING_COUNT.matcher(v.trim());
            if (m != null && m.matches() && m.group(1).length() < 7 && Integer.parseInt(m.group(1)) > 0) {
                return Integer.parseInt(m.group(1));
            }
        }
        String cpus = condorJobAd(env).get("RequestCpus");
        if (cpus != null && cpus.matches("\\d{1,6}") && Integer.parseInt(cpus) > 0) {
            return Integer.parseInt(cpus);
        }
        return null;
    }

    /** Host attributes read ahead of need by {@link #prefetch}, for one environment map. */
    private record Prefetched(Map<String, String> env, CompletableFuture<Map<String, Object>> attributes) {}

    private static volatile Prefetched prefetched;

    /**
     * Reads the attributes of {@code env} now (on a warm-up thread), so that {@link #attributes} for the
     * same map returns them at once. Not with GPUs: {@code nvidia-smi}'s CPU must be kept out of the job's
     * by the runner, which asks for the attributes itself then.
     */
    static void prefetch(Map<String, String> env) {
        if (Gpus.present()) {
            return;
        }
        Prefetched p = new Prefetched(env, new CompletableFuture<>());
        prefetched = p;
        try {
            p.attributes().complete(read(env));
        } catch (RuntimeException e) {
            p.attributes().completeExceptionally(e);
        }
    }

    /** Attributes of the host for {@code job.started}: addresses, CPU, memory, OS, scheduler, GPUs. */
    static Map<String, Object> attributes(Map<String, String> env) {
        Prefetched p = prefetched;
        if (p != null && p.env() == env) {
            try {
                return new LinkedHashMap<>(p.attributes().join());
            } catch (RuntimeException e) {
                // read them again below
            }
        }
        return read(env);
    }

    private static Map<String, Object> read(Map<String, String> env) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("ip_addresses", String.join(", ", ipAddresses()));
        Map<String, String> cpu = cpuInfo();
        a.put("cpu_model", cpu.get("model name"));
        a.put("cpu_vendor", cpu.get("vendor_id"));
        a.put("cpu_cores", Runtime.getRuntime().availableProcessors());
        // The cores the job was given (CPU efficiency = CPU time / (wall x cores)), when an allocation says.
        Integer cores = allocatedCores(env);
        if (cores != null) {
            a.put("cores", cores);
        }
        Long mem = memTotalBytes();
        if (mem != null) {
            a.put("mem_total_bytes", mem);
        }
        a.put("os", os());
        Scheduler s = scheduler(env);
        if (s.name() != null) {
            a.put("scheduler", s.name());
            a.put("scheduler_job_id", s.jobId());
        }
        List<Map<String, Object>> gpus = Gpus.list();
        if (!gpus.isEmpty()) {
            a.put("gpus", gpus);
            a.put("gpu_count", gpus.size());
            a.put("gpu_model", gpus.get(0).get("name"));
        }
        a.values().removeIf(v -> v == null || v instanceof String str && str.isEmpty());
        return a;
    }

    static List<String> ipAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.isLoopback() || !ni.isUp()) {
                    continue;
                }
                for (InetAddress addr : Collections.list(ni.getInetAddresses())) {
                    if (!addr.isLinkLocalAddress()) {
                        String s = addr.getHostAddress();
                        int pct = s.indexOf('%');
                        out.add(pct < 0 ? s : s.substring(0, pct));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // no addresses to report
        }
        return out;
    }

    private static Map<String, String> cpuInfo() {
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null && !line.isEmpty()) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    out.putIfAbsent(
                            line.substring(0, colon).trim(),
                            line.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no access: leave the CPU unnamed
        }
        return out;
    }

    static String cpuModel() {
        return cpuInfo().getOrDefault("model name", System.getProperty("os.arch"));
    }

    private static Long memTotalBytes() {
        String line = firstLine(Path.of("/proc/meminfo"));
        if (line != null && line.startsWith("MemTotal:")) {
            try {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String os() {
        String pretty = null;
        try {
            for (String l : Files.readAllLines(Path.of("/etc/os-release"), StandardCharsets.UTF_8)) {
                if (l.startsWith("PRETTY_NAME=")) {
                    pretty = l.substring(12).replace("\"", "");
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall back to the JVM's view
        }
        String kernel = firstLine(Path.of("/proc/sys/kernel/osrelease"));
        String base = pretty != null ? pretty : System.getProperty("os.name");
        return kernel == null ? base : base + " (" + System.getProperty("os.name") + " " + kernel.trim() + ")";
    }

    private static String firstLine(Path p) {
        try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
            return r.readLine();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** GPUs through nvidia-smi, only when it is on the PATH. */
    static final class Gpus {
        private static final String NVIDIA_SMI = findOnPath("nvidia-smi");

        private Gpus() {}

        static boolean present() {
            return NVIDIA_SMI != null;
        }

        /** Name and total memory of each GPU. */
        static List<Map<String, Object>> list() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (String[] f : query("index,name,memory.total")) {
                if (f.length >= 3) {
                    Map<String, Object> g = new LinkedHashMap<>();
                    g.put("index", f[0]);
                    g.put("name", f[1]);
                    g.put("memory_total_mb", number(f[2]));
                    out.add(g);
                }
            }
            return out;
        }

        /** Utilisation (%) and memory used (MB) of each GPU, for samples. */
        static List<Map<String, Object>> usage() {
            List<Map<String, Object>> out = new ArrayList<>();
            for (String[] f : query("index,utilization.gpu,memory.used")) {
                if (f.length >= 3) {
                    Map<String, Object> g = new LinkedHashMap<>();
                    g.put("index", f[0]);
                    g.put("utilization_percent", number(f[1]));
                    g.put("memory_used_mb", number(f[2]));
                    out.add(g);
                }
            }
            return out;
        }

        private static List<String[]> query(String fields) {
            List<String[]> rows = new ArrayList<>();
            if (NVIDIA_SMI == null) {
                return rows;
            }
            try {
                Process p = new ProcessBuilder(NVIDIA_SMI, "--query-gpu=" + fields, "--format=csv,noheader,nounits")
                        .redirectErrorStream(true)
                        .start();
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        String[] f = line.split("\\s*,\\s*");
                        if (f.length > 1) {
                            rows.add(f);
                        }
                    }
                }
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (IOException e) {
                // no GPU information
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rows;
        }

        private static Object number(String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return s.trim();
            }
        }

        private static String findOnPath(String name) {
            String path = System.getenv("PATH");
            if (path == null) {
                return null;
            }
            for (String dir : path.split(":")) {
                Path p = Path.of(dir.isEmpty() ? "." : dir, name);
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
            return null;
        }
    }
}
