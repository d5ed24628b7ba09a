package io.jobscope.diagnose;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.jobscope.store.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Classifies failed jobs into the store and answers "why did these fail": failures grouped by signature,
 * most frequent first, each with a verdict (retry a service problem, read the log of a code problem).
 */
public final class DiagnoseService {
    private static final int SAVE_BATCH = 500;

    private final DiagnosisStore store;
    private final Classifier classifier;
    private final OutageLookup outages;

    public DiagnoseService(Database db, Classifier classifier, OutageLookup outages) {
        this.store = new DiagnosisStore(db);
        this.classifier = classifier;
        this.outages = outages;
    }

    public Classifier classifier() {
        return classifier;
    }

    /** One group of failures sharing a signature, with its verdict. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Group(
            String signature,
            String category,
            String rule,
            String title,
            String service,
            long count,
            boolean retryable,
            Instant firstSeen,
            Instant lastSeen,
            List<String> hosts,
            List<String> sites,
            String exampleJob,
            String stream,
            Long lineNo,
            String excerpt,
            String hint,
            String outage,
            String verdict,
            String command,
            List<String> jobs) {}

    /** The failures of a scope: how many, and their groups. */
    public record Report(long failedJobs, int classifiedNow, String rulesVersion, List<Group> groups) {}

    /**
     * Classifies the failed jobs of {@code scope} that need it (all of them when {@code reclassify}), on
     * every core; returns how many were classified.
     */
    public int classifyPending(DiagnoseScope scope, boolean reclassify) {
        String version = classifier.ruleBook().version();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "jobscope-classify");
            t.setDaemon(true);
            return t;
        });
        // A batch is stored on its own thread while the next is read and classified; one at a time, so
        // memory stays bounded (each job holds its tails until classified).
        ExecutorService saver = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "jobscope-classify-save");
            t.setDaemon(true);
            return t;
        });
        Semaphore waiting = new Semaphore(1);
        List<Future<Integer>> saves = new ArrayList<>();
        try {
            List<Future<Map.Entry<String, Diagnosis>>> inFlight = new ArrayList<>();
            store.forEachPending(scope, version, reclassify, job -> {
                inFlight.add(pool.submit(() -> new AbstractMap.SimpleEntry<>(job.id(), classify(job, scope))));
                if (inFlight.size() >= SAVE_BATCH) {
                    saves.add(saveLater(saver, waiting, new ArrayList<>(inFlight), version));
                    inFlight.clear();
                }
            });
            saves.add(saveLater(saver, waiting, new ArrayList<>(inFlight), version));
            int count = 0;
            for (Future<Integer> f : saves) {
                count += result(f);
            }
            return count;
        } finally {
            pool.shutdownNow();
            saver.shutdownNow();
        }
    }

    private Future<Integer> saveLater(
            ExecutorService saver,
            Semaphore waiting,
            List<Future<Map.Entry<String, Diagnosis>>> batch,
            String version) {
        try {
            waiting.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while classifying", e);
        }
        return saver.submit(() -> {
            try {
                return drain(batch, version);
            } finally {
                waiting.release();
            }
        });
    }

    private static <T> T result(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while classifying", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // a StoreException, or the classification failure drain reported
            }
            throw new IllegalStateException("classification failed: " + e.getCause(), e.getCause());
        }
    }

    /** Classifies the given jobs if they failed (used after their job.finished events are stored). */
    public int classifyJobs(List<String> jobIds) {
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(jobIds));
        int n = 0;
        for (int from = 0; from < ids.size(); from += SAVE_BATCH) {
            n += classifyPending(
                    DiagnoseScope.ofJobs(ids.subList(from, Math.min(ids.size(), from + SAVE_BATCH))), false);
        }
        return n;
    }

    private Diagnosis classify(FailedJob job, DiagnoseScope scope) {
        if (scope.job() != null && job.attributes().get("log_dir") instanceof String dir) {
            // One job asked for by name: read its whole local logs when they are here.
            Path out = Path.of(dir, "stdout");
            Path err = Path.of(dir, "stderr");
            if (Files.isReadable(out) || Files.isReadable(err)) {
                return classifier.classify(job, Files.isReadable(out) ? out : null, Files.isReadable(err) ? err : null);
            }
        }
        return classifier.classify(job);
    }

    private int drain(List<Future<Map.Entry<String, Diagnosis>>> inFlight, String version) {
        List<Map.Entry<String, Diagnosis>> done = new ArrayList<>(inFlight.size());
        for (Future<Map.Entry<String, Diagnosis>> f : inFlight) {
            try {
                done.add(f.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while classifying", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("classification failed: " + e.getCause(), e.getCause());
            }
        }
        inFlight.clear();
        store.save(done, version);
        return done.size();
    }

    /** The stored diagnosis of one job (classifying it first when it failed and has none). */
    public Optional<Diagnosis> diagnosis(String jobId) {
        classifyPending(new DiagnoseScope(jobId, null, null), false);
        return store.find(jobId);
    }

    /**
     * The categories already stored for the given jobs (job id → category label), without classifying
     * anything: for listings that show many failures at once.
     */
    public Map<String, String> storedCategories(java.util.Collection<String> jobIds) {
        return jobIds.isEmpty() ? Map.of() : store.categories(jobIds);
    }

    /** Classifies what needs it, then groups the failures of {@code scope}. */
    public Report report(DiagnoseScope scope, boolean reclassify) {
        int classified = classifyPending(scope, reclassify);
        List<DiagnosisStore.Row> rows = store.rows(scope);
        Map<String, List<DiagnosisStore.Row>> bySignature = new LinkedHashMap<>();
        for (DiagnosisStore.Row r : rows) {
            bySignature
                    .computeIfAbsent(r.diagnosis().signature(), k -> new ArrayList<>())
                    .add(r);
        }
        List<Group> groups = new ArrayList<>();
        for (List<DiagnosisStore.Row> g : bySignature.values()) {
            groups.add(group(g));
        }
        groups.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::signature));
        return new Report(rows.size(), classified, classifier.ruleBook().version(), groups);
    }

    private Group group(List<DiagnosisStore.Row> rows) {
        DiagnosisStore.Row example = rows.get(rows.size() - 1);
        Diagnosis d = example.diagnosis();
        Set<String> hosts = new LinkedHashSet<>();
        Set<String> sites = new LinkedHashSet<>();
        List<String> jobs = new ArrayList<>(rows.size());
        Instant first = null;
        Instant last = null;
        Instant from = null;
        Instant to = null;
        for (DiagnosisStore.Row r : rows) {
            jobs.add(r.jobId());
            if (r.host() != null) {
                hosts.add(r.host());
            }
            if (r.site() != null) {
                sites.add(r.site());
            }
            Instant seen = r.end() != null ? r.end() : r.sort();
            first = min(first, seen);
            last = max(last, seen);
            from = min(from, r.start() != null ? r.start() : seen);
            to = max(to, seen);
        }
        String outage = null;
        if (d.service() != null && from != null) {
            outage = outages.outage(d.service(), from, to).orElse(null);
        }
        String[] verdict = verdict(d, example.jobId(), example.hasOutput(), jobs, outage);
        if (outage == null && from != null && d.category() != Category.CODE) {
            // A service the job requires was out during the run: an unexplained failure is the service's.
            outage = outages.requiredOutage(example.app(), example.workflow(), from, to)
                    .orElse(null);
            if (outage != null) {
                verdict = d.category() == Category.UNKNOWN || d.category() == Category.SERVICE
                        ? new String[] {"service problem (" + outage + "): retry", retryCommand(jobs)}
                        : verdict(d, example.jobId(), example.hasOutput(), jobs, outage);
            }
        }
        return new Group(
                d.signature(),
                d.category().label(),
                d.rule(),
                d.title(),
                d.service(),
                rows.size(),
                d.retryable(),
                first,
                last,
                List.copyOf(hosts),
                List.copyOf(sites),
                example.jobId(),
                d.stream(),
                d.lineNo(),
                d.excerpt(),
                d.hint(),
                outage,
                verdict[0],
                verdict[1],
                jobs);
    }

    private static String retryCommand(List<String> jobs) {
        return "jobscope rerun " + String.join(" ", jobs.size() > 20 ? jobs.subList(0, 20) : jobs)
                + (jobs.size() > 20 ? "  # and " + (jobs.size() - 20) + " more (--json lists them all)" : "");
    }

    /**
     * The verdict and the command that follows from it; {@code exampleHasOutput} says whether the example
     * job has any output stored, for {@code jobscope logs} to show.
     */
    public static String[] verdict(
            Diagnosis d, String example, boolean exampleHasOutput, List<String> jobs, String outage) {
        String retry = retryCommand(jobs);
        // Found in the job's error message (a job reported without logs, such as the Java client's), or a job
        // with no output recorded at all: show has what there is (its error, status, exit code).
        boolean inLog = "stdout".equals(d.stream()) || "stderr".equals(d.stream());
        String read = "error".equals(d.stream())
                ? "jobscope show " + example + "  # its error"
                : !inLog && !exampleHasOutput
                        ? "jobscope show " + example + "  # no output recorded"
                        : "jobscope logs " + example
                                + (d.stream() != null && !d.stream().equals("stdout") ? " --stream stderr" : "")
                                + (d.lineNo() != null ? "  # line " + d.lineNo() : "");
        String who = d.service() != null ? " (" + d.service() + ")" : "";
        String out = outage != null ? "; " + outage : "";
        return switch (d.category()) {
            case SERVICE -> new String[] {"service problem" + who + out + ": retry", retry};
            case INFRASTRUCTURE ->
                d.retryable()
                        ? new String[] {"infrastructure problem" + who + out + ": retry", retry}
                        : new String[] {"infrastructure problem" + who + out + ": " + nz(d.hint()), read};
            case CODE -> new String[] {"code problem: debug; read the log", read};
            case RESOURCES -> new String[] {"resource limit: " + nz(d.hint()), read};
            case CONFIGURATION ->
                d.retryable()
                        ? new String[] {"configuration problem" + who + ": " + nz(d.hint()), retry}
                        : new String[] {"configuration problem: " + nz(d.hint()), read};
            case UNKNOWN -> new String[] {"unclassified: read the log, then add a rule for it", read};
        };
    }

    private static String nz(String s) {
        return s == null ? "fix the cause, then retry" : s;
    }

    private static Instant min(Instant a, Instant b) {
        return a == null || b != null && b.isBefore(a) ? b : a;
    }

    private static Instant max(Instant a, Instant b) {
        return a == null || b != null && b.isAfter(a) ? b : a;
    }
}
