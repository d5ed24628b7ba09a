package io.jobscope.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the wrapper records about where a job runs, from the environment a scheduler gives it. */
class HostInfoTest {
    @TempDir
    Path tmp;

    @Test
    void coresComeFromTheSchedulersAllocationNeverFromTheMachinesProcessorCount() {
        assertThat(HostInfo.allocatedCores(Map.of())).isNull();
        assertThat(HostInfo.allocatedCores(Map.of("OMP_NUM_THREADS", "8")))
                .as("a thread count is not an allocation")
                .isNull();
        assertThat(HostInfo.allocatedCores(Map.of("SLURM_CPUS_PER_TASK", "4"))).isEqualTo(4);
        assertThat(HostInfo.allocatedCores(Map.of("SLURM_CPUS_ON_NODE", "6"))).isEqualTo(6);
        assertThat(HostInfo.allocatedCores(Map.of("SLURM_JOB_CPUS_PER_NODE", "8(x2),4")))
                .isEqualTo(8);
        assertThat(HostInfo.allocatedCores(Map.of("PBS_NUM_PPN", "2"))).isEqualTo(2);
        assertThat(HostInfo.allocatedCores(Map.of("NCPUS", "12"))).isEqualTo(12);
        assertThat(HostInfo.allocatedCores(Map.of("LSB_DJOB_NUMPROC", "3"))).isEqualTo(3);
        assertThat(HostInfo.allocatedCores(Map.of("NSLOTS", "5"))).isEqualTo(5);
        assertThat(HostInfo.allocatedCores(Map.of("JOBSCOPE_CORES", "2", "SLURM_CPUS_ON_NODE", "64")))
                .as("the user's own statement first")
                .isEqualTo(2);
        assertThat(HostInfo.allocatedCores(Map.of("NSLOTS", "0", "PBS_NUM_PPN", "many")))
                .isNull();
    }

    @Test
    void htcondorCoresAreTheJobAdsRequestCpus() throws Exception {
        Path ad = tmp.resolve(".job.ad");
        Files.writeString(ad, "ClusterId = 4711\nProcId = 3\nRequestCpus = 8\nRequestMemory = 2048\n");
        Map<String, String> env = Map.of("_CONDOR_JOB_AD", ad.toString());

        assertThat(HostInfo.allocatedCores(env)).isEqualTo(8);
        assertThat(HostInfo.scheduler(env)).isEqualTo(new HostInfo.Scheduler("htcondor", "4711.3"));
    }

    @Test
    void attributesOutsideASchedulerHoldTheMachinesCoresButNoAllocatedCores() {
        Map<String, Object> a = HostInfo.attributes(Map.of("PATH", "/usr/bin:/bin"));
        assertThat(a).containsEntry("cpu_cores", Runtime.getRuntime().availableProcessors());
        assertThat(a).doesNotContainKey("cores");
        assertThat(HostInfo.attributes(Map.of("SLURM_CPUS_PER_TASK", "4"))).containsEntry("cores", 4);
    }
}
