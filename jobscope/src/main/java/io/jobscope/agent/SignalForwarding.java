package io.jobscope.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Catches SIGINT and SIGTERM sent to {@code jobscope run} and hands them to the runner, which forwards
 * them to the job's tree instead of dying and leaving the job orphaned.
 */
final class SignalForwarding {
    private record Installed(Signal signal, SignalHandler previous) {}

    private final List<Installed> installed = new ArrayList<>();

    private SignalForwarding() {}

    static SignalForwarding install(IntConsumer onSignal) {
        SignalForwarding f = new SignalForwarding();
        // Interactive Ctrl-C already reaches the whole foreground process group, the job included.
        boolean terminal = System.console() != null;
        for (String name : terminal ? new String[] {"TERM", "HUP"} : new String[] {"INT", "TERM", "HUP"}) {
            try {
                Signal s = new Signal(name);
                f.installed.add(new Installed(s, Signal.handle(s, sig -> onSignal.accept(sig.getNumber()))));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the JVM reserves it (-Xrs): leave the default
            }
        }
        if (terminal) {
            try {
                Signal s = new Signal("INT");
                f.installed.add(new Installed(s, Signal.handle(s, sig -> onSignal.accept(0))));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // leave the default
            }
        }
        return f;
    }

    void restore() {
        for (Installed i : installed) {
            try {
                Signal.handle(i.signal(), i.previous());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // nothing to restore
            }
        }
    }
}
