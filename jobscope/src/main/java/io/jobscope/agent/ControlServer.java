package io.jobscope.agent;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The wrapper's control socket ({@code $JOBSCOPE_CONTROL}, a Unix domain socket in a private temporary
 * directory): {@code jobscope phase} run inside the job sends {@code PHASE <state> <pid> <name>} and gets
 * {@code OK} once the mark is recorded, so the mark's time and CPU are exact.
 */
final class ControlServer implements AutoCloseable {
    /** A phase mark received from a process of the job. */
    record Mark(String name, String state, long pid) {}

    private final Path dir;
    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread thread;
    private final Consumer<Mark> marks;
    private volatile boolean closed;

    private ControlServer(Path dir, Consumer<Mark> marks) throws IOException {
        this.dir = dir;
        this.socket = dir.resolve("control.sock");
        this.marks = marks;
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.thread = new Thread(this::loop, "jobscope-control");
        thread.setDaemon(true);
        thread.start();
    }

    static ControlServer start(Consumer<Mark> marks) throws IOException {
        Path dir = Files.createTempDirectory("jobscope-"); // mode 700: only this user can mark phases
        try {
            return new ControlServer(dir, marks);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    Path socket() {
        return socket;
    }

    private void loop() {
        while (!closed) {
            try (SocketChannel ch = server.accept()) {
                handle(ch);
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void handle(SocketChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0 || containsNewline(buf)) {
                break;
            }
        }
        String line = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        String reply;
        String[] f = line.split(" ", 4);
        if (f.length == 4 && f[0].equals("PHASE") && PhaseTracker.STATES.contains(f[1]) && !f[3].isBlank()) {
            long pid;
            try {
                pid = Long.parseLong(f[2]);
            } catch (NumberFormatException e) {
                pid = 0;
            }
            marks.accept(new Mark(f[3].strip(), f[1], pid));
            reply = "OK\n";
        } else {
            reply = "ERR expecting: PHASE <start|done|failed> <pid> <name>\n";
        }
        ch.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
    }

    private static boolean containsNewline(ByteBuffer buf) {
        for (int i = 0; i < buf.position(); i++) {
            if (buf.get(i) == '\n') {
                return true;
            }
        }
        return false;
    }

    /** Sends one mark to the wrapper listening at {@code socket}; returns its reply. */
    static String send(Path socket, String name, String state, long pid) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap(
                    ("PHASE " + state + " " + pid + " " + name + "\n").getBytes(StandardCharsets.UTF_8)));
            ByteBuffer buf = ByteBuffer.allocate(512);
            while (buf.hasRemaining() && ch.read(buf) >= 0 && !containsNewline(buf)) {
                // read the reply line
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp dir left behind
        }
    }
}
