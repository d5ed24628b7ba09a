package io.jobscope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo} and {@code server} on a port another process holds: one line, exit 2, no store left or made. */
class PortInUseTest {
    @TempDir
    Path tmp;

    @Test
    void demoOnAPortInUseSaysSoInOneLineAndLeavesNoStoreSoTheSameDbCanBeRetried() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            Path db = tmp.resolve("demo.db");

            Cli.Result r = Cli.run(
                    tmp,
                    Map.of(),
                    "demo",
                    "--db",
                    db.toString(),
                    "--port",
                    String.valueOf(port),
                    "--runner",
                    "simulated",
                    "--exit-when-done");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err())
                    .isEqualTo("jobscope: cannot listen on 127.0.0.1:" + port
                            + ": Address already in use (choose another with --port)\n");
            assertThat(tmp).isDirectoryNotContaining("glob:**/demo.db*");
        }
    }

    @Test
    void serverOnAPortInUseSaysSoInOneLineWithoutCreatingAStore() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = busy.getLocalPort();
            Path db = tmp.resolve("server.db");

            Cli.Result r = Cli.run(tmp, Map.of(), "server", "--db", db.toString(), "--port", String.valueOf(port));

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err())
                    .isEqualTo("jobscope: cannot listen on 127.0.0.1:" + port
                            + ": Address already in use (choose another with --port)\n");
            assertThat(tmp).isDirectoryNotContaining("glob:**/server.db*");
        }
    }
}
