package io.jobscope.diagnose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads one YAML rule pack, rejecting unknown keys and bad values with the file, rule and key named. */
final class RulePackReader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> PACK_KEYS =
            Set.of("name", "description", "priority", "apps", "workflows", "debug", "rules");
    private static final Set<String> DEBUG_KEYS = Set.of("env", "args");
    private static final Set<String> RULE_KEYS = Set.of(
            "id",
            "pattern",
            "where",
            "category",
            "service",
            "retryable",
            "title",
            "hint",
            "ignore_case",
            "unless",
            "frame_before",
            "frame_after",
            "literals");

    private RulePackReader() {}

    static RulePack read(InputStream in, String source, RulePack.Origin origin) {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            String at =
                    e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new IllegalArgumentException(source + ": not valid YAML" + at + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": cannot read: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(source + ": expecting a mapping with 'name' and 'rules'");
        }
        checkKeys(root, PACK_KEYS, source);
        String name = text(root, "name", source);
        if (name == null) {
            String file = source.replaceAll(".*[/\\\\]", "");
            name = file.replaceAll("\\.ya?ml$", "");
        }
        int priority = 100;
        if (root.has("priority")) {
            if (!root.get("priority").canConvertToInt()) {
                throw new IllegalArgumentException(source + ": priority: expecting a whole number, found "
                        + root.get("priority").asText());
            }
            priority = root.get("priority").asInt();
        }
        List<String> apps = strings(root, "apps", source);
        List<String> workflows = strings(root, "workflows", source);
        Map<String, String> env = new LinkedHashMap<>();
        List<String> args = List.of();
        JsonNode debug = root.get("debug");
        if (debug != null && !debug.isNull()) {
            if (!debug.isObject()) {
                throw new IllegalArgumentException(source + ": debug: expecting a mapping with env and/or args");
            }
            checkKeys(debug, DEBUG_KEYS, source + ": debug");
            JsonNode e = debug.get("env");
            if (e != null && !e.isNull()) {
                if (!e.isObject()) {
                    throw new IllegalArgumentException(source + ": debug.env: expecting a mapping NAME: value");
                }
                e.fields()
                        .forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
            }
            args = strings(debug, "args", source + ": debug");
        }
        JsonNode rulesNode = root.get("rules");
        if (rulesNode == null || !rulesNode.isArray()) {
            throw new IllegalArgumentException(source + ": rules: expecting a list of rules");
        }
        List<Rule> rules = new ArrayList<>();
        int n = 0;
        for (JsonNode r : rulesNode) {
            n++;
            rules.add(rule(r, name, source + ": rule " + n));
        }
        return new RulePack(name, source, origin, priority, apps, workflows, env, args, rules);
    }

    private static Rule rule(JsonNode r, String pack, String where) {
        if (!r.isObject()) {
            throw new IllegalArgumentException(where + ": expecting a mapping with id, pattern, where, category");
        }
        String id = text(r, "id", where);
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException(where + ": id: missing");
        }
        String ctx = where + " (" + id + ")";
        checkKeys(r, RULE_KEYS, ctx);
        String pattern = text(r, "pattern", ctx);
        if (pattern == null || pattern.isEmpty()) {
            throw new IllegalArgumentException(ctx + ": pattern: missing");
        }
        boolean ignoreCase = bool(r, "ignore_case", false, ctx);
        Where w;
        Category category;
        try {
            w = Where.parse(require(r, "where", ctx));
            category = Category.parse(require(r, "category", ctx));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ctx + ": " + e.getMessage());
        }
        boolean retryable = bool(r, "retryable", category == Category.SERVICE, ctx);
        List<String> literals = strings(r, "literals", ctx);
        if (literals.isEmpty() && w.isLog()) {
            literals = Literals.required(pattern);
        }
        return new Rule(
                id,
                pack,
                compile(pattern, ignoreCase, ctx + ": pattern"),
                w,
                category,
                text(r, "service", ctx),
                retryable,
                text(r, "title", ctx),
                text(r, "hint", ctx),
                compile(text(r, "unless", ctx), true, ctx + ": unless"),
                compile(text(r, "frame_before", ctx), false, ctx + ": frame_before"),
                compile(text(r, "frame_after", ctx), false, ctx + ": frame_after"),
                literals.stream().map(s -> s.toLowerCase(java.util.Locale.ROOT)).toList());
    }

    private static Pattern compile(String regex, boolean ignoreCase, String where) {
        if (regex == null) {
            return null;
        }
        try {
            return Pattern.compile(regex, ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(
                    where + ": not a valid regular expression: " + e.getDescription() + " near index " + e.getIndex());
        }
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String where) {
        Iterator<String> it = node.fieldNames();
        while (it.hasNext()) {
            String k = it.next();
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(where + ": unknown key '" + k + "' (allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String require(JsonNode r, String key, String where) {
        String v = text(r, key, where);
        if (v == null) {
            throw new IllegalArgumentException(key + ": missing");
        }
        return v;
    }

    private static String text(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isValueNode()) {
            throw new IllegalArgumentException(where + ": " + key + ": expecting a single value");
        }
        return v.asText();
    }

    private static boolean bool(JsonNode node, String key, boolean dflt, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(where + ": " + key + ": expecting true or false, found " + v.asText());
        }
        return v.asBoolean();
    }

    private static List<String> strings(JsonNode node, String key, String where) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (v.isValueNode()) {
            return List.of(v.asText());
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException(where + ": " + key + ": expecting a list");
        }
        List<String> out = new ArrayList<>();
        v.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
