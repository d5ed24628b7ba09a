package io.jobscope.sweep;

import java.util.LinkedHashMap;
import java.util.Map;

/** A row's values as a job's {@code params}: numbers and booleans typed, when that loses nothing. */
final class Params {
    private Params() {}

    static Map<String, Object> typed(Map<String, String> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, typed(v)));
        return out;
    }

    /** "17" → 17 and "0.5" → 0.5, but "007", "1e3" and "1.50" stay text: their spelling may matter. */
    static Object typed(String v) {
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        if (v.matches("-?\\d{1,18}")) {
            long l = Long.parseLong(v);
            return Long.toString(l).equals(v) ? (Object) l : v;
        }
        if (v.matches("-?\\d+\\.\\d+")) {
            double d = Double.parseDouble(v);
            return Double.toString(d).equals(v) ? (Object) d : v;
        }
        return v;
    }
}
