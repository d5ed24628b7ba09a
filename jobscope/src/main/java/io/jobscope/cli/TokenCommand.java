package io.jobscope.cli;

import io.jobscope.web.Tokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope token create}: makes an API token and appends its hash to a token file. */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Manage API tokens.",
        subcommands = TokenCommand.Create.class)
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(
            name = "create",
            mixinStandardHelpOptions = true,
            description = "Create a token: its hash goes into the token file, the token itself is printed once.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "Who or what uses the token.")
        String name;

        @Option(
                names = "--scopes",
                defaultValue = "read",
                split = ",",
                description = "ingest, read, admin (default: ${DEFAULT-VALUE}).")
        String[] scopes;

        @Option(
                names = "--token-file",
                required = true,
                paramLabel = "FILE",
                description = "Token file to append to (created with mode 600).")
        Path file;

        @Override
        public Integer call() throws IOException {
            EnumSet<Tokens.Scope> set = EnumSet.noneOf(Tokens.Scope.class);
            for (String s : scopes) {
                set.add(Tokens.scope(s, "--scopes: "));
            }
            if (Files.exists(file) && Tokens.load(file).has(name)) {
                throw new UserException("a token named '" + name + "' is in " + file
                        + " already: choose another name (the server's log names tokens by name)");
            }
            String token = Tokens.generate();
            String line = Tokens.line(name, set, token);
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            boolean created = !Files.exists(file);
            Files.writeString(
                    file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            if (created) {
                try {
                    Files.setPosixFilePermissions(
                            file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
            }
            spec.commandLine().getOut().println(token);
            spec.commandLine()
                    .getErr()
                    .printf(
                            "token '%s' (%s) added to %s; it is shown only now%n",
                            name, String.join(",", scopes), file);
            return 0;
        }
    }
}
