package io.jobscope.diagnose;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The built-in packs against the labelled corpus of realistic failing-job logs. */
class CorpusAccuracyTest {
    private final Classifier classifier =
            new Classifier(RuleBook.builtIn(), Classifier.loadPlugins(Path.of("/nonexistent")));

    @Test
    void corpusCoversEveryCategoryWithAtLeastFortyLogs() throws Exception {
        List<Corpus.Case> cases = Corpus.load();
        assertThat(cases).hasSizeGreaterThanOrEqualTo(40);
        Set<Category> covered = cases.stream().map(Corpus.Case::expected).collect(Collectors.toSet());
        assertThat(covered).containsExactlyInAnyOrder(Category.values());
    }

    @Test
    void builtInPacksClassifyAtLeastNinetyFivePercentOfTheCorpusRight() throws Exception {
        List<Corpus.Case> cases = Corpus.load();
        List<String> wrong = new ArrayList<>();
        for (Corpus.Case c : cases) {
            Diagnosis d = classifier.classify(c.job());
            boolean ok = d.category() == c.expected()
                    && (c.expectedRule() == null || c.expectedRule().equals(d.rule()));
            if (!ok) {
                wrong.add(c.name() + ": expected " + c.expected().label() + "/" + c.expectedRule() + ", got "
                        + d.category().label() + "/" + d.rule() + " (" + d.signature() + ")");
            }
        }
        double accuracy = 1.0 - (double) wrong.size() / cases.size();
        assertThat(accuracy).as("accuracy; wrong: %s", wrong).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    void noCodeFailureIsEverCalledAServiceFailure() throws Exception {
        for (Corpus.Case c : Corpus.load()) {
            if (c.expected() == Category.CODE) {
                assertThat(classifier.classify(c.job()).category()).as(c.name()).isNotEqualTo(Category.SERVICE);
            }
        }
    }
}
