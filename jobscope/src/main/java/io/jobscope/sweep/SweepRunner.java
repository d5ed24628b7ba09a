package io.jobscope.sweep;

import io.jobscope.agent.JobRunner;
import io.jobscope.agent.RunOutcome;
import io.jobscope.agent.RunSpec;
import io.jobscope.client.Event;
import io.jobscope.client.Statuses;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Runs a sweep: one monitored job per row of a parameter file, {@code parallel} at a time on a pool of
 * slots in this process, each item under the {@code jobscope run} wrapper ({@link JobRunner}: accounting,
 * logs, phases). Items are jobs {@code <workflow>.<row>} of the sweep's workflow, with the row's values as
 * {@code params} and their slot as {@code client}; a workflow.started/finished pair frames them.
 * {@link #cancel} stops handing out rows and terminates the running items, which end {@code cancelled};
 * rows not reached stay {@code pending}, for a later run with the finished rows left out.
 */
public final class SweepRunner {
    /** How to run the items; {@code timeout} may be null. */
    public record Settings(
            String workflow,
            int parallel,
            String app,
            String site,
            Duration timeout,
            Duration killGrace,
            Duration sampleInterval,
            Path logDir,
            int tailBytes,
            Pattern phasePattern) {
        public Settings {
            if (workflow == null || workflow.isBlank() || workflow.length() > 180) {
                throw new IllegalArgumentException(
                        "--workflow: expecting 1 to 180 characters, found '" + workflow + "'");
            }
            if (parallel < 1 || parallel > 4096) {
                throw new IllegalArgumentException("--parallel: expecting 1 to 4096, found " + parallel);
            }
        }
    }

    /** Where events go: {@link #send} must not block for long; {@link #backlog} is what is not yet delivered. */
    public interface Sink {
        void send(Event e);

        default long backlog() {
            return 0;
        }
    }

    /** How a sweep went. */
    public record Result(
            String workflow,
            int rows,
            int skippedDone,
            int badRows,
            int succeeded,
            int failed,
            int cancelled,
            int notStarted,
            List<String> failedItems,
            boolean interrupted) {
        /** 0 when every item that ran succeeded, 1 when any failed, 130 when the sweep was interrupted. */
        public int exitCode() {
            return interrupted ? 130 : failed > 0 || cancelled > 0 ? 1 : 0;
        }
    }

    /** Counts for the progress line. */
    public record Progress(int toRun, int running, int succeeded, int failed, int cancelled, boolean cancelling) {
        public int done() {
            return succeeded + failed + cancelled;
        }
    }

    private static final int KEPT_FAILED = 50;
    private static final long MAX_BACKLOG = 20_000;

    private final ParamFile data;
    private final CommandTemplate command;
    private final Settings settings;
    private final Sink sink;
    private final Consumer<String> warnings;
    private final Clock clock = Clock.systemUTC();
    private final String runTag;
    private final Map<String, Long> pids = new ConcurrentHashMap<>();
    private final Map<String, Long> signalledAt = new ConcurrentHashMap<>();
    private final CpuLedger ledger;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger succeeded = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger cancelledItems = new AtomicInteger();
    private final List<String> failedItems = new ArrayList<>();
    private volatile int toRun;
    private volatile boolean cancelling;
    private volatile boolean forceKill;
    private ParamFile.Rows rows;
    private BitSet done = new BitSet();

    public SweepRunner(
            ParamFile data, CommandTemplate command, Settings settings, Sink sink, Consumer<String> warnings) {
        this.data = data;
        this.command = command;
        this.settings = settings;
        this.sink = sink;
        this.warnings = warnings;
        this.ledger = new CpuLedger(sink::send);
        this.runTag = Long.toString(System.currentTimeMillis(), 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
    }

    /** The job id of row {@code row} of {@code workflow}. */
    public static String itemId(String workflow, int row) {
        return workflow + "." + row;
    }

    /**
     * The row number of a job id of {@code workflow}, or -1 when it is not one of its items.
     */
    public static int rowOf(String workflow, String jobId) {
        if (!jobId.startsWith(workflow + ".")) {
            return -1;
        }
        String n = jobId.substring(workflow.length() + 1);
        if (n.isEmpty() || n.length() > 9 || !n.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(n);
    }

    public Progress progress() {
        return new Progress(toRun, running.get(), succeeded.get(), failed.get(), cancelledItems.get(), cancelling);
    }

    /**
     * Runs every valid row whose number is not in {@code skip} (rows that already succeeded) and returns
     * when all are done or, after {@link #cancel}, when the running ones have ended.
     */
    public Result run(BitSet skip, int badRows) {
        this.done = skip == null ? new BitSet() : skip;
        int[] counts = submitAll();
        int rowCount = counts[0];
        toRun = counts[1];
        sink.send(Event.workflow(Event.WORKFLOW_STARTED, settings.workflow(), clock.instant())
                .id(settings.workflow() + ":started@" + runTag)
                .put("name", settings.workflow())
                .put("status", Statuses.RUNNING)
                .put("attributes", workflowAttributes(rowCount)));
        List<Thread> slots = new ArrayList<>();
        try (ParamFile.Rows r = data.rows()) {
            rows = r;
            int n = Math.min(settings.parallel(), Math.max(1, toRun));
            for (int k = 1; k <= n; k++) {
                String client = "slot-" + k;
                Thread t = new Thread(() -> slot(client), "jobscope-sweep-" + client);
                t.setDaemon(true);
                t.start();
                slots.add(t);
            }
            for (Thread t : slots) {
                while (t.isAlive()) {
                    join(t, 100);
                    ledger.release();
                    if (cancelling) {
                        terminateRunning(); // again and again: items that were just starting, SIGKILL after the grace
                    }
                }
            }
        }
        ledger.flush();
        boolean interrupted = cancelling;
        int finished = succeeded.get() + failed.get() + cancelledItems.get();
        int notStarted = Math.max(0, toRun - finished);
        String status = interrupted
                ? Statuses.CANCELLED
                : failed.get() > 0 || cancelledItems.get() > 0 ? Statuses.FAILED : Statuses.SUCCESS;
        sink.send(Event.workflow(Event.WORKFLOW_FINISHED, settings.workflow(), clock.instant())
                .id(settings.workflow() + ":finished@" + runTag)
                .put("status", status));
        List<String> kept;
        synchronized (failedItems) {
            kept = List.copyOf(failedItems);
        }
        return new Result(
                settings.workflow(),
                rowCount,
                this.done.cardinality(),
                badRows,
                succeeded.get(),
                failed.get(),
                cancelledItems.get(),
                notStarted,
                kept,
                interrupted);
    }

    /**
     * Stops the sweep: no further rows start, running items get SIGTERM (SIGKILL after the kill grace, or
     * at once when {@code force}); they end {@code cancelled}.
     */
    public void cancel(boolean force) {
        cancelling = true;
        if (force) {
            forceKill = true;
        }
    }

    /** Announces every row to run as a pending job, so that the whole sweep is visible from the start. */
    private int[] submitAll() {
        int[] counts = {0, 0};
        Instant now = clock.instant();
        data.forEach(
                row -> {
                    counts[0]++;
                    if (done.get(row.number())) {
                        return;
                    }
                    counts[1]++;
                    String id = itemId(settings.workflow(), row.number());
                    List<String> cmd = command.apply(row.values());
                    sink.send(Event.job(Event.JOB_SUBMITTED, id, now)
                            .id(id + ":submitted@" + runTag)
                            .put("workflow", settings.workflow())
                            .put("app", app(cmd))
                            .put("script", script(cmd))
                            .put("params", Params.typed(row.values()))
                            .put("status", Statuses.PENDING));
                    while (sink.backlog() > MAX_BACKLOG) { // keep memory bounded on sweeps of millions of rows
                        sleep(5);
                    }
                },
                bad -> counts[0]++);
        return counts;
    }

    private Map<String, Object> workflowAttributes(int rowCount) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("source", "sweep");
        a.put("command", command.args());
        a.put("data", data.path().toAbsolutePath().toString());
        a.put("columns", data.columns());
        a.put("rows", rowCount);
        a.put("parallel", settings.parallel());
        a.put("cwd", Path.of("").toAbsolutePath().toString());
        return a;
    }

    private void slot(String client) {
        while (!cancelling) {
            ParamFile.Row row = nextRow();
            if (row == null) {
                return;
            }
            try {
                runItem(row, client);
            } catch (RuntimeException e) { // one item's trouble must not stop the slot
                warnings.accept("item " + itemId(settings.workflow(), row.number()) + ": " + e);
                failed.incrementAndGet();
            }
        }
    }

    private ParamFile.Row nextRow() {
        synchronized (this) {
            while (!cancelling) {
                Object next = rows.next();
                if (next == null) {
                    return null;
                }
                if (next instanceof ParamFile.Row r && !done.get(r.number())) {
                    return r;
                }
            }
            return null;
        }
    }

    private void runItem(ParamFile.Row row, String client) {
        String id = itemId(settings.workflow(), row.number());
        List<String> cmd = command.apply(row.values());
        RunSpec spec = new RunSpec(
                cmd,
                id,
                settings.workflow(),
                app(cmd),
                script(cmd),
                Params.typed(row.values()),
                settings.site(),
                settings.timeout(),
                settings.killGrace(),
                settings.sampleInterval(),
                Duration.ofSeconds(1),
                settings.logDir().resolve(safeDirName(id)),
                settings.tailBytes(),
                settings.phasePattern(),
                null);
        running.incrementAndGet();
        ledger.opening(id);
        RunOutcome outcome;
        try {
            outcome = new JobRunner(
                            spec,
                            e -> deliver(e, id, client),
                            warnings,
                            OutputStream.nullOutputStream(),
                            OutputStream.nullOutputStream(),
                            System.getenv(),
                            false)
                    .run();
        } finally {
            ledger.abandoned(id); // normally done already, by its job.finished
            running.decrementAndGet();
            pids.remove(id);
            signalledAt.remove(id);
        }
        String status = finalStatus(outcome.status());
        if (Statuses.SUCCESS.equals(status)) {
            succeeded.incrementAndGet();
        } else if (Statuses.CANCELLED.equals(status)) {
            cancelledItems.incrementAndGet();
        } else {
            failed.incrementAndGet();
            synchronized (failedItems) {
                if (failedItems.size() < KEPT_FAILED) {
                    failedItems.add(id + " (" + status + ", exit " + outcome.exitCode() + ")");
                }
            }
        }
    }

    /** An item that did not succeed while the sweep was being cancelled was cancelled by it. */
    private String finalStatus(String status) {
        return cancelling && !Statuses.SUCCESS.equals(status) ? Statuses.CANCELLED : status;
    }

    /** Tags an item's event for this run, adds the slot, and corrects what the shared process accounting mixes up. */
    private void deliver(Event e, String id, String client) {
        e.id(e.id() + "@" + runTag); // a re-run of the item is new events, not duplicates of the last run's
        switch (e.type()) {
            case Event.JOB_STARTED -> {
                e.put("client", client);
                var pid = e.toJson().path("attributes").path("pid");
                if (pid.canConvertToLong()) {
                    pids.put(id, pid.asLong());
                    ledger.started(id, pid.asLong());
                }
                if (cancelling) {
                    terminateRunning();
                }
            }
            case Event.JOB_FINISHED -> {
                e.put("client", client);
                var json = e.toJson();
                String status = json.path("status").asText();
                if (cancelling && !Statuses.SUCCESS.equals(status)) {
                    e.put("status", Statuses.CANCELLED);
                    e.put("error", "cancelled: the sweep was interrupted");
                }
                ledger.finished(id, e, json); // sends it once its CPU is its own
                return;
            }
            default -> {}
        }
        sink.send(e);
    }

    /** SIGTERM to each running item's process tree, SIGKILL once the kill grace has passed (or when forced). */
    private void terminateRunning() {
        long now = System.nanoTime();
        for (Map.Entry<String, Long> p : pids.entrySet()) {
            Long first = signalledAt.putIfAbsent(p.getKey(), now);
            boolean kill = forceKill
                    || (first != null && now - first >= settings.killGrace().toNanos());
            if (first != null && !kill) {
                continue;
            }
            ProcessHandle.of(p.getValue()).ifPresent(h -> {
                List<ProcessHandle> tree = new ArrayList<>();
                tree.add(h);
                h.descendants().forEach(tree::add);
                for (ProcessHandle ph : tree) {
                    if (kill) {
                        ph.destroyForcibly();
                    } else {
                        ph.destroy();
                    }
                }
            });
        }
    }

    private String app(List<String> cmd) {
        if (settings.app() != null) {
            return settings.app();
        }
        Path p = Path.of(cmd.get(0)).getFileName();
        return p == null ? cmd.get(0) : p.toString();
    }

    /**
     * What a command runs, as a job's {@code script}: its first argument that is not an option ({@code train.py}
     * of {@code python3 -u train.py}, the command text of {@code sh -c '…'}), else null.
     */
    public static String script(List<String> cmd) {
        for (String a : cmd.subList(Math.min(1, cmd.size()), cmd.size())) {
            if (!a.startsWith("-") && !a.isBlank()) {
                return a;
            }
        }
        return null;
    }

    /** The job id as one directory name (as {@code jobscope run} and {@code jobscope logs} use it). */
    static String safeDirName(String jobId) {
        String s = jobId.replaceAll("[/\\\\\u0000]", "_");
        return s.equals(".") || s.equals("..") ? "_" + s : s;
    }

    private static void join(Thread t, long millis) {
        try {
            t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
