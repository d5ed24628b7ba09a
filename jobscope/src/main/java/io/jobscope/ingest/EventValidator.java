package io.jobscope.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import io.jobscope.client.Statuses;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Checks one event object against the protocol (docs/events.md) and turns it into an {@link IngestEvent}.
 * Every problem names the field; nothing is stored from an event that fails.
 */
public final class EventValidator {
    static final int MAX_ID_LENGTH = 256;
    static final Set<String> TYPES = Set.of(
            Event.WORKFLOW_STARTED,
            Event.WORKFLOW_FINISHED,
            Event.JOB_SUBMITTED,
            Event.JOB_STARTED,
            Event.JOB_PHASE,
            Event.JOB_SAMPLE,
            Event.JOB_FINISHED);
    static final Set<String> PHASE_STATES = Set.of("start", "done", "failed");
    private static final Set<String> STRING_FIELDS = Set.of(
            "app",
            "tool",
            "script",
            "host",
            "site",
            "client",
            "error",
            "held_reason",
            "stdout_tail",
            "stderr_tail",
            "name",
            "user",
            "phase",
            "state",
            "status",
            "message");
    private static final Set<String> NON_NEGATIVE_NUMBERS = Set.of(
            "cpu_user_s",
            "cpu_system_s",
            "duration_s",
            "wall_s",
            "cpu_s",
            "cpu_percent",
            "mem_peak_bytes",
            "read_bytes",
            "write_bytes",
            "rss_bytes",
            "threads",
            "processes");
    /** Stored as 32-bit integers; the other counts (bytes) as 64-bit ones. */
    private static final Set<String> INT_FIELDS = Set.of("threads", "processes");
    /** 31,000 years of seconds, or of CPU percent: more is a unit mistake, not a measurement. */
    private static final double MAX_SECONDS_OR_PERCENT = 1e12;

    private static final Set<String> OBJECT_FIELDS = Set.of("params", "attributes");
    private static final Set<String> TIME_FIELDS = Set.of("start_time", "submit_time");

    private EventValidator() {}

    /** Validates {@code node}; {@code json} is its text as received (null to serialise it). */
    public static IngestEvent validate(JsonNode node, String json) throws InvalidEventException {
        if (!(node instanceof ObjectNode obj)) {
            throw new InvalidEventException("an event must be a JSON object, got " + kind(node));
        }
        String id = requiredString(obj, "id");
        if (id.length() > MAX_ID_LENGTH) {
            throw new InvalidEventException("field 'id' is longer than " + MAX_ID_LENGTH + " characters");
        }
        String type = requiredString(obj, "type");
        if (!TYPES.contains(type)) {
            throw new InvalidEventException("unknown type '" + type + "' (known: " + String.join(", ", sorted()) + ")");
        }
        long time = time(obj, "time", true);
        String job = optionalId(obj, "job");
        String workflow = optionalId(obj, "workflow");
        if (type.startsWith("job.") && job == null) {
            throw new InvalidEventException("field 'job' is required for " + type);
        }
        if (type.startsWith("workflow.") && workflow == null) {
            throw new InvalidEventException("field 'workflow' is required for " + type);
        }
        checkFields(obj, type);
        // PostgreSQL's text (and jsonb, where the statistics read attributes) cannot hold NUL, which a program's
        // binary output can: stored as U+FFFD, on SQLite too, in every string of the event, nested ones included.
        // Looked for only when the text holds the escape, as a NUL in JSON text must be written.
        boolean replacedNul = (json == null || json.contains("\\u0000")) && replaceNulInside(obj);
        return new IngestEvent(id, type, time, job, workflow, obj, json == null || replacedNul ? obj.toString() : json);
    }

