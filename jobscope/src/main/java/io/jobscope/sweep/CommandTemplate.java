package io.jobscope.sweep;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command whose arguments hold placeholders {@code {name}} for the columns of the parameter file.
 * Each argument is substituted on its own and stays one argument (no shell sees it unless the user runs
 * one); braces that name no column are left as they are, so {@code awk '{print $1}'} keeps working.
 */
public record CommandTemplate(List<String> args, Set<String> columns) {
    public CommandTemplate {
        if (args == null || args.isEmpty()) {
            throw new IllegalArgumentException(
                    "command: give the command to run after --, e.g. jobscope sweep --data p.csv -- ./job.sh '{x}'");
        }
        args = List.copyOf(args);
        columns = Set.copyOf(columns);
    }

    /** The command for one row. */
    public List<String> apply(Map<String, String> values) {
        List<String> out = new ArrayList<>(args.size());
        for (String a : args) {
            out.add(substitute(a, values));
        }
        return out;
    }

    /** The columns the command uses, in order of first use. */
    public Set<String> used() {
        Set<String> used = new LinkedHashSet<>();
        for (String a : args) {
            int open = a.indexOf('{');
            while (open >= 0) {
                int close = a.indexOf('}', open + 1);
                if (close < 0) {
                    break;
                }
                String name = a.substring(open + 1, close);
                if (columns.contains(name)) {
                    used.add(name);
                }
                open = a.indexOf('{', open + 1);
            }
        }
        return used;
    }

    private String substitute(String arg, Map<String, String> values) {
        int open = arg.indexOf('{');
        if (open < 0) {
            return arg;
        }
        StringBuilder sb = new StringBuilder(arg.length() + 16);
        int from = 0;
        while (open >= 0) {
            int close = arg.indexOf('}', open + 1);
            if (close < 0) {
                break;
            }
            String name = arg.substring(open + 1, close);
            if (columns.contains(name)) {
                sb.append(arg, from, open).append(values.get(name));
                from = close + 1;
                open = arg.indexOf('{', from);
            } else {
                open = arg.indexOf('{', open + 1);
            }
        }
        return sb.append(arg, from, arg.length()).toString();
    }
}
