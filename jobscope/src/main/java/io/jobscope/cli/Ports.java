package io.jobscope.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Refuses an address that cannot be bound (a port in use) before a command opens or creates its store, in
 * one line; otherwise the web server would log its own error and the command would leave a new store behind.
 */
final class Ports {
    private Ports() {}

    /** Fails with "cannot listen on HOST:PORT: REASON" plus {@code hint}; port 0 (any free port) always passes. */
    static void requireFree(String host, int port, String hint) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true); // as the web server binds: a port in TIME_WAIT is free
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException | IllegalArgumentException e) {
            throw new UserException(cannotListen(host, port, e) + hint);
        }
    }

    /** "cannot listen on HOST:PORT: " and the innermost cause's message. */
    static String cannotListen(String host, int port, Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return "cannot listen on " + host + ":" + port + ": " + t.getMessage();
    }
}
