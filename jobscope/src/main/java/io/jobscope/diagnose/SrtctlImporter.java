package io.jobscope.diagnose;

import io.jobscope.client.Event;
import io.jobscope.client.Statuses;
import io.jobscope.ingest.EventValidator;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.IngestEvent;
import io.jobscope.store.Database;
import io.jobscope.store.Rows;
import io.jobscope.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Stores an srtctl log directory as a job (app {@code srtctl}, id = the directory name) with its status,
 * the first failing worker's evidence as its stderr tail (so the usual diagnosis applies), and the
 * benchmark results per concurrency. Importing a directory again replaces what it said before.
 */
public final class SrtctlImporter {
    private static final String UPSERT_RESULT = "INSERT INTO benchmark_result (job_id, concurrency, completed,"
            + " failed, duration_s, input_tokens, output_tokens, request_throughput, output_throughput,"
            + " total_throughput, mean_ttft_ms, median_ttft_ms, p99_ttft_ms, mean_tpot_ms, median_tpot_ms,"
            + " p99_tpot_ms, mean_itl_ms, median_itl_ms, p99_itl_ms, mean_e2el_ms, median_e2el_ms, p99_e2el_ms)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

    private final Database db;
    private final EventWriter writer;
    private final RuleBook book;

    public SrtctlImporter(Database db, EventWriter writer, RuleBook book) {
        this.db = db;
        this.writer = writer;
        this.book = book;
    }

    /** Imports one directory; returns what was read from it. */
    public LogDirReport importDir(Path dir) throws IOException {
        LogDirReport r = LogDirReport.read(dir, book);
        String jobId = dir.toAbsolutePath().normalize().getFileName().toString();
        // The last timestamp in the logs; file times only when they have none (a copy may not keep them).
        Instant end = r.ended() != null ? r.ended() : lastModified(dir);
        Instant start = r.started() != null ? r.started() : end;
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("log_dir", dir.toAbsolutePath().normalize().toString());
        attributes.put("slurm_job_id", r.jobId());
        if (r.prefillWorkers() != null) {
            attributes.put("prefill_workers", r.prefillWorkers());
            attributes.put("decode_workers", r.decodeWorkers());
        }
        if (r.metadata() != null) {
            attributes.put("metadata", r.metadata());
        }
        // A run is successful only when its report says so: no failed worker and a good result per concurrency.
        String status = "success".equals(r.status()) ? Statuses.SUCCESS : Statuses.FAILED;
        Event started = Event.job(Event.JOB_STARTED, jobId, start)
                .id("srtctl:" + jobId + ":started")
                .put("app", "srtctl")
                .put("attributes", attributes);
        Event finished = Event.job(Event.JOB_FINISHED, jobId, end.isBefore(start) ? start : end)
                .id("srtctl:" + jobId + ":finished:" + Integer.toHexString((status + r.reason()).hashCode()))
                .put("status", status)
                .put("error", r.reason());
        if (r.firstFailure() != null) {
            finished.put("host", r.firstFailure().node());
            finished.put("stderr_tail", r.firstFailure().excerpt() + "\n");
        }
        writer.write(List.of(validated(started), validated(finished)));
        saveResults(jobId, r.results());
        return r;
    }

    private static IngestEvent validated(Event e) {
        try {
            return EventValidator.validate(io.jobscope.client.Json.mapper().readTree(e.toLine()), null);
        } catch (io.jobscope.ingest.InvalidEventException | com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException("srtctl import built an invalid event: " + ex.getMessage(), ex);
        }
    }

    private static Instant lastModified(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> {
                        try {
                            return Files.getLastModifiedTime(p).toInstant();
                        } catch (IOException e) {
                            return Instant.EPOCH;
                        }
                    })
                    .max(Instant::compareTo)
                    .orElse(Instant.now());
        }
    }

    private void saveResults(String jobId, List<BenchmarkResult> results) {
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement del = c.prepareStatement("DELETE FROM benchmark_result WHERE job_id = ?")) {
                    del.setString(1, jobId);
                    del.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(UPSERT_RESULT)) {
                    for (BenchmarkResult b : results) {
                        Object[] v = {
                            jobId,
                            b.concurrency(),
                            b.completed(),
                            b.failed(),
                            b.durationS(),
                            b.inputTokens(),
                            b.outputTokens(),
                            b.requestThroughput(),
                            b.outputThroughput(),
                            b.totalThroughput(),
                            b.meanTtftMs(),
                            b.medianTtftMs(),
                            b.p99TtftMs(),
                            b.meanTpotMs(),
                            b.medianTpotMs(),
                            b.p99TpotMs(),
                            b.meanItlMs(),
                            b.medianItlMs(),
                            b.p99ItlMs(),
                            b.meanE2elMs(),
                            b.medianE2elMs(),
                            b.p99E2elMs()
                        };
                        for (int i = 0; i < v.length; i++) {
                            Rows.set(ps, i + 1, v[i]);
                        }
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store the benchmark results of " + jobId + ": " + e.getMessage(), e);
        }
    }

    /** The stored results of an imported run, by concurrency. */
    public List<BenchmarkResult> results(String jobId) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT * FROM benchmark_result WHERE job_id = :id ORDER BY concurrency")
                        .bind("id", jobId)
                        .map((rs, ctx) -> new BenchmarkResult(
                                rs.getInt("concurrency"),
                                Rows.longOrNull(rs, "completed"),
                                Rows.longOrNull(rs, "failed"),
                                Rows.doubleOrNull(rs, "duration_s"),
                                Rows.longOrNull(rs, "input_tokens"),
                                Rows.longOrNull(rs, "output_tokens"),
                                Rows.doubleOrNull(rs, "request_throughput"),
                                Rows.doubleOrNull(rs, "output_throughput"),
                                Rows.doubleOrNull(rs, "total_throughput"),
                                Rows.doubleOrNull(rs, "mean_ttft_ms"),
                                Rows.doubleOrNull(rs, "median_ttft_ms"),
                                Rows.doubleOrNull(rs, "p99_ttft_ms"),
                                Rows.doubleOrNull(rs, "mean_tpot_ms"),
                                Rows.doubleOrNull(rs, "median_tpot_ms"),
                                Rows.doubleOrNull(rs, "p99_tpot_ms"),
                                Rows.doubleOrNull(rs, "mean_itl_ms"),
                                Rows.doubleOrNull(rs, "median_itl_ms"),
                                Rows.doubleOrNull(rs, "p99_itl_ms"),
                                Rows.doubleOrNull(rs, "mean_e2el_ms"),
                                Rows.doubleOrNull(rs, "median_e2el_ms"),
                                Rows.doubleOrNull(rs, "p99_e2el_ms")))
                        .list());
    }
}
