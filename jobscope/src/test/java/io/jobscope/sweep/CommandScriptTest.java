package io.jobscope.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code script} a wrapped or swept job records when none is given. */
class CommandScriptTest {
    @Test
    void theScriptIsTheFirstArgumentThatIsNotAnOption() {
        assertThat(SweepRunner.script(List.of("./simulate.sh", "input.dat"))).isEqualTo("input.dat");
        assertThat(SweepRunner.script(List.of("python3", "-u", "train.py", "--epochs", "3")))
                .isEqualTo("train.py");
        assertThat(SweepRunner.script(List.of("sh", "-c", "echo hi; exit 4"))).isEqualTo("echo hi; exit 4");
        assertThat(SweepRunner.script(List.of("true"))).isNull();
        assertThat(SweepRunner.script(List.of("ls", "-l"))).isNull();
    }
}
