package io.jobscope.diagnose;

import java.util.regex.Pattern;

/**
 * Turns an error line into a signature that failures are grouped by: timestamps dropped; ids, hex,
 * addresses, paths and numbers replaced by placeholders; hosts of URLs kept (they name the service).
 */
public final class Signatures {
    private static final Pattern LEADING_TIME = Pattern.compile(
            "^\\s*\\[?\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?\\]?[\\s:]*");
    private static final Pattern TIME = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?|\\b\\d{2}:\\d{2}:\\d{2}\\b");
    private static final Pattern UUID =
            Pattern.compile("\\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\b");
    private static final Pattern URL =
            Pattern.compile("\\b([a-zA-Z][a-zA-Z0-9+.-]*)://([^/\\s:'\"]+)(:\\d+)?(/[^\\s'\"]*)?");
    private static final Pattern HEX = Pattern.compile("\\b0x[0-9a-fA-F]+\\b|\\b(?=[0-9a-fA-F]*\\d)[0-9a-fA-F]{8,}\\b");
    private static final Pattern IP = Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d+)?\\b");
    private static final Pattern PATH = Pattern.compile("(?<![\\w<>:/])(?:~|\\.{1,2})?(?:/[\\w.@+%=,~-]+)+/?");
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern SPACE = Pattern.compile("\\s+");

    private Signatures() {}

    /** The normalised form of {@code line}, at most 240 characters. */
    public static String normalize(String line) {
        String s = LEADING_TIME.matcher(line).replaceFirst("");
        s = TIME.matcher(s).replaceAll("<time>");
        s = UUID.matcher(s).replaceAll("<id>");
        s = URL.matcher(s).replaceAll("$1://$2<path>");
        s = HEX.matcher(s).replaceAll("<hex>");
        s = IP.matcher(s).replaceAll("<ip>");
        s = PATH.matcher(s).replaceAll("<path>");
        s = NUMBER.matcher(s).replaceAll("<n>");
        s = SPACE.matcher(s).replaceAll(" ").strip();
        return s.length() > 240 ? s.substring(0, 240) : s;
    }

    /** A frame ({@code file:function} from two groups, one group, or the line) without numbers. */
    static String frame(java.util.regex.Matcher m) {
        String f;
        if (m.groupCount() >= 2 && m.group(1) != null && m.group(2) != null) {
            String file = m.group(1).replaceAll(".*[/\\\\]", "");
            f = file + ":" + m.group(2);
        } else if (m.groupCount() >= 1 && m.group(1) != null) {
            f = m.group(1);
        } else {
            f = m.group().strip();
        }
        return NUMBER.matcher(f).replaceAll("<n>");
    }
}
