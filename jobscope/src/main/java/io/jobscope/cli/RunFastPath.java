package io.jobscope.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses the usual {@code jobscope run [--opt VALUE | --opt=VALUE]… [--] CMD ARGS…} without picocli:
 * picocli's classes cannot be kept in the class-data archive (they are Java 5 class files, loaded and
 * verified anew on every start), and building its model, even reading its annotations, was most of the
 * wrapper's start-up. {@code RunFastPathTest} checks that this table and {@link RunCommand}'s
 * {@code @Option}s agree (names, defaults) and that both parse alike. Anything unusual (help, an unknown or
 * repeated option, a value that looks like an option or cannot be converted, an option {@link
 * RunCommand#prepare} rejects) declines, and the caller parses with picocli, which answers or reports the
 * error as usual.
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
        } catch (RuntimeException e) { // Declined, or a value it cannot convert
            return null;
        }
    }

    /** The defaults of {@link RunCommand}'s options, as picocli sets them. */
    static void applyDefaults(RunCommand c) {
        c.killGrace = "30s";
        c.sampleInterval = "10s";
        c.logDir = Path.of("jobscope_logs");
        c.tailBytes = 65536;
        c.delivery.server = System.getenv("JOBSCOPE_SERVER");
        c.delivery.token = System.getenv("JOBSCOPE_TOKEN");
    }

    /**
     * Sets option {@code name} to {@code value}; returns the option's first name (aliases share it), or
     * throws Declined when {@code name} is not an option of run.
     */
    static String set(RunCommand c, String name, String value) {
        switch (name) {
            case "--id" -> c.id = value;
            case "--workflow" -> c.workflow = value;
            case "--app", "--tool" -> {
                c.app = value;
                return "--app";
            }
            case "--script" -> c.script = value;
            case "--param" -> {
                List<String> l = c.params instanceof ArrayList ? c.params : new ArrayList<>();
                l.add(value);
                c.params = l;
            }
            case "--site" -> c.site = value;
            case "--timeout" -> c.timeout = value;
            case "--kill-grace" -> c.killGrace = value;
            case "--sample-interval" -> c.sampleInterval = value;
            case "--log-dir" -> c.logDir = Path.of(value);
            case "--tail-bytes" -> c.tailBytes = Integer.parseInt(value);
            case "--phase-pattern" -> c.phasePattern = value;
            case "--server" -> c.delivery.server = value;
            case "--token" -> c.delivery.token = value;
            case "--spool" -> c.delivery.spool = Path.of(value);
            case "--db" -> c.delivery.db = value;
            default -> throw new Declined("not an option of run: " + name);
        }
        return name;
    }

    private static RunCommand parseOrDecline(String[] args) {
        RunCommand cmd = new RunCommand();
        applyDefaults(cmd);
        Set<String> seen = new HashSet<>();
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
            if (value == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
                    throw new Declined("no plain value for " + name);
                }
                value = args[++i];
            }
            String option = set(cmd, name, value);
            if (!seen.add(option) && !option.equals("--param")) {
                throw new Declined("given twice: " + name);
            }
            i++;
        }
        if (i >= args.length) {
            throw new Declined("no command");
        }
        cmd.command = new ArrayList<>(Arrays.asList(args).subList(i, args.length));
        cmd.serverGiven = seen.contains("--server");
        return cmd;
    }
}
