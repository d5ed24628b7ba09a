package io.jobscope.ingest;

/** An event that breaks the protocol; the message names the field and the problem. */
public final class InvalidEventException extends Exception {
    public InvalidEventException(String message) {
        super(message, null, false, false);
    }
}
