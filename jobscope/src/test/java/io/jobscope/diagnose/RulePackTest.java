package io.jobscope.diagnose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulePackTest {
    @TempDir
    Path tmp;

    @Test
    void everyBuiltInLogRuleHasLiteralsSoNoRegexRunsOnEveryLine() {
        for (RulePack p : RuleBook.builtIn().packs()) {
            for (Rule r : p.rules()) {
                if (r.where() == Where.ANY || r.where() == Where.STDOUT || r.where() == Where.STDERR) {
                    assertThat(r.literals()).as(r.id()).isNotEmpty();
                }
            }
        }
    }

    @Test
    void literalsAreTheLongestPlainRunOfEachAlternative() {
        assertThat(Literals.required("Out of memory: Kill(ed)? process|oom_kill"))
                .containsExactly("out of memory: kill", "oom_kill");
        assertThat(Literals.required("[Dd][Cc]ache.*(error|failed)")).containsExactly("dcache");
        assertThat(Literals.required("^[a-z]+ (x|y)")).isEmpty();
    }

    @Test
    void unknownKeyInAPackIsRejectedNamingFileRuleAndKey() throws Exception {
        Path pack = tmp.resolve("mine.yaml");
        Files.writeString(
                pack,
                "name: mine\nrules:\n  - id: r1\n    patern: x\n    where: any\n    category: code\n",
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> RuleBook.load(List.of(tmp), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mine.yaml: rule 1 (r1): unknown key 'patern'");
    }

    @Test
    void badRegexAndBadCategoryAreReportedClearly() throws Exception {
        Files.writeString(
                tmp.resolve("a.yaml"), "rules:\n  - id: r\n    pattern: 'a(b'\n    where: any\n    category: code\n");
        assertThatThrownBy(() -> RuleBook.load(List.of(tmp.resolve("a.yaml")), false))
                .hasMessageContaining("a.yaml: rule 1 (r): pattern: not a valid regular expression");
        Files.writeString(
                tmp.resolve("b.yaml"), "rules:\n  - id: r\n    pattern: x\n    where: any\n    category: bug\n");
        assertThatThrownBy(() -> RuleBook.load(List.of(tmp.resolve("b.yaml")), false))
                .hasMessageContaining("unknown category 'bug'");
    }

    @Test
    void appPackIsConsultedBeforeBuiltInsEvenForALaterLine() throws Exception {
        Files.writeString(
                tmp.resolve("nova.yaml"),
                "name: nova\napps: [nova-reco]\nrules:\n  - id: nova-calib-missing\n"
                        + "    pattern: 'calibration table mismatch'\n    where: stderr\n    category: configuration\n");
        Classifier c = new Classifier(RuleBook.load(List.of(tmp), false), List.of());
        byte[] err = "Connection refused by db01\nreco: fatal: calibration table mismatch for run 5\n"
                .getBytes(StandardCharsets.UTF_8);
        FailedJob nova = new FailedJob("j", "nova-reco", null, "failed", 1, null, null, null, null, null, null, err);
        FailedJob other = new FailedJob("k", "other", null, "failed", 1, null, null, null, null, null, null, err);
        assertThat(c.classify(nova).rule()).isEqualTo("nova-calib-missing");
        assertThat(c.classify(other).rule()).isEqualTo("connection-refused");
    }

    @Test
    void aJobKilledByTheWrappersTimeoutIsAResourceLimitNotUnknown() {
        Classifier c = new Classifier(RuleBook.builtIn(), List.of());
        Diagnosis d = c.classify(new FailedJob(
                "j", null, null, "timeout", 143, 15, null, "timed out after 7200 s", null, null, null, new byte[0]));
        assertThat(d.rule()).isEqualTo("jobscope-timeout");
        assertThat(d.category()).isEqualTo(Category.RESOURCES);
    }

    @Test
    void earliestErrorWinsOverLaterConsequences() {
        Classifier c = new Classifier(RuleBook.builtIn(), List.of());
        byte[] err = ("ValueError: bad input 42\nSegmentation fault (core dumped)\n").getBytes(StandardCharsets.UTF_8);
        Diagnosis d =
                c.classify(new FailedJob("j", null, null, "failed", 139, null, null, null, null, null, null, err));
        assertThat(d.rule()).isEqualTo("python-exception");
        assertThat(d.lineNo()).isEqualTo(1L);
    }

    @Test
    void aJavaExceptionIsJavasAndADottedPythonOneStaysPythons() {
        Classifier c = new Classifier(RuleBook.builtIn(), List.of());
        Diagnosis java = c.classify(new FailedJob(
                "j",
                null,
                null,
                "error",
                null,
                null,
                null,
                "java.lang.NullPointerException",
                null,
                null,
                null,
                new byte[0]));
        byte[] py = "json.decoder.JSONDecodeError: Expecting value: line 1 column 1\n".getBytes(StandardCharsets.UTF_8);
        Diagnosis python =
                c.classify(new FailedJob("p", null, null, "failed", 1, null, null, null, null, null, null, py));

        assertThat(java.rule()).isEqualTo("java-exception");
        assertThat(python.rule()).isEqualTo("python-exception");
        assertThat(DiagnoseService.verdict(java, "j", false, List.of("j"), null)[1])
                .as("a job with no logs is read with show")
                .startsWith("jobscope show j");
        assertThat(DiagnoseService.verdict(python, "p", true, List.of("p"), null)[1])
                .startsWith("jobscope logs p");
    }

    @Test
    void pythonSignatureHasTheExceptionAndInnermostFrameWithNumbersNormalised() {
        Classifier c = new Classifier(RuleBook.builtIn(), List.of());
        String tb = "Traceback (most recent call last):\n  File \"/a/run.py\", line 9, in <module>\n    main()\n"
                + "  File \"/a/tracking.py\", line 33, in build_tracks\n    seed = seeds[p]\nKeyError: 17\n";
        Diagnosis d = c.classify(new FailedJob(
                "j", null, null, "failed", 1, null, null, null, null, null, null, tb.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.signature()).isEqualTo("KeyError: <n> at tracking.py:build_tracks");
        assertThat(d.excerpt()).contains("tracking.py").endsWith("KeyError: 17");
        assertThat(d.lineNo()).isEqualTo(6L);
    }

    @Test
    void noRuleMatchingSaysExitedWithCodeAndKeepsTheLastErrorLookingLines() {
        Classifier c = new Classifier(RuleBook.builtIn(), List.of());
        byte[] err = "step 1\nfatal: table mismatch\nbye\n".getBytes(StandardCharsets.UTF_8);
        Diagnosis d = c.classify(new FailedJob("j", null, null, "failed", 3, null, null, null, null, null, null, err));
        assertThat(d.category()).isEqualTo(Category.UNKNOWN);
        assertThat(d.signature()).isEqualTo("exited with code 3");
        assertThat(d.excerpt()).isEqualTo("fatal: table mismatch");
    }

    @Test
    void signaturesNormaliseIdsHexPathsAndNumbersButKeepHosts() {
        assertThat(
                        Signatures.normalize(
                                "2025-11-21 10:00:01 ERROR open /pnfs/nova/f_00042.raw at 0x7f3a2c failed for 3f2b1c4e-1111-2222-3333-444455556666 via https://samweb.fnal.gov:8483/sam/api"))
                .isEqualTo("ERROR open <path> at <hex> failed for <id> via https://samweb.fnal.gov<path>");
    }
}
