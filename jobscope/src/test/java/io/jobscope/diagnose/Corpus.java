package io.jobscope.diagnose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The labelled corpus of failing-job logs under src/test/resources/diagnose/corpus. */
final class Corpus {
    /** One labelled case: the expected category (and rule, when given) and the job it describes. */
    record Case(String name, Category expected, String expectedRule, FailedJob job) {}

    static final Path DIR = Path.of("src/test/resources/diagnose/corpus");

    private Corpus() {}

    static List<Case> load() throws IOException {
        List<Case> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(DIR)) {
            for (Path p : s.sorted().toList()) {
                out.add(parse(p));
            }
        }
        return out;
    }

    static Case parse(Path p) throws IOException {
        Map<String, String> facts = new HashMap<>();
        Map<String, StringBuilder> streams = new HashMap<>();
        StringBuilder current = null;
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
            if (line.startsWith("=== ")) {
                current = streams.computeIfAbsent(line.substring(4).trim(), k -> new StringBuilder());
            } else if (current != null) {
                current.append(line).append('\n');
            } else if (line.contains(":")) {
                int c = line.indexOf(':');
                facts.put(line.substring(0, c).trim(), line.substring(c + 1).trim());
            }
        }
        Map<String, Object> attributes = new HashMap<>();
        if (facts.containsKey("mem_limit_mb")) {
            attributes.put("mem_limit_bytes", Long.parseLong(facts.get("mem_limit_mb")) * 1048576L);
        }
        FailedJob job = new FailedJob(
                p.getFileName().toString(),
                facts.get("app"),
                null,
                facts.getOrDefault("status", "failed"),
                facts.containsKey("exit_code") ? Integer.valueOf(facts.get("exit_code")) : null,
                facts.containsKey("signal") ? Integer.valueOf(facts.get("signal")) : null,
                facts.get("held_reason"),
                null,
                facts.containsKey("mem_peak_mb") ? Long.parseLong(facts.get("mem_peak_mb")) * 1048576L : null,
                attributes,
                bytes(streams.get("stdout")),
                bytes(streams.get("stderr")));
        return new Case(p.getFileName().toString(), Category.parse(facts.get("expect")), facts.get("rule"), job);
    }

    private static byte[] bytes(StringBuilder sb) {
        return sb == null ? new byte[0] : sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
