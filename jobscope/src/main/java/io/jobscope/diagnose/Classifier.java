package io.jobscope.diagnose;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides why a failed job failed. The evidence is consulted in this order, the first answer winning:
 * held-reason rules; {@link FailureClassifier} plugins; log rules (packs for the job's app or workflow
 * before general ones; within those, the earliest matching line — stderr before stdout — so the first
 * error wins over its later consequences); status rules; signal rules; exit-code rules. With nothing matching, the
 * diagnosis is "exited with code N" with the last error-looking lines.
 */
public final class Classifier {
    private static final Logger LOG = LoggerFactory.getLogger(Classifier.class);

    /** A host a service line names: in a URL, or as host='…' (Python's urllib3). */
    private static final java.util.regex.Pattern HOST =
            java.util.regex.Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://([A-Za-z0-9.-]+)|host='([A-Za-z0-9.-]+)'");

    private final RuleBook book;
    private final List<FailureClassifier> plugins;

    public Classifier(RuleBook book, List<FailureClassifier> plugins) {
        this.book = book;
        this.plugins = List.copyOf(plugins);
    }

    /** The rules of {@code book} with the built-in classifiers and the plugins in ~/.jobscope/plugins. */
    public static Classifier standard(RuleBook book) {
        return new Classifier(book, loadPlugins(io.jobscope.client.JobscopeHome.resolve("plugins")));
    }

    public RuleBook ruleBook() {
        return book;
    }

