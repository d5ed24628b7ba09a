package io.jobscope.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading worker logs as real jobs leave them: both formats, every defect, incremental reads. */
class WorkerLogTest {

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        return io.jobscope.testing.Fixtures.path("worker/" + name);
    }

    private Summary summarize(Path dir) throws IOException {
        WorkerLog log = WorkerLog.open(dir);
        log.update();
        return log.summary();
    }

    private Path serverLog(String... lines) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("worker_1234"));
        Files.writeString(dir.resolve("server.log"), String.join("\n", lines) + "\n");
        return dir;
    }

    private static String started(String time, long item, String client) {
        return "2024-03-11 " + time + " [info]: workitem " + item + " started: " + client;
    }

    private static String done(String time, long item, int exit) {
        return "2024-03-11 " + time + " [info]: workitem " + item + " done: " + exit;
    }

    @Test
    void serverLogFixtureCountsSuccessfulFailedAndIncompleteItems() throws IOException {
        Summary s = summarize(fixture("worker_4242"));

        assertThat(s.success()).isEqualTo(271);
        assertThat(s.failure()).isEqualTo(24);
        assertThat(s.incomplete()).isEqualTo(5);
        assertThat(s.failedItems()).startsWith(7L, 11L, 12L, 28L).hasSize(24);
        assertThat(s.incompleteItems()).containsExactly(294L, 295L, 296L, 297L, 300L);
        assertThat(s.skippedLines()).isZero();
        assertThat(s.clients()).hasSize(6);
        // computed independently from the fixture with Python's datetime and statistics
        assertThat(s.walltime().count()).isEqualTo(295);
        assertThat(s.walltime().mean()).isCloseTo(58.15230591525424, within(1e-9));
        assertThat(s.walltime().std()).isCloseTo(40.835543368782204, within(1e-9));
        assertThat(s.walltime().min()).isCloseTo(2.147112, within(1e-9));
        assertThat(s.walltime().p25()).isCloseTo(31.792352, within(1e-9));
        assertThat(s.walltime().p50()).isCloseTo(48.970258, within(1e-9));
        assertThat(s.walltime().p75()).isCloseTo(72.613893, within(1e-9));
        assertThat(s.walltime().max()).isCloseTo(293.743768, within(1e-9));
    }

    @Test
    void mpiLogFixtureReadsRanksAsClientsAndFailedLinesAsFailures() throws IOException {
        WorkerLog log = WorkerLog.open(fixture("v1_4243"));
        log.update();
        Summary s = log.summary();

        assertThat(log.format()).isEqualTo(WorkerLog.Format.MPI);
        assertThat(s.success()).isEqualTo(267);
        assertThat(s.failure()).isEqualTo(28);
        assertThat(s.incomplete()).isEqualTo(5);
        assertThat(s.failedItems()).startsWith(13L, 53L, 55L);
        assertThat(s.clients()).extracting(Summary.ClientStats::client).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(s.skippedLines()).isZero();
    }

    @Test
    void mpiDatesWithPaddedDaysGiveWalltimesInSeconds() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("v1_77"));
        Files.writeString(dir.resolve("run.log77"), """
                1 started by 1 at Tue Mar  5 10:49:13 2019
                2 started by 2 at Tue Mar  5 23:59:50 2019
                1 completed by 1 at Tue Mar  5 10:50:13 2019
                2 failed by 2 at Wed Mar  6 00:00:10 2019: 137
                """);
        Summary s = summarize(dir);

        assertThat(s.success()).isEqualTo(1);
        assertThat(s.failure()).isEqualTo(1);
        assertThat(s.failedItems()).containsExactly(2L);
        assertThat(s.walltime().min()).isEqualTo(20.0);
        assertThat(s.walltime().max()).isEqualTo(60.0);
    }

    @Test
    void walltimeStatisticsMatchHandComputedValues() throws IOException {
        // durations 1, 2, 3, 4, 10 s: mean 4; sample std sqrt((9+4+1+0+36)/4) = sqrt(12.5);
        // linear quartiles at ranks 1, 2, 3 -> 2, 3, 4
        Path dir = serverLog(
                started("10:00:00.000000", 1, "a"),
                started("10:00:00.000000", 2, "a"),
                started("10:00:00.000000", 3, "b"),
                started("10:00:00.000000", 4, "b"),
                started("10:00:00.500000", 5, "b"),
                done("10:00:01.000000", 1, 0),
                done("10:00:02.000000", 2, 0),
                done("10:00:03.000000", 3, 0),
                done("10:00:04.000000", 4, 3),
                done("10:00:10.500000", 5, 0));
        Summary s = summarize(dir);

        Walltime w = s.walltime();
        assertThat(w.count()).isEqualTo(5);
        assertThat(w.mean()).isCloseTo(4.0, within(1e-12));
        assertThat(w.std()).isCloseTo(Math.sqrt(12.5), within(1e-12));
        assertThat(w.min()).isEqualTo(1.0);
        assertThat(w.p25()).isCloseTo(2.0, within(1e-12));
        assertThat(w.p50()).isCloseTo(3.0, within(1e-12));
        assertThat(w.p75()).isCloseTo(4.0, within(1e-12));
        assertThat(w.max()).isCloseTo(10.0, within(1e-12));
        assertThat(s.failedItems()).containsExactly(4L);
    }

    @Test
    void clientStatisticsAndLoadBalanceAreMaxTotalOverMeanTotal() throws IOException {
        // client a: 1 + 2 = 3 s; client b: 3 + 4 + 10 = 17 s; mean total 10 -> load balance 1.7
        Path dir = serverLog(
                started("10:00:00.000000", 1, "a"),
                started("10:00:00.000000", 2, "a"),
                started("10:00:00.000000", 3, "b"),
                started("10:00:00.000000", 4, "b"),
                started("10:00:00.000000", 5, "b"),
                started("10:00:00.000000", 6, "a"),
                done("10:00:01.000000", 1, 0),
                done("10:00:02.000000", 2, 0),
                done("10:00:03.000000", 3, 0),
                done("10:00:04.000000", 4, 1),
                done("10:00:10.000000", 5, 0));
        Summary s = summarize(dir);

        assertThat(s.clients()).hasSize(2);
        Summary.ClientStats a = s.clients().get(0);
        Summary.ClientStats b = s.clients().get(1);
        assertThat(a.client()).isEqualTo("a");
        assertThat(a.count()).isEqualTo(2);
        assertThat(a.success()).isEqualTo(2);
        assertThat(a.incomplete()).isEqualTo(1);
        assertThat(a.total()).isCloseTo(3.0, within(1e-12));
        assertThat(a.mean()).isCloseTo(1.5, within(1e-12));
        assertThat(a.std()).isCloseTo(Math.sqrt(0.5), within(1e-12));
        assertThat(a.p50()).isCloseTo(1.5, within(1e-12));
        assertThat(b.failure()).isEqualTo(1);
        assertThat(b.total()).isCloseTo(17.0, within(1e-12));
        assertThat(b.p25()).isCloseTo(3.5, within(1e-12));
        assertThat(b.p75()).isCloseTo(7.0, within(1e-12));
        assertThat(s.loadBalance()).isCloseTo(1.7, within(1e-12));
    }

    @Test
    void quartilesBySelectionEqualQuartilesOfTheSortedSample() {
        Random rnd = new Random(7);
        for (int n : new int[] {1, 2, 3, 63, 64, 65, 100, 1001, 4096}) {
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = rnd.nextInt(5) == 0 ? 42.0 : rnd.nextDouble() * 100; // with ties
            }
            double[] sorted = a.clone();
            java.util.Arrays.sort(sorted);
            Walltime w = Walltime.of(a.clone(), 0, n);
            assertThat(w.min()).as("min n=%d", n).isEqualTo(sorted[0]);
            assertThat(w.max()).as("max n=%d", n).isEqualTo(sorted[n - 1]);
            assertThat(w.p25()).as("p25 n=%d", n).isCloseTo(numpyLinear(sorted, 0.25), within(1e-9));
            assertThat(w.p50()).as("p50 n=%d", n).isCloseTo(numpyLinear(sorted, 0.50), within(1e-9));
            assertThat(w.p75()).as("p75 n=%d", n).isCloseTo(numpyLinear(sorted, 0.75), within(1e-9));
        }
    }

    private static double numpyLinear(double[] s, double q) {
        double h = (s.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (h - lo) * (s[hi] - s[lo]);
    }

    @Test
    void defectsOfRealLogsAreCountedAndReportedNotFatal() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("worker_55"));
        Files.writeString(
                dir.resolve("server.log"),
                String.join(
                        "\n",
                        done("10:00:00.000000", 7, 0), // done without its started: a truncated log
                        started("10:00:00.000000", 1, "a"),
                        "workitem 2 started: a", // no timestamp
                        "2024-03-11 10:00:01.000000 [info]: workitem x started: a", // no item number
                        "",
                        started("10:00:01.000000", 3, "b"),
                        "2024-03-11 10:00:02.000000 [info]: workitem 3 done: oops", // no exit code
                        done("10:00:02.000000", 1, 0),
                        "",
                        "   ",
                        "2024-03-11 10:00:03.000000 [info]: workitem 3 do") // still being written
                );
        WorkerLog log = WorkerLog.open(dir);
        log.update();
        Summary s = log.summary();

        assertThat(s.success()).isEqualTo(2);
        assertThat(s.doneWithoutStart()).isEqualTo(1);
        assertThat(s.incomplete()).isEqualTo(1);
        assertThat(s.incompleteItems()).containsExactly(3L);
        assertThat(s.skippedLines()).isEqualTo(3);
        assertThat(s.firstSkippedLine()).isEqualTo(3);
        assertThat(s.walltime().count()).isEqualTo(1);
        assertThat(s.blankLines()).isEqualTo(3);
        assertThat(s.unfinishedLastLine()).isTrue();
    }

    @Test
    void windowsLineEndsAndATrailingBlankLineReadLikeUnixOnes() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("worker_56"));
        Files.writeString(
                dir.resolve("server.log"),
                started("10:00:00.000000", 1, "a") + "\r\n" + done("10:00:01.000000", 1, 2) + "\r\n\r\n");
        Summary s = summarize(dir);

        assertThat(s.failure()).isEqualTo(1);
        assertThat(s.clients()).extracting(Summary.ClientStats::client).containsExactly("a");
        assertThat(s.skippedLines()).isZero();
        assertThat(s.blankLines()).isEqualTo(1);
        assertThat(s.unfinishedLastLine()).isFalse();
    }

    @Test
    void aLineLongerThanTheReadBufferIsSkippedAndReadingGoesOn() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("worker_57"));
        Path log = dir.resolve("server.log");
        Files.writeString(log, started("10:00:00.000000", 1, "a") + "\n");
        Files.writeString(log, "x".repeat(LogScanner.BUFFER + 100) + "\n", StandardOpenOption.APPEND);
        Files.writeString(log, done("10:00:01.000000", 1, 0) + "\n", StandardOpenOption.APPEND);
        Summary s = summarize(dir);

        assertThat(s.success()).isEqualTo(1);
        assertThat(s.skippedLines()).isEqualTo(1);
        assertThat(s.firstSkippedLine()).isEqualTo(2);
    }

    @Test
    void aSecondPassReadsOnlyTheBytesTheLogGained() throws IOException {
        Path dir = serverLog(started("10:00:00.000000", 1, "a"), started("10:00:00.000000", 2, "b"));
        Path file = dir.resolve("server.log");
        WorkerLog log = WorkerLog.open(dir);
        log.update();
        assertThat(log.summary().incomplete()).isEqualTo(2);
        long firstSize = Files.size(file);
        assertThat(log.lastPassBytes()).isEqualTo(firstSize);

        // the server is half-way through writing a line
        String doneLine = done("10:00:05.000000", 1, 0) + "\n";
        Files.writeString(file, doneLine.substring(0, 20), StandardOpenOption.APPEND);
        log.update();
        assertThat(log.lastPassBytes()).isEqualTo(20);
        assertThat(log.summary().incomplete()).isEqualTo(2);
        assertThat(log.summary().unfinishedLastLine()).isTrue();

        Files.writeString(file, doneLine.substring(20), StandardOpenOption.APPEND);
        String more = done("10:00:07.000000", 2, 1) + "\n";
        Files.writeString(file, more, StandardOpenOption.APPEND);
        log.update();
        // the unfinished line is read again from its start, then only what was appended
        assertThat(log.lastPassBytes()).isEqualTo(doneLine.length() + more.length());
        Summary s = log.summary();
        assertThat(s.success()).isEqualTo(1);
        assertThat(s.failure()).isEqualTo(1);
        assertThat(s.incomplete()).isZero();
        assertThat(s.walltime().max()).isEqualTo(7.0);
        assertThat(s.lines()).isEqualTo(4);
        assertThat(log.bytesRead()).isEqualTo(Files.size(file) + 20);
    }

    @Test
    void aPassThatReadsNothingNewReusesTheLastSummary() throws IOException {
        Path dir = serverLog(started("10:00:00.000000", 1, "a"), done("10:00:03.000000", 1, 0));
        WorkerLog log = WorkerLog.open(dir);
        log.update();
        Summary first = log.summary();
        log.update();
        assertThat(log.lastPassBytes()).isZero();
        assertThat(log.summary()).isSameAs(first);

        Files.writeString(
                dir.resolve("server.log"), started("10:00:04.000000", 2, "b") + "\n", StandardOpenOption.APPEND);
        log.update();
        assertThat(log.summary().incomplete()).isEqualTo(1);
    }

    @Test
    void anItemStartedAgainAfterItsDoneIsIncompleteUntilItsNewDone() throws IOException {
        Path dir = serverLog(
                started("10:00:00.000000", 1, "a"), done("10:00:01.000000", 1, 1), started("10:00:02.000000", 1, "b"));
        Summary s = summarize(dir);
        assertThat(s.incomplete()).isEqualTo(1);
        assertThat(s.failure()).isZero();
        assertThat(s.clients())
                .filteredOn(c -> c.client().equals("b"))
                .singleElement()
                .satisfies(c -> assertThat(c.incomplete()).isEqualTo(1));
    }

    @Test
    void parallelReadingGivesTheSameSummaryAsOneThread() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("worker_9"));
        Path file = dir.resolve("server.log");
        Random rnd = new Random(3);
        StringBuilder sb = new StringBuilder();
        int n = 3000;
        for (int i = 1; i <= n; i++) {
            String c = "client-" + (i % 17);
            sb.append(started(String.format("10:%02d:%02d.%06d", i / 60 % 60, i % 60, i), i, c))
                    .append('\n');
            if (i % 97 == 0) {
                sb.append("garbage line ").append(i).append('\n');
            }
            if (i > 20) {
                int d = i - 20;
                if (d % 50 != 0) {
                    sb.append(done(
                                    String.format("11:%02d:%02d.%06d", d / 60 % 60, d % 60, rnd.nextInt(999_999)),
                                    d,
                                    d % 13 == 0 ? 1 : 0))
                            .append('\n');
                }
            }
        }
        Files.writeString(file, sb.toString(), StandardCharsets.US_ASCII);

        WorkerLog one = WorkerLog.open(dir, 1, Long.MAX_VALUE);
        one.update();
        for (int threads : new int[] {2, 3, 7}) {
            WorkerLog many = WorkerLog.open(dir, threads, 1);
            many.update();
            assertThat(many.summary()).as("%d threads", threads).isEqualTo(one.summary());
        }
        assertThat(one.summary().skippedLines()).isEqualTo(n / 97);
        // 97 started lines and 75 done lines come before the first garbage line
        assertThat(one.summary().firstSkippedLine()).isEqualTo(173);
    }

    @Test
    void mangledLinesOfEitherFormatAreSkippedNeverThrown() throws IOException {
        String[] templates = {
            started("10:00:00.123456", 12, "6b0d549b-6f03-475a-9600-a35a099950d8"),
            done("10:00:09.654321", 12, 137),
            "2024-03-11 10:00:00.000000 [info]: work message 12 to 6b0d549b-6f03-475a-9600-a35a099950d8",
            "13 started by 5 at Tue Mar  5 10:52:19 2019",
            "13 failed by 5 at Tue Mar  5 10:52:19 2019: 2",
            "13 completed by 5 at Tue Mar  5 10:52:19 2019"
        };
        Random rnd = new Random(11);
        for (String format : new String[] {"worker_70/server.log", "v1_71/run.log71"}) {
            StringBuilder sb = new StringBuilder();
            int lines = 20_000;
            for (int i = 0; i < lines; i++) {
                byte[] line = templates[rnd.nextInt(templates.length)].getBytes(StandardCharsets.ISO_8859_1);
                int len = rnd.nextInt(4) == 0 ? rnd.nextInt(line.length + 1) : line.length;
                for (int k = rnd.nextInt(3); k > 0 && len > 0; k--) {
                    int at = rnd.nextInt(len);
                    byte v = (byte) rnd.nextInt(256);
                    line[at] = v == '\n' || v == '\r' ? (byte) 'x' : v;
                }
                sb.append(new String(line, 0, len, StandardCharsets.ISO_8859_1)).append('\n');
            }
            Path file = tmp.resolve(format);
            Files.createDirectories(file.getParent());
            Files.writeString(file, sb, StandardCharsets.ISO_8859_1);

            WorkerLog log = WorkerLog.open(file.getParent(), 2, 1);
            log.update();
            Summary s = log.summary();
            assertThat(s.lines()).isEqualTo(lines);
            assertThat(s.skippedLines() + s.blankLines()).isPositive().isLessThan(lines);
        }
    }

    @Test
    void aMissingDirectoryOrLogIsAClearError() throws IOException {
        assertThatThrownBy(() -> WorkerLog.open(tmp.resolve("worker_0")))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no such worker job directory");
        Path empty = Files.createDirectories(tmp.resolve("worker_1"));
        assertThatThrownBy(() -> WorkerLog.open(empty))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("expected server.log");
    }

    @Test
    void aLogThatVanishesBetweenPassesIsReportedAsMissing() throws IOException {
        Path dir = serverLog(started("10:00:00.000000", 1, "a"));
        WorkerLog log = WorkerLog.open(dir);
        log.update();
        Files.delete(dir.resolve("server.log"));
        assertThatThrownBy(log::update).isInstanceOf(NoSuchFileException.class);
        assertThat(log.summary().incomplete()).isEqualTo(1);
    }

    @Test
    void theMpiLogIsFoundByTheJobIdOfTheDirectory() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("v1_812"));
        Files.writeString(dir.resolve("other.log999"), "1 started by 1 at Tue Mar  5 10:49:13 2019\n");
        Files.writeString(dir.resolve("run.log812"), "");
        assertThat(WorkerLog.open(dir).path().getFileName().toString()).isEqualTo("run.log812");
        assertThat(List.of(WorkerLog.open(dir.resolve("other.log999")).format()))
                .containsExactly(WorkerLog.Format.MPI);
    }
}
