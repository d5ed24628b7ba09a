package io.jobscope.agent;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The few libc calls the wrapper needs: {@code getrusage(RUSAGE_CHILDREN)} for the kernel's exact accounting
 * of reaped descendants, and {@code kill} to forward signals. JNA is loaded only when first used (it costs
 * start-up time); without it CPU falls back to {@code /proc/self/stat} and signals to {@link ProcessHandle}.
 */
final class LibC {
    private static final int RUSAGE_CHILDREN = -1;
    private static final long TICKS_PER_SECOND = 100; // USER_HZ on every Linux architecture in use

    /** What the kernel has accounted for the reaped children of this process, cumulative. */
    record Usage(long userMicros, long systemMicros, long maxRssBytes, long readBytes, long writeBytes) {
        long cpuMicros() {
            return userMicros + systemMicros;
        }
    }

    private interface C extends Library {
        int getrusage(int who, Memory usage);

        int kill(int pid, int sig);
    }

    private static volatile C c;
    private static volatile boolean failed;

    private LibC() {}

    private static C lib() {
        if (c == null && !failed) {
            synchronized (LibC.class) {
                if (c == null && !failed) {
                    try {
                        if (System.getProperty("jna.platform.library.path") == null) {
                            // Otherwise JNA runs /sbin/ldconfig -p to find library directories.
                            System.setProperty(
                                    "jna.platform.library.path",
                                    "/lib64:/usr/lib64:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu"
                                            + ":/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu:/lib:/usr/lib");
                        }
                        // By its soname: JNA given "c" runs /sbin/ldconfig -p to find it, and that child's
                        // CPU would land in the very accounting we read.
                        c = Native.load("libc.so.6", C.class);
                    } catch (Throwable t) { // no JNA, not glibc, no native access: fall back to /proc
                        failed = true;
                    }
                }
            }
        }
        return c;
    }

    /** Loads JNA now, off the critical path, so the first real call is fast. */
    static void preload() {
        lib();
    }

    /** The reaped children's usage; CPU at microsecond resolution with JNA, at 10 ms from /proc without. */
    static Usage children() {
        C lib = lib();
        if (lib != null) {
            try (Memory m = new Memory(18 * 8)) {
                m.clear();
                if (lib.getrusage(RUSAGE_CHILDREN, m) == 0) {
                    long user = m.getLong(0) * 1_000_000 + m.getLong(8);
                    long sys = m.getLong(16) * 1_000_000 + m.getLong(24);
                    long maxRssKb = m.getLong(32);
                    long inBlocks = m.getLong(11 * 8);
                    long outBlocks = m.getLong(12 * 8);
                    return new Usage(user, sys, maxRssKb * 1024, inBlocks * 512, outBlocks * 512);
                }
            }
        }
        return fromProcSelf();
    }

    private static Usage fromProcSelf() {
        try {
            String[] f = ProcTree.statFields(Files.readString(Path.of("/proc/self/stat")));
            long cutime = Long.parseLong(f[15]);
            long cstime = Long.parseLong(f[16]);
            return new Usage(cutime * 1_000_000 / TICKS_PER_SECOND, cstime * 1_000_000 / TICKS_PER_SECOND, 0, 0, 0);
        } catch (IOException | RuntimeException e) {
            return new Usage(0, 0, 0, 0, 0);
        }
    }

    /** Sends {@code signal} to {@code pid}; falls back to SIGTERM/SIGKILL through ProcessHandle. */
    static boolean kill(long pid, int signal) {
        C lib = lib();
        if (lib != null) {
            return lib.kill((int) pid, signal) == 0;
        }
        return ProcessHandle.of(pid)
                .map(h -> signal == Signals.SIGKILL ? h.destroyForcibly() : h.destroy())
                .orElse(false);
    }

    static long ticksPerSecond() {
        return TICKS_PER_SECOND;
    }
}
