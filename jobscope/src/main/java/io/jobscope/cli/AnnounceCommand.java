package io.jobscope.cli;

import io.jobscope.services.ServicesApi;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jobscope announce}: a message to the team, shown above preflight and history and on the dashboard. */
@Command(
        name = "announce",
        mixinStandardHelpOptions = true,
        description =
                "Broadcast a message to the team (shown above 'preflight' and 'history' and on every dashboard page).",
        subcommands = {AnnounceCommand.ListCmd.class, AnnounceCommand.Expire.class})
final class AnnounceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    Target target;

    @Parameters(paramLabel = "TEXT", arity = "0..1", description = "The message.")
    String text;

    @Option(
            names = "--severity",
            defaultValue = "info",
            description = "info, warning or critical (default: ${DEFAULT-VALUE}).")
    String severity;

    @Option(names = "--until", description = "Shown until (default: until expired): ISO 8601 or in how long (+1d).")
    String until;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (text == null) {
            throw new UserException("give the message text, or use 'announce list' / 'announce expire ID'");
        }
        try (Target ignored = target) {
            ServicesApi.Announcement a =
                    ServicesOutput.api(target).announce(text, severity, ServicesOutput.ahead("--until", until));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Format.json(out, a);
            } else {
                out.printf(
                        "announcement %s (%s)%s%n",
                        a.id(), a.severity(), a.until() == null ? "" : " until " + a.until());
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Announcements in effect.")
    static final class ListCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Option(names = "--all", description = "Also expired ones.")
        boolean all;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            try (Target ignored = target) {
                List<ServicesApi.Announcement> list = ServicesOutput.api(target).announcements(all);
                PrintWriter out = spec.commandLine().getOut();
                return Format.listing(out, json, "announcements", list, "No announcements.", () -> {
                    for (ServicesApi.Announcement a : list) {
                        out.printf(
                                "%-10s %-8s %s  %s%s%s%n",
                                a.id(),
                                a.severity(),
                                a.created(),
                                a.text(),
                                a.until() == null ? "" : " (until " + a.until() + ")",
                                a.expired() == null ? "" : " (expired " + a.expired() + ")");
                    }
                });
            }
        }
    }

    @Command(name = "expire", mixinStandardHelpOptions = true, description = "Stop showing an announcement.")
    static final class Expire implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Target target;

        @Parameters(paramLabel = "ID", description = "The announcement id (from 'announce list').")
        String id;

        @Override
        public Integer call() {
            try (Target ignored = target) {
                ServicesApi.Announcement a = ServicesOutput.api(target).expireAnnouncement(id);
                spec.commandLine().getOut().printf("announcement %s expired%n", a.id());
                return 0;
            }
        }
    }
}
