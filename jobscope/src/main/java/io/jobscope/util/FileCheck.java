package io.jobscope.util;

import java.nio.file.Files;
import java.nio.file.Path;

/** Why a file a user named cannot be read, said before any work starts. */
public final class FileCheck {
    private FileCheck() {}

    /** Why {@code path} cannot be read as a file ("no such file", "it is a directory", …); null when it can. */
    public static String unreadable(Path path) {
        if (!Files.exists(path)) {
            return "no such file";
        }
        if (Files.isDirectory(path)) {
            return "it is a directory";
        }
        if (!Files.isRegularFile(path)) {
            return "not a regular file";
        }
        return Files.isReadable(path) ? null : "permission denied";
    }
}
