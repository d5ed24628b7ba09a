package io.jobscope.worker;

import java.util.Arrays;

/**
 * The state of every work item seen, in primitive arrays (item ids are integers): the latest start with
 * its client, the latest done with its exit code. Tables of consecutive stretches of a log fold into one
 * with {@link #absorb}, so stretches can be parsed in parallel and a growing log read piece by piece.
 */
final class ItemTable {
    static final byte STARTED = 1;
    static final byte DONE = 2;
    /** The latest done came after the latest start: the item's current run finished. */
    static final byte DONE_AFTER_START = 4;

    private long[] items;
    private long[] starts;
    private int[] clients;
    private long[] ends;
    private int[] exits;
    private byte[] flags;
    private int size;
    private int[] slots;

    ItemTable(int expected) {
        int cap = Math.max(16, expected);
        items = new long[cap];
        starts = new long[cap];
        clients = new int[cap];
        ends = new long[cap];
        exits = new int[cap];
        flags = new byte[cap];
        slots = newSlots(Integer.highestOneBit(Math.max(32, cap * 2 - 1)) * 2);
    }

    private static int[] newSlots(int n) {
        int[] s = new int[n];
        Arrays.fill(s, -1);
        return s;
    }

    int size() {
        return size;
    }

    long item(int i) {
        return items[i];
    }

    long start(int i) {
        return starts[i];
    }

    long end(int i) {
        return ends[i];
    }

    int client(int i) {
        return clients[i];
    }

    int exit(int i) {
        return exits[i];
    }

    byte flags(int i) {
        return flags[i];
    }

    /** A start of {@code item} at {@code time} (µs) on {@code client}: a new run, which has not finished. */
    void started(long item, long time, int client) {
        int i = slot(item);
        starts[i] = time;
        clients[i] = client;
        flags[i] = (byte) ((flags[i] | STARTED) & ~DONE_AFTER_START);
    }

    /** {@code item} finished at {@code time} (µs) with {@code exit}. */
    void done(long item, long time, int exit) {
        int i = slot(item);
        ends[i] = time;
        exits[i] = exit;
        byte f = (byte) (flags[i] | DONE);
        if ((f & STARTED) != 0) {
            f |= DONE_AFTER_START;
        }
        flags[i] = f;
    }

    /**
     * Folds in the table of the stretch of log that follows this one; {@code clientMap} maps its client
     * ids to this table's.
     */
    void absorb(ItemTable later, int[] clientMap) {
        for (int k = 0; k < later.size; k++) {
            int i = slot(later.items[k]);
            byte lf = later.flags[k];
            if ((lf & STARTED) != 0) {
                starts[i] = later.starts[k];
                clients[i] = clientMap[later.clients[k]];
                if ((lf & DONE) != 0) {
                    ends[i] = later.ends[k];
                    exits[i] = later.exits[k];
                }
                flags[i] = (byte) ((flags[i] & ~DONE_AFTER_START) | lf);
            } else if ((lf & DONE) != 0) {
                ends[i] = later.ends[k];
                exits[i] = later.exits[k];
                byte f = (byte) (flags[i] | DONE);
                if ((f & STARTED) != 0) {
                    f |= DONE_AFTER_START;
                }
                flags[i] = f;
            }
        }
    }

    private int slot(long item) {
        int mask = slots.length - 1;
        int h = hash(item) & mask;
        while (true) {
            int s = slots[h];
            if (s < 0) {
                break;
            }
            if (items[s] == item) {
                return s;
            }
            h = (h + 1) & mask;
        }
        int s = size;
        if (s == items.length) {
            grow();
        }
        items[s] = item;
        clients[s] = -1;
        size = s + 1;
        slots[h] = s;
        if (size * 2 > slots.length) {
            rehash();
        }
        return s;
    }

    /**
     * Nearly the identity: item ids are mostly consecutive, and consecutive ids in consecutive slots keep
     * the lookups of a log's nearby lines in the same cache lines. The shifts spread strided ids.
     */
    private static int hash(long item) {
        return (int) (item ^ (item >>> 16) ^ (item >>> 32));
    }

    private void grow() {
        int cap = items.length * 2;
        items = Arrays.copyOf(items, cap);
        starts = Arrays.copyOf(starts, cap);
        clients = Arrays.copyOf(clients, cap);
        ends = Arrays.copyOf(ends, cap);
        exits = Arrays.copyOf(exits, cap);
        flags = Arrays.copyOf(flags, cap);
    }

    private void rehash() {
        int[] bigger = newSlots(slots.length * 2);
        int mask = bigger.length - 1;
        for (int s = 0; s < size; s++) {
            int h = hash(items[s]) & mask;
            while (bigger[h] >= 0) {
                h = (h + 1) & mask;
            }
            bigger[h] = s;
        }
        slots = bigger;
    }
}
