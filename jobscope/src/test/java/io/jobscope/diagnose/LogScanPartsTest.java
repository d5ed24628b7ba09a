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

    @Test
    void contextAroundALineOfAStoredTailIsTheLinesRightBeforeAndAfterIt() {
        Random rnd = new Random(5);
        for (int round = 0; round < 300; round++) {
            StringBuilder sb = new StringBuilder();
            int lines = rnd.nextInt(400);
            for (int i = 0; i < lines; i++) {
                sb.append("line ")
                        .append(i)
                        .append(" ")
                        .append("y".repeat(rnd.nextInt(rnd.nextInt(30) == 0 ? 900 : 40)));
                sb.append('\n');
            }
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (b.length == 0) {
                continue;
            }
            int offset = rnd.nextInt(b.length);
            while (offset > 0 && b[offset - 1] != '\n') {
                offset--;
            }
            int max = 1 + rnd.nextInt(70);
            LogSource src = LogSource.of("stderr", b);
            List<String> before = LogSource.split(b, Math.max(0, offset - (32 << 10)), Math.max(0, offset - 1));
            assertThat(src.linesBefore(offset, max))
                    .isEqualTo(before.subList(Math.max(0, before.size() - max), before.size()));
            int lineEnd = offset;
            while (lineEnd < b.length && b[lineEnd] != '\n') {
                lineEnd++;
            }
            List<String> after =
                    LogSource.split(b, Math.min(b.length, lineEnd + 1), Math.min(b.length, lineEnd + 1 + (32 << 10)));
            assertThat(src.linesAfter(offset, max)).isEqualTo(after.subList(0, Math.min(max, after.size())));
        }
    }
}
