package io.jobscope.diagnose;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Finds, for a regular expression, strings one of which every match must contain: for each top-level
 * alternative, its longest run of plain characters. The scanner looks for these (case-folded) before it
 * runs any regex, which is what makes scanning gigabytes fast.
 */
final class Literals {
    static final int MIN_LENGTH = 3;

    private Literals() {}

    /** The required literals in lower case, or an empty list when some alternative has none long enough. */
    static List<String> required(String regex) {
        List<String> out = new ArrayList<>();
        for (String alt : alternatives(regex)) {
            String best = longestRun(alt);
            if (best.length() < MIN_LENGTH) {
                return List.of();
            }
            out.add(best.toLowerCase(Locale.ROOT));
        }
        return out;
    }

    static List<String> alternatives(String regex) {
        List<String> alts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = classEnd(regex, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == '|' && depth == 0) {
                alts.add(regex.substring(start, i));
                start = i + 1;
            }
        }
        alts.add(regex.substring(start));
        return alts;
    }

    private static String longestRun(String re) {
        String best = "";
        StringBuilder run = new StringBuilder();
        int i = 0;
        if (re.startsWith("(?i)")) {
            i = 4;
        }
        while (i < re.length()) {
            char c = re.charAt(i);
            boolean literal;
            char value = c;
            int next = i + 1;
            if (c == '\\') {
                if (i + 1 >= re.length()) {
                    break;
                }
                char n = re.charAt(i + 1);
                literal = !Character.isLetterOrDigit(n);
                value = n;
                next = i + 2;
            } else if (c == '[') {
                next = classEnd(re, i) + 1;
                // [Dd]: one letter in either case is a plain character to a case-folding scanner.
                literal = next - i == 4
                        && Character.toLowerCase(re.charAt(i + 1)) == Character.toLowerCase(re.charAt(i + 2))
                        && Character.isLetter(re.charAt(i + 1));
                value = re.charAt(i + 1);
            } else if (c == '(') {
                literal = false;
                next = groupEnd(re, i) + 1;
            } else {
                literal = ".^$*+?{}|)".indexOf(c) < 0;
            }
            // A quantifier after this token makes it optional or repeated: it ends the run.
            boolean optional = false;
            boolean quantified = false;
            if (next < re.length()) {
                char q = re.charAt(next);
                if (q == '?' || q == '*') {
                    optional = true;
                    quantified = true;
                } else if (q == '{') {
                    optional = next + 1 < re.length() && re.charAt(next + 1) == '0';
                    quantified = true;
                } else if (q == '+') {
                    quantified = true;
                }
            }
            if (literal && !optional) {
                run.append(value);
                if (quantified) {
                    best = longer(best, run);
                    run.setLength(0);
                }
            } else {
                best = longer(best, run);
                run.setLength(0);
            }
            i = next;
            if (quantified) {
                i = skipQuantifier(re, i);
            }
        }
        return longer(best, run);
    }

    private static String longer(String best, StringBuilder run) {
        return run.length() > best.length() ? run.toString() : best;
    }

    private static int skipQuantifier(String re, int i) {
        char q = re.charAt(i);
        if (q == '{') {
            int close = re.indexOf('}', i);
            i = close < 0 ? re.length() : close + 1;
        } else {
            i++;
        }
        if (i < re.length() && (re.charAt(i) == '?' || re.charAt(i) == '+')) {
            i++;
        }
        return i;
    }

    private static int classEnd(String re, int open) {
        int i = open + 1;
        if (i < re.length() && re.charAt(i) == '^') {
            i++;
        }
        if (i < re.length() && re.charAt(i) == ']') {
            i++;
        }
        for (; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[' && i + 1 < re.length() && re.charAt(i + 1) == ':') {
                int close = re.indexOf(":]", i + 2);
                if (close > 0) {
                    i = close + 1;
                }
            } else if (c == ']') {
                return i;
            }
        }
        return re.length() - 1;
    }

    private static int groupEnd(String re, int open) {
        int depth = 0;
        for (int i = open; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                i = classEnd(re, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return re.length() - 1;
    }
}
