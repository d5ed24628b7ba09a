package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.client.SpoolReporter;
import io.jobscope.testing.Stores;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --db} PostgreSQL URLs as users write them, on a PostgreSQL that checks passwords. */
class PostgresUrlCliTest {
    @TempDir
    Path tmp;

    private static String url(Stores.Login login, String userInfo) {
        return "postgresql://" + userInfo + "@127.0.0.1:" + login.port() + "/" + login.database();
    }

    private static String jdbcUrl(Stores.Login login, String password) {
        return "jdbc:postgresql://127.0.0.1:" + login.port() + "/" + login.database() + "?user=" + login.user()
                + "&password=" + password;
    }

    @Test
    void flushIntoPostgresNamesTheStoreWithThePasswordMasked() throws Exception {
        Stores.Login login = Stores.postgresLogin("s3cret-pw");
        Path spool = tmp.resolve("spool");
        new SpoolReporter(spool).send(List.of(Event.job(Event.JOB_STARTED, "flushed-1", Instant.now())));

        CliRunner.Result r =
                CliRunner.run("flush", "--spool", spool.toString(), "--db", url(login, login.user() + ":s3cret-pw"));

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("sent 1 of 1", "postgresql://" + login.user() + ":***@127.0.0.1");
        assertThat(r.out() + r.err()).doesNotContain("s3cret-pw");
    }

    @Test
    void aWrongPasswordInAJdbcUrlIsNotPrinted() {
        Stores.Login login = Stores.postgresLogin("right-pw");

        CliRunner.Result r = CliRunner.run("history", "--db", jdbcUrl(login, "Wr0ng-pw"));

        assertThat(r.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.err()).contains("password authentication failed", "password=***");
        assertThat(r.out() + r.err()).doesNotContain("Wr0ng-pw");
    }

    @Test
    void aPasswordBeforeTheHostOfAJdbcUrlIsNotPrintedEvenByTheDriver() {
        Stores.Login login = Stores.postgresLogin("s3cret-pw");

        CliRunner.Result r = CliRunner.run(
                "history",
                "--db",
                "jdbc:postgresql://" + login.user() + ":s3cret-pw@127.0.0.1:" + login.port() + "/" + login.database());

        assertThat(r.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.out() + r.err()).contains(login.user() + ":***@").doesNotContain("s3cret-pw");
        assertThat(r.err()).contains("takes the user and password as parameters (?user=NAME&password=SECRET)");
    }

    @Test
    void aPortThatIsNotANumberIsSaidSoInEitherForm() {
        CliRunner.Result url = CliRunner.run("history", "--db", "postgresql://ju:secret@127.0.0.1:notaport/jdb");
        CliRunner.Result jdbc =
                CliRunner.run("history", "--db", "jdbc:postgresql://127.0.0.1:notaport/jdb?user=ju&password=secret");

        assertThat(url.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(url.err()).contains("port 'notaport' is not a number").doesNotContain("secret");
        assertThat(jdbc.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(jdbc.err()).contains("port 'notaport' is not a number").doesNotContain("secret");
    }

    @Test
    void anUnknownHostIsNamedAndExitsOneAsAStoreThatCannotBeReached() {
        CliRunner.Result r = CliRunner.run("history", "--db", "postgresql://ju:secret@nonexistent.invalid/jdb");

        // as a server that cannot be reached: the call failed (1), not what was typed (2)
        assertThat(r.exit()).isEqualTo(Main.EXIT_SERVER_ERROR);
        assertThat(r.err()).contains("unknown host nonexistent.invalid");
    }

    @Test
    void aQuestionMarkInThePasswordIsNotTakenForThePortAndEchoed() {
        CliRunner.Result r = CliRunner.run("history", "--db", "postgresql://ju:pw?word@127.0.0.1:1/jdb");

        assertThat(r.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.err()).contains("percent-encode").doesNotContain("'pw'").doesNotContain("pw?word");
    }

    @Test
    void aPlusInThePasswordIsAPlusAndPercentEscapesAreDecodedAsPsqlReadsThem() {
        Stores.Login login = Stores.postgresLogin("a+b c");

        CliRunner.Result r = CliRunner.run("history", "--db", url(login, login.user() + ":a+b%20c"));

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("No jobs match");
    }

    @Test
    void aMalformedUrlSaysWhatIsWrongAndHowToWriteThePasswordWithoutEchoingIt() {
        CliRunner.Result escape = CliRunner.run("history", "--db", "postgresql://js2:p@ss:w/rd%@127.0.0.1:1/jdb");
        CliRunner.Result space = CliRunner.run("history", "--db", "postgresql://js:js pass@127.0.0.1:1/jdb");

        assertThat(escape.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(escape.err())
                .contains("malformed escape pair", "percent-encode", "@ as %40", "postgresql://js2:***@")
                .doesNotContain("p@ss")
                .doesNotContain("w/rd");
        assertThat(space.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(space.err()).contains("illegal character", "a space as %20").doesNotContain("js pass");
    }

    @Test
    void aUrlOfAnotherSchemeIsRefusedNotMadeIntoAFileNamedAfterItWithItsPassword() {
        for (String db : new String[] {"postgresql+psycopg2://u:s3cret@db/jobs", "POSTGRESQL://u:s3cret@db/jobs"}) {
            for (String command : new String[] {"history", "stats"}) {
                CliRunner.Result r = CliRunner.run(command, "--db", db);
                assertThat(r.exit()).as(db + " " + command).isEqualTo(Main.EXIT_USER_ERROR);
                assertThat(r.err()).as(db).contains("is not one jobscope knows").doesNotContain("s3cret");
            }
        }
        assertThat(java.nio.file.Path.of("postgresql+psycopg2:")).doesNotExist();
        assertThat(java.nio.file.Path.of("POSTGRESQL:")).doesNotExist();
    }

    @Test
    void demoRefusesADatabaseUrlWithoutEchoingIt() {
        CliRunner.Result r = CliRunner.run("demo", "--port", "0", "--db", "postgresql://ju:s3cret-pw@127.0.0.1/jdb");

        assertThat(r.exit()).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(r.err()).contains("give a file path, not a database URL").doesNotContain("s3cret-pw");
    }

    @Test
    void theServerBannerShowsTheStoreWithThePasswordMasked() throws Exception {
        Stores.Login login = Stores.postgresLogin("s3cret-pw");
        List<String> cmd = Cli.java();
        cmd.addAll(List.of("server", "--port", "0", "--db", jdbcUrl(login, "s3cret-pw")));
        Process server = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String banner = out.readLine();

            assertThat(banner).contains("listening on", "store: jdbc:postgresql://", "password=***");
            assertThat(banner).doesNotContain("s3cret-pw");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }
}
