package io.jobscope.store;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the newest migration shipped in db/migration, so a store already at it skips Flyway's slower start. */
final class Migrations {
    private static final Pattern NAME = Pattern.compile("(?:^|/)V(\\d+)__[^/]*\\.sql$");

    private Migrations() {}

    static int latestVersion() {
        URL url = Migrations.class.getResource("/db/migration");
        if (url == null) {
            return Integer.MAX_VALUE; // unknown: always let Flyway decide
        }
        int max = 0;
        try {
            if ("jar".equals(url.getProtocol())) {
                JarURLConnection conn = (JarURLConnection) url.openConnection();
                conn.setUseCaches(false);
                try (JarFile jar = conn.getJarFile()) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        String name = entries.nextElement().getName();
                        if (name.startsWith("db/migration/")) {
                            max = Math.max(max, version(name));
                        }
                    }
                }
            } else {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(url.toURI()))) {
                    for (Path p : ds) {
                        max = Math.max(max, version(p.getFileName().toString()));
                    }
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            return Integer.MAX_VALUE;
        }
        return max == 0 ? Integer.MAX_VALUE : max;
    }

    private static int version(String name) {
        Matcher m = NAME.matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
