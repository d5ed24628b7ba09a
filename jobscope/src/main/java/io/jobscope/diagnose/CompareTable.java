package io.jobscope.diagnose;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.function.Function;

/** Benchmark results of several runs side by side, one table per concurrency. */
public final class CompareTable {
    private record Metric(String label, Function<BenchmarkResult, Number> get) {}

    private static final List<Metric> METRICS = List.of(
            new Metric("completed requests", BenchmarkResult::completed),
            new Metric("failed requests", BenchmarkResult::failed),
            new Metric("request throughput (req/s)", BenchmarkResult::requestThroughput),
            new Metric("output throughput (tok/s)", BenchmarkResult::outputThroughput),
            new Metric("total throughput (tok/s)", BenchmarkResult::totalThroughput),
            new Metric("TTFT mean (ms)", BenchmarkResult::meanTtftMs),
            new Metric("TTFT median (ms)", BenchmarkResult::medianTtftMs),
            new Metric("TTFT p99 (ms)", BenchmarkResult::p99TtftMs),
            new Metric("TPOT mean (ms)", BenchmarkResult::meanTpotMs),
            new Metric("TPOT median (ms)", BenchmarkResult::medianTpotMs),
            new Metric("TPOT p99 (ms)", BenchmarkResult::p99TpotMs),
            new Metric("ITL mean (ms)", BenchmarkResult::meanItlMs),
            new Metric("ITL median (ms)", BenchmarkResult::medianItlMs),
            new Metric("ITL p99 (ms)", BenchmarkResult::p99ItlMs),
            new Metric("E2EL mean (ms)", BenchmarkResult::meanE2elMs),
            new Metric("E2EL median (ms)", BenchmarkResult::medianE2elMs),
            new Metric("E2EL p99 (ms)", BenchmarkResult::p99E2elMs));

    private CompareTable() {}

    public static void print(PrintWriter out, List<String> names, List<List<BenchmarkResult>> runs) {
        TreeSet<Integer> concurrencies = new TreeSet<>();
        runs.forEach(r -> r.forEach(x -> concurrencies.add(x.concurrency())));
        int width = 14;
        for (String n : names) {
            width = Math.max(width, n.length() + 2);
        }
        for (int c : concurrencies) {
            out.printf("%-28s", "concurrency " + c);
            for (String n : names) {
                out.printf("%" + width + "s", n);
            }
            out.println();
            for (Metric m : METRICS) {
                boolean any = false;
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-26s", m.label()));
                for (List<BenchmarkResult> run : runs) {
                    Number v = run.stream()
                            .filter(x -> x.concurrency() == c)
                            .findFirst()
                            .map(m.get())
                            .orElse(null);
                    any |= v != null;
                    row.append(String.format(Locale.ROOT, "%" + width + "s", format(v)));
                }
                if (any) {
                    out.println(row);
                }
            }
            out.println();
        }
    }

    private static String format(Number v) {
        if (v == null) {
            return "-";
        }
        if (v instanceof Long || v instanceof Integer) {
            return v.toString();
        }
        return String.format(Locale.ROOT, "%.2f", v.doubleValue());
    }
}
