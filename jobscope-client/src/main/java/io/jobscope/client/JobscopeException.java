package io.jobscope.client;

/** A jobscope server answered with an error, or could not be reached. */
public class JobscopeException extends RuntimeException {
    private final int status;

    public JobscopeException(int status, String message) {
        super(message);
        this.status = status;
    }

    public JobscopeException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }
}
