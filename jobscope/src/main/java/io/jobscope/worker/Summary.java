package io.jobscope.worker;

import java.util.List;

/**
 * The answer of {@code jobscope summarize}: how many work items succeeded (exit 0), failed (non-zero
 * exit) and are incomplete (started, never done), their walltimes overall and per client, and what of
 * the log could not be read. Walltimes are in seconds. Item ids are numbers for worker logs and job ids
 * for workflows in the store.
 */
public record Summary(
        String source,
        long success,
        long failure,
        long incomplete,
        List<Object> failedItems,
        List<Object> incompleteItems,
        Walltime walltime,
        List<ClientStats> clients,
        Double loadBalance,
        long skippedLines,
        Long firstSkippedLine,
        long doneWithoutStart,
        long lines,
        long blankLines,
        boolean unfinishedLastLine) {

    /** One client's share: its items by outcome and the walltimes of those it finished. */
    public record ClientStats(
            String client,
            long count,
            long success,
            long failure,
            long incomplete,
            Double mean,
            Double std,
            Double min,
            Double p25,
            Double p50,
            Double p75,
            Double max,
            double total) {}
}
