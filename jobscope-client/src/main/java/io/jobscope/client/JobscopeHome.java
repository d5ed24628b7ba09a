package io.jobscope.client;

import java.nio.file.Path;

/**
 * {@code ~/.jobscope}, where the default store, spool, rules and plugins live. {@code ~} is {@code $HOME}, as
 * in the user's shell; Java's {@code user.home} (the home the user database records) only when it is unset.
 * They differ on clusters that point {@code $HOME} elsewhere, and in a session that sets it for a test.
 */
public final class JobscopeHome {
    private JobscopeHome() {}

    public static Path dir() {
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".jobscope");
    }

    /** A file or directory inside {@link #dir()}. */
    public static Path resolve(String name) {
        return dir().resolve(name);
    }
}
