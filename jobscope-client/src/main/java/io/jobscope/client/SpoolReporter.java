package io.jobscope.client;

import java.io.IOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes events as NDJSON files into a spool directory: written under a temporary name, synced, then
 * renamed to {@code *.ndjson}, so a reader never sees half a file. A server started with {@code --spool}
 * ingests and deletes them; {@link #drainTo} sends them elsewhere.
 */
public final class SpoolReporter implements Reporter {
    public static final String SUFFIX = ".ndjson";
    private static final AtomicLong SEQ = new AtomicLong();
    private final Path dir;

    public SpoolReporter(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void send(List<Event> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        Files.createDirectories(dir);
        String base = String.format(
                "%d-%s-%d",
                System.currentTimeMillis(), UUID.randomUUID().toString().substring(0, 8), SEQ.incrementAndGet());
        Path tmp = dir.resolve("." + base + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                Writer w = java.nio.channels.Channels.newWriter(ch, StandardCharsets.UTF_8)) {
            for (Event e : events) {
                w.write(e.toLine());
                w.write('\n');
            }
            w.flush();
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, dir.resolve(base + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The complete spool files, oldest first. */
    public static List<Path> pending(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path p : ds) {
                // A name starting with '.' is a file still being written (see events.md); a directory is
                // no batch of events.
                if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        return files;
    }

    /**
     * Sends every spooled file to {@code target}, deleting each once delivered. Stops at the first file
     * that cannot be delivered and returns how many files went.
     */
    public static int drainTo(Path dir, Reporter target) throws IOException {
        int sent = 0;
        for (Path file : pending(dir)) {
            List<Event> events = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    events.add(Event.parse(line));
                }
            }
            target.send(events);
            Files.deleteIfExists(file);
            sent++;
        }
        return sent;
    }
}
