package io.jobscope.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated event, ready for the writer: its key fields parsed, the whole object kept for the
 * projection, and its JSON text for the append-only event table. The JSON texts of {@code params},
 * {@code depends_on} and {@code attributes}, which the job row keeps as text, are made where the event is
 * validated (on a request's thread) rather than by the single writer; an importer that has them as text
 * already may leave them out of {@code fields}.
 */
public record IngestEvent(
        String id,
        String type,
        long timeMs,
        String jobId,
        String workflowId,
        ObjectNode fields,
        String json,
        String paramsJson,
        String dependsOnJson,
        String attributesJson) {

    public IngestEvent(
            String id, String type, long timeMs, String jobId, String workflowId, ObjectNode fields, String json) {
        this(
                id,
                type,
                timeMs,
                jobId,
                workflowId,
                fields,
                json,
                text(fields, "params"),
                text(fields, "depends_on"),
                text(fields, "attributes"));
    }

    private static String text(ObjectNode fields, String name) {
        JsonNode v = fields.get(name);
        return v == null || v.isNull() ? null : v.toString();
    }

    public boolean isJobEvent() {
        return type.startsWith("job.");
    }
}
