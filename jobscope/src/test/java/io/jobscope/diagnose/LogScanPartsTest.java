package io.jobscope.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A large log scanned in parts on several threads gives the very lines, numbers and offsets of one scan. */
class LogScanPartsTest {
    @TempDir
    Path tmp;

    private static List<String> candidates(LogSource.File src, LineScanner scanner, int parts) {
        List<String> out = new ArrayList<>();
        src.scan(
                scanner,
                (lineNo, offset, buf, start, end, cand) -> out.add(lineNo + "@" + offset + " "
                        + new String(buf, start, end - start, StandardCharsets.UTF_8) + " " + Arrays.toString(cand)),
                parts);
        return out;
    }

    private Path log(boolean finalNewline) throws Exception {
        Path f = tmp.resolve("big-" + finalNewline + ".log");
        Random rnd = new Random(1);
        try (BufferedWriter w = Files.newBufferedWriter(f)) {
            for (int i = 0; i < 60_000; i++) {
                if (i % 997 == 0) {
                    w.write("ERROR: Connection refused by db" + i + ".example.org");
                } else if (i % 1499 == 0) {
                    w.write("Segmentation fault (core dumped) in worker " + i);
                } else {
                    w.write("INFO event " + rnd.nextInt(100000) + " processed in " + rnd.nextInt(99) + " ms");
                }
                if (i == 12_345) {
                    w.write(" " + "x".repeat(70_000)); // a line longer than the part boundary search
                }
                w.write("\n");
            }
            w.write("Traceback (most recent call last): the end");
            if (finalNewline) {
                w.write("\n");
            }
        }
        return f;
    }

    @Test
    void partsReportTheSameCandidateLinesInFileOrderAsOneScan() throws Exception {
        LineScanner scanner = RuleBook.builtIn().rulesFor(null, null).scanner;
        for (boolean newline : new boolean[] {true, false}) {
            LogSource.File src = (LogSource.File) LogSource.of("stderr", log(newline));
            List<String> one = candidates(src, scanner, 1);
            assertThat(one).hasSizeGreaterThan(100);
            assertThat(one.get(one.size() - 1)).startsWith("60001@").contains("Traceback");
            for (int parts : new int[] {2, 3, 7, 64}) {
                assertThat(candidates(src, scanner, parts))
                        .as("%d parts", parts)
                        .isEqualTo(one);
            }
        }
    }

    @Test
    void stoppingEarlyReleasesThePartsAndLaterScansStillWork() throws Exception {
        LineScanner scanner = RuleBook.builtIn().rulesFor(null, null).scanner;
        LogSource.File src = (LogSource.File) LogSource.of("stderr", log(true));
        try {
            src.scan(
                    scanner,
                    (lineNo, offset, buf, start, end, cand) -> {
                        throw new IllegalStateException("consumer gave up");
                    },
                    4);
        } catch (IllegalStateException expected) {
            assertThat(expected).hasMessage("consumer gave up");
        }
        assertThat(candidates(src, scanner, 4)).isEqualTo(candidates(src, scanner, 1));
    }
}
