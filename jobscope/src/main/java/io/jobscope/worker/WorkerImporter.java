package io.jobscope.worker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import io.jobscope.client.Json;
import io.jobscope.client.Statuses;
import io.jobscope.ingest.EventSink;
import io.jobscope.ingest.EventValidator;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.IngestEvent;
import io.jobscope.ingest.InvalidEventException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Stores a worker job as a workflow, one job per work item ({@code <workflow>.<item>}): a
 * {@code job.started} with the client, a {@code job.finished} with the exit code and the walltime. Event
 * ids derive from the workflow, the item and the time, so importing the same log again changes nothing
 * and importing a log that grew adds only what is new.
 */
public final class WorkerImporter {
    private static final int CHUNK = 5000;
    private static final int IN_FLIGHT = 4;

    private final EventSink writer;
    private final ZoneId zone;

    /** {@code zone}: the time zone the worker wrote its local times in. */
    public WorkerImporter(EventSink writer, ZoneId zone) {
        this.writer = writer;
        this.zone = zone;
    }

    /** What an import did. */
    public record Result(String workflow, long items, long imported, long unchanged) {}

    /** Imports everything {@code log} has read (call {@link WorkerLog#update()} first). */
    public Result importLog(WorkerLog log, String workflow) {
        Deque<CompletableFuture<EventWriter.Result>> inFlight = new ArrayDeque<>();
        EventWriter.Result[] total = {EventWriter.Result.EMPTY};
        long[] items = {0};
        String source = log.path().toString();
        List<List<IngestEvent>> current = new ArrayList<>(List.of(new ArrayList<>(CHUNK)));
        log.forEachItem((item, start, client, end, exit) -> {
            items[0]++;
            String job = workflow + "." + item;
            String key = "worker:" + workflow + ":" + item;
            ObjectNode attrs = Json.mapper().createObjectNode();
            attrs.put("source", "worker");
            attrs.put("item", item);
            attrs.put("log", source);
            if (start != Long.MIN_VALUE) {
                ObjectNode e = event(key + ":s" + start, Event.JOB_STARTED, instant(start), job, workflow);
                if (client != null) {
                    e.put("client", client);
                }
                e.put("app", "worker");
                e.set("attributes", attrs);
                current.get(0).add(validated(e));
            }
            if (end != Long.MIN_VALUE) {
                ObjectNode e = event(key + ":f" + end, Event.JOB_FINISHED, instant(end), job, workflow);
                e.put("app", "worker");
                e.put("exit_code", exit);
                e.put("status", exit == 0 ? Statuses.SUCCESS : Statuses.FAILED);
                if (start != Long.MIN_VALUE) {
                    e.put("start_time", instant(start).toString());
                    if (end >= start) {
                        e.put("duration_s", (end - start) / 1e6);
                    }
                    if (client != null) {
                        e.put("client", client);
                    }
                }
                e.set("attributes", attrs);
                current.get(0).add(validated(e));
            }
            if (current.get(0).size() >= CHUNK) {
                inFlight.add(writer.submit(current.get(0)));
                current.set(0, new ArrayList<>(CHUNK));
                while (inFlight.size() > IN_FLIGHT) {
                    total[0] = total[0].plus(join(inFlight.poll()));
                }
            }
        });
        if (!current.get(0).isEmpty()) {
            inFlight.add(writer.submit(current.get(0)));
        }
        while (!inFlight.isEmpty()) {
            total[0] = total[0].plus(join(inFlight.poll()));
        }
        return new Result(workflow, items[0], total[0].accepted(), total[0].duplicates());
    }

    private static EventWriter.Result join(CompletableFuture<EventWriter.Result> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw e;
        }
    }

    private static ObjectNode event(String id, String type, Instant time, String job, String workflow) {
        ObjectNode e = Json.mapper().createObjectNode();
        e.put("id", id);
        e.put("type", type);
        e.put("time", time.toString());
        e.put("job", job);
        e.put("workflow", workflow);
        return e;
    }

    private static IngestEvent validated(ObjectNode e) {
        try {
            return EventValidator.validate(e, null);
        } catch (InvalidEventException ex) {
            // the importer builds only valid events; this is a bug, not the user's input
            throw new IllegalStateException("built an invalid event: " + ex.getMessage(), ex);
        }
    }

    /** A log time (µs of local time, read as UTC) as the instant it was in {@code zone}. */
    Instant instant(long micros) {
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
        return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC)
                .atZone(zone)
                .toInstant();
    }
}
