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

    private static final Tokens NONE = new Tokens(List.of());
    private final List<Token> tokens;

    private Tokens(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    public static Tokens none() {
        return NONE;
    }

    public boolean isEmpty() {
        return tokens.isEmpty();
    }

    public int size() {
        return tokens.size();
    }

    /** Whether a token of this name is there. */
    public boolean has(String name) {
        return tokens.stream().anyMatch(t -> t.name().equals(name));
    }

    /** Reads a token file; every malformed line is an error naming its number. */
    public static Tokens load(Path file) throws IOException {
        List<Token> list = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            list.add(parseLine(line, file, i + 1));
        }
        return new Tokens(list);
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
        return new Token(parts[0].trim(), scopes, HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
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
        for (Token t : tokens) {
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
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
