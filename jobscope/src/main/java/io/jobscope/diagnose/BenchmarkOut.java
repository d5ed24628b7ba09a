package io.jobscope.diagnose;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a serving benchmark's stdout (srtctl's benchmark.out): each "Serving Benchmark Result" block
 * becomes the result of the concurrency announced before it (or inside it); a concurrency run twice keeps
 * its last result.
 */
public final class BenchmarkOut {
    private static final Pattern CONCURRENCY = Pattern.compile("(?i)concurrency[^0-9\\n]{0,12}(\\d+)");
    private static final Pattern VALUE = Pattern.compile("^\\s*([^:]+?)\\s*:\\s+(-?[0-9][0-9.,eE+-]*)\\s*$");

    private BenchmarkOut() {}

    /** The results by concurrency (ascending); an empty list when the file has no result block. */
    public static List<BenchmarkResult> parse(Path file) throws IOException {
        Map<Integer, BenchmarkResult> byConcurrency = new TreeMap<>();
        Integer announced = null;
        Map<String, Double> block = null;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains("Serving Benchmark Result")) {
                    block = new HashMap<>();
                    continue;
                }
                if (block != null) {
                    if (line.startsWith("=====")) {
                        Integer c = block.containsKey("maximum request concurrency")
                                ? (Integer)
                                        block.get("maximum request concurrency").intValue()
                                : announced;
                        byConcurrency.put(c == null ? 0 : c, result(c == null ? 0 : c, block));
                        block = null;
                        continue;
                    }
                    Matcher m = VALUE.matcher(line);
                    if (m.matches()) {
                        try {
                            block.put(
                                    m.group(1).toLowerCase(Locale.ROOT).trim(),
                                    Double.parseDouble(m.group(2).replace(",", "")));
                        } catch (NumberFormatException ignored) {
                            // not a number after all: not a metric line
                        }
                    }
                    continue;
                }
                Matcher c = CONCURRENCY.matcher(line);
                if (c.find()) {
                    announced = Integer.parseInt(c.group(1));
                }
            }
        }
        return new ArrayList<>(byConcurrency.values());
    }

    private static BenchmarkResult result(int concurrency, Map<String, Double> b) {
        return new BenchmarkResult(
                concurrency,
                asLong(b.get("successful requests")),
                asLong(first(b, "failed requests")),
                first(b, "benchmark duration (s)"),
                asLong(first(b, "total input tokens")),
                asLong(first(b, "total generated tokens", "total output tokens")),
                first(b, "request throughput (req/s)"),
                first(b, "output token throughput (tok/s)"),
                first(b, "total token throughput (tok/s)", "total token throughput"),
                first(b, "mean ttft (ms)"),
                first(b, "median ttft (ms)"),
                first(b, "p99 ttft (ms)"),
                first(b, "mean tpot (ms)"),
                first(b, "median tpot (ms)"),
                first(b, "p99 tpot (ms)"),
                first(b, "mean itl (ms)"),
                first(b, "median itl (ms)"),
                first(b, "p99 itl (ms)"),
                first(b, "mean e2el (ms)"),
                first(b, "median e2el (ms)"),
                first(b, "p99 e2el (ms)"));
    }

    private static Double first(Map<String, Double> b, String... keys) {
        for (String k : keys) {
            if (b.containsKey(k)) {
                return b.get(k);
            }
        }
        return null;
    }

    private static Long asLong(Double d) {
        return d == null ? null : Math.round(d);
    }
}
