package io.jobscope.diagnose;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Scans logs with a set of compiled rules: keeps the best hit (lowest tier, then earliest line; at one
 * line, the rule consulted first) and the last error-looking lines no rule explained.
 */
final class LogScan {
    private final CompiledRules rules;
    private final Consumer<Hit> every;
    Hit best;
    private final ArrayDeque<String> errorish = new ArrayDeque<>();
    private String errorishStream;

    LogScan(CompiledRules rules, Consumer<Hit> every) {
        this.rules = rules;
        this.every = every;
    }

    void scan(LogSource src) {
        final int errBit = rules.errorish;
        src.scan(rules.scanner, (lineNo, offset, buf, start, end, cand) -> {
            String line = null;
            boolean matched = false;
            for (int w = 0; w < cand.length; w++) {
                long bits = cand[w];
                while (bits != 0) {
                    int idx = (w << 6) + Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    if (idx == errBit) {
                        continue;
                    }
                    Rule r = rules.lineRules.get(idx);
                    if (!r.where().covers(src.stream)) {
                        continue;
                    }
                    if (line == null) {
                        line = LogSource.decode(buf, start, end);
                    }
                    if (!r.matches(line)) {
                        continue;
                    }
                    int tier = rules.lineTiers[idx];
                    if (every != null) {
                        every.accept(new Hit(r, idx, tier, src, lineNo, offset, line));
                    }
                    if (!matched
                            && (best == null || tier < best.tier() || isCauseOfBest(idx, tier, src, lineNo, line))) {
                        best = new Hit(r, idx, tier, src, lineNo, offset, line);
                    }
                    matched = true;
                    if (every == null) {
                        break;
                    }
                }
            }
            if (!matched && (cand[errBit >>> 6] & (1L << errBit)) != 0) {
                if (line == null) {
                    line = LogSource.decode(buf, start, end);
                }
                if (!src.stream.equals(errorishStream)) {
                    if (errorishStream != null && !errorish.isEmpty()) {
                        return; // keep the first stream's error lines (stderr before stdout)
                    }
                    errorishStream = src.stream;
                }
                if (errorish.size() == 5) {
                    errorish.removeFirst();
                }
                errorish.addLast(line.strip());
            }
        });
    }

    /**
     * A specific rule on a "Caused by:" line of the stack trace a catch-all exception rule matched: the
     * cause explains the failure better than the wrapping exception (Java prints causes after it).
     */
    private boolean isCauseOfBest(int idx, int tier, LogSource src, long lineNo, String line) {
        return best != null
                && best.source() == src
                && tier == best.tier()
                && rules.lineGeneric[best.ruleIndex()]
                && !rules.lineGeneric[idx]
                && lineNo - best.lineNo() <= 200
                && line.stripLeading().startsWith("Caused by:");
    }

    List<String> errorishLines() {
        return new ArrayList<>(errorish);
    }

    String errorishStream() {
        return errorishStream;
    }
}
