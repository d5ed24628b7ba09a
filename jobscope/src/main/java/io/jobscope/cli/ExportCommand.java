package io.jobscope.cli;

import io.jobscope.imports.KeystoneExporter;
import io.jobscope.jobs.JobService;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jobscope export --format keystone}: writes the store's jobs in a foreign format. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export jobs in another tool's format.")
final class ExportCommand implements Callable<Integer> {
    enum ExportFormat {
        keystone
    }

    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Option(names = "--format", required = true, description = "Output format: ${COMPLETION-CANDIDATES}.")
    ExportFormat format;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Write to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() throws IOException {
        try (Target ignored = target.storeOnly("export")) {
            KeystoneExporter exporter = new KeystoneExporter(new JobService(target.existingDatabase()));
            if (output == null) {
                Writer w = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16);
                exporter.export(w);
                w.flush();
            } else {
                long n;
                try (Writer w = Files.newBufferedWriter(output, StandardCharsets.UTF_8)) {
                    n = exporter.export(w);
                } catch (java.nio.file.NoSuchFileException e) {
                    throw new UserException("cannot write " + output + ": no such directory "
                            + output.toAbsolutePath().getParent());
                } catch (java.nio.file.AccessDeniedException e) {
                    throw new UserException("cannot write " + output + ": permission denied");
                }
                spec.commandLine().getErr().printf("%d job(s) written to %s%n", n, output);
            }
            return 0;
        }
    }
}
