package io.jobscope.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One event of the jobscope protocol (docs/events.md): an id, a type, a time, the job and/or workflow it
 * concerns, and the type's fields, which sit flat beside them in the JSON.
 */
public final class Event {
    public static final String WORKFLOW_STARTED = "workflow.started";
    public static final String WORKFLOW_FINISHED = "workflow.finished";
    public static final String JOB_SUBMITTED = "job.submitted";
    public static final String JOB_STARTED = "job.started";
    public static final String JOB_PHASE = "job.phase";
    public static final String JOB_SAMPLE = "job.sample";
    public static final String JOB_FINISHED = "job.finished";

    private final ObjectNode node;

    private Event(ObjectNode node) {
        this.node = node;
    }

    /** A new event of {@code type} for {@code job} at {@code time}, with a random id. */
    public static Event job(String type, String job, Instant time) {
        Objects.requireNonNull(job, "job");
        return of(type, time).put("job", job);
    }

    /** A new workflow event. */
    public static Event workflow(String type, String workflow, Instant time) {
        Objects.requireNonNull(workflow, "workflow");
        return of(type, time).put("workflow", workflow);
    }

    private static Event of(String type, Instant time) {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("id", UUID.randomUUID().toString());
        n.put("type", Objects.requireNonNull(type, "type"));
        n.put("time", Objects.requireNonNull(time, "time").toString());
        return new Event(n);
    }

    /** Reads one NDJSON line written by {@link #toLine()}. */
    public static Event parse(String line) {
        try {
            return new Event((ObjectNode) Json.mapper().readTree(line));
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalArgumentException("not a JSON event object: " + e.getMessage(), e);
        }
    }

    /** Replaces the random id by an idempotency key of the caller's choosing. */
    public Event id(String id) {
        node.put("id", Objects.requireNonNull(id, "id"));
        return this;
    }

    /** Sets a field; a null value is left out. */
    public Event put(String field, Object value) {
        if (value == null) {
            return this;
        }
        node.set(field, Json.mapper().valueToTree(value));
        return this;
    }

    /** Sets every entry of {@code fields} that is not null. */
    public Event putAll(Map<String, ?> fields) {
        fields.forEach(this::put);
        return this;
    }

    public String id() {
        return node.path("id").asText();
    }

    public String type() {
        return node.path("type").asText();
    }

    public String jobId() {
        return node.hasNonNull("job") ? node.get("job").asText() : null;
    }

    /** A copy of the JSON object. */
    public ObjectNode toJson() {
        return node.deepCopy();
    }

    /** One NDJSON line, without the newline. */
    public String toLine() {
        try {
            return Json.mapper().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise event " + id(), e);
        }
    }

    @Override
    public String toString() {
        return toLine();
    }
}
