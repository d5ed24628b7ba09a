package io.jobscope.client;

import java.io.IOException;
import java.util.List;

/** Somewhere events go: a server, a spool directory, or (in the application) the local store. */
public interface Reporter extends AutoCloseable {
    /**
     * Delivers the events, or throws. Returning means the destination has them safely (committed by the
     * server, or renamed into the spool).
     */
    void send(List<Event> events) throws IOException;

    @Override
    default void close() {}
}
