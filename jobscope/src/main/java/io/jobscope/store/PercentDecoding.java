package io.jobscope.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * RFC 3986 percent-decoding, as libpq and psql read a {@code postgresql://} URL: {@code %XX} is a byte (UTF-8),
 * and {@code +} is a plus, not a space as in HTML form decoding ({@link java.net.URLDecoder}).
 */
final class PercentDecoding {
    private PercentDecoding() {}

    /** {@code s} decoded; a {@code %} not followed by two hex digits is kept as it is. */
    static String lenient(String s) {
        if (s == null || s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            int hi = c == '%' ? hex(s, i + 1) : -1;
            int lo = hi >= 0 ? hex(s, i + 2) : -1;
            if (hi >= 0 && lo >= 0) {
                bytes.write(hi << 4 | lo);
                i += 3;
            } else {
                int cp = s.codePointAt(i);
                bytes.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(cp);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static int hex(String s, int i) {
        return i < s.length() ? Character.digit(s.charAt(i), 16) : -1;
    }
}
