package io.jobscope.diagnose;

/**
 * Why a job failed: the category and rule that decided it, the normalised signature failures are grouped
 * by, where in which log the evidence is ({@code stream}, {@code lineNo}, {@code excerpt}), whether a
 * retry may help, and what to do.
 */
public record Diagnosis(
        Category category,
        String rule,
        String title,
        String service,
        String signature,
        String stream,
        Long lineNo,
        String excerpt,
        boolean retryable,
        String hint) {

    public Diagnosis {
        if (category == null) {
            throw new IllegalArgumentException("category: missing");
        }
        if (signature == null || signature.isBlank()) {
            throw new IllegalArgumentException("signature: missing");
        }
        signature = signature.length() > 300 ? signature.substring(0, 300) : signature;
        excerpt = excerpt != null && excerpt.length() > 2000 ? excerpt.substring(0, 2000) : excerpt;
    }
}
