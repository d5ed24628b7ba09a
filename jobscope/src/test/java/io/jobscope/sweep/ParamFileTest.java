package io.jobscope.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parameter file of a sweep, read per RFC 4180, and the command template its header fills. */
class ParamFileTest {
    @TempDir
    Path tmp;

    private ParamFile file(String text) throws Exception {
        Path p = tmp.resolve("p.csv");
        Files.writeString(p, text);
        return ParamFile.open(p);
    }

    private static List<Object> all(ParamFile f) {
        List<Object> out = new ArrayList<>();
        f.forEach(out::add, out::add);
        return out;
    }

    @Test
    void quotedFieldsKeepTheirCommasQuotesAndLineBreaks() throws Exception {
        ParamFile f = file("x,y\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\nlines\"\r\n4,\r\n");

        List<Object> rows = all(f);

        assertThat(f.columns()).containsExactly("x", "y");
        assertThat(rows)
                .containsExactly(
                        new ParamFile.Row(1, 2, Map.of("x", "1", "y", "a, b")),
                        new ParamFile.Row(2, 3, Map.of("x", "2", "y", "say \"hi\"")),
                        new ParamFile.Row(3, 4, Map.of("x", "3", "y", "two\nlines")),
                        new ParamFile.Row(4, 6, Map.of("x", "4", "y", "")));
    }

    @Test
    void blankTrailingLinesAndAByteOrderMarkAreNotRows() throws Exception {
        ParamFile f = file("\uFEFFseed\n17\n18\n\n\n");

        assertThat(f.columns()).containsExactly("seed");
        assertThat(f.check()).isEqualTo(new ParamFile.Check(2, 2, List.of(), 0));
    }

    @Test
    void rowWithTheWrongNumberOfFieldsIsReportedAtItsLineAfterAMultiLineField() throws Exception {
        ParamFile f = file("x,y\n1,\"a\nb\"\n2\n3,c,d\n4,e\n");

        ParamFile.Check check = f.check();

        assertThat(check.rows()).isEqualTo(4);
        assertThat(check.valid()).isEqualTo(2);
        assertThat(check.bad())
                .extracting(ParamFile.BadRow::message)
                .containsExactly(
                        "line 4 (row 2): expecting 2 fields (x,y), found 1",
                        "line 5 (row 3): expecting 2 fields (x,y), found 3");
        assertThat(all(f).get(3)).isEqualTo(new ParamFile.Row(4, 6, Map.of("x", "4", "y", "e")));
    }

    @Test
    void textAfterAClosingQuoteIsABadRowAndReadingGoesOn() throws Exception {
        ParamFile f = file("x,y\n1,\"a\"b\n2,c\n");

        assertThat(all(f))
                .containsExactly(
                        new ParamFile.BadRow(
                                1, 2, "a quoted field must end at a comma or the end of the line, found 'b'"),
                        new ParamFile.Row(2, 3, Map.of("x", "2", "y", "c")));
    }

    @Test
    void unclosedQuoteIsReportedAtTheLineWhereItOpens() throws Exception {
        ParamFile f = file("x\n1\n\"open\n2\n3\n");

        assertThat(f.check().bad())
                .extracting(ParamFile.BadRow::message)
                .containsExactly("line 3 (row 2): a quoted field is not closed (a \" is missing)");
    }

    @Test
    void headerMustNameEachColumnOnce() throws Exception {
        assertThatThrownBy(() -> file("x,y,x\n1,2,3\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("line 1: column 'x' appears twice in the header");
        assertThatThrownBy(() -> file("x,,y\n")).hasMessageEndingWith("line 1: column 2 of the header has no name");
        assertThatThrownBy(() -> file("\n\n")).hasMessageContaining("the file is empty");
        assertThatThrownBy(() -> ParamFile.open(tmp.resolve("missing.csv")))
                .hasMessageEndingWith("missing.csv: no such file");
    }

    @Test
    void placeholdersAreFilledPerArgumentAndOtherBracesAreLeftAlone() {
        CommandTemplate t = new CommandTemplate(
                List.of("awk", "{print $1}", "--lr={lr}", "{name}.{lr}.out", "{other}"), Set.of("lr", "name"));

        assertThat(t.apply(Map.of("lr", "0.1", "name", "a b; rm -rf /")))
                .containsExactly("awk", "{print $1}", "--lr=0.1", "a b; rm -rf /.0.1.out", "{other}");
        assertThat(t.used()).containsExactly("lr", "name");
    }

    @Test
    void numbersAndBooleansAreTypedOnlyWhenTheirSpellingSurvives() {
        assertThat(Params.typed(Map.of("a", "17"))).containsEntry("a", 17L);
        assertThat(Params.typed(Map.of("a", "-0.5"))).containsEntry("a", -0.5);
        assertThat(Params.typed(Map.of("a", "true"))).containsEntry("a", true);
        assertThat(Params.typed(Map.of("a", "007"))).containsEntry("a", "007");
        assertThat(Params.typed(Map.of("a", "1.50"))).containsEntry("a", "1.50");
        assertThat(Params.typed(Map.of("a", "1e3"))).containsEntry("a", "1e3");
    }
}
