package io.jobscope.diagnose;

import java.util.List;
import java.util.Map;

/**
 * A file of rules. A pack naming {@code apps} or {@code workflows} applies only to those jobs and is
 * consulted before every general pack; it may also carry the {@code debug} overlay that {@code jobscope
 * rerun --debug} applies (environment variables and extra arguments).
 */
public record RulePack(
        String name,
        String source,
        Origin origin,
        int priority,
        List<String> apps,
        List<String> workflows,
        Map<String, String> debugEnv,
        List<String> debugArgs,
        List<Rule> rules) {

    /** Where a pack came from; built-in packs rank last. */
    public enum Origin {
        USER,
        BUILT_IN
    }

    public RulePack {
        apps = List.copyOf(apps);
        workflows = List.copyOf(workflows);
        debugEnv = Map.copyOf(debugEnv);
        debugArgs = List.copyOf(debugArgs);
        rules = List.copyOf(rules);
    }

    /** Whether the pack applies only to some apps or workflows. */
    public boolean scoped() {
        return !apps.isEmpty() || !workflows.isEmpty();
    }

    /** Whether the pack applies to a job of {@code app} in {@code workflow}. */
    public boolean appliesTo(String app, String workflow) {
        if (!scoped()) {
            return true;
        }
        return app != null && apps.contains(app) || workflow != null && workflows.contains(workflow);
    }

    /** 0 for app/workflow packs, 1 for the user's general packs, 2 for built-ins: lower wins. */
    int tier() {
        return scoped() ? 0 : origin == Origin.USER ? 1 : 2;
    }

    boolean hasDebugOverlay() {
        return !debugEnv.isEmpty() || !debugArgs.isEmpty();
    }
}
