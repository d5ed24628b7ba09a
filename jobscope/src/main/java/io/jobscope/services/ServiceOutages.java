package io.jobscope.services;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** Answers "which of these services were out during [from, to]" — what failure diagnosis asks. */
public interface ServiceOutages {
    /**
     * The outages of the named services that share any time with [from, to], oldest first; an outage that began
     * before {@code from} or is still going on is included whole. Unknown names have no outages.
     */
    List<Outage> outagesDuring(Collection<String> services, Instant from, Instant to);

    /** The services an app or workflow requires (either may be null), by name. */
    List<String> requiredBy(String app, String workflow);
}
