package io.jobscope.agent;

import java.io.IOException;
import java.nio.file.Path;

/** The job's side of phase reporting: what {@code jobscope phase} does inside a wrapped job. */
public final class Phases {
    private Phases() {}

    /** How a mark was delivered. */
    public enum Delivered {
        SOCKET,
        MARKER_LINE,
        NOWHERE
    }

    /**
     * Reports a phase mark to the wrapper through {@code $JOBSCOPE_CONTROL}; when that fails but the
     * process runs inside a wrapped job, prints the marker line on stdout, which the wrapper also reads.
     *
     * @param markerOut where the marker line goes (the process's stdout)
     */
    public static Delivered report(
            String name, String state, String controlSocket, String jobId, java.io.PrintStream markerOut)
            throws IOException {
        if (!PhaseTracker.STATES.contains(state)) {
            throw new IllegalArgumentException("state must be start, done or failed, got '" + state + "'");
        }
        if (name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("phase name must be one word without spaces, got '" + name + "'");
        }
        if (controlSocket != null && !controlSocket.isBlank()) {
            try {
                String reply = ControlServer.send(
                        Path.of(controlSocket),
                        name,
                        state,
                        ProcessHandle.current().pid());
                if (reply.startsWith("OK")) {
                    return Delivered.SOCKET;
                }
            } catch (IOException | RuntimeException e) {
                // fall through to the marker line
            }
        }
        if (jobId != null && !jobId.isBlank()) {
            markerOut.println("JOBSCOPE PHASE " + name + " " + state);
            markerOut.flush();
            return Delivered.MARKER_LINE;
        }
        return Delivered.NOWHERE;
    }
}
