package io.jobscope.cli;

/** A user's mistake (bad value, unknown job, unreadable file): one line on stderr, exit 2. */
final class UserException extends RuntimeException {
    UserException(String message) {
        super(message, null, false, false);
    }
}
