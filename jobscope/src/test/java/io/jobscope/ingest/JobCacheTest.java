package io.jobscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The SQLite writer's memory of job rows: a job it remembers is finished without reading its row back, so
 * the jobs under way must stay remembered until they end, however many others end meanwhile.
 */
class JobCacheTest {
    @Test
    void aRunningJobIsRememberedUntilItFinishesHoweverManyOthersFinishMeanwhile() {
        // 40 jobs under way at any time, a memory of 50: each job finishes 40 starts after its own, and 40 others
        // finish in between.
        JobCache cache = new JobCache(50);
        for (int k = 0; k < 500; k++) {
            cache.put(row("job-" + k, "running"));
            if (k >= 40) {
                String id = "job-" + (k - 40);
                assertThat(cache.get(id))
                        .as(id + " when its job.finished comes")
                        .isNotNull();
                cache.put(row(id, "success"));
            }
        }
    }

    @Test
    void aFinishedJobIsStillRememberedForItsLateEventsAndTheOldestAreForgotten() {
        JobCache cache = new JobCache(100);
        cache.put(row("a", "running"));
        cache.put(row("a", "failed"));
        assertThat(cache.get("a").status).isEqualTo("failed");
        for (int i = 0; i < 10; i++) {
            cache.put(row("other-" + i, "success"));
        }
        assertThat(cache.get("a")).isNull();
        assertThat(cache.get("other-9")).isNotNull();
    }

    @Test
    void aJobStartedAgainAfterItFinishedIsRememberedAsRunning() {
        JobCache cache = new JobCache(100);
        cache.put(row("rerun", "failed"));
        cache.put(row("rerun", "running"));
        for (int i = 0; i < 50; i++) {
            cache.put(row("other-" + i, "success"));
        }
        assertThat(cache.get("rerun").status).isEqualTo("running");
    }

    private static JobRow row(String id, String status) {
        JobRow row = new JobRow(id);
        row.status = status;
        return row;
    }
}
