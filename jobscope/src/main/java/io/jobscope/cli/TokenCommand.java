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

/**
 * {@code jobscope token create|list|revoke}: API tokens in a token file. A running server reads the file
 * again within a second of a change.
 */
@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Manage API tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
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

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the tokens in a token file: name and scopes (the tokens themselves are not kept).")
    static final class ListTokens implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Mixin
        TokenFile tokenFile;

        @Option(names = "--json", description = "Print JSON: {\"tokens\": [{name, scopes}]}.")
        boolean json;

        /** A token as listed: its name and scopes, never its hash. */
        record Listed(String name, java.util.List<String> scopes) {}

        @Override
        public Integer call() throws IOException {
            java.io.PrintWriter out = spec.commandLine().getOut();
            java.util.List<Listed> tokens = tokenFile.tokens().list().stream()
                    .map(t -> new Listed(
                            t.name(),
                            t.scopes().stream()
                                    .map(x -> x.name().toLowerCase(java.util.Locale.ROOT))
                                    .toList()))
                    .toList();
            return Format.listing(out, json, "tokens", tokens, "No tokens in " + tokenFile.path + ".", () -> {
                for (Listed t : tokens) {
                    out.printf("%-24s %s%n", t.name(), String.join(",", t.scopes()));
                }
            });
        }
    }

    @Command(
            name = "revoke",
            mixinStandardHelpOptions = true,
            description = "Remove a token from a token file; a running server refuses it within a second.")
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The token's name (see 'jobscope token list').")
        String name;

        @picocli.CommandLine.Mixin
        TokenFile tokenFile;

        @Override
        public Integer call() throws IOException {
            Path file = tokenFile.path;
            if (!tokenFile.tokens().has(name)) {
                throw new UserException("no token named '" + name + "' in " + file);
            }
            java.util.List<String> kept = new java.util.ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!name.equals(Tokens.nameOf(line))) {
                    kept.add(line);
                }
            }
            // A new file beside it, moved over it at once: a server never reads half of it.
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".tokens", ".tmp");
            try {
                Files.write(tmp, kept, StandardCharsets.UTF_8);
                keepAccess(file, tmp);
                Files.move(
                        tmp,
                        file,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            spec.commandLine().getErr().printf("token '%s' removed from %s%n", name, file);
            return 0;
        }
    }

    /**
     * Gives the new file the old one's permissions, owner and group (as far as this user may), so that a
     * server reading it as another user still can.
     */
    private static void keepAccess(Path from, Path to) throws IOException {
        try {
            var old = Files.readAttributes(from, java.nio.file.attribute.PosixFileAttributes.class);
            Files.setPosixFilePermissions(to, old.permissions());
            var view = Files.getFileAttributeView(to, java.nio.file.attribute.PosixFileAttributeView.class);
            try {
                view.setGroup(old.group());
                view.setOwner(old.owner());
            } catch (IOException notAllowed) {
                // only root may give a file away; a file of the same owner keeps its group where allowed
            }
        } catch (UnsupportedOperationException notPosix) {
            // not a POSIX file system
        }
    }

    /** The {@code --token-file} of {@code list} and {@code revoke}: a file that must be there. */
    static final class TokenFile {
        @Option(names = "--token-file", required = true, paramLabel = "FILE", description = "The token file.")
        Path path;

        Tokens tokens() throws IOException {
            String why = io.jobscope.util.FileCheck.unreadable(path);
            if (why != null) {
                throw new UserException("cannot read " + path + ": " + why);
            }
            return Tokens.load(path);
        }
    }
}
