package io.jobscope.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The sample files in shared/fixtures, which sits beside the repository (tests run from jobscope/). */
public final class Fixtures {
    private static final List<Path> ROOTS = List.of(
            Path.of("..", "..", "shared", "fixtures"),
            Path.of("..", "shared", "fixtures"),
            Path.of("/work/shared/fixtures"));

    private Fixtures() {}

    /** The fixture at {@code relative} (e.g. "worker/worker_4242"); fails, naming where it looked, when absent. */
    public static Path path(String relative) {
        for (Path root : ROOTS) {
            Path p = root.resolve(relative);
            if (Files.exists(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        throw new IllegalStateException("fixture " + relative + " not found under " + ROOTS);
    }
}
