package io.jobscope.jobs;

import io.jobscope.client.Stats;
import io.jobscope.client.Statuses;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Folds per-(key, status) aggregates from SQL into {@link Stats}. */
final class StatsAccumulator {
    record Cell(String key, String status, long count, double cpu, double duration, long withDuration) {}

    private static final class Acc {
        long total;
        long success;
        long failed;
        double cpu;
        double duration;
        long withDuration;
        final Map<String, Long> byStatus = new TreeMap<>();

        void add(Cell c) {
            total += c.count();
            if (Statuses.SUCCESS.equals(c.status())) {
                success += c.count();
            }
            if (Statuses.isFailure(c.status())) {
                failed += c.count();
            }
            cpu += c.cpu();
            duration += c.duration();
            withDuration += c.withDuration();
            byStatus.merge(c.status(), c.count(), Long::sum);
        }

        double avg() {
            return withDuration == 0 ? 0 : round(duration / withDuration);
        }
    }

    private StatsAccumulator() {}

    static Stats build(String by, List<Cell> cells) {
        Acc all = new Acc();
        Map<String, Acc> groups = new LinkedHashMap<>();
        for (Cell c : cells) {
            all.add(c);
            if (by != null) {
                groups.computeIfAbsent(c.key() == null ? "(none)" : c.key(), k -> new Acc())
                        .add(c);
            }
        }
        List<Stats.Group> out = null;
        if (by != null) {
            out = new ArrayList<>();
            for (Map.Entry<String, Acc> e : groups.entrySet()) {
                Acc a = e.getValue();
                out.add(new Stats.Group(
                        e.getKey(),
                        a.total,
                        a.success,
                        a.failed,
                        round(a.cpu),
                        round(a.duration),
                        a.avg(),
                        a.byStatus));
            }
            out.sort(Comparator.comparingLong(Stats.Group::total).reversed().thenComparing(Stats.Group::key));
        }
        double rate = all.total == 0 ? 0 : Math.round(all.success * 10000.0 / all.total) / 100.0;
        return new Stats(
                all.total,
                all.success,
                all.failed,
                rate,
                all.byStatus,
                round(all.cpu),
                round(all.duration),
                all.avg(),
                by,
                out);
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
