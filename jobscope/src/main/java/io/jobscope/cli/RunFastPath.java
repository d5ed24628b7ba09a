package io.jobscope.cli;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Parses the usual {@code jobscope run [--opt VALUE | --opt=VALUE]… [--] CMD ARGS…} without building
 * picocli's model: picocli's classes cannot be kept in the class-data archive (they are Java 5 class
 * files, loaded and verified anew on every start), and building its model was most of the wrapper's
 * start-up. The options are read from {@link RunCommand}'s own {@code @Option} annotations, so they are
 * defined once. Anything unusual (help, an unknown or repeated option, a value that looks like an option, a
 * default it cannot interpolate, a value it cannot convert, an option {@link RunCommand#prepare} rejects)
 * declines, and the caller parses with picocli, which answers or reports the error as usual.
 */
final class RunFastPath {
    /** The fast path does not handle this command line; picocli will. */
    static final class Declined extends RuntimeException {
        Declined(String reason) {
            super(reason, null, false, false);
        }
    }

    private RunFastPath() {}

    /** A {@link RunCommand} with the options of {@code args} ({@code args[0]} is "run"), or null to decline. */
    static RunCommand parse(String[] args) {
        try {
            return parseOrDecline(args);
        } catch (ReflectiveOperationException | RuntimeException e) { // Declined, or a value it cannot convert
            return null;
        }
    }

    private static RunCommand parseOrDecline(String[] args) throws ReflectiveOperationException {
        Map<String, Field> byName = new HashMap<>();
        List<Field> options = new ArrayList<>();
        for (Field f : RunCommand.class.getDeclaredFields()) {
            Option o = f.getAnnotation(Option.class);
            if (o != null && !Modifier.isStatic(f.getModifiers())) {
                options.add(f);
                for (String n : o.names()) {
                    byName.put(n, f);
                }
            }
        }
        RunCommand cmd = new RunCommand();
        for (Field f : options) {
            String d = f.getAnnotation(Option.class).defaultValue();
            if (!Option.NULL_VALUE.equals(d) && !d.equals("__no_default_value__")) {
                String v = interpolate(d);
                if (v != null) {
                    set(cmd, f, v);
                }
            }
        }
        Set<Field> seen = new HashSet<>();
        int i = 1;
        while (i < args.length) {
            String a = args[i];
            if (a.equals("--")) {
                i++;
                break;
            }
            if (!a.startsWith("-")) {
                break; // the command: everything from here on is its own (stop at the first positional)
            }
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            Field f = byName.get(name);
            if (f == null) {
                throw new Declined("not an option of run: " + name);
            }
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
                    throw new Declined("no plain value for " + name);
                }
                value = args[++i];
            }
            boolean list = List.class.isAssignableFrom(f.getType());
            if (!seen.add(f) && !list) {
                throw new Declined("given twice: " + name);
            }
            set(cmd, f, value);
            i++;
        }
        if (i >= args.length) {
            throw new Declined("no command");
        }
        cmd.command = new ArrayList<>(Arrays.asList(args).subList(i, args.length));
        cmd.serverGiven = seen.contains(RunCommand.class.getDeclaredField("server"));
        return cmd;
    }

    /** A default: plain text, or {@code ${env:NAME}} (null when unset, as picocli makes it). */
    private static String interpolate(String d) {
        if (d.startsWith("${env:") && d.endsWith("}") && d.indexOf('$', 1) < 0) {
            String v = System.getenv(d.substring(6, d.length() - 1));
            return v;
        }
        if (d.contains("${")) {
            throw new Declined("a default to interpolate: " + d);
        }
        return d;
    }

    @SuppressWarnings("unchecked")
    private static void set(RunCommand cmd, Field f, String value) throws IllegalAccessException {
        Class<?> t = f.getType();
        if (t == String.class) {
            f.set(cmd, value);
        } else if (t == Path.class) {
            f.set(cmd, Path.of(value));
        } else if (t == int.class) {
            f.setInt(cmd, Integer.parseInt(value));
        } else if (List.class.isAssignableFrom(t)) {
            Object current = f.get(cmd);
            List<String> l = current instanceof ArrayList ? (List<String>) current : new ArrayList<>();
            l.add(value);
            f.set(cmd, l);
        } else {
            throw new Declined("an option of type " + t);
        }
    }
}
