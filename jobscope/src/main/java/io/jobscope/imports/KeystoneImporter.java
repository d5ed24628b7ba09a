package io.jobscope.imports;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.client.Statuses;
import io.jobscope.ingest.EventSink;
import io.jobscope.ingest.EventValidator;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.IngestEvent;
import io.jobscope.ingest.InvalidEventException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * Imports the task-queue monitor's JSONL history ({@code jobs_history.jsonl}): one {@code job.finished}
 * event per record, keyed {@code keystone:<task_id>} so a second import of the same file changes nothing.
 * The file is streamed; a bad line is reported by number and skipped. The writer's queue bounds how much
 * is held in memory (use {@link EventWriter#bulk} for large files: it commits in large transactions).
 */
public final class KeystoneImporter {
    static final double MB = 1024.0 * 1024.0;
    /**
     * Records handed to the writer at a time. Small, so that what is in flight (a chunk being read, one
     * queued, one being written) stays small for the garbage collector to copy: with 5,000 a 1M-record
     * import spent 5-10 s in collection pauses that stop the writer too, with 1,000 under 1 s. The writer
     * still commits every 200,000 events.
     */
    private static final int CHUNK = 1000;

    private final EventSink writer;
    private final ObjectMapper mapper = Json.mapper();

    public KeystoneImporter(EventSink writer) {
        this.writer = writer;
    }

    /** What an import did. */
    public record Result(long records, long imported, long unchanged, long badLines) {}

    /** Imports one stream; {@code onBadLine} receives (line number, problem) for each skipped line. */
    public Result importStream(InputStream in, BiConsumer<Long, String> onBadLine) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        List<CompletableFuture<EventWriter.Result>> submitted = new ArrayList<>();
        List<IngestEvent> batch = new ArrayList<>(CHUNK);
        long lineNo = 0;
        long records = 0;
        long bad = 0;
        EventWriter.Result total = EventWriter.Result.EMPTY;
        String line;
        while ((line = reader.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            records++;
            try {
                batch.add(toEvent(line));
            } catch (InvalidEventException e) {
                bad++;
                onBadLine.accept(lineNo, e.getMessage());
                continue;
            }
            if (batch.size() == CHUNK) {
                submitted.add(writer.submit(batch));
                batch = new ArrayList<>(CHUNK);
            }
        }
        if (!batch.isEmpty()) {
            submitted.add(writer.submit(batch));
        }
        for (CompletableFuture<EventWriter.Result> f : submitted) {
            try {
                total = total.plus(f.join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : e; // the store's own error, said plainly
            }
        }
        return new Result(records - bad, total.accepted(), total.duplicates(), bad);
    }

    /** One history record as a validated {@code job.finished} event. */
    IngestEvent toEvent(String line) throws InvalidEventException {
        Record r = read(line);
        String taskId = text(r.fields, "task_id");
        if (taskId == null || taskId.isBlank()) {
            throw new InvalidEventException("field 'task_id' is missing");
        }
        String start = text(r.fields, "start_time");
        String end = text(r.fields, "end_time");
        if (start == null && end == null) {
            throw new InvalidEventException("record " + taskId + " has neither start_time nor end_time");
        }
        ObjectNode e = mapper.createObjectNode();
        e.put("id", "keystone:" + taskId);
        e.put("type", Event.JOB_FINISHED);
        e.put("time", end != null ? end : start);
        e.put("job", taskId);
        copy(r.fields, "tool", e, "app");
        copy(r.fields, "script", e, "script");
        if (r.fields.hasNonNull("params")) {
            e.set("params", r.fields.get("params"));
        }
        if (start != null) {
            e.put("start_time", start);
        }
        String status = text(r.fields, "status");
        if (status != null) {
            if (!Statuses.isKnown(status)) {
                throw new InvalidEventException(
                        "field 'status' must be one of " + Statuses.ALL + ", got '" + status + "'");
            }
            e.put("status", status);
        }
        if (r.fields.hasNonNull("returncode")) {
            JsonNode rc = r.fields.get("returncode");
            if (!rc.isIntegralNumber()) {
                throw new InvalidEventException("field 'returncode' must be an integer, got " + rc);
            }
            e.put("exit_code", rc.asInt());
        }
        if (r.fields.hasNonNull("duration_seconds")) {
            e.set("duration_s", r.fields.get("duration_seconds"));
        }
        JsonNode usage = r.fields.get("resource_usage");
        if (usage != null && usage.isObject()) {
            copy(usage, "cpu_user_seconds", e, "cpu_user_s");
            copy(usage, "cpu_system_seconds", e, "cpu_system_s");
            JsonNode mem = usage.get("memory_peak_mb");
            if (mem != null && !mem.isNull()) {
                if (!mem.isNumber()) {
                    throw new InvalidEventException(
                            "field 'resource_usage.memory_peak_mb' must be a number, got " + mem);
                }
                e.put("mem_peak_bytes", Math.round(mem.asDouble() * MB));
            }
        }
        copy(r.fields, "error", e, "error");
        IngestEvent v = EventValidator.validate(e, null);
        // The attributes, with the profile as the record wrote it, are added as text: the profile is the
        // larger part of a record and is never read here, so it is neither made a tree nor written out again.
        StringBuilder attrs = new StringBuilder(64 + (r.profile == null ? 0 : r.profile.length()));
        attrs.append("{\"source\":\"keystone\"");
        if (r.fields.has("has_result")) {
            attrs.append(",\"has_result\":").append(r.fields.get("has_result"));
        }
        if (r.profile != null) {
            attrs.append(",\"detailed_profile\":").append(r.profile);
        }
        String attributes = attrs.append('}').toString();
        String json = v.json().substring(0, v.json().length() - 1) + ",\"attributes\":" + attributes + "}";
        return new IngestEvent(
                v.id(),
                v.type(),
                v.timeMs(),
                v.jobId(),
                v.workflowId(),
                v.fields(),
                json,
                v.paramsJson(),
                v.dependsOnJson(),
                attributes);
    }

    /** A record's fields, but {@code detailed_profile}: that one as its JSON text (null when absent or null). */
    private record Record(ObjectNode fields, String profile) {}

    /** The JSON text {@code line[from, to)} (parsed already, so well formed) without whitespace between tokens. */
    private static String compact(String line, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        boolean inString = false;
        for (int i = from; i < to; i++) {
            char ch = line.charAt(i);
            if (inString) {
                out.append(ch);
                if (ch == '\\') {
                    out.append(line.charAt(++i));
                } else if (ch == '"') {
                    inString = false;
                }
            } else if (ch == '"') {
                inString = true;
                out.append(ch);
            } else if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r') {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /** The value at the parser: scalars made directly, objects and arrays read as trees. */
    private JsonNode value(JsonParser p, JsonToken t) throws IOException {
        JsonNodeFactory nodes = mapper.getNodeFactory();
        return switch (t) {
            case VALUE_STRING -> nodes.textNode(p.getText());
            case VALUE_NUMBER_INT ->
                p.getNumberType() == JsonParser.NumberType.INT ? nodes.numberNode(p.getIntValue()) : mapper.readTree(p);
            case VALUE_NUMBER_FLOAT ->
                p.getNumberType() == JsonParser.NumberType.DOUBLE
                        ? nodes.numberNode(p.getDoubleValue())
                        : mapper.readTree(p);
            case VALUE_TRUE, VALUE_FALSE -> nodes.booleanNode(t == JsonToken.VALUE_TRUE);
            case VALUE_NULL -> nodes.nullNode();
            default -> mapper.readTree(p);
        };
    }

    private Record read(String line) throws InvalidEventException {
        try (JsonParser p = mapper.getFactory().createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidEventException("a record must be a JSON object");
            }
            ObjectNode fields = mapper.createObjectNode();
            String profile = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (!name.equals("detailed_profile")) {
                    fields.set(name, value(p, t));
                } else if (t == JsonToken.START_OBJECT) { // kept as its text, never made a tree
                    int from = (int) p.currentTokenLocation().getCharOffset();
                    p.skipChildren();
                    profile = compact(line, from, (int) p.currentTokenLocation().getCharOffset() + 1);
                } else if (t != JsonToken.VALUE_NULL) {
                    profile = mapper.readTree(p).toString();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new InvalidEventException("malformed JSON: a record must be one JSON object on its line");
            }
            if (profile != null && profile.contains("\\u0000")) { // rare: the tree, NUL replaced as in events
                JsonNode tree = mapper.readTree(profile);
                if (io.jobscope.ingest.EventValidator.replaceNulInside(tree)) {
                    profile = tree.toString();
                }
            }
            return new Record(fields, profile);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEventException("malformed JSON: " + e.getMessage());
        }
    }

    private static String text(ObjectNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void copy(JsonNode from, String f, ObjectNode to, String t) {
        JsonNode v = from.get(f);
        if (v != null && !v.isNull()) {
            to.set(t, v);
        }
    }
}
