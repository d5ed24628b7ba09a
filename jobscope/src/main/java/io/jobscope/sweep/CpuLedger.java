package io.jobscope.sweep;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobscope.client.Event;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Takes apart the CPU time of items that ran side by side. The wrapper's exact figure is the kernel's
 * accounting of the children this process reaped between an item's start and end; with several items in
 * one process that also holds every other item reaped meanwhile. Items are settled in the order they
 * ended: an item's own CPU is its figure minus the own CPU of each item that ended within its run. A
 * {@code job.finished} is held back until every item that could have ended before it has reported (an
 * item whose process is still alive ends later), which is a moment except while a log is being drained.
 */
final class CpuLedger {
    private record Open(Instant opened, long pid) {}

    private record Pending(Event event, Instant start, Instant end, double user, double system) {}

    private record Settled(Instant end, double user, double system) {}

    private final Consumer<Event> out;
    private final Map<String, Open> open = new HashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private final List<Settled> settled = new ArrayList<>();

    CpuLedger(Consumer<Event> out) {
        this.out = out;
    }

    /** An item is about to start (its process does not exist yet). */
    synchronized void opening(String id) {
        open.put(id, new Open(Instant.now(), -1));
    }

    /** An item's process runs as {@code pid}. */
    synchronized void started(String id, long pid) {
        Open o = open.get(id);
        open.put(id, new Open(o == null ? Instant.now() : o.opened(), pid));
    }

    /** An item ended and reported; its event leaves, corrected, as soon as the items before it are settled. */
    synchronized void finished(String id, Event e, ObjectNode json) {
        open.remove(id);
        Instant start = instant(json, "start_time");
        Instant end = instant(json, "time");
        if (start == null || end == null || !json.hasNonNull("cpu_user_s")) {
            out.accept(e); // it never ran (could not be started): nothing of it was reaped
            release(false);
            return;
        }
        pending.add(new Pending(
                e,
                start,
                end,
                json.get("cpu_user_s").asDouble(),
                json.path("cpu_system_s").asDouble()));
        pending.sort(Comparator.comparing(Pending::end));
        release(false);
    }

    /** Sends what can be settled now (call now and then). */
    synchronized void release() {
        release(false);
    }

    /** Settles and sends everything (every item has ended). */
    synchronized void flush() {
        release(true);
    }

    /** An item dropped before reporting its end (it failed inside the wrapper). */
    synchronized void abandoned(String id) {
        open.remove(id);
        release(false);
    }

    private void release(boolean all) {
        while (!pending.isEmpty()) {
            Pending p = pending.get(0);
            if (!all && !settleable(p)) {
                return;
            }
            pending.remove(0);
            double user = p.user();
            double system = p.system();
            for (Settled s : settled) {
                if (s.end().isAfter(p.start()) && s.end().isBefore(p.end())) {
                    user -= s.user();
                    system -= s.system();
                }
            }
            user = Math.max(0, round(user));
            system = Math.max(0, round(system));
            settled.add(new Settled(p.end(), user, system));
            p.event().put("cpu_user_s", user).put("cpu_system_s", system);
            out.accept(p.event());
            prune();
        }
    }

    /** No item still out could have been reaped before {@code p} ended. */
    private boolean settleable(Pending p) {
        for (Open o : open.values()) {
            if (o.opened().isAfter(p.end())) {
                continue; // started after p ended
            }
            if (o.pid() < 0) {
                return false; // starting: its start event tells more in a moment
            }
            boolean alive =
                    ProcessHandle.of(o.pid()).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                return false; // ended, report on its way
            }
        }
        return true;
    }

    /** Forgets settled items that ended before anything still unsettled began. */
    private void prune() {
        Instant oldest = null;
        for (Pending p : pending) {
            oldest = oldest == null || p.start().isBefore(oldest) ? p.start() : oldest;
        }
        for (Open o : open.values()) {
            oldest = oldest == null || o.opened().isBefore(oldest) ? o.opened() : oldest;
        }
        if (oldest == null) {
            settled.clear();
            return;
        }
        for (Iterator<Settled> it = settled.iterator(); it.hasNext(); ) {
            if (it.next().end().isBefore(oldest.minusSeconds(1))) {
                it.remove();
            }
        }
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1e6) / 1e6;
    }

    private static Instant instant(ObjectNode json, String field) {
        if (!json.hasNonNull(field)) {
            return null;
        }
        try {
            return Instant.parse(json.get(field).asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
