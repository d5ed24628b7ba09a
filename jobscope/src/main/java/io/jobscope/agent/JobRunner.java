package io.jobscope.agent;

import io.jobscope.client.Event;
import io.jobscope.client.Statuses;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one command as a monitored job: starts it with its output teed to the terminal and to log files,
 * samples the process tree, times phases, enforces the timeout, forwards SIGINT/SIGTERM, and at the end
 * takes the kernel's exact accounting of the reaped tree. Events go to a sink; the exit code is the
 * child's, so wrapping a command changes nothing for the script around it.
 */
public final class JobRunner {
    private static final long PUMP_GRACE_MILLIS = 2000;

    private final RunSpec spec;
    private final Consumer<Event> events;
    private final Consumer<String> warnings;
    private final OutputStream stdout;
    private final OutputStream stderr;
    private final Map<String, String> env;
    private final Clock clock = Clock.systemUTC();
    private final ProcTree tree = new ProcTree();
    private final boolean forwardSignals;

    private volatile Process process;
    private volatile boolean timedOut;
    private volatile boolean cancelled;
    private volatile LibC.Usage baseline;
    private final Set<Long> seenPids = ConcurrentHashMap.newKeySet();
    private final Map<Long, long[]> ioByPid = new ConcurrentHashMap<>();
    private volatile long sampledPeakRss;
    private volatile long jvmHwmAtSpawn;
    private volatile long helperCpuMicros;
    private int sampleCount;
    private long lastSampleNanos;
    private long lastSampleCpuMicros;

    /**
     * @param forwardSignals install SIGINT/SIGTERM handlers (the CLI); tests leave the JVM's own alone
     */
    public JobRunner(
            RunSpec spec,
            Consumer<Event> events,
            Consumer<String> warnings,
            OutputStream stdout,
            OutputStream stderr,
            Map<String, String> env,
            boolean forwardSignals) {
        this.spec = spec;
        this.events = events;
        this.warnings = warnings;
        this.stdout = stdout;
        this.stderr = stderr;
        this.env = env;
        this.forwardSignals = forwardSignals;
    }

