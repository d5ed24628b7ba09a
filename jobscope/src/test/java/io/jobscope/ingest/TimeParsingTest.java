package io.jobscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Event times: the hand-written fast path agrees with java.time, and rejects what java.time rejects. */
class TimeParsingTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-11-21T10:30:00Z",
                "2026-11-21T10:30:00.5Z",
                "2025-10-15T00:00:00.625720",
                "2024-02-29T23:59:59.999999999Z",
                "1999-12-31T00:00:00",
                "2026-11-21T10:30:00.123z"
            })
    void theFastPathAgreesWithJavaTime(String text) {
        Instant expected = text.endsWith("Z") || text.endsWith("z")
                ? Instant.parse(text.toUpperCase())
                : java.time.LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC);
        assertThat(EventValidator.parseCommonTime(text)).isEqualTo(expected);
        assertThat(EventValidator.parseTime(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-21T10:30:00+01:00", "2026-11-21T11:30:00.250-02:00"})
    void offsetsGoToTheGeneralParser(String text) {
        assertThat(EventValidator.parseCommonTime(text)).isNull();
        assertThat(EventValidator.parseTime(text))
                .isEqualTo(java.time.OffsetDateTime.parse(text).toInstant());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-13-45T10:30:00Z",
                "2026-02-30T10:30:00Z",
                "2026-11-21 10:30:00",
                "yesterday",
            })
    void impossibleTimesAreRejected(String text) {
        assertThat(EventValidator.parseCommonTime(text)).isNull();
        assertThatThrownBy(() -> EventValidator.parseTime(text)).isInstanceOf(DateTimeParseException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-21T24:00:00Z", "2026-11-21T10:30:00.Z"})
    void unusualShapesAreLeftToJavaTime(String text) {
        assertThat(EventValidator.parseCommonTime(text)).isNull();
    }
}
