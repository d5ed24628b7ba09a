package io.jobscope.diagnose;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Every rule pack in force: the built-in packs in the jar, then {@code ~/.jobscope/rules/}, then any
 * {@code --rules} directories. Packs combine in a fixed order: packs scoped to the job's app or
 * workflow first, then the user's general packs, then the built-ins; within each, by {@code priority}
 * (lower first) and file order. A user rule with the id of a built-in one replaces it.
 */
public final class RuleBook {
    private static final String BUILT_IN_INDEX = "rules/index.txt";

    private final List<RulePack> packs;
    private final String version;
    private final Map<String, CompiledRules> compiled = new ConcurrentHashMap<>();

    RuleBook(List<RulePack> packs, String version) {
        this.packs = List.copyOf(packs);
        this.version = version;
    }

    /** The built-in packs only. */
    public static RuleBook builtIn() {
        return load(List.of(), false);
    }

    /** Built-ins, then {@code ~/.jobscope/rules/} when {@code userHome}, then each of {@code dirs}. */
    public static RuleBook load(List<Path> dirs, boolean userHome) {
        List<RulePack> packs = new ArrayList<>();
        MessageDigest digest = sha256();
        for (String file : builtInFiles()) {
            byte[] bytes = resource("rules/" + file);
            digest.update(bytes);
            packs.add(RulePackReader.read(
                    new java.io.ByteArrayInputStream(bytes), "builtin:" + file, RulePack.Origin.BUILT_IN));
        }
        List<Path> all = new ArrayList<>();
        if (userHome) {
            Path home = io.jobscope.client.JobscopeHome.resolve("rules");
            if (Files.isDirectory(home)) {
                all.add(home);
            }
        }
        all.addAll(dirs);
        for (Path dir : all) {
            for (Path f : packFiles(dir)) {
                byte[] bytes;
                try {
                    bytes = Files.readAllBytes(f);
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read rule pack " + f + ": " + e.getMessage());
                }
                digest.update(f.toString().getBytes(StandardCharsets.UTF_8));
                digest.update(bytes);
                packs.add(RulePackReader.read(
                        new java.io.ByteArrayInputStream(bytes), f.toString(), RulePack.Origin.USER));
            }
        }
        String version = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        return new RuleBook(overrideByID(packs), version);
    }

    private static List<Path> packFiles(Path dir) {
        if (Files.isRegularFile(dir)) {
            return List.of(dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--rules: " + dir + " is neither a rule pack file nor a directory");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(".*\\.ya?ml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list rule packs in " + dir + ": " + e.getMessage());
        }
    }

    /** Drops a rule when a pack of a lower tier (consulted earlier) has one with the same id. */
    private static List<RulePack> overrideByID(List<RulePack> packs) {
        Set<String> userIds = new HashSet<>();
        for (RulePack p : packs) {
            if (p.origin() == RulePack.Origin.USER) {
                p.rules().forEach(r -> userIds.add(r.id()));
            }
        }
        List<RulePack> out = new ArrayList<>();
        for (RulePack p : packs) {
            if (p.origin() == RulePack.Origin.BUILT_IN) {
                List<Rule> kept = p.rules().stream()
                        .filter(r -> !userIds.contains(r.id()))
                        .toList();
                p = new RulePack(
                        p.name(),
                        p.source(),
                        p.origin(),
                        p.priority(),
                        p.apps(),
                        p.workflows(),
                        p.debugEnv(),
                        p.debugArgs(),
                        kept);
            }
            out.add(p);
        }
        return out;
    }

    private static List<String> builtInFiles() {
        List<String> files = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                new java.io.ByteArrayInputStream(resource(BUILT_IN_INDEX)), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    files.add(line);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return files;
    }

    private static byte[] resource(String name) {
        try (InputStream in = RuleBook.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("built-in rule pack missing from the jar: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in " + name, e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<RulePack> packs() {
        return packs;
    }

    /** A digest of every pack's text: a stored diagnosis made under another version is re-made. */
    public String version() {
        return version;
    }

    public int ruleCount() {
        return packs.stream().mapToInt(p -> p.rules().size()).sum();
    }

    /** The packs applying to a job of {@code app} in {@code workflow}, in the order they are consulted. */
    List<RulePack> packsFor(String app, String workflow) {
        return packs.stream()
                .filter(p -> p.appliesTo(app, workflow))
                .sorted(Comparator.comparingInt(RulePack::tier).thenComparingInt(RulePack::priority))
                .toList();
    }

    /** The compiled rules for a job of {@code app} in {@code workflow} (cached per combination of packs). */
    CompiledRules rulesFor(String app, String workflow) {
        List<RulePack> applicable = packsFor(app, workflow);
        StringBuilder key = new StringBuilder();
        for (RulePack p : applicable) {
            if (p.scoped()) {
                key.append(p.source()).append('\u0000');
            }
        }
        return compiled.computeIfAbsent(key.toString(), k -> new CompiledRules(applicable));
    }

    /** The debug overlay for a job: from the first applicable pack that has one, scoped packs first. */
    public java.util.Optional<RulePack> debugPackFor(String app, String workflow) {
        return packsFor(app, workflow).stream()
                .filter(RulePack::hasDebugOverlay)
                .findFirst();
    }
}
