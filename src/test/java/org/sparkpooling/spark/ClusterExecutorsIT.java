package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster itself, before any pooling: an authenticated driver gets one executor per worker, the
 * executors load shipped classes, and tasks run on both. When this fails, the bench tests would too,
 * for reasons that have nothing to do with the job.
 */
class ClusterExecutorsIT {

    @Test
    @Timeout(600)
    void tasksRunOnOneExecutorPerWorker() throws Exception {
        String master = ClusterSupport.assumeCluster();
        Map<String, String> settings = new HashMap<>(ClusterSupport.driverSettings());
        settings.put("spark.jars", ClusterSupport.appJar() + "," + ClusterSupport.testClassesJar());
        settings.putAll(ClusterSettings.waitForBothExecutors());
        try (SparkSession spark = SparkSetup.session("cluster-executors-it", master, settings)) {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<String> ids = sc.parallelize(IntStream.range(0, 8).boxed().toList(), 8)
                    .mapPartitions(new ExecutorIdOfPartition())
                    .collect();
            assertEquals(8, ids.size(), "one executor id per partition");
            Set<String> distinct = new TreeSet<>(ids);
            assertEquals(2, distinct.size(), "executors used " + distinct);
            assertTrue(!distinct.contains("driver"), "tasks ran on executors, not the driver: " + distinct);
        }
    }

    /** A test class on the executors: proves spark.jars reaches them. */
    static final class ExecutorIdOfPartition
            implements org.apache.spark.api.java.function.FlatMapFunction<java.util.Iterator<Integer>, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public java.util.Iterator<String> call(java.util.Iterator<Integer> values) throws Exception {
            Thread.sleep(300); // long enough that one executor cannot take every task
            return List.of(SparkEnv.get().executorId()).iterator();
        }
    }
}
