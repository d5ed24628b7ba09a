package io.jobscope.worker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Client names interned straight from log bytes to small integers: a String is made once per distinct
 * client, never per line.
 */
final class ClientTable {
    private byte[][] keys = new byte[16][];
    private int[] hashes = new int[16];
    private int[] slots = newSlots(64);
    private final List<String> names = new ArrayList<>();

    private static int[] newSlots(int n) {
        int[] s = new int[n];
        Arrays.fill(s, -1);
        return s;
    }

    int size() {
        return names.size();
    }

    String name(int id) {
        return names.get(id);
    }

    List<String> names() {
        return names;
    }

    /** The id of the client spelled by {@code buf[from, to)}, adding it when new. */
    int id(byte[] buf, int from, int to) {
        int h = hash(buf, from, to);
        int mask = slots.length - 1;
        int i = h & mask;
        while (true) {
            int id = slots[i];
            if (id < 0) {
                break;
            }
            if (hashes[id] == h && Arrays.equals(keys[id], 0, keys[id].length, buf, from, to)) {
                return id;
            }
            i = (i + 1) & mask;
        }
        return add(Arrays.copyOfRange(buf, from, to), h, i);
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** Client names are long and alike at neither end, so their first and last eight bytes hash well. */
    private static int hash(byte[] b, int from, int to) {
        int len = to - from;
        long h;
        if (len >= 8) {
            h = (long) LONGS.get(b, from) * 0x9E3779B97F4A7C15L;
            h = (h ^ (long) LONGS.get(b, to - 8)) * 0xC2B2AE3D27D4EB4FL;
        } else {
            h = 1;
            for (int i = from; i < to; i++) {
                h = 31 * h + b[i];
            }
            h *= 0x9E3779B97F4A7C15L;
        }
        h ^= len;
        return (int) (h ^ (h >>> 29) ^ (h >>> 47));
    }

    /** The id of {@code name}, adding it when new. */
    int id(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        return id(b, 0, b.length);
    }

    private int add(byte[] key, int h, int slot) {
        int id = names.size();
        if (id == keys.length) {
            keys = Arrays.copyOf(keys, id * 2);
            hashes = Arrays.copyOf(hashes, id * 2);
        }
        keys[id] = key;
        hashes[id] = h;
        names.add(new String(key, StandardCharsets.UTF_8));
        slots[slot] = id;
        if ((id + 1) * 2 > slots.length) {
            int[] bigger = newSlots(slots.length * 2);
            int mask = bigger.length - 1;
            for (int k = 0; k <= id; k++) {
                int j = hashes[k] & mask;
                while (bigger[j] >= 0) {
                    j = (j + 1) & mask;
                }
                bigger[j] = k;
            }
            slots = bigger;
        }
        return id;
    }
}
