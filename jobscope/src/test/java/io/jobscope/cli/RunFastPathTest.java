package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fast parser of {@code jobscope run} reads what picocli reads, and leaves the rest to picocli. */
class RunFastPathTest {
    private static RunCommand picocli(String... args) {
        CommandLine cl = Main.commandLineFor(new String[] {"run"});
        cl.parseArgs(args);
        return (RunCommand) cl.getSubcommands().get("run").getCommand();
    }

    private static void assertSameAsPicocli(String... args) {
        RunCommand fast = RunFastPath.parse(args);
        RunCommand slow = picocli(args);
        assertThat(fast).as("fast path declined %s", List.of(args)).isNotNull();
        assertThat(fast)
                .usingRecursiveComparison()
                .ignoringFields("spec", "serverGiven")
                .isEqualTo(slow);
        assertThat(fast.serverGiven)
                .isEqualTo(slow.spec.commandLine().getParseResult().hasMatchedOption("--server"));
    }

    @Test
    void usualCommandLinesParseExactlyAsPicocliParsesThem() {
        assertSameAsPicocli("run", "--", "true");
        assertSameAsPicocli("run", "true");
        assertSameAsPicocli("run", "--spool", "/tmp/s", "--id", "j1", "--", "bash", "-c", "exit 3");
        assertSameAsPicocli("run", "--id=j2", "--tool", "sim", "--param", "a=1", "--param", "b=x", "./sim", "-v");
        assertSameAsPicocli(
                "run",
                "--timeout",
                "90s",
                "--kill-grace",
                "5s",
                "--sample-interval",
                "1s",
                "--tail-bytes",
                "100",
                "--log-dir",
                "logs",
                "--server",
                "http://127.0.0.1:1",
                "--token",
                "t",
                "--",
                "sleep",
                "1");
        assertSameAsPicocli("run", "--workflow", "wf", "--site", "S", "--script", "x", "--", "cmd", "--", "-x");
        assertSameAsPicocli("run", "--phase-pattern", "^P (?<name>\\S+) (?<state>\\S+)$", "--db", "x.db", "--", "a");
    }

    @Test
    void everyOptionOfRunIsKnownToTheFastPath() throws Exception {
        List<java.lang.reflect.Field> fields = new java.util.ArrayList<>(List.of(RunCommand.class.getDeclaredFields()));
        fields.addAll(List.of(DeliveryOptions.class.getDeclaredFields()));
        for (java.lang.reflect.Field f : fields) {
            CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
            if (o == null) {
                continue;
            }
            String value = f.getType() == int.class ? "7" : "v";
            for (String name : o.names()) {
                assertSameAsPicocli("run", name, value, "--", "true");
                assertSameAsPicocli("run", name + "=" + value, "cmd");
            }
        }
    }

    @Test
    void helpUnknownRepeatedOrIncompleteOptionsAreLeftToPicocli() {
        assertThat(RunFastPath.parse(new String[] {"run", "--help"})).isNull();
        assertThat(RunFastPath.parse(new String[] {"run", "-h", "--", "true"})).isNull();
        assertThat(RunFastPath.parse(new String[] {"run", "--nope", "x", "--", "true"}))
                .isNull();
        assertThat(RunFastPath.parse(new String[] {"run", "--id", "a", "--id", "b", "--", "true"}))
                .isNull();
        assertThat(RunFastPath.parse(new String[] {"run", "--app", "a", "--tool", "b", "--", "true"}))
                .isNull();
        assertThat(RunFastPath.parse(new String[] {"run", "--id"})).isNull();
        assertThat(RunFastPath.parse(new String[] {"run", "--id", "a", "--"})).isNull();
        assertThat(RunFastPath.parse(new String[] {"run", "--tail-bytes", "many", "--", "true"}))
                .isNull();
    }

    @Test
    void badValuesStillGetPicocliStyleErrors() {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = Main.run(
                new String[] {"run", "--timeout", "soon", "--", "true"},
                new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(err));
        assertThat(code).isEqualTo(Main.EXIT_USER_ERROR);
        assertThat(err.toString()).startsWith("jobscope: --timeout: ").contains("(see 'jobscope run --help')");
    }
}