    /** Runs the job to its end and returns how it went. */
    public RunOutcome run() {
        OutputStream outLog = openLog("stdout");
        OutputStream errLog = openLog("stderr");
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jobscope-sampler");
            t.setDaemon(true);
            return t;
        });
        PhaseTracker phases = new PhaseTracker(spec.jobId(), spec.phasePattern(), this::treeCpuMicros, events, clock);
        ControlServer control = null;
        try {
            control = ControlServer.start(m -> phases.mark(m.name(), m.state(), toolCpuMicros(m.pid())));
        } catch (IOException | RuntimeException e) {
            warnings.accept(
                    "no control socket for 'jobscope phase' (" + e.getMessage() + "); phase marker lines still work");
        }
        ProcessBuilder pb = new ProcessBuilder(spec.command())
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        if (spec.workDir() != null) {
            pb.directory(spec.workDir().toFile());
        }
        pb.environment().put("JOBSCOPE_JOB_ID", spec.jobId());
        pb.environment().put("JOBSCOPE_LOG_DIR", spec.logDir().toAbsolutePath().toString());
        if (control != null) {
            pb.environment().put("JOBSCOPE_CONTROL", control.socket().toString());
        }
        SignalForwarding signals = forwardSignals ? SignalForwarding.install(this::onSignal) : null;
        baseline = LibC.children();
        Instant start = clock.instant();
        long spawnNanos = System.nanoTime();
        long startNanos;
        try {
            process = pb.start();
            // start() returns once the command is exec'd: the job's clock starts here, not at the fork.
            startNanos = System.nanoTime();
            // The child's ru_maxrss starts at this JVM's high-water mark (it shared our memory until exec).
            jvmHwmAtSpawn = ProcTree.hwmBytes(Path.of("/proc/self/status"));
        } catch (IOException e) {
            if (signals != null) {
                signals.restore();
            }
            if (control != null) {
                control.close();
            }
            timer.shutdownNow();
            closeQuietly(outLog);
            closeQuietly(errLog);
            return couldNotStart(start, e);
        }
        lastSampleNanos = startNanos;
        timer.execute(() -> safely("report the start", () -> events.accept(startedEvent(start))));
        OutputPump out = new OutputPump(
                        "stdout", process.getInputStream(), stdout, outLog, spec.tailBytes(), phases::line, warnings)
                .start();
        OutputPump err = new OutputPump(
                        "stderr", process.getErrorStream(), stderr, errLog, spec.tailBytes(), phases::line, warnings)
                .start();
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        tasks.add(timer.scheduleWithFixedDelay(
                () -> safely("sample the job", () -> sample(start)),
                spec.firstSample().toMillis(),
                spec.sampleInterval().toMillis(),
                TimeUnit.MILLISECONDS));
        if (spec.timeout() != null) {
            tasks.add(timer.schedule(
                    () -> safely("enforce the timeout", this::onTimeout),
                    spec.timeout().toMillis(),
                    TimeUnit.MILLISECONDS));
        }
        int exit = waitFor(process);
        long endNanos = System.nanoTime();
        LibC.Usage end = LibC.children(); // the JDK reaped the child before waitFor returned
        tasks.forEach(t -> t.cancel(false));
        timer.shutdown();
        awaitQuietly(timer);
        if (signals != null) {
            signals.restore();
        }
        awaitPump(out);
        awaitPump(err);
        if (control != null) {
            control.close();
        }
        String status = timedOut
                ? Statuses.TIMEOUT
                : cancelled ? Statuses.CANCELLED : exit == 0 ? Statuses.SUCCESS : Statuses.FAILED;
        phases.finish(Statuses.SUCCESS.equals(status));

        long cpuUser = Math.max(0, end.userMicros() - baseline.userMicros());
        long cpuSys = Math.max(0, end.systemMicros() - baseline.systemMicros());
        long helper = helperCpuMicros;
        if (helper > 0) { // nvidia-smi ran as our child: its CPU is not the job's
            long fromSys = Math.min(cpuSys, helper / 2);
            cpuSys -= fromSys;
            cpuUser = Math.max(0, cpuUser - (helper - fromSys));
        }
        // ru_maxrss is a maximum over every child this JVM reaped, and a spawned child starts from this
        // JVM's own high-water mark: it is the job's exact peak only when the job went above both. A job that
        // stayed below and ended before the first sample has no measured peak: none is reported.
        long kernelPeak = end.maxRssBytes() > Math.max(baseline.maxRssBytes(), jvmHwmAtSpawn) ? end.maxRssBytes() : 0;
        long memPeak = Math.max(sampledPeakRss, kernelPeak);
        long read = Math.max(sumIo(0), end.readBytes() - baseline.readBytes());
        long write = Math.max(sumIo(1), end.writeBytes() - baseline.writeBytes());
        double wall = (endNanos - startNanos) / 1e9;
        Integer signal = Signals.fromExitCode(exit);
        String error = null;
        if (timedOut) {
            error = "timed out after " + spec.timeout().toSeconds() + " s";
        } else if (cancelled) {
            error = "cancelled by a signal to jobscope run";
        } else if (signal != null) {
            error = "killed by signal " + signal;
        }
        Instant endTime = start.plusNanos(endNanos - spawnNanos);
        Event finished = Event.job(Event.JOB_FINISHED, spec.jobId(), endTime)
                .id(spec.jobId() + ":finished")
                .put("status", status)
                .put("exit_code", exit)
                .put("signal", signal)
                .put("start_time", start.toString())
                .put("duration_s", PhaseTracker.round(wall))
                .put("cpu_user_s", cpuUser / 1e6)
                .put("cpu_system_s", cpuSys / 1e6)
                .put("mem_peak_bytes", memPeak > 0 ? memPeak : null) // unknown is not 0 MB
                .put("read_bytes", read)
                .put("write_bytes", write)
                .put("error", error)
                .put("stdout_tail", out.tail())
                .put("stderr_tail", err.tail());
        events.accept(finished);
        return new RunOutcome(
                spec.jobId(),
                status,
                exit,
                signal,
                wall,
                cpuUser / 1e6,
                cpuSys / 1e6,
                memPeak,
                read,
                write,
                sampleCount,
                error);
    }

    private RunOutcome couldNotStart(Instant start, IOException e) {
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        int code = msg.contains("error=2,") || msg.contains("No such file") ? 127 : 126;
        String reason = msg.replaceFirst("^Cannot run program \"[^\"]*\"(?: \\(in directory \"[^\"]*\"\\))?: ", "")
                .replaceFirst("^error=\\d+, ", "");
        String error = "cannot run '" + spec.command().get(0) + "': " + reason;
        events.accept(startedEvent(start));
        events.accept(Event.job(Event.JOB_FINISHED, spec.jobId(), clock.instant())
                .id(spec.jobId() + ":finished")
                .put("status", Statuses.ERROR)
                .put("exit_code", code)
                .put("error", error));
        return new RunOutcome(spec.jobId(), Statuses.ERROR, code, null, 0, 0, 0, 0, 0, 0, 0, error);
    }

    private Event startedEvent(Instant start) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        // What `jobscope rerun` needs to repeat the job: the command, where, and an allow-listed environment.
        attributes.put("command", spec.command());
        attributes.put("cwd", java.nio.file.Path.of("").toAbsolutePath().toString());
        attributes.put("env", RecordedEnvironment.of(env));
        attributes.put("log_dir", spec.logDir().toAbsolutePath().toString());
        attributes.put("wrapper", "jobscope run");
        Process p = process;
        if (p != null) {
            attributes.put("pid", p.pid());
        }
        attributes.putAll(helper(() -> HostInfo.attributes(env)));
        return Event.job(Event.JOB_STARTED, spec.jobId(), start)
                .id(spec.jobId() + ":started")
                .put("workflow", spec.workflow())
                .put("app", spec.app())
                .put("script", spec.script())
                .put("params", spec.params().isEmpty() ? null : spec.params())
                .put("host", HostInfo.hostname())
                .put("site", HostInfo.site(spec.site(), env))
                .put("attributes", attributes);
    }

    /** Runs something that may start helper processes (nvidia-smi) and keeps their CPU out of the job's. */
    private <T> T helper(java.util.function.Supplier<T> body) {
        if (!HostInfo.Gpus.present()) {
            return body.get();
        }
        Process p = process;
        boolean aliveBefore = p != null && p.isAlive();
        LibC.Usage before = LibC.children();
        T result = body.get();
        LibC.Usage after = LibC.children();
        if (aliveBefore && p.isAlive()) { // the job's child was not reaped meanwhile: the delta is the helper's
            helperCpuMicros += Math.max(0, after.cpuMicros() - before.cpuMicros());
        }
        return result;
    }

    /** The CPU of the whole tree so far: live members (with what they reaped) plus what we reaped. */
    long treeCpuMicros() {
        Process p = process;
        long live = 0;
        long reaped = LibC.children().cpuMicros();
        for (int attempt = 0; attempt < 3; attempt++) {
            live = 0;
            if (p != null && p.isAlive()) {
                live = tree.snapshot(p.pid()).cpuTicks() * (1_000_000 / LibC.ticksPerSecond());
            }
            long after = LibC.children().cpuMicros();
            if (after == reaped) {
                break; // nothing was reaped while the tree was read: the two parts add up
            }
            reaped = after; // the job's process was reaped meanwhile: read again
        }
        return live + Math.max(0, reaped - baseline.cpuMicros() - helperCpuMicros);
    }

    /** CPU a reporting tool (a {@code jobscope phase} process of the tree) has used so far. */
    private static long toolCpuMicros(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String[] f = ProcTree.statFields(Files.readString(Path.of("/proc/" + pid + "/stat")));
            return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * (1_000_000 / LibC.ticksPerSecond());
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void sample(Instant start) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        ProcTree.Snapshot s = tree.snapshot(p.pid());
        seenPids.addAll(s.pids());
        long now = System.nanoTime();
        long cpu = s.cpuTicks() * (1_000_000 / LibC.ticksPerSecond())
                + Math.max(0, LibC.children().cpuMicros() - baseline.cpuMicros() - helperCpuMicros);
        double cpuPercent = now > lastSampleNanos
                ? Math.max(0, (cpu - lastSampleCpuMicros) * 1000.0 / (now - lastSampleNanos) * 100)
                : 0;
        lastSampleNanos = now;
        lastSampleCpuMicros = cpu;
        sampledPeakRss = Math.max(sampledPeakRss, Math.max(s.rssBytes(), s.maxHwmBytes()));
        trackIo(s);
        sampleCount++;
        Event e = Event.job(Event.JOB_SAMPLE, spec.jobId(), clock.instant())
                .id(spec.jobId() + ":sample:" + sampleCount)
                .put("cpu_percent", Math.round(cpuPercent * 10) / 10.0)
                .put("rss_bytes", s.rssBytes())
                .put("threads", s.threads())
                .put("processes", s.processes())
                .put("read_bytes", sumIo(0))
                .put("write_bytes", sumIo(1))
                .put("cpu_s", cpu / 1e6);
        if (HostInfo.Gpus.present()) {
            List<Map<String, Object>> gpus = helper(HostInfo.Gpus::usage);
            if (!gpus.isEmpty()) {
                e.put("gpus", gpus);
            }
        }
        events.accept(e);
    }

    private void trackIo(ProcTree.Snapshot s) {
        // Per process, so that I/O of members that have exited since stays counted.
        s.ioByPid()
                .forEach((pid, io) ->
                        ioByPid.merge(pid, io, (a, b) -> new long[] {Math.max(a[0], b[0]), Math.max(a[1], b[1])}));
    }

    private long sumIo(int i) {
        long sum = 0;
        for (long[] v : ioByPid.values()) {
            sum += v[i];
        }
        return sum;
    }

    private void onTimeout() {
        if (process == null || !process.isAlive()) {
            return;
        }
        timedOut = true;
        warnings.accept("job " + spec.jobId() + " timed out after "
                + spec.timeout().toSeconds() + " s: sending SIGTERM to its processes, SIGKILL in "
                + spec.killGrace().toSeconds() + " s");
        terminate(Signals.SIGTERM);
    }

    private void onSignal(int signal) {
        if (process == null || !process.isAlive() || timedOut) {
            return;
        }
        cancelled = true;
        terminate(signal);
    }

    /** Sends {@code signal} to every process of the tree now, and SIGKILL to what is left after the grace. */
    private void terminate(int signal) {
        signalTree(signal);
        Thread killer = new Thread(
                () -> {
                    try {
                        if (!process.waitFor(spec.killGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                            warnings.accept("job " + spec.jobId() + " still running after the grace: SIGKILL");
                            signalTree(Signals.SIGKILL);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "jobscope-killer");
        killer.setDaemon(true);
        killer.start();
    }

    private void signalTree(int signal) {
        Process p = process;
        if (p == null) {
            return;
        }
        Set<Long> pids = new LinkedHashSet<>(tree.pids(p.pid()));
        pids.add(p.pid());
        for (long pid : pids) {
            LibC.kill(pid, signal);
        }
    }

    private OutputStream openLog(String stream) {
        try {
            Files.createDirectories(spec.logDir());
            return new FileOutputStream(spec.logDir().resolve(stream).toFile());
        } catch (IOException | RuntimeException e) {
            warnings.accept("cannot write the " + stream + " log in " + spec.logDir() + ": " + e.getMessage());
            return null;
        }
    }

    private void awaitPump(OutputPump pump) {
        try {
            if (!pump.await(PUMP_GRACE_MILLIS)) {
                warnings.accept("a process of job " + spec.jobId()
                        + " still holds its output open after it ended; no longer reading it");
                pump.abandon();
                pump.await(PUMP_GRACE_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int waitFor(Process p) {
        while (true) {
            try {
                return p.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the job decides when we are done
            }
        }
    }

    private void safely(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) { // a periodic task that throws is never run again
            warnings.accept("could not " + what + ": " + e);
        }
    }

    private static void awaitQuietly(ScheduledExecutorService s) {
        try {
            s.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(OutputStream s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing was written
            }
        }
    }
}
