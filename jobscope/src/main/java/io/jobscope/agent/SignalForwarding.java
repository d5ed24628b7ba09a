package io.jobscope.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Catches SIGINT and SIGTERM (and SIGHUP) sent to a command that runs jobs ({@code jobscope run}, {@code
 * jobscope sweep}) and hands them to it, which stops its jobs instead of dying and leaving them orphaned;
 * {@link #restore} puts the previous handlers back.
 */
public final class SignalForwarding {
    private record Installed(Signal signal, SignalHandler previous) {}

    private final List<Installed> installed = new ArrayList<>();

    private SignalForwarding() {}

    /** For {@code run}: the signal's number to {@code onSignal}; an interactive Ctrl-C as 0. */
    static SignalForwarding install(IntConsumer onSignal) {
        SignalForwarding f = new SignalForwarding();
        // Interactive Ctrl-C already reaches the whole foreground process group, the job included.
        boolean terminal = System.console() != null;
        f.handle(
                terminal ? List.of("TERM", "HUP") : List.of("INT", "TERM", "HUP"),
                sig -> onSignal.accept(sig.getNumber()));
        if (terminal) {
            f.handle(List.of("INT"), sig -> onSignal.accept(0));
        }
        return f;
    }

    /** {@code handler} for each of the signals named; one the JVM reserves (-Xrs) keeps its default. */
    public static SignalForwarding install(List<String> names, SignalHandler handler) {
        SignalForwarding f = new SignalForwarding();
        f.handle(names, handler);
        return f;
    }

    private void handle(List<String> names, SignalHandler handler) {
        for (String name : names) {
            try {
                Signal s = new Signal(name);
                installed.add(new Installed(s, Signal.handle(s, handler)));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the JVM reserves it (-Xrs): leave the default
            }
        }
    }

    public void restore() {
        for (Installed i : installed) {
            try {
                Signal.handle(i.signal(), i.previous());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // nothing to restore
            }
        }
    }
}
