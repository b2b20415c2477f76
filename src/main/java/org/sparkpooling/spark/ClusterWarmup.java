package org.sparkpooling.spark;

import java.util.Collections;
import java.util.Iterator;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpooling.pool.PoolKernels;

/**
 * On a cluster the session is ready before its executors are: they are JVMs still starting when
 * the first job is submitted. Timing the job from then on would charge executor start-up (and the
 * first task's fetch of the app jar and class loading) to the kernels' wall time. So before the
 * timed job, wait for the executors, then run one tiny job on each of them.
 */
public final class ClusterWarmup {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterWarmup.class);

    /** How long the executor count must stay unchanged when the expected count is unknown. */
    static final long STABLE_MILLIS = 5_000;

    private ClusterWarmup() {
    }

    /** Does nothing on local masters, whose only executor is the driver. */
    public static void awaitExecutors(SparkContext sc) {
        if (sc.master().startsWith("local")) {
            return;
        }
        long t0 = System.nanoTime();
        int expected = expectedExecutors(sc.getConf());
        long maxMillis = sc.getConf().getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s") * 2;
        int n = executors(sc);
        int last = -1;
        long stableSince = System.currentTimeMillis();
        while (System.nanoTime() - t0 < maxMillis * 1_000_000) {
            n = executors(sc);
            if (n != last) {
                last = n;
                stableSince = System.currentTimeMillis();
            }
            boolean enough = expected > 0 ? n >= expected
                    : n > 0 && System.currentTimeMillis() - stableSince >= STABLE_MILLIS;
            if (enough) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // Two short tasks per executor: each executor fetches the app jar and loads the job's classes now.
        int tasks = Math.max(2, 2 * n);
        new JavaSparkContext(sc).parallelize(IntStream.range(0, tasks).boxed().toList(), tasks)
                .mapPartitions(new Touch()).count();
        LOG.info("{} executor(s) ready after {} s (expected {})", n,
                String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9),
                expected > 0 ? expected : "unknown: waited until stable");
    }

    /** Registered executors, not counting the driver. */
    static int executors(SparkContext sc) {
        return sc.statusTracker().getExecutorInfos().length - 1;
    }

    /** From spark.executor.instances, or spark.cores.max / spark.executor.cores; 0 when neither says. */
    static int expectedExecutors(SparkConf conf) {
        int instances = conf.getInt("spark.executor.instances", 0);
        if (instances > 0) {
            return instances;
        }
        int coresMax = conf.getInt("spark.cores.max", 0);
        int executorCores = conf.getInt("spark.executor.cores", 1);
        return coresMax > 0 ? Math.max(1, coresMax / Math.max(1, executorCores)) : 0;
    }

    /** Loads the kernels' classes on the executor and waits a little, so every executor gets a task. */
    static final class Touch implements FlatMapFunction<Iterator<Integer>, Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Iterator<Integer> call(Iterator<Integer> values) throws Exception {
            PoolKernels.names(); // class loading, from the app jar
            Thread.sleep(200);
            return Collections.emptyIterator();
        }
    }
}
