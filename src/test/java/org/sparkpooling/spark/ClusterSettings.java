package org.sparkpooling.spark;

import java.util.Map;

/** Spark settings the cluster tests share. */
public final class ClusterSettings {

    private ClusterSettings() {
    }

    /**
     * Both workers' cores (one each), and the scheduler waits until both executors registered before
     * the first task, so "two executors used" does not depend on which JVM started faster.
     */
    public static Map<String, String> waitForBothExecutors() {
        return Map.of(
                "spark.cores.max", "2",
                "spark.scheduler.minRegisteredResourcesRatio", "1.0",
                "spark.scheduler.maxRegisteredResourcesWaitingTime", "120s",
                "spark.ui.showConsoleProgress", "false"); // no progress bars in Maven's log
    }
}
