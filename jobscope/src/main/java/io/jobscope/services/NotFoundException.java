package io.jobscope.services;

/** A named service, window, announcement, token or job does not exist (HTTP 404, CLI exit 2). */
public final class NotFoundException extends IllegalArgumentException {
    public NotFoundException(String message) {
        super(message);
    }
}
