package io.jobscope.diagnose;

import java.util.ArrayList;
import java.util.List;

/** The rules for one combination of packs, in consultation order, with the scanner over their literals. */
final class CompiledRules {
    /** Words that make an unmatched line look like an error, for the "no rule matched" excerpt. */
    static final List<String> ERRORISH = List.of(
            "error",
            "fail",
            "fatal",
            "exception",
            "abort",
            "killed",
            "denied",
            "cannot",
            "unable",
            "segmentation",
            "traceback",
            "panic");

    final List<Rule> lineRules = new ArrayList<>();
    final int[] lineTiers;
    /** Catch-all rules (packs of priority 900 and above, such as any Python or Java exception). */
    final boolean[] lineGeneric;

    final List<Rule> heldRules = new ArrayList<>();
    final List<Rule> statusRules = new ArrayList<>();
    final List<Rule> signalRules = new ArrayList<>();
    final List<Rule> exitRules = new ArrayList<>();
    final LineScanner scanner;
    /** The scanner group of the error-looking words (after the line rules). */
    final int errorish;

    CompiledRules(List<RulePack> packs) {
        List<Integer> tiers = new ArrayList<>();
        List<Boolean> generic = new ArrayList<>();
        for (RulePack p : packs) {
            for (Rule r : p.rules()) {
                switch (r.where()) {
                    case STDOUT, STDERR, ANY -> {
                        lineRules.add(r);
                        tiers.add(p.tier());
                        generic.add(p.priority() >= 900);
                    }
                    case HELD_REASON -> heldRules.add(r);
                    case STATUS -> statusRules.add(r);
                    case SIGNAL -> signalRules.add(r);
                    case EXIT_CODE -> exitRules.add(r);
                }
            }
        }
        lineTiers = tiers.stream().mapToInt(Integer::intValue).toArray();
        lineGeneric = new boolean[generic.size()];
        for (int i = 0; i < lineGeneric.length; i++) {
            lineGeneric[i] = generic.get(i);
        }
        List<List<String>> groups = new ArrayList<>();
        for (Rule r : lineRules) {
            groups.add(r.literals());
        }
        errorish = groups.size();
        groups.add(ERRORISH);
        scanner = new LineScanner(groups);
    }
}
