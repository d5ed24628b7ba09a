package io.jobscope.diagnose;

import java.util.Optional;

/**
 * For what rules cannot express: Java code that recognises a failure. Implementations are found with
 * {@link java.util.ServiceLoader} (a {@code META-INF/services/io.jobscope.diagnose.FailureClassifier}
 * entry) in the jobscope jar and in jars under {@code ~/.jobscope/plugins/}. They are consulted after
 * held-reason rules and before log rules; the first non-empty answer wins.
 */
public interface FailureClassifier {
    /** A diagnosis for {@code job}, or empty when this classifier does not recognise the failure. */
    Optional<Diagnosis> classify(FailedJob job);
}
