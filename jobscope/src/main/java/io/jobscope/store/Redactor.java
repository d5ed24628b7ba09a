package io.jobscope.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way a store location, or a message that may hold its password, is shown: the password masked as
 * {@code ***} in {@code user:password@} (either URL form), in a {@code password=} parameter, and wherever the
 * password's text appears (a driver's or URI parser's message that echoes the URL).
 */
public final class Redactor {
    static final String MASK = "***";

    /** The password of a location's user info: up to the last '@', which also covers unencoded '@' and '/' in it. */
    private static final Pattern LOCATION_USER_INFO =
            Pattern.compile("^((?:jdbc:)?postgres(?:ql)?://[^:@/]*:)(.*)@", Pattern.CASE_INSENSITIVE);

    /** {@code scheme://user:password@} inside any text (not across a path or query: see {@link #QUERY}). */
    private static final Pattern TEXT_USER_INFO = Pattern.compile("(://[^:@/\\s]*:)[^@\\s/?#]*@");

    /** Where a location's query begins: the first {@code ?name=} (a '?' inside a password is not followed so). */
    private static final Pattern QUERY = Pattern.compile("\\?[A-Za-z_]+=");

    /** {@code password=...} (also {@code sslpassword=}) as a URL parameter or a driver property. */
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)((?:^|[?&;\\s])[a-z]*password=)[^&;\\s]*");

    /**
     * Shorter texts match ordinary words in messages; a password that short is still masked where it stands in
     * URL form, by the patterns above.
     */
    private static final int MIN_SECRET_LENGTH = 3;

    private final String location;
    private final List<String> secrets;

    private Redactor(String location, List<String> secrets) {
        this.location = location;
        this.secrets = secrets;
    }

    /** The redactor for the secrets in {@code location} (a SQLite path has none). */
    public static Redactor of(String location) {
        if (location == null) {
            return new Redactor(null, List.of());
        }
        Set<String> found = new LinkedHashSet<>();
        Matcher m = LOCATION_USER_INFO.matcher(beforeQuery(location));
        if (m.find()) {
            addSecret(found, m.group(2));
        }
        Matcher p = PASSWORD_PARAM.matcher(location);
        while (p.find()) {
            addSecret(found, p.group().substring(p.group(1).length()));
        }
        List<String> longestFirst = new ArrayList<>(found);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(location, List.copyOf(longestFirst));
    }

    /** {@code location} with its password masked. */
    public static String location(String location) {
        return of(location).location();
    }

    private static void addSecret(Set<String> found, String raw) {
        for (String s : new String[] {raw, PercentDecoding.lenient(raw), formDecoded(raw)}) {
            if (s != null && s.length() >= MIN_SECRET_LENGTH && !s.equals(MASK)) {
                found.add(s);
            }
        }
    }

    private static String formDecoded(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8); // how the JDBC driver reads its URL
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The location this redactor was made for, with its password masked. */
    public String location() {
        if (location == null) {
            return null;
        }
        // The user info ends at the last '@' before the query: a '@' in a query's password= is not its end.
        String head = beforeQuery(location);
        Matcher m = LOCATION_USER_INFO.matcher(head);
        String shown = m.find() ? m.group(1) + MASK + "@" + location.substring(m.end()) : location;
        return apply(shown);
    }

    private static String beforeQuery(String location) {
        Matcher q = QUERY.matcher(location);
        return q.find() ? location.substring(0, q.start()) : location;
    }

    /** {@code text} with every password this redactor knows of, and any password in URL form, masked. */
    public String apply(String text) {
        if (text == null) {
            return null;
        }
        String s = text;
        for (String secret : secrets) {
            s = s.replace(secret, MASK);
        }
        s = TEXT_USER_INFO.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK + "@"));
        return PASSWORD_PARAM.matcher(s).replaceAll(r -> Matcher.quoteReplacement(r.group(1) + MASK));
    }
}
