package io.jobscope.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The literal scanner finds exactly the lines a naive case-insensitive search finds, with their groups. */
class LineScannerTest {
    private static final List<List<String>> GROUPS = List.of(
            List.of("connection refused", "econnrefused"),
            List.of("error"),
            List.of("out of memory", "oom"),
            List.of("401 unauthorized"),
            List.of("rror:", "no space left"),
            List.of("traceback"));

    private static List<String> naive(String text, int firstLine, long baseOffset) {
        List<String> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        long offset = baseOffset;
        for (int n = 0; n < lines.length; n++) {
            String lower = lines[n].toLowerCase(Locale.ROOT);
            long[] groups = new long[1];
            for (int g = 0; g < GROUPS.size(); g++) {
                for (String lit : GROUPS.get(g)) {
                    if (lower.contains(lit)) {
                        groups[0] |= 1L << g;
                    }
                }
            }
            if (groups[0] != 0) {
                out.add((firstLine + n) + "@" + offset + " " + lines[n] + " " + Arrays.toString(groups));
            }
            offset += lines[n].getBytes(StandardCharsets.UTF_8).length + 1;
        }
        return out;
    }

    private static String text(Random rnd, int lines, boolean finalNewline) {
        String[] words = {
            "INFO",
            "event",
            "Error",
            "ERR",
            "connection",
            "refused",
            "Out",
            "of",
            "memory",
            "401",
            "Unauthorized",
            "rror:",
            "trace",
            "back",
            "traceback",
            "ok",
            "éé",
            "12345",
            "econnRefused",
            "oo",
            "m"
        };
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < lines; l++) {
            int n = rnd.nextInt(rnd.nextInt(50) == 0 ? 3000 : 12);
            for (int w = 0; w < n; w++) {
                String word = words[rnd.nextInt(words.length)];
                sb.append(rnd.nextInt(8) == 0 ? word : "x" + rnd.nextInt(1000));
                sb.append(rnd.nextInt(3) == 0 ? "" : " ");
            }
            if (l < lines - 1 || finalNewline) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void everyLineHoldingALiteralIsFoundInOrderWithItsGroupsAndNoOther() {
        LineScanner scanner = new LineScanner(GROUPS);
        Random rnd = new Random(3);
        for (int round = 0; round < 300; round++) {
            String t = text(rnd, 1 + rnd.nextInt(round < 100 ? 20 : 2000), rnd.nextBoolean());
            byte[] body = t.getBytes(StandardCharsets.UTF_8);
            int pad = rnd.nextInt(3) * 7;
            byte[] buf = new byte[pad + body.length + pad];
            Arrays.fill(buf, (byte) 'e');
            System.arraycopy(body, 0, buf, pad, body.length);
            List<String> found = new ArrayList<>();
            long next = scanner.scan(
                    buf,
                    pad,
                    pad + body.length,
                    5,
                    100,
                    (lineNo, offset, b, start, end, cand) -> found.add(lineNo + "@" + offset + " "
                            + new String(b, start, end - start, StandardCharsets.UTF_8) + " "
                            + Arrays.toString(cand)));
            assertThat(found).as("round %d", round).isEqualTo(naive(t, 5, 100 + pad));
            long newlines = t.chars().filter(c -> c == '\n').count();
            assertThat(next).isEqualTo(5 + newlines);
        }
    }

    @Test
    void newlinesAreCountedExactlyWhateverTheBytesAroundThem() {
        Random rnd = new Random(9);
        for (int round = 0; round < 200; round++) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            for (int k = 0; k < b.length; k++) {
                if (rnd.nextInt(4) == 0) {
                    b[k] = '\n';
                }
            }
            int from = b.length == 0 ? 0 : rnd.nextInt(b.length);
            long expected = 0;
            for (int k = from; k < b.length; k++) {
                expected += b[k] == '\n' ? 1 : 0;
            }
            assertThat(LineScanner.countNewlines(b, from, b.length)).isEqualTo(expected);
        }
    }
}
