package io.jobscope.web;

import io.javalin.http.Context;
import io.jobscope.util.Times;
import java.time.Clock;
import java.time.Instant;

/** Query parameters the API and the dashboard share the reading of; a bad value is a 400 naming it. */
final class QueryParams {
    private QueryParams() {}

    /** A whole number within [min, max]; {@code dflt} when absent or blank. */
    static int limit(Context ctx, String param, int dflt, int min, int max) {
        String v = ctx.queryParam(param);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ApiException(
                400,
                "query parameter '" + param + "' must be a whole number from " + min + " to " + max + ", got '" + v
                        + "'");
    }

    /** A time: ISO 8601, or relative to now as {@link Times#parseInstant} reads it; null when absent or blank. */
    static Instant instant(Context ctx, String param, Clock clock) {
        String v = ctx.queryParam(param);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Times.parseInstant(v.trim(), clock);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "query parameter '" + param + "': " + e.getMessage());
        }
    }
}
