package org.sparkpooling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.tensor.Shape;

/** A task attempt that fails once is retried; the job's result is that of a clean run. */
class BenchFaultTest {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        // local[2,4]: two cores, up to four attempts per task (plain local mode never retries).
        spark = SparkSetup.session("BenchFaultTest", "local[2,4]", Map.of());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void failedAttemptIsRetriedAndEveryBlockAppearsOnce() throws Exception {
        BenchJob.Source source = BenchJob.Source.synthetic(6, 3);
        BenchConfig clean = BenchConfig.builder(PoolSpec.max(2, 2).build(), new Shape(2, 2, 8, 8)).iterations(2)
                .warmup(1).copyReps(5).seed(21).build();
        BenchConfig faulty = clean.withFailPartition(1);

        BenchReport expected = BenchJob.run(spark, clean, source, 0);
        BenchReport r = BenchJob.run(spark, faulty, source, 0);

        assertEquals(1, r.sparkOverhead().failedTasks(), "one attempt must have failed: " + r.sparkOverhead());
        assertEquals(4, r.sparkOverhead().tasks(), "three tasks and one retry");
        List<Long> ids = new ArrayList<>();
        r.partitions().forEach(p -> ids.addAll(p.blockIds()));
        ids.sort(null);
        assertEquals(LongStream.range(0, 6).boxed().toList(), ids);
        assertEquals(List.of(), r.duplicateBlockIds());
        for (BenchReport.Partition p : r.partitions()) {
            assertEquals(p.partition() == 1 ? 1 : 0, p.attempt(), p.toString());
        }
        assertEquals(expected.checksum(), r.checksum());
        assertEquals(expected.partitions().stream().map(BenchReport.Partition::checksum).toList(),
                r.partitions().stream().map(BenchReport.Partition::checksum).toList());
        assertTrue(r.verification().forward() && r.verification().backward());
    }
}
