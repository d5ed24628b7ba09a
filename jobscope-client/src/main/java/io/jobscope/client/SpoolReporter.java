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

    /** {@code $JOBSCOPE_SPOOL}, else {@code ~/.jobscope/spool}: where events wait for an unreachable server. */
    public static Path defaultDir() {
        String env = System.getenv("JOBSCOPE_SPOOL");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return JobscopeHome.resolve("spool");
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

    /** Events sent to the destination at a time while a spool file is read. */
    private static final int DRAIN_CHUNK = 1000;

    /**
     * Sends every spooled file to {@code target}, deleting each once delivered, and returns how many went.
     * A file is read a line at a time and sent {@value #DRAIN_CHUNK} events at a time. Stops at the first
     * file that cannot be delivered (the destination is down: the rest would fail too; what went already
     * counts as duplicates when sent again). A file with lines the destination refuses, or that are not
     * events, is set aside in {@code rejected/} with a {@code .errors} file (its other events are stored)
     * and named to {@code onSetAside}, so that it never holds up the files behind it.
     */
    public static int drainTo(Path dir, Reporter target, java.util.function.Consumer<String> onSetAside)
            throws IOException {
        int sent = 0;
        for (Path file : pending(dir)) {
            List<IngestResult.Rejection> refused = drainFile(file, target);
            if (refused.isEmpty()) {
                Files.deleteIfExists(file);
                sent++;
            } else {
                String errors = errorsText(refused, refused.size());
                Path aside = setAside(dir, file, errors);
                onSetAside.accept(file.getFileName() + " set aside as " + aside + ": "
                        + errors.lines().findFirst().orElse(""));
            }
        }
        return sent;
    }

    /** Sends one file's events; returns the lines refused (by line number in the file). */
    private static List<IngestResult.Rejection> drainFile(Path file, Reporter target) throws IOException {
        List<IngestResult.Rejection> refused = new ArrayList<>();
        List<Event> chunk = new ArrayList<>();
        List<Long> lineNos = new ArrayList<>();
        var utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        try (java.io.BufferedReader in =
                new java.io.BufferedReader(new java.io.InputStreamReader(Files.newInputStream(file), utf8))) {
            long no = 0;
            for (String line; (line = in.readLine()) != null; ) {
                no++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    chunk.add(Event.parse(line));
                    lineNos.add(no);
                } catch (IllegalArgumentException e) {
                    refused.add(new IngestResult.Rejection(no, e.getMessage()));
                }
                if (chunk.size() == DRAIN_CHUNK) {
                    send(target, chunk, lineNos, refused);
                }
            }
        } catch (java.nio.charset.CharacterCodingException e) {
            refused.add(new IngestResult.Rejection(0, "not UTF-8 text"));
        }
        send(target, chunk, lineNos, refused);
        return refused;
    }

    /** Sends a chunk and empties it; a refusal is noted under the file's line number of the event. */
    private static void send(
            Reporter target, List<Event> chunk, List<Long> lineNos, List<IngestResult.Rejection> refused)
            throws IOException {
        if (chunk.isEmpty()) {
            return;
        }
        try {
            target.send(chunk);
        } catch (HttpReporter.RejectedEventsException e) {
            for (IngestResult.Rejection r : e.result().rejected()) {
                long line = r.line() >= 1 && r.line() <= lineNos.size() ? lineNos.get((int) r.line() - 1) : 0;
                refused.add(new IngestResult.Rejection(line, r.error()));
            }
        }
        chunk.clear();
        lineNos.clear();
    }

    /**
     * The {@code .errors} text of a file kept aside: a line per refusal, and how many more were refused
     * beyond those listed ({@code total}).
     */
    public static String errorsText(List<IngestResult.Rejection> refused, long total) {
        StringBuilder sb = new StringBuilder();
        for (IngestResult.Rejection r : refused) {
            sb.append("line ").append(r.line()).append(": ").append(r.error()).append('\n');
        }
        if (total > refused.size()) {
            sb.append("… and ").append(total - refused.size()).append(" more line(s) refused\n");
        }
        return sb.toString().strip();
    }

    public static int drainTo(Path dir, Reporter target) throws IOException {
        return drainTo(dir, target, w -> {});
    }

    /**
     * Moves {@code file} into {@code dir/rejected/} with {@code errors} in a {@code .errors} file beside it; a
     * name taken there already gets a number ({@code name-2.ndjson}…). Returns where the file went.
     */
    public static Path setAside(Path dir, Path file, String errors) throws IOException {
        Path rejected = Files.createDirectories(dir.resolve("rejected"));
        String name = file.getFileName().toString();
        String stem = name.substring(0, name.length() - SUFFIX.length());
        Path kept = rejected.resolve(name);
        for (int k = 2; Files.exists(kept) || Files.exists(kept.resolveSibling(kept.getFileName() + ".errors")); k++) {
            kept = rejected.resolve(stem + "-" + k + SUFFIX);
        }
        Files.writeString(kept.resolveSibling(kept.getFileName() + ".errors"), errors + "\n", StandardCharsets.UTF_8);
        Files.move(file, kept);
        return kept;
    }
}