    private static void checkFields(ObjectNode obj, String type) throws InvalidEventException {
        Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            JsonNode v = f.getValue();
            if (v.isNull()) {
                continue;
            }
            if (STRING_FIELDS.contains(name) && !v.isTextual()) {
                throw new InvalidEventException("field '" + name + "' must be a string, got " + kind(v));
            }
            if (NON_NEGATIVE_NUMBERS.contains(name)) {
                if (!v.isNumber()) {
                    throw new InvalidEventException("field '" + name + "' must be a number, got " + kind(v));
                }
                double d = v.asDouble();
                if (d < 0 || Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new InvalidEventException("field '" + name + "' must not be negative, got " + v);
                }
                boolean tooLarge;
                if (INT_FIELDS.contains(name)) {
                    tooLarge = v.isIntegralNumber() ? !v.canConvertToInt() : d > Integer.MAX_VALUE;
                } else if (name.endsWith("_bytes")) {
                    tooLarge = v.isIntegralNumber() ? !v.canConvertToLong() : d >= 0x1p63;
                } else {
                    tooLarge = d > MAX_SECONDS_OR_PERCENT;
                }
                if (tooLarge) {
                    throw new InvalidEventException("field '" + name + "' is too large to be true, got " + v);
                }
            }
            if (OBJECT_FIELDS.contains(name) && !v.isObject()) {
                throw new InvalidEventException("field '" + name + "' must be a JSON object, got " + kind(v));
            }
            if (TIME_FIELDS.contains(name)) {
                time(obj, name, false);
            }
        }
        JsonNode exit = obj.get("exit_code");
        if (exit != null && !exit.isNull() && !(exit.isIntegralNumber() && exit.canConvertToInt())) {
            throw new InvalidEventException("field 'exit_code' must be an integer, got " + exit);
        }
        JsonNode signal = obj.get("signal");
        if (signal != null
                && !signal.isNull()
                && !(signal.isIntegralNumber() && signal.asInt() > 0 && signal.asInt() < 128)) {
            throw new InvalidEventException("field 'signal' must be a signal number from 1 to 127, got " + signal);
        }
        JsonNode deps = obj.get("depends_on");
        if (deps != null && !deps.isNull()) {
            if (!deps.isArray()) {
                throw new InvalidEventException("field 'depends_on' must be an array of job ids, got " + kind(deps));
            }
            for (JsonNode d : deps) {
                if (!d.isTextual() || d.asText().isEmpty()) {
                    throw new InvalidEventException("field 'depends_on' must hold job ids (strings), got " + d);
                }
                noNul("depends_on", d.asText());
            }
        }
        String status = text(obj, "status");
        if (status != null && !Statuses.isKnown(status) && type.startsWith("job.")) {
            throw new InvalidEventException(
                    "field 'status' must be one of " + String.join(", ", Statuses.ALL) + ", got '" + status + "'");
        }
        if (type.equals(Event.JOB_PHASE)) {
            String phase = text(obj, "phase");
            if (phase == null || phase.isEmpty()) {
                throw new InvalidEventException("field 'phase' is required for job.phase");
            }
            String state = text(obj, "state");
            if (state == null || !PHASE_STATES.contains(state)) {
                throw new InvalidEventException("field 'state' of job.phase must be start, done or failed, got "
                        + (state == null ? "nothing" : "'" + state + "'"));
            }
        }
    }

    private static String requiredString(ObjectNode obj, String field) throws InvalidEventException {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidEventException("field '" + field + "' is missing");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new InvalidEventException("field '" + field + "' must be a non-empty string, got " + kind(v));
        }
        return noNul(field, v.asText());
    }

    /** Replaces NUL in the strings (values and keys) inside a JSON object or array; says whether it did. */
    public static boolean replaceNulInside(JsonNode n) {
        boolean replaced = false;
        if (n instanceof ObjectNode o) {
            java.util.List<String> nulKeys = new java.util.ArrayList<>(0);
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                JsonNode v = f.getValue();
                if (v.isTextual() && v.textValue().indexOf('\0') >= 0) {
                    f.setValue(com.fasterxml.jackson.databind.node.TextNode.valueOf(withoutNul(v.textValue())));
                    replaced = true;
                } else if (v.isContainerNode()) {
                    replaced |= replaceNulInside(v);
                }
                if (f.getKey().indexOf('\0') >= 0) {
                    nulKeys.add(f.getKey());
                }
            }
            for (String k : nulKeys) {
                o.set(withoutNul(k), o.remove(k));
                replaced = true;
            }
        } else if (n instanceof com.fasterxml.jackson.databind.node.ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (v.isTextual() && v.textValue().indexOf('\0') >= 0) {
                    a.set(i, com.fasterxml.jackson.databind.node.TextNode.valueOf(withoutNul(v.textValue())));
                    replaced = true;
                } else if (v.isContainerNode()) {
                    replaced |= replaceNulInside(v);
                }
            }
        }
        return replaced;
    }

    private static String withoutNul(String s) {
        return s.replace('\0', '\uFFFD');
    }

    /** An id with a NUL in it is no name anyone typed, and PostgreSQL could not store it. */
    private static String noNul(String field, String id) throws InvalidEventException {
        if (id.indexOf('\0') >= 0) {
            throw new InvalidEventException("field '" + field + "' must not contain the NUL character (\\u0000)");
        }
        return id;
    }

    private static String optionalId(ObjectNode obj, String field) throws InvalidEventException {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new InvalidEventException("field '" + field + "' must be a non-empty string, got " + kind(v));
        }
        if (v.asText().length() > MAX_ID_LENGTH) {
            throw new InvalidEventException("field '" + field + "' is longer than " + MAX_ID_LENGTH + " characters");
        }
        return noNul(field, v.asText());
    }

    /** Milliseconds of an ISO 8601 time field; a time without offset is taken as UTC. */
    static long time(ObjectNode obj, String field, boolean required) throws InvalidEventException {
        JsonNode v = obj.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new InvalidEventException("field '" + field + "' is missing");
            }
            return Long.MIN_VALUE;
        }
        if (!v.isTextual()) {
            throw new InvalidEventException(
                    "field '" + field + "' must be an ISO 8601 time such as 2026-11-21T10:30:00Z, got " + kind(v));
        }
        try {
            return parseTime(v.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new InvalidEventException("field '" + field + "' is not "
                    + (OUT_OF_RANGE.equals(e.getMessage())
                            ? "a time jobscope can store (" + OUT_OF_RANGE + ")"
                            : "an ISO 8601 time such as 2026-11-21T10:30:00Z")
                    + ": '" + abbreviate(v.asText()) + "'");
        }
    }

    /** Why {@link #parseTime} refused a well-formed time. */
    public static final String OUT_OF_RANGE = "the years 0001 to 9999";

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    /**
     * Parses ISO 8601 with or without an offset (without: UTC). A time outside the years 0001 to 9999 (which
     * java.time reads, up to year 999,999,999, but milliseconds since 1970 cannot all hold) is refused with
     * the message {@link #OUT_OF_RANGE}.
     */
    public static Instant parseTime(String s) {
        Instant t = parseAnyTime(s);
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new DateTimeParseException(OUT_OF_RANGE, s, 0);
        }
        return t;
    }

    private static Instant parseAnyTime(String s) {
        Instant fast = parseCommonTime(s);
        if (fast != null) {
            return fast;
        }
        String t = s.trim();
        if (t.endsWith("Z") || t.endsWith("z")) {
            return Instant.parse(t.toUpperCase(java.util.Locale.ROOT));
        }
        int tpos = t.indexOf('T');
        if (tpos > 0 && (t.indexOf('+', tpos) > 0 || t.indexOf('-', tpos) > 0)) {
            return OffsetDateTime.parse(t).toInstant();
        }
        return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    }

    /**
     * The usual shape, {@code yyyy-MM-ddTHH:mm:ss[.f…][Z]}, parsed by hand (java.time's general parser costs
     * more than the rest of an event's validation); null for anything else, which the general parser takes.
     */
    static Instant parseCommonTime(String t) {
        int n = t.length();
        if (n < 19
                || t.charAt(4) != '-'
                || t.charAt(7) != '-'
                || t.charAt(10) != 'T'
                || t.charAt(13) != ':'
                || t.charAt(16) != ':') {
            return null;
        }
        int end = n;
        if (t.charAt(n - 1) == 'Z' || t.charAt(n - 1) == 'z') {
            end = n - 1;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > 31
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59) {
            return null;
        }
        long nanos = 0;
        if (end > 19) {
            if (t.charAt(19) != '.' || end == 20 || end - 20 > 9) {
                return null;
            }
            int frac = digits(t, 20, end);
            if (frac < 0) {
                return null;
            }
            nanos = frac;
            for (int i = end - 20; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return null;
        }
        long days = java.time.LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400 + hour * 3600L + minute * 60L + second, nanos);
    }

    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String text(ObjectNode obj, String field) {
        JsonNode v = obj.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static String kind(JsonNode v) {
        if (v == null || v.isNull()) {
            return "null";
        }
        if (v.isTextual()) {
            return "string '" + abbreviate(v.asText()) + "'";
        }
        if (v.isNumber()) {
            return "number " + v;
        }
        if (v.isBoolean()) {
            return "boolean " + v;
        }
        if (v.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static java.util.List<String> sorted() {
        return TYPES.stream().sorted().toList();
    }
}
