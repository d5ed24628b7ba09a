package io.jobscope.jobs;

import java.util.Locale;
import java.util.regex.Pattern;

/** Picks the one line that best says why a job failed, from its error field and its output tails. */
public final class ErrorLines {
    private static final Pattern ERROR = Pattern.compile(
            "(?i)(error|exception|\\b(traceback|fatal|panic|abort(ed)?|killed|segmentation fault|oom|out of memory"
                    + "|no such file|permission denied|cannot|could not|failed|refused|timed? ?out)\\b)");
    private static final int MAX = 300;

    private ErrorLines() {}

    static String first(String error, String stderr, String stdout, Integer exitCode) {
        if (error != null && !error.isBlank()) {
            return clip(headline(error));
        }
        for (String tail : new String[] {stderr, stdout}) {
            String line = firstMatching(tail);
            if (line != null) {
                return clip(line);
            }
        }
        if (stderr != null && !stderr.isBlank()) {
            return clip(lastNonBlank(stderr));
        }
        return exitCode == null ? null : "exit code " + exitCode;
    }

    private static String firstMatching(String text) {
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            // "Traceback (most recent call last):" says an error follows; the last line of it says which.
            if (l.toLowerCase(Locale.ROOT).startsWith("traceback")) {
                continue;
            }
            if (!l.isEmpty() && ERROR.matcher(l).find()) {
                return l;
            }
        }
        return null;
    }

    /**
     * The line of an error text that says what happened: its first, but for a Python traceback (whose first
     * line only says one follows) its last, the exception. Null for null.
     */
    public static String headline(String error) {
        if (error == null) {
            return null;
        }
        String first = firstNonBlank(error);
        return first.toLowerCase(Locale.ROOT).startsWith("traceback") ? lastNonBlank(error) : first;
    }

    private static String firstNonBlank(String text) {
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                return line.strip();
            }
        }
        return text.strip();
    }

    private static String lastNonBlank(String text) {
        String[] lines = text.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i].strip();
            }
        }
        return "";
    }

    private static String clip(String s) {
        return s.length() <= MAX ? s : s.substring(0, MAX - 1) + "…";
    }
}
