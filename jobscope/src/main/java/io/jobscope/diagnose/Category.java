package io.jobscope.diagnose;

import java.util.Locale;

/** What a failure is blamed on; decides the verdict (retry for service problems, debug for code). */
public enum Category {
    SERVICE,
    CODE,
    RESOURCES,
    INFRASTRUCTURE,
    CONFIGURATION,
    UNKNOWN;

    @com.fasterxml.jackson.annotation.JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    /** The category named {@code text} (case-insensitive), or an exception listing the valid names. */
    public static Category parse(String text) {
        for (Category c : values()) {
            if (c.label().equalsIgnoreCase(text.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown category '" + text
                + "'; use service, code, resources, infrastructure, configuration or unknown");
    }
}
