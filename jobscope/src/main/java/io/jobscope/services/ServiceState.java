package io.jobscope.services;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The states status pages use, ordered from best to worst so that "worst" is a comparison. */
public enum ServiceState {
    OPERATIONAL,
    MAINTENANCE,
    UNKNOWN,
    DEGRADED,
    PARTIAL_OUTAGE,
    MAJOR_OUTAGE;

    /** The name on the wire and in the store: {@code partial_outage}. */
    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name (case-insensitive, '-' accepted for '_'); the error lists the valid states. */
    @JsonCreator
    public static ServiceState parse(String text) {
        if (text != null) {
            String s = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (ServiceState st : values()) {
                if (st.name().equals(s)) {
                    return st;
                }
            }
        }
        throw new IllegalArgumentException("'" + text + "' is not a service state: use " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(ServiceState::wire).collect(Collectors.joining(", "));
    }

    public boolean isOperational() {
        return this == OPERATIONAL;
    }

    public static ServiceState worst(ServiceState a, ServiceState b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.compareTo(b) >= 0 ? a : b;
    }
}
