package io.jobscope.diagnose;

import io.jobscope.client.Event;
import io.jobscope.client.Job;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Re-runs a wrapped job from what the wrapper recorded in its attributes — {@code command} (a list),
 * {@code cwd}, {@code env} (an allow-listed map) — optionally with the debug overlay of its app's rule
 * pack and extra variables, as a new job {@code <id>.rerunN} linked to the original by {@code rerun_of}.
 */
public final class Rerun {
    /** Names never recorded (their values are secrets), whatever the caller passes. */
    private static final int TAIL_BYTES = 64 << 10;

    /** What a re-run will execute. */
    public record Plan(
            String originalId,
            String newId,
            int attempt,
            List<String> command,
            Path cwd,
            Map<String, String> env,
            boolean debug,
            String overlaySource,
            Job original) {}

    private Rerun() {}

    /** Plans a re-run of {@code job}; {@code exists} tells which job ids are taken. */
    public static Plan plan(
            Job job,
            boolean debug,
            Map<String, String> extraEnv,
            RuleBook book,
            java.util.function.Predicate<String> exists) {
        Map<String, Object> attrs = job.details() == null || job.details().attributes() == null
                ? Map.of()
                : job.details().attributes();
        if (!(attrs.get("command") instanceof List<?> cmd) || cmd.isEmpty()) {
            throw new IllegalArgumentException(
                    "job '" + job.id()
                            + "' has no recorded command (attributes.command): only jobs started with 'jobscope run' can be re-run");
        }
        List<String> command = new ArrayList<>();
        cmd.forEach(x -> command.add(String.valueOf(x)));
        Path cwd = attrs.get("cwd") instanceof String s ? Path.of(s) : Path.of(".");
        Map<String, String> env = new LinkedHashMap<>();
        if (attrs.get("env") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
        }
        String overlay = null;
        if (debug) {
            var pack = book.debugPackFor(job.app(), job.workflow());
            if (pack.isPresent()) {
                env.putAll(pack.get().debugEnv());
                command.addAll(pack.get().debugArgs());
                overlay = pack.get().source();
            }
        }
        env.putAll(extraEnv);
        String base = job.id();
        Object root = attrs.get("rerun_of");
        if (root instanceof String r && !r.isBlank()) {
            base = r; // attempts of attempts stay numbered from the first job
        }
        int attempt = 1;
        while (exists.test(base + ".rerun" + attempt)) {
            attempt++;
        }
        return new Plan(job.id(), base + ".rerun" + attempt, attempt, command, cwd, env, debug, overlay, job);
    }

    /** The part of {@code env} that may be stored: allow-listed names that do not look like secrets. */
    public static Map<String, String> recordable(Map<String, String> env) {
        return io.jobscope.agent.RecordedEnvironment.of(env);
    }

    /**
     * Runs the plan, passing the child's output through to {@code out}/{@code err}, and reports the new
     * attempt's started and finished events to {@code report}; returns the exit code.
     */
    public static int run(Plan p, OutputStream out, OutputStream err, Consumer<List<Event>> report)
            throws IOException, InterruptedException {
        if (!Files.isDirectory(p.cwd())) {
            throw new IllegalArgumentException("the recorded working directory " + p.cwd() + " does not exist here");
        }
        Job o = p.original();
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("command", p.command());
        attributes.put("cwd", p.cwd().toAbsolutePath().toString());
        attributes.put("env", recordable(p.env()));
        attributes.put("rerun_of", p.newId().substring(0, p.newId().lastIndexOf(".rerun")));
        attributes.put("previous_attempt", p.originalId());
        attributes.put("attempt", p.attempt());
        attributes.put("debug", p.debug());
        String host = InetAddress.getLocalHost().getHostName();
        Instant start = Instant.now();
        report.accept(List.of(Event.job(Event.JOB_STARTED, p.newId(), start)
                .put("app", o.app())
                .put("workflow", o.workflow())
                .put("script", o.script())
                .put("host", host)
                .put("attributes", attributes)));
        ProcessBuilder pb = new ProcessBuilder(p.command()).directory(p.cwd().toFile());
        pb.environment().putAll(p.env());
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        Process proc;
        try {
            proc = pb.start();
        } catch (IOException e) {
            report.accept(List.of(Event.job(Event.JOB_FINISHED, p.newId(), Instant.now())
                    .put("exit_code", 127)
                    .put("error", "cannot start " + p.command().get(0) + ": " + e.getMessage())));
            throw new IllegalArgumentException("cannot start " + p.command().get(0) + ": " + e.getMessage());
        }
        Tail outTail = new Tail(proc.getInputStream(), out);
        Tail errTail = new Tail(proc.getErrorStream(), err);
        outTail.start();
        errTail.start();
        int code = proc.waitFor();
        outTail.join();
        errTail.join();
        report.accept(List.of(Event.job(Event.JOB_FINISHED, p.newId(), Instant.now())
                .put("start_time", start.toString())
                .put("exit_code", code)
                .put("stdout_tail", outTail.text())
                .put("stderr_tail", errTail.text())));
        return code;
    }

    /** Copies a child's stream through, keeping its last {@value #TAIL_BYTES} bytes. */
    private static final class Tail extends Thread {
        private final InputStream in;
        private final OutputStream through;
        private final byte[] ring = new byte[TAIL_BYTES];
        private long total;

        Tail(InputStream in, OutputStream through) {
            this.in = in;
            this.through = through;
            setDaemon(true);
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    through.write(buf, 0, n);
                    through.flush();
                    for (int i = 0; i < n; i++) {
                        ring[(int) (total++ % TAIL_BYTES)] = buf[i];
                    }
                }
            } catch (IOException ignored) {
                // the child closed its stream
            }
        }

        String text() {
            int len = (int) Math.min(total, TAIL_BYTES);
            ByteArrayOutputStream b = new ByteArrayOutputStream(len);
            long from = total - len;
            for (long i = from; i < total; i++) {
                b.write(ring[(int) (i % TAIL_BYTES)]);
            }
            return b.toString(StandardCharsets.UTF_8);
        }
    }
}
