package io.jobscope.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Accumulates item outcomes (clients by index, walltimes in primitive arrays) into a {@link Summary}. */
final class SummaryBuilder {
    private final List<String> clientNames;
    private final Map<String, Integer> clientIndex = new HashMap<>();
    private long[] clientSuccess;
    private long[] clientFailure;
    private long[] clientIncomplete;
    private double[] durations;
    private int[] durationClients;
    private int n;
    private long success;
    private long failure;
    private long incomplete;
    private long doneWithoutStart;
    private final List<Object> failedItems = new ArrayList<>();
    private final List<Object> incompleteItems = new ArrayList<>();

    SummaryBuilder(List<String> clientNames, int expectedItems) {
        this.clientNames = new ArrayList<>(clientNames);
        int c = Math.max(4, clientNames.size());
        clientSuccess = new long[c];
        clientFailure = new long[c];
        clientIncomplete = new long[c];
        durations = new double[Math.max(16, expectedItems)];
        durationClients = new int[durations.length];
    }

    /** The index of a client by name, for sources that name clients as they go (the store). */
    int client(String name) {
        Integer i = clientIndex.get(name);
        if (i == null) {
            if (clientIndex.isEmpty()) {
                for (int k = 0; k < clientNames.size(); k++) {
                    clientIndex.put(clientNames.get(k), k);
                }
                i = clientIndex.get(name);
                if (i != null) {
                    return i;
                }
            }
            i = clientNames.size();
            clientNames.add(name);
            clientIndex.put(name, i);
            if (i >= clientSuccess.length) {
                int cap = clientSuccess.length * 2;
                clientSuccess = Arrays.copyOf(clientSuccess, cap);
                clientFailure = Arrays.copyOf(clientFailure, cap);
                clientIncomplete = Arrays.copyOf(clientIncomplete, cap);
            }
        }
        return i;
    }

    /** A finished item; {@code client} -1 when unknown, {@code seconds} NaN when its start is unknown. */
    void finished(Object item, int client, boolean ok, double seconds) {
        if (ok) {
            success++;
        } else {
            failure++;
            failedItems.add(item);
        }
        if (client >= 0) {
            if (ok) {
                clientSuccess[client]++;
            } else {
                clientFailure[client]++;
            }
        }
        if (Double.isNaN(seconds)) {
            doneWithoutStart++;
            return;
        }
        if (n == durations.length) {
            durations = Arrays.copyOf(durations, n * 2);
            durationClients = Arrays.copyOf(durationClients, n * 2);
        }
        durations[n] = seconds;
        durationClients[n] = client;
        n++;
    }

    /** The same for a successful item: no item id needed. */
    void succeeded(int client, double seconds) {
        finished(null, client, true, seconds);
    }

    void incomplete(Object item, int client) {
        incomplete++;
        incompleteItems.add(item);
        if (client >= 0) {
            clientIncomplete[client]++;
        }
    }

    /** Builds the summary; call once (it reorders what it accumulated). */
    Summary build(
            String source, long skipped, Long firstSkipped, long lines, long blankLines, boolean unfinishedLastLine) {
        int c = clientNames.size();
        // offsets[k + 1] = start of client k; clientless durations (index -1) come first
        int[] offsets = offsets(durationClients, n, c);
        double[] grouped = group(durations, durationClients, n, offsets);
        // once grouped, the overall statistics reorder only `durations` and the per-client ones only
        // `grouped`: they run in parallel
        double[] all = durations;
        int count = n;
        java.util.concurrent.CompletableFuture<Walltime> overallStats =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> Walltime.of(all, 0, count));
        List<Summary.ClientStats> clients = new ArrayList<>(c);
        double maxTotal = 0;
        double sumTotal = 0;
        for (int k = 0; k < c; k++) {
            int from = offsets[k + 1];
            int to = offsets[k + 2];
            double total = Walltime.sum(grouped, from, to);
            Walltime w = Walltime.of(grouped, from, to);
            long items = clientSuccess[k] + clientFailure[k] + clientIncomplete[k];
            if (items == 0) {
                continue;
            }
            maxTotal = Math.max(maxTotal, total);
            sumTotal += total;
            clients.add(new Summary.ClientStats(
                    clientNames.get(k),
                    w.count(),
                    clientSuccess[k],
                    clientFailure[k],
                    clientIncomplete[k],
                    w.mean(),
                    w.std(),
                    w.min(),
                    w.p25(),
                    w.p50(),
                    w.p75(),
                    w.max(),
                    total));
        }
        grouped = null;
        Walltime overall = overallStats.join();
        clients.sort(Comparator.comparing(Summary.ClientStats::client, SummaryBuilder::naturalCompare));
        Double balance = clients.isEmpty() || sumTotal <= 0 ? null : maxTotal / (sumTotal / clients.size());
        failedItems.sort(SummaryBuilder::compareItems);
        incompleteItems.sort(SummaryBuilder::compareItems);
        return new Summary(
                source,
                success,
                failure,
                incomplete,
                failedItems,
                incompleteItems,
                overall,
                clients,
                balance,
                skipped,
                firstSkipped,
                doneWithoutStart,
                lines,
                blankLines,
                unfinishedLastLine);
    }

    // The loops over all items live in small methods of their own: a loop that runs a million times
    // gets compiled while it runs (on-stack replacement), and compiling a small method is quick.

    private static int[] offsets(int[] clients, int n, int c) {
        int[] offsets = new int[c + 2];
        for (int i = 0; i < n; i++) {
            offsets[clients[i] + 2]++;
        }
        for (int k = 1; k < offsets.length; k++) {
            offsets[k] += offsets[k - 1];
        }
        return offsets;
    }

    private static double[] group(double[] durations, int[] clients, int n, int[] offsets) {
        double[] grouped = new double[n];
        int[] fill = Arrays.copyOf(offsets, offsets.length);
        for (int i = 0; i < n; i++) {
            grouped[fill[clients[i] + 1]++] = durations[i];
        }
        return grouped;
    }

    private static int compareItems(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        return naturalCompare(String.valueOf(a), String.valueOf(b));
    }

    /** Orders "rank 2" before "rank 10": runs of digits compare as numbers. */
    static int naturalCompare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (isDigit(x) && isDigit(y)) {
                while (i < a.length() - 1 && a.charAt(i) == '0' && isDigit(a.charAt(i + 1))) {
                    i++;
                }
                while (j < b.length() - 1 && b.charAt(j) == '0' && isDigit(b.charAt(j + 1))) {
                    j++;
                }
                int ei = i;
                int ej = j;
                while (ei < a.length() && isDigit(a.charAt(ei))) {
                    ei++;
                }
                while (ej < b.length() && isDigit(b.charAt(ej))) {
                    ej++;
                }
                if (ei - i != ej - j) {
                    return Integer.compare(ei - i, ej - j);
                }
                for (; i < ei; i++, j++) {
                    if (a.charAt(i) != b.charAt(j)) {
                        return Character.compare(a.charAt(i), b.charAt(j));
                    }
                }
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
