package io.jobscope.diagnose;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobscope.client.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The per-concurrency result files the benchmark writes beside benchmark.out (in the run directory or one
 * level down, e.g. {@code sa-bench_isl_1024_osl_1024/isl_1024_osl_1024_concurrency_128_req_rate_inf.json} or
 * {@code sa-bench_concurrency_64.json}), read for the concurrencies benchmark.out has no result for.
 */
final class BenchmarkJson {
    private static final Pattern NAME = Pattern.compile("(?:^|_)concurrency_(\\d+)(?:_[^/]*)?\\.json$");

    private BenchmarkJson() {}

    /** The result files of {@code dir} and of its immediate subdirectories, sorted by path. */
    static List<Path> files(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (Files.isDirectory(p)) {
                    try (Stream<Path> inner = Files.list(p)) {
                        inner.filter(BenchmarkJson::isResultFile).forEach(found::add);
                    }
                } else if (isResultFile(p)) {
                    found.add(p);
                }
            }
        }
        found.sort(null);
        return found;
    }

    private static boolean isResultFile(Path p) {
        return NAME.matcher(p.getFileName().toString()).find() && Files.isRegularFile(p);
    }

    /**
     * The results of {@code files} by concurrency (ascending), leaving out the concurrencies in
     * {@code known}; a file that is not a JSON object (a benchmark killed while writing it) gives no result.
     */
    static List<BenchmarkResult> parse(List<Path> files, java.util.Set<Integer> known) {
        Map<Integer, BenchmarkResult> byConcurrency = new TreeMap<>();
        for (Path f : files) {
            Matcher m = NAME.matcher(f.getFileName().toString());
            if (!m.find() || known.contains(Integer.valueOf(m.group(1)))) {
                continue;
            }
            JsonNode n;
            try {
                n = Json.mapper().readTree(f.toFile());
            } catch (IOException e) {
                continue;
            }
            if (n == null || !n.isObject()) {
                continue;
            }
            int concurrency = n.path("max_concurrency").canConvertToInt()
                    ? n.get("max_concurrency").asInt()
                    : Integer.parseInt(m.group(1));
            if (!known.contains(concurrency)) {
                byConcurrency.put(concurrency, result(concurrency, n));
            }
        }
        return new ArrayList<>(byConcurrency.values());
    }

    private static BenchmarkResult result(int concurrency, JsonNode n) {
        return new BenchmarkResult(
                concurrency,
                asLong(n, "completed"),
                asLong(n, "failed"),
                asDouble(n, "duration"),
                asLong(n, "total_input_tokens"),
                asLong(n, "total_output_tokens"),
                asDouble(n, "request_throughput"),
                asDouble(n, "output_throughput"),
                asDouble(n, "total_token_throughput"),
                asDouble(n, "mean_ttft_ms"),
                asDouble(n, "median_ttft_ms"),
                asDouble(n, "p99_ttft_ms"),
                asDouble(n, "mean_tpot_ms"),
                asDouble(n, "median_tpot_ms"),
                asDouble(n, "p99_tpot_ms"),
                asDouble(n, "mean_itl_ms"),
                asDouble(n, "median_itl_ms"),
                asDouble(n, "p99_itl_ms"),
                asDouble(n, "mean_e2el_ms"),
                asDouble(n, "median_e2el_ms"),
                asDouble(n, "p99_e2el_ms"));
    }

    private static Double asDouble(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }

    private static Long asLong(JsonNode n, String key) {
        Double d = asDouble(n, key);
        return d == null ? null : Math.round(d);
    }
}