    /** The classifiers registered in the jobscope jar and in the jars of {@code pluginDir}. */
    public static List<FailureClassifier> loadPlugins(Path pluginDir) {
        List<FailureClassifier> out = new ArrayList<>();
        ServiceLoader.load(FailureClassifier.class, Classifier.class.getClassLoader())
                .forEach(out::add);
        if (Files.isDirectory(pluginDir)) {
            List<URL> jars = new ArrayList<>();
            try (Stream<Path> s = Files.list(pluginDir)) {
                for (Path p :
                        s.filter(x -> x.toString().endsWith(".jar")).sorted().toList()) {
                    jars.add(p.toUri().toURL());
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot list plugins in " + pluginDir + ": " + e.getMessage());
            }
            if (!jars.isEmpty()) {
                URLClassLoader loader = new URLClassLoader(jars.toArray(new URL[0]), Classifier.class.getClassLoader());
                try {
                    for (FailureClassifier c : ServiceLoader.load(FailureClassifier.class, loader)) {
                        if (out.stream().noneMatch(x -> x.getClass().equals(c.getClass()))) {
                            out.add(c);
                        }
                    }
                } catch (java.util.ServiceConfigurationError e) {
                    throw new IllegalArgumentException(
                            "cannot load a classifier plugin from " + pluginDir + ": " + e.getMessage());
                }
            }
        }
        return out;
    }

    /** Classifies a job from its facts and stored tails. */
    public Diagnosis classify(FailedJob job) {
        List<LogSource> sources = new ArrayList<>(3);
        sources.add(LogSource.of("stderr", job.stderr()));
        sources.add(LogSource.of("stdout", job.stdout()));
        if (job.error() != null && !job.error().isBlank()) {
            sources.add(LogSource.of("error", job.error().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return classify(job, sources);
    }

    /** Classifies a job whose full log files are at hand (stderr first). */
    public Diagnosis classify(FailedJob job, Path stdoutFile, Path stderrFile) {
        List<LogSource> sources = new ArrayList<>(3);
        sources.add(stderrFile != null ? LogSource.of("stderr", stderrFile) : LogSource.of("stderr", job.stderr()));
        sources.add(stdoutFile != null ? LogSource.of("stdout", stdoutFile) : LogSource.of("stdout", job.stdout()));
        if (job.error() != null && !job.error().isBlank()) {
            sources.add(LogSource.of("error", job.error().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return classify(job, sources);
    }

    Diagnosis classify(FailedJob job, List<LogSource> sources) {
        CompiledRules rules = book.rulesFor(job.app(), job.workflow());
        if (job.heldReason() != null && !job.heldReason().isBlank()) {
            for (Rule r : rules.heldRules) {
                if (r.matches(job.heldReason())) {
                    return fact(r, "held_reason", job.heldReason());
                }
            }
        }
        for (FailureClassifier c : plugins) {
            try {
                Optional<Diagnosis> d = c.classify(job);
                if (d.isPresent()) {
                    return d.get();
                }
            } catch (RuntimeException e) {
                LOG.warn("classifier {} failed on job {}: {}", c.getClass().getName(), job.id(), e.toString());
            }
        }
        LogScan scan = new LogScan(rules, null);
        for (LogSource s : sources) {
            scan.scan(s);
        }
        if (scan.best != null) {
            return fromHit(scan.best);
        }
        // The recorded status says more than the signal or exit code that followed from it (a job killed at
        // its time limit exits -1 or by SIGTERM/SIGKILL).
        if (job.status() != null) {
            for (Rule r : rules.statusRules) {
                if (r.matches(job.status())) {
                    String excerpt = "status: " + job.status()
                            + (job.error() == null || job.error().isBlank()
                                    ? ""
                                    : "\nerror: "
                                            + job.error()
                                                    .strip()
                                                    .lines()
                                                    .findFirst()
                                                    .orElse(""));
                    return fact(r, "status", job.status(), excerpt);
                }
            }
        }
        if (job.signal() != null) {
            for (Rule r : rules.signalRules) {
                if (r.matches(String.valueOf(job.signal()))) {
                    return fact(r, "signal", String.valueOf(job.signal()));
                }
            }
        }
        if (job.exitCode() != null) {
            for (Rule r : rules.exitRules) {
                if (r.matches(String.valueOf(job.exitCode()))) {
                    return fact(r, "exit_code", String.valueOf(job.exitCode()));
                }
            }
        }
        return fallback(job, scan);
    }

    private static Diagnosis fact(Rule r, String what, String value) {
        return fact(r, what, value, what + ": " + value);
    }

    private static Diagnosis fact(Rule r, String what, String value, String excerpt) {
        String signature = "held_reason".equals(what)
                ? Signatures.normalize(value)
                : (r.title() != null ? r.title() : r.id()) + " (" + what.replace('_', ' ') + " " + value + ")";
        return new Diagnosis(
                r.category(), r.id(), r.title(), r.service(), signature, what, null, excerpt, r.retryable(), r.hint());
    }

    static Diagnosis fromHit(Hit h) {
        Rule r = h.rule();
        String line = h.line().strip();
        String signature = Signatures.normalize(line);
        StringBuilder excerpt = new StringBuilder();
        if (r.frameBefore() != null) {
            List<String> before = h.source().linesBefore(h.offset(), 60);
            for (int i = before.size() - 1; i >= 0; i--) {
                Matcher m = r.frameBefore().matcher(before.get(i));
                if (m.find()) {
                    signature = signature + " at " + Signatures.frame(m);
                    excerpt.append(before.get(i).strip()).append('\n');
                    if (i + 1 < before.size()) {
                        excerpt.append(before.get(i + 1).strip()).append('\n');
                    }
                    break;
                }
            }
        }
        excerpt.append(line);
        if (r.frameAfter() != null) {
            for (String after : h.source().linesAfter(h.offset(), 8)) {
                Matcher m = r.frameAfter().matcher(after);
                if (m.find()) {
                    signature = signature + " at " + Signatures.frame(m);
                    excerpt.append('\n').append(after.strip());
                    break;
                }
            }
        }
        String service = r.service();
        if (service == null && r.category() == Category.SERVICE) {
            Matcher m = HOST.matcher(line);
            if (m.find()) {
                service = m.group(1) != null ? m.group(1) : m.group(2);
            }
        }
        return new Diagnosis(
                r.category(),
                r.id(),
                r.title(),
                service,
                signature,
                h.source().stream,
                h.lineNo(),
                excerpt.toString(),
                r.retryable(),
                r.hint());
    }

    private static Diagnosis fallback(FailedJob job, LogScan scan) {
        String signature;
        if (job.signal() != null) {
            signature = "killed by signal " + job.signal();
        } else if (job.exitCode() != null) {
            signature = "exited with code " + job.exitCode();
        } else if (job.heldReason() != null && !job.heldReason().isBlank()) {
            signature = "held: " + Signatures.normalize(job.heldReason());
        } else {
            signature = job.status() + " without an exit code";
        }
        List<String> lines = scan.errorishLines();
        String excerpt = lines.isEmpty() ? null : String.join("\n", lines);
        return new Diagnosis(
                Category.UNKNOWN,
                null,
                null,
                null,
                signature,
                lines.isEmpty() ? null : scan.errorishStream(),
                null,
                excerpt,
                false,
                "No rule matched: read the log, and add a rule (~/.jobscope/rules/*.yaml) once the cause is known.");
    }
}
