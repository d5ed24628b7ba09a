package io.jobscope.client;

import java.util.List;

/** What the server did with a batch of events: stored, already known, refused (by line). */
public record IngestResult(long accepted, long duplicates, List<Rejection> rejected) {
    public IngestResult {
        rejected = rejected == null ? List.of() : List.copyOf(rejected);
    }

    /** One refused line of a batch, numbered from 1, and why. */
    public record Rejection(long line, String error) {}
}
