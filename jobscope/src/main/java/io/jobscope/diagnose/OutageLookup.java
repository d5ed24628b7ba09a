package io.jobscope.diagnose;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a service was known to be out during a time window: lets a verdict say "samweb was out from
 * 08:00 to 08:40" next to the retry command. The services feature plugs its outage records in here.
 */
@FunctionalInterface
public interface OutageLookup {
    /** None known: the default until service status is recorded. */
    OutageLookup NONE = (service, from, to) -> Optional.empty();

    /** A one-line description of an outage of {@code service} overlapping [{@code from}, {@code to}], if any. */
    Optional<String> outage(String service, Instant from, Instant to);

    /**
     * An outage of any service the app or workflow requires (either may be null) overlapping [{@code from},
     * {@code to}], described in one line; none by default.
     */
    default Optional<String> requiredOutage(String app, String workflow, Instant from, Instant to) {
        return Optional.empty();
    }
}
