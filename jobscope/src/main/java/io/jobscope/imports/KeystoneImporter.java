package io.jobscope.imports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.client.Statuses;
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
    private static final int CHUNK = 5000;

    private final EventWriter writer;
    private final ObjectMapper mapper = Json.mapper();

    public KeystoneImporter(EventWriter writer) {
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
        JsonNode rec;
        try {
            rec = mapper.readTree(line);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("malformed JSON: " + e.getOriginalMessage());
        }
        if (!(rec instanceof ObjectNode r)) {
            throw new InvalidEventException("a record must be a JSON object");
        }
        String taskId = text(r, "task_id");
        if (taskId == null || taskId.isBlank()) {
            throw new InvalidEventException("field 'task_id' is missing");
        }
        String start = text(r, "start_time");
        String end = text(r, "end_time");
        if (start == null && end == null) {
            throw new InvalidEventException("record " + taskId + " has neither start_time nor end_time");
        }
        ObjectNode e = mapper.createObjectNode();
        e.put("id", "keystone:" + taskId);
        e.put("type", Event.JOB_FINISHED);
        e.put("time", end != null ? end : start);
        e.put("job", taskId);
        copyText(r, "tool", e, "app");
        copyText(r, "script", e, "script");
        if (r.hasNonNull("params")) {
            e.set("params", r.get("params"));
        }
        if (start != null) {
            e.put("start_time", start);
        }
        String status = text(r, "status");
        if (status != null) {
            if (!Statuses.isKnown(status)) {
                throw new InvalidEventException(
                        "field 'status' must be one of " + Statuses.ALL + ", got '" + status + "'");
            }
            e.put("status", status);
        }
        if (r.hasNonNull("returncode")) {
            JsonNode rc = r.get("returncode");
            if (!rc.isIntegralNumber()) {
                throw new InvalidEventException("field 'returncode' must be an integer, got " + rc);
            }
            e.put("exit_code", rc.asInt());
        }
        if (r.hasNonNull("duration_seconds")) {
            e.set("duration_s", r.get("duration_seconds"));
        }
        JsonNode usage = r.get("resource_usage");
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
        copyText(r, "error", e, "error");
        ObjectNode attrs = mapper.createObjectNode();
        attrs.put("source", "keystone");
        if (r.has("has_result")) {
            attrs.set("has_result", r.get("has_result"));
        }
        if (r.hasNonNull("detailed_profile")) {
            attrs.set("detailed_profile", r.get("detailed_profile"));
        }
        e.set("attributes", attrs);
        return EventValidator.validate(e, null);
    }

    private static String text(ObjectNode n, String f) {
        JsonNode v = n.get(f);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static void copyText(ObjectNode from, String f, ObjectNode to, String t) {
        JsonNode v = from.get(f);
        if (v != null && !v.isNull()) {
            to.set(t, v);
        }
    }

    private static void copy(JsonNode from, String f, ObjectNode to, String t) {
        JsonNode v = from.get(f);
        if (v != null && !v.isNull()) {
            to.set(t, v);
        }
    }
}
