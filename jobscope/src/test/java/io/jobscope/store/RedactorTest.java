package io.jobscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A PostgreSQL location's password is never shown, whatever characters it holds and wherever it stands. */
class RedactorTest {
    @Test
    void anAtInAQueryPasswordDoesNotEndTheUserInfo() {
        assertThat(Redactor.location("postgresql://nu9:pw@127.0.0.1:55432/nu9b?password=Sec@ret1"))
                .isEqualTo("postgresql://nu9:***@127.0.0.1:55432/nu9b?password=***");
    }

    @Test
    void aJdbcUrlsQueryPasswordWithAnAtIsMaskedAndTheHostStaysReadable() {
        String url = "jdbc:postgresql://127.0.0.1:55432/nu9b?user=nu9&password=Se+cr@t9";
        String shown = Redactor.of(url).apply("cannot connect to PostgreSQL at " + url + ": FATAL: no");

        assertThat(shown)
                .contains("jdbc:postgresql://127.0.0.1:55432/nu9b?user=nu9&password=***")
                .doesNotContain("cr@t9")
                .doesNotContain("@t9");
        assertThat(Redactor.location(url)).isEqualTo("jdbc:postgresql://127.0.0.1:55432/nu9b?user=nu9&password=***");
    }

    @Test
    void aPasswordWithUnencodedAtAndSlashIsMaskedWhole() {
        assertThat(Redactor.location("postgresql://js2:p@ss:w/rd%@127.0.0.1:1/jdb"))
                .isEqualTo("postgresql://js2:***@127.0.0.1:1/jdb");
    }
}
