package io.jobscope.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * API tokens from a token file, one per line: {@code name:scope[,scope]:sha256-hex}. Only hashes are
 * stored; a presented token is hashed and compared with every entry in constant time.
 */
public final class Tokens {
    /** What a token may do; admin may do everything. */
    public enum Scope {
        INGEST,
        READ,
        ADMIN
    }

    /** One configured token. */
    public record Token(String name, Set<Scope> scopes, byte[] hash) {
        public boolean allows(Scope s) {
            return scopes.contains(Scope.ADMIN) || scopes.contains(s);
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Tokens.class);
    private static final Tokens NONE = new Tokens(List.of(), null, null);
    private volatile List<Token> tokens;
    /** The file a server's tokens are read again from when it changes; null when fixed. */
    private final Path source;

    /** The SHA-256 of the file's content as read last: a change is told by it. */
    private volatile String loadedVersion;

    private volatile long nextCheckNanos;

    private Tokens(List<Token> tokens, Path source, String loadedVersion) {
        this.tokens = List.copyOf(tokens);
        this.source = source;
        this.loadedVersion = loadedVersion;
        this.nextCheckNanos = System.nanoTime() + 1_000_000_000L;
    }

    public static Tokens none() {
        return NONE;
    }

    /**
     * A server's tokens: read from {@code file} now, and again (within a second) whenever it changes, so that
     * {@code token create} and {@code token revoke} take effect without a restart. A file being rewritten or
     * mangled keeps the tokens read last (and says so in the log). A file holding no token is refused.
     */
    public static Tokens watch(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        List<Token> read = parse(content, file);
        if (read.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no API token: create one with 'jobscope token create NAME"
                    + " --scopes ingest,read --token-file " + file + "'");
        }
        return new Tokens(read, file, version(content));
    }

    /** Whether no tokens are asked for (a server serving loopback openly); never so for a watched file. */
    public boolean isEmpty() {
        return source == null && tokens.isEmpty();
    }

    public int size() {
        return current().size();
    }

    /** The tokens, as read last. */
    public List<Token> list() {
        return current();
    }

    /** Whether a token of this name is there. */
    public boolean has(String name) {
        return current().stream().anyMatch(t -> t.name().equals(name));
    }

    private List<Token> current() {
        if (source != null && System.nanoTime() - nextCheckNanos > 0) {
            synchronized (this) {
                if (System.nanoTime() - nextCheckNanos > 0) {
                    nextCheckNanos = System.nanoTime() + 1_000_000_000L;
                    reload();
                }
            }
        }
        return tokens;
    }

    /**
     * Reads the file again when its content changed. A file that is gone or cannot be read lets nobody in
     * (a revoked token must not keep working); a file that does not parse (caught half-written by an editor)
     * keeps the tokens read last.
     */
    private void reload() {
        byte[] content;
        try {
            content = Files.readAllBytes(source);
        } catch (IOException e) {
            if (!tokens.isEmpty()) {
                LOG.warn(
                        "API tokens: cannot read {} ({}): no token is accepted until it can be",
                        source,
                        e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage());
            }
            tokens = List.of();
            loadedVersion = null;
            return;
        }
        String version = version(content);
        if (version.equals(loadedVersion)) {
            return;
        }
        try {
            tokens = List.copyOf(parse(content, source));
            loadedVersion = version;
            LOG.info("API tokens read again from {}: {} token(s)", source, tokens.size());
        } catch (RuntimeException e) {
            LOG.warn(
                    "API tokens: keeping the {} read before; {} does not read: {}",
                    tokens.size(),
                    source,
                    e.getMessage());
        }
    }

    private static String version(byte[] content) {
        return HexFormat.of().formatHex(sha256(content));
    }

    /** Reads a token file; every malformed line is an error naming its number. */
    public static Tokens load(Path file) throws IOException {
        return new Tokens(parse(Files.readAllBytes(file), file), null, null);
    }

    private static List<Token> parse(byte[] content, Path file) {
        List<Token> list = new ArrayList<>();
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (nameOf(lines.get(i)) != null) {
                list.add(parseLine(lines.get(i).strip(), file, i + 1));
            }
        }
        return list;
    }

    /** The name of the token a token-file line holds; null for a blank or comment line. */
    public static String nameOf(String line) {
        String s = line.strip();
        return s.isEmpty() || s.startsWith("#") ? null : s.split(":", 2)[0].trim();
    }

    private static Token parseLine(String line, Path file, int lineNo) {
        String[] parts = line.split(":");
        String where = file + " line " + lineNo + ": ";
        if (parts.length != 3) {
            throw new IllegalArgumentException(
                    where + "expected name:scopes:sha256-hex, got " + parts.length + " field(s)");
        }
        EnumSet<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String s : parts[1].split(",")) {
            scopes.add(scope(s, where));
        }
        String hex = parts[2].trim();
        if (!hex.matches("[0-9a-fA-F]{64}")) {
            throw new IllegalArgumentException(where + "the hash must be 64 hexadecimal digits (SHA-256)");
        }
        return new Token(nameOf(line), scopes, HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
    }

    /** Parses a scope name such as "ingest". */
    public static Scope scope(String s, String where) {
        try {
            return Scope.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + "unknown scope '" + s.trim() + "' (use ingest, read or admin)");
        }
    }

    /** The token matching {@code presented}, checked against every entry so timing reveals nothing. */
    public Optional<Token> verify(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented);
        Token found = null;
        for (Token t : current()) {
            if (MessageDigest.isEqual(hash, t.hash()) && found == null) {
                found = t;
            }
        }
        return Optional.ofNullable(found);
    }

    /** A new random token (what a client presents). */
    public static String generate() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return "js_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The token file line for {@code token}. */
    public static String line(String name, Set<Scope> scopes, String token) {
        if (name.contains(":") || name.isBlank()) {
            throw new IllegalArgumentException("token name must be non-empty and contain no ':'");
        }
        StringBuilder sb = new StringBuilder(name).append(':');
        boolean first = true;
        for (Scope s : scopes) {
            sb.append(first ? "" : ",").append(s.name().toLowerCase(Locale.ROOT));
            first = false;
        }
        return sb.append(':').append(HexFormat.of().formatHex(sha256(token))).toString();
    }

    static byte[] sha256(String s) {
        return sha256(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
