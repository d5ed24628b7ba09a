package io.jobscope.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated event, ready for the writer: its key fields parsed, the whole object kept for the
 * projection, and its JSON text for the append-only event table.
 */
public record IngestEvent(
        String id, String type, long timeMs, String jobId, String workflowId, ObjectNode fields, String json) {

    public boolean isJobEvent() {
        return type.startsWith("job.");
    }
}
