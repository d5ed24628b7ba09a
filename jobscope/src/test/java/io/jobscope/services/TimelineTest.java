package io.jobscope.services;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.services.Timeline.Report;
import io.jobscope.services.Timeline.Window;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Interval arithmetic at the edges. */
class TimelineTest {
    private static final long T0 = Instant.parse("2026-11-21T10:00:00Z").toEpochMilli();
    private static final long MIN = 60_000;

    private static Report r(String signal, long t, ServiceState s, String msg) {
        return new Report(signal, t, s, msg, "test");
    }

    @Test
    void outageStillOpenHasNoEndAndLastsUntilNow() {
        List<Outage> o = Timeline.outages(
                "db", List.of(r("a", T0, ServiceState.MAJOR_OUTAGE, "down")), List.of(), T0 + 10 * MIN);
        assertThat(o).hasSize(1);
        assertThat(o.get(0).ongoing()).isTrue();
        assertThat(o.get(0).end()).isNull();
        assertThat(o.get(0).durationS()).isEqualTo(600.0);
        assertThat(o.get(0).overlaps(Instant.ofEpochMilli(T0 + 9 * MIN), Instant.ofEpochMilli(T0 + 20 * MIN)))
                .isTrue();
    }

    @Test
    void outageThatStartedBeforeTheWindowOverlapsItWithItsRealStart() {
        List<Outage> o = Timeline.outages(
                "db",
                List.of(r("a", T0, ServiceState.DEGRADED, null), r("a", T0 + 30 * MIN, ServiceState.OPERATIONAL, null)),
                List.of(),
                T0 + 60 * MIN);
        Outage out = o.get(0);
        assertThat(out.start()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(out.overlaps(Instant.ofEpochMilli(T0 + 20 * MIN), Instant.ofEpochMilli(T0 + 40 * MIN)))
                .isTrue();
        assertThat(out.overlaps(Instant.ofEpochMilli(T0 + 30 * MIN), Instant.ofEpochMilli(T0 + 40 * MIN)))
                .as("a window starting exactly when the outage ended")
                .isFalse();
        assertThat(out.overlaps(Instant.ofEpochMilli(T0 - 10 * MIN), Instant.ofEpochMilli(T0)))
                .as("a window ending exactly when the outage began")
                .isFalse();
    }

    @Test
    void outageShorterThanASecondIsKeptWithItsMilliseconds() {
        List<Outage> o = Timeline.outages(
                "db",
                List.of(
                        r("a", T0, ServiceState.MAJOR_OUTAGE, "blip"),
                        r("a", T0 + 300, ServiceState.OPERATIONAL, null)),
                List.of(),
                T0 + MIN);
        assertThat(o).hasSize(1);
        assertThat(o.get(0).durationS()).isEqualTo(0.3);
        assertThat(o.get(0).overlaps(Instant.ofEpochMilli(T0 + 100), Instant.ofEpochMilli(T0 + 200)))
                .isTrue();
    }

    @Test
    void downAndUpInTheSameMillisecondIsNoOutage() {
        List<Outage> o = Timeline.outages(
                "db",
                List.of(r("a", T0, ServiceState.MAJOR_OUTAGE, null), r("a", T0, ServiceState.OPERATIONAL, null)),
                List.of(),
                T0 + MIN);
        assertThat(o).isEmpty();
    }

    @Test
    void worstStateOfOverlappingSignalsIsKeptAndOutageEndsWhenTheLastClears() {
        List<Outage> o = Timeline.outages(
                "db",
                List.of(
                        r("a", T0, ServiceState.DEGRADED, "slow"),
                        r("b", T0 + MIN, ServiceState.MAJOR_OUTAGE, "down"),
                        r("b", T0 + 2 * MIN, ServiceState.OPERATIONAL, "back"),
                        r("a", T0 + 3 * MIN, ServiceState.OPERATIONAL, null)),
                List.of(),
                T0 + 10 * MIN);
        assertThat(o).hasSize(1);
        Outage out = o.get(0);
        assertThat(out.worst()).isEqualTo(ServiceState.MAJOR_OUTAGE);
        assertThat(out.durationS()).isEqualTo(180.0);
        assertThat(out.segments())
                .extracting(Outage.Segment::state)
                .containsExactly(ServiceState.DEGRADED, ServiceState.MAJOR_OUTAGE, ServiceState.DEGRADED);
        assertThat(out.messages()).extracting(Outage.Note::message).containsExactly("slow", "down", "back");
    }

    @Test
    void maintenanceWindowIsAnOutageInMaintenanceButNotDowntime() {
        Window w = new Window("m1", T0, T0 + 60 * MIN, "upgrade");
        List<Outage> o = Timeline.outages("db", List.of(), List.of(w), T0 + 30 * MIN);
        assertThat(o).hasSize(1);
        assertThat(o.get(0).worst()).isEqualTo(ServiceState.MAINTENANCE);
        assertThat(o.get(0).until()).isEqualTo(Instant.ofEpochMilli(T0 + 60 * MIN));
        assertThat(Timeline.uptimePercent(o, T0 - 30 * MIN, T0 + 30 * MIN, T0 + 30 * MIN))
                .isEqualTo(100.0);
    }

    @Test
    void uptimeCountsOnlyTheDowntimeInsideTheSpan() {
        List<Outage> o = Timeline.outages(
                "db",
                List.of(
                        r("a", T0 - 30 * MIN, ServiceState.MAJOR_OUTAGE, null),
                        r("a", T0 + 30 * MIN, ServiceState.OPERATIONAL, null)),
                List.of(),
                T0 + 60 * MIN);
        assertThat(Timeline.uptimePercent(o, T0, T0 + 60 * MIN, T0 + 60 * MIN)).isEqualTo(50.0);
    }
}
