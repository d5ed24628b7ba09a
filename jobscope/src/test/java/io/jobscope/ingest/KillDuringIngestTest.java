package io.jobscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Event;
import io.jobscope.store.Database;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real server process killed with SIGKILL in the middle of ingest loses no acknowledged event. */
class KillDuringIngestTest {
    @TempDir
    Path tmp;

    @Test
    void killMinus9LosesNoAcknowledgedEvent() throws Exception {
        Path dbFile = tmp.resolve("kill.db");
        Process server = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "io.jobscope.cli.Main",
                        "server",
                        "--port",
                        "0",
                        "--db",
                        dbFile.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        int port;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            Matcher m = Pattern.compile("listening on http://127.0.0.1:(\\d+)").matcher(line == null ? "" : line);
            assertThat(m.find()).as("server said: " + line).isTrue();
            port = Integer.parseInt(m.group(1));

            URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/events");
            HttpClient http = HttpClient.newHttpClient();
            ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < 3; c++) {
                int client = c;
                Thread t = new Thread(() -> {
                    for (int batch = 0; !stop.get(); batch++) {
                        List<String> ids = new ArrayList<>();
                        StringBuilder body = new StringBuilder();
                        for (int i = 0; i < 200; i++) {
                            String job = "c" + client + "-b" + batch + "-j" + i;
                            Event e = Event.job(Event.JOB_STARTED, job, Instant.now())
                                    .put("app", "kill-test");
                            ids.add(e.id());
                            body.append(e.toLine()).append('\n');
                        }
                        try {
                            HttpResponse<String> r = http.send(
                                    HttpRequest.newBuilder(uri)
                                            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                acknowledged.addAll(ids);
                            }
                        } catch (Exception e) {
                            return; // the server is gone
                        }
                    }
                });
                t.start();
                clients.add(t);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.size() < 6000 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            server.destroyForcibly(); // SIGKILL
            server.waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
            assertThat(acknowledged.size()).isGreaterThanOrEqualTo(6000);

            try (Database db = Database.open(dbFile.toString())) {
                Set<String> stored = new HashSet<>(db.jdbi()
                        .withHandle(h -> h.createQuery("SELECT id FROM job_event")
                                .mapTo(String.class)
                                .list()));
                Set<String> missing = new HashSet<>(acknowledged);
                missing.removeAll(stored);
                assertThat(missing).as("acknowledged but not stored").isEmpty();
                long jobs = db.jdbi()
                        .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM job")
                                .mapTo(Long.class)
                                .one());
                assertThat(jobs).isEqualTo(stored.size());
            }
        } finally {
            server.destroyForcibly();
        }
    }
}
