package io.jobscope.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobscope.client.Job;
import io.jobscope.diagnose.Classifier;
import io.jobscope.diagnose.ClassifyOnFinish;
import io.jobscope.diagnose.DiagnoseService;
import io.jobscope.diagnose.Diagnosis;
import io.jobscope.diagnose.RuleBook;
import io.jobscope.ingest.EventWriter;
import io.jobscope.ingest.Ingestor;
import io.jobscope.jobs.JobService;
import io.jobscope.services.ServiceBoard;
import io.jobscope.store.Database;
import io.jobscope.testing.Stores;
import io.jobscope.web.ApiServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's real tasks: each a command wrapped by {@code jobscope run} in its own process, reporting over
 * HTTP to a real server, failing with real error output that diagnosis then classifies.
 */
class WrappedTaskRunnerTest {
    @TempDir
    Path tmp;

    private static DemoTask task(String id, String app, List<String> phases, DemoTask.Failure f) {
        return new DemoTask(id, "wf-test", app, null, List.of(), phases, 3, 2, 160L << 20, f);
    }

    private static DemoTask.Failure fails(String mode, String phase, String service) {
        return new DemoTask.Failure(phase, "failed", 1, null, "", mode, service);
    }

    @Test
    void realTasksReportPhasesSamplesAndTheirRealFailuresWhichDiagnosisClassifies() throws Exception {
        try (Database db = Stores.sqlite(tmp);
                EventWriter writer = new EventWriter(db)) {
            ServiceBoard board = new ServiceBoard(db, Clock.systemUTC());
            DiagnoseService diagnose =
                    new DiagnoseService(db, Classifier.standard(RuleBook.load(List.of(), true)), board.outageLookup());
            ClassifyOnFinish classify = new ClassifyOnFinish(diagnose);
            writer.addCommitListener(classify);
            try (ApiServer server = new ApiServer(
                            ApiServer.Config.loopback(0),
                            new JobService(db),
                            new Ingestor(writer),
                            Clock.systemUTC(),
                            board,
                            diagnose)
                    .start()) {
                URI url = URI.create("http://127.0.0.1:" + server.port());
                StringWriter log = new StringWriter();
                WrappedTaskRunner runner = WrappedTaskRunner.create(url, tmp.resolve("work"), 1, new PrintWriter(log))
                        .orElseThrow(() -> new AssertionError("no real runner: " + log));
                Map<String, DemoTask> tasks = new LinkedHashMap<>();
                tasks.put("ok", task("ok", "gen", List.of("setup", "generate"), null));
                tasks.put("trace", task("trace", "sim", List.of("simulate"), fails("traceback", "simulate", null)));
                tasks.put("oom", task("oom", "fit", List.of("load", "fit"), fails("memory", "fit", null)));
                tasks.put("segv", task("segv", "fit", List.of("fit"), fails("segfault", "fit", null)));
                tasks.put("dcache", task("dcache", "fit", List.of("load"), fails("service", "load", "dcache")));
                tasks.put("slow", task("slow", "fit", List.of("fit"), fails("timeout", "fit", null)));
                tasks.put("fetch", task("fetch", "fetch", List.of("stage-in"), null));
                ExecutorService pool = Executors.newFixedThreadPool(3);
                Map<String, Future<Boolean>> results = new LinkedHashMap<>();
                tasks.forEach((id, t) -> results.put(id, pool.submit(() -> runner.run(t, "slot-1", null))));
                for (var e : results.entrySet()) {
                    assertThat(e.getValue().get())
                            .as(e.getKey())
                            .isEqualTo(e.getKey().equals("ok") || e.getKey().equals("fetch"));
                }
                pool.shutdown();
                classify.awaitIdle();
                JobService jobs = new JobService(db);

                Job ok = jobs.job("ok").orElseThrow();
                assertThat(ok.status()).isEqualTo("success");
                assertThat(ok.details().phases()).extracting(Job.Phase::name).containsExactly("setup", "generate");
                assertThat(ok.details().samples().count()).isPositive();
                assertThat(ok.cpuTotalS()).as("it really used CPU").isPositive();
                assertThat(ok.details().attributes()).containsEntry("cores", 2);
                assertThat(ok.details().stdoutTail()).contains("ok: wrote output");
                assertThat(jobs.job("fetch").orElseThrow().details().phases())
                        .extracting(Job.Phase::name)
                        .containsExactly("stage-in");

                Job trace = jobs.job("trace").orElseThrow();
                assertThat(trace.status()).isEqualTo("failed");
                assertThat(trace.details().stderrTail()).contains("FileNotFoundError: geometry 'v9'");
                assertThat(category(diagnose, "trace")).isEqualTo("code");

                assertThat(jobs.job("oom").orElseThrow().details().stderrTail()).contains("MemoryError");
                assertThat(category(diagnose, "oom")).isEqualTo("resources");

                Job segv = jobs.job("segv").orElseThrow();
                assertThat(segv.details().signal()).isEqualTo(11);
                assertThat(segv.details().stderrTail()).contains("Segmentation fault");

                Diagnosis dcache = diagnose.diagnosis("dcache").orElseThrow();
                assertThat(dcache.category().label()).isEqualTo("service");
                assertThat(dcache.service()).isEqualTo("dcache");

                assertThat(jobs.job("slow").orElseThrow().status()).isEqualTo("timeout");
            } finally {
                classify.close();
            }
        }
    }

    private static String category(DiagnoseService diagnose, String job) {
        return diagnose.diagnosis(job).orElseThrow().category().label();
    }
}
