package org.sparkpooling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.spark.ClusterSupport;

/** The bench on the real 2-worker standalone cluster, this JVM as its driver. */
class ClusterBenchIT {

    static final int BLOCKS = 16;

    private String master;

    @BeforeEach
    void driverSettings() {
        master = ClusterSupport.enterBenchDriver();
    }

    @AfterEach
    void clear() {
        if (master != null) {
            ClusterSupport.leaveBenchDriver();
        }
    }

    @Test
    @Timeout(600)
    void everyBlockOnceVerifiedOnTwoExecutors(@TempDir Path dir) throws Exception {
        BenchRun run = BenchRun.run(dir, List.of("bench", "--master", master,
                "--blocks", String.valueOf(BLOCKS), "--partitions", "4", "--iterations", "3", "--seed", "7"));
        run.assertVerified();
        run.checksumsByBlock(BLOCKS);
        Set<String> executors = run.executorIds();
        assertEquals(2, executors.size(), "executors used " + executors);
        assertFalse(executors.contains("driver"), "tasks ran on executors: " + executors);
        assertEquals(BLOCKS, run.report().get("blocks").asLong(), "blocks in the report");
    }
}
