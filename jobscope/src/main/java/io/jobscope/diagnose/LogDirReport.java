package io.jobscope.diagnose;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.jobscope.client.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A multi-node job's log directory (srtctl layout, {@code logs/{job}_{P}P_{D}D_{timestamp}/}): every
 * worker's .out/.err scanned with the rule packs, the worker that failed first (by the time of its first
 * error), whether health checks kept passing after it (the silent kind), and the benchmark results.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LogDirReport(
        String dir,
        String jobId,
        Integer prefillWorkers,
        Integer decodeWorkers,
        Instant started,
        Instant ended,
        Map<String, Object> metadata,
        String status,
        String reason,
        WorkerFailure firstFailure,
        String silentNote,
        List<WorkerFailure> failures,
        int workerFiles,
        List<BenchmarkResult> results) {

    /** The default share of failed requests above which a benchmark run counts as failed. */
    public static final double MAX_FAILED_RATIO = 0.05;

    private static final Pattern DIR_NAME = Pattern.compile("^(\\d+)_(\\d+)P_(\\d+)D_(\\d{8}_\\d{6})$");
    private static final Pattern WORKER = Pattern.compile(
            "^(?<node>.+?)_(?<role>prefill|decode|frontend|nginx|agg|worker)(?:_w?(?<idx>\\d+))?\\.(?<ext>out|err)$");
    private static final Pattern TIME =
            Pattern.compile("(\\d{4}-\\d{2}-\\d{2})[ T](\\d{2}:\\d{2}:\\d{2})(?:[.,](\\d{1,9}))?");
    /** The run's own logs besides the workers', read only for their timestamps. */
    private static final java.util.Set<String> ORCHESTRATION =
            java.util.Set.of("log.out", "log.err", "benchmark.out", "benchmark.err");

    private static final Pattern HEALTH_OK = Pattern.compile(
            "(?i)(GET|HEAD) /health\\S* HTTP/[0-9.]+\"? 200|health check (passed|ok)|/health\\S*.* 200 OK");

    /** A worker whose log shows an error: who, when, and the evidence. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WorkerFailure(
            String file,
            String node,
            String role,
            Integer index,
            Instant time,
            long lineNo,
            String category,
            String rule,
            String signature,
            String excerpt,
            long healthChecksAfter) {

        String who() {
            return role + (index == null ? "" : " worker " + index) + " on " + node;
        }
    }

    /** Reads {@code dir} with the given rules. */
    public static LogDirReport read(Path dir, RuleBook book) throws IOException {
        return read(dir, book, MAX_FAILED_RATIO);
    }

    public static LogDirReport read(Path dir, RuleBook book, double maxFailedRatio) throws IOException {
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        Matcher dm = DIR_NAME.matcher(name);
        String jobId = dm.matches() ? dm.group(1) : name;
        Integer prefill = dm.matches() ? Integer.valueOf(dm.group(2)) : null;
        Integer decode = dm.matches() ? Integer.valueOf(dm.group(3)) : null;
        Instant started = dm.matches()
                ? LocalDateTime.parse(dm.group(4), DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"))
                        .toInstant(ZoneOffset.UTC)
                : null;
        CompiledRules rules = book.rulesFor(null, null);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<WorkerFailure> failures = new ArrayList<>();
        List<long[]> healthTimes = new ArrayList<>();
        int workerFiles = 0;
        Instant ended = null;
        for (Path f : files) {
            Matcher m = WORKER.matcher(f.getFileName().toString());
            if (!m.matches()) {
                if (ORCHESTRATION.contains(f.getFileName().toString())) {
                    ended = later(ended, lastTime(f));
                }
                continue;
            }
            workerFiles++;
            LogSource src = LogSource.of(m.group("ext").equals("err") ? "stderr" : "stdout", f);
            LogScan scan = new LogScan(rules, null);
            scan.scan(src);
            Hit hit = scan.best;
            long errorLine = hit == null ? Long.MAX_VALUE : hit.lineNo();
            FileFacts facts = facts(f, errorLine, healthTimes);
            ended = later(ended, facts.lastTime);
            if (hit != null) {
                Diagnosis d = Classifier.fromHit(hit);
                failures.add(new WorkerFailure(
                        f.getFileName().toString(),
                        m.group("node"),
                        m.group("role"),
                        m.group("idx") == null ? null : Integer.valueOf(m.group("idx")),
                        facts.errorTime,
                        hit.lineNo(),
                        d.category().label(),
                        d.rule(),
                        d.signature(),
                        d.excerpt(),
                        facts.healthAfter));
            }
        }
        failures.sort(Comparator.comparing(WorkerFailure::time, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(WorkerFailure::file));
        WorkerFailure first = failures.isEmpty() ? null : failures.get(0);
        String silent = null;
        if (first != null) {
            long after = first.healthChecksAfter();
            Instant lastOk = null;
            if (first.time() != null) {
                for (long[] t : healthTimes) {
                    if (t[0] > first.time().toEpochMilli()) {
                        lastOk = lastOk == null || t[0] > lastOk.toEpochMilli() ? Instant.ofEpochMilli(t[0]) : lastOk;
                        if (t[1] == 0) {
                            after++; // a health check in another file, after the failure
                        }
                    }
                }
            }
            if (after > 0) {
                silent = "health checks kept passing after the failure: " + after + " passed"
                        + (lastOk == null ? "" : ", the last at " + lastOk)
                        + "; the job looked alive while " + first.who() + " was dead";
            }
        }
        Path bench = dir.resolve("benchmark.out");
        List<Path> resultFiles = BenchmarkJson.files(dir);
        if (workerFiles == 0 && !Files.isRegularFile(bench) && resultFiles.isEmpty()) {
            throw new IllegalArgumentException(noLogs(dir));
        }
        List<BenchmarkResult> results = results(bench, resultFiles);
        String reason = null;
        if (first != null) {
            reason = first.who() + " failed first" + (first.time() == null ? "" : " at " + first.time()) + ": "
                    + first.signature();
        } else if (results.isEmpty()) {
            reason = Files.isRegularFile(bench)
                    ? "benchmark.out has no results"
                    : "no benchmark result: there is no benchmark.out (the benchmark did not run, or has not finished)";
        } else {
            for (BenchmarkResult r : results) {
                String why = r.failure(maxFailedRatio);
                if (why != null) {
                    reason = why;
                    break;
                }
            }
        }
        return new LogDirReport(
                dir.toString(),
                jobId,
                prefill,
                decode,
                started,
                ended,
                metadata(dir, jobId),
                reason == null ? "success" : "failed",
                reason,
                first,
                silent,
                failures,
                workerFiles,
                results);
    }

    /**
     * Refuses a directory that holds no srtctl logs (no worker log, no benchmark.out, no per-concurrency
     * result file), so that a wrong path is not read or imported as a run.
     */
    public static void requireLogs(Path dir) throws IOException {
        boolean any;
        try (Stream<Path> s = Files.list(dir)) {
            any = s.anyMatch(f -> Files.isRegularFile(f)
                    && (WORKER.matcher(f.getFileName().toString()).matches()
                            || f.getFileName().toString().equals("benchmark.out")));
        }
        if (!any && BenchmarkJson.files(dir).isEmpty()) {
            throw new IllegalArgumentException(noLogs(dir));
        }
    }

    private static String noLogs(Path dir) {
        return "no srtctl logs found in " + dir + " (no {node}_{role}_w{n}.out/.err, benchmark.out or"
                + " *_concurrency_{n}.json): expecting a run's directory, logs/{job}_{P}P_{D}D_{time}/";
    }

    /** benchmark.out's results, and those of the result files for the concurrencies it has none for. */
    private static List<BenchmarkResult> results(Path bench, List<Path> resultFiles) throws IOException {
        List<BenchmarkResult> fromOut = Files.isRegularFile(bench) ? BenchmarkOut.parse(bench) : List.of();
        if (resultFiles.isEmpty()) {
            return fromOut;
        }
        java.util.Set<Integer> known = new java.util.HashSet<>();
        fromOut.forEach(r -> known.add(r.concurrency()));
        List<BenchmarkResult> all = new ArrayList<>(fromOut);
        all.addAll(BenchmarkJson.parse(resultFiles, known));
        all.sort(Comparator.comparingInt(BenchmarkResult::concurrency));
        return all;
    }

    private record FileFacts(Instant errorTime, long healthAfter, Instant lastTime) {}

    private static Instant later(Instant a, Instant b) {
        return a == null || b != null && b.isAfter(a) ? b : a;
    }

    /** The latest timestamp in {@code f}, or null when it has none. */
    private static Instant lastTime(Path f) {
        Instant last = null;
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher t = TIME.matcher(line);
                if (t.find()) {
                    last = later(last, parse(t));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return last;
    }

    /**
     * One pass over a worker file for what the scanner does not give: the time of the error line (its own
     * timestamp, else the nearest earlier one), the health checks passed after it, and the times of all
     * passed health checks (recorded in {@code healthTimes} as {time, 1 if in this file after the error}).
     */
    private static FileFacts facts(Path f, long errorLine, List<long[]> healthTimes) {
        Instant lastTime = null;
        Instant latest = null;
        Instant errorTime = null;
        long healthAfter = 0;
        long lineNo = 0;
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.ISO_8859_1)) {
            String line;
            while ((line = r.readLine()) != null) {
                lineNo++;
                Matcher t = TIME.matcher(line);
                if (t.find()) {
                    lastTime = parse(t);
                    latest = later(latest, lastTime);
                }
                if (lineNo == errorLine) {
                    errorTime = lastTime;
                }
                if ((line.contains("health") || line.contains("Health"))
                        && HEALTH_OK.matcher(line).find()) {
                    boolean afterError = lineNo > errorLine;
                    if (afterError) {
                        healthAfter++;
                    }
                    if (lastTime != null) {
                        healthTimes.add(new long[] {lastTime.toEpochMilli(), afterError ? 1 : 0});
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return new FileFacts(errorTime, healthAfter, latest);
    }

    private static Instant parse(Matcher t) {
        try {
            Instant i = LocalDateTime.parse(t.group(1) + "T" + t.group(2)).toInstant(ZoneOffset.UTC);
            if (t.group(3) != null) {
                String frac = (t.group(3) + "000000000").substring(0, 9);
                i = i.plusNanos(Long.parseLong(frac));
            }
            return i;
        } catch (RuntimeException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Path dir, String jobId) {
        Path meta = dir.resolve(jobId + ".json");
        if (!Files.isRegularFile(meta)) {
            return null;
        }
        try {
            return Json.mapper().readValue(meta.toFile(), Map.class);
        } catch (IOException e) {
            return Map.of("error", "unreadable " + meta.getFileName() + ": " + e.getMessage());
        }
    }

    /** The human report. */
    public void print(PrintWriter out) {
        out.printf(
                "Log directory %s: job %s%s, %d worker log(s)%n",
                dir,
                jobId,
                prefillWorkers == null ? "" : " (" + prefillWorkers + " prefill, " + decodeWorkers + " decode)",
                workerFiles);
        out.printf("Status: %s%s%n", status.toUpperCase(Locale.ROOT), reason == null ? "" : " — " + reason);
        if (firstFailure != null) {
            WorkerFailure f = firstFailure;
            out.println();
            out.printf("First failure: %s%n", f.who());
            out.printf("  file:      %s, line %d%n", f.file(), f.lineNo());
            out.printf("  time:      %s%n", f.time() == null ? "-" : f.time().toString());
            out.printf("  category:  %s (%s)%n", f.category(), f.rule());
            out.printf("  signature: %s%n", f.signature());
            f.excerpt().lines().limit(8).forEach(l -> out.println("    | " + l));
            if (silentNote != null) {
                out.printf("  SILENT:    %s%n", silentNote);
            }
            if (failures.size() > 1) {
                out.println();
                out.println("Later errors (likely consequences):");
                for (WorkerFailure w : failures.subList(1, failures.size())) {
                    out.printf(
                            "  %-24s %-40s %s%n",
                            w.time() == null ? "-" : w.time().toString(), w.file() + ":" + w.lineNo(), w.signature());
                }
            }
        }
        if (!results.isEmpty()) {
            out.println();
            CompareTable.print(out, List.of(jobId), List.of(results));
        }
    }
}
