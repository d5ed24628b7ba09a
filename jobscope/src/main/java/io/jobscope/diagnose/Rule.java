package io.jobscope.diagnose;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One known-error rule of a pack: a regular expression, what it is matched against, and what a match
 * means. {@code literals} are strings one of which every matching line contains (lower case); the scanner
 * runs the regex only on lines that contain one.
 */
public record Rule(
        String id,
        String pack,
        Pattern pattern,
        Where where,
        Category category,
        String service,
        boolean retryable,
        String title,
        String hint,
        Pattern unless,
        Pattern frameBefore,
        Pattern frameAfter,
        List<String> literals) {

    public Rule {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("id: missing");
        }
        literals = literals == null ? List.of() : List.copyOf(literals);
    }

    /** Whether {@code line} matches this rule (its pattern, and not its {@code unless}). */
    boolean matches(CharSequence line) {
        return pattern.matcher(line).find()
                && (unless == null || !unless.matcher(line).find());
    }
}
