package io.jobscope.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** What every benchmark prints about the machine, and table printing. */
final class BenchSupport {
    private BenchSupport() {}

    static String machine() {
        String cpu = "unknown CPU";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        long mem = Runtime.getRuntime().maxMemory() >> 20;
        return String.format(
                Locale.ROOT,
                "%d cores, %s, Java %s, max heap %d MB",
                Runtime.getRuntime().availableProcessors(),
                cpu,
                System.getProperty("java.version"),
                mem);
    }

    static void table(String title, List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        System.out.println();
        System.out.println(title);
        System.out.println("machine: " + machine());
        for (int k = 0; k < rows.size(); k++) {
            StringBuilder sb = new StringBuilder("| ");
            for (int i = 0; i < cols; i++) {
                sb.append(String.format("%-" + w[i] + "s", rows.get(k)[i])).append(" | ");
            }
            System.out.println(sb.toString().stripTrailing());
            if (k == 0) {
                StringBuilder sep = new StringBuilder("|");
                for (int i = 0; i < cols; i++) {
                    sep.append("-".repeat(w[i] + 2)).append('|');
                }
                System.out.println(sep);
            }
        }
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%,.0f" : "%.2f", v);
    }
}
