package org.sparkpooling.spark;

import java.util.concurrent.TimeUnit;
import org.apache.spark.Success$;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.TaskInfo;

/**
 * Spark's own cost of a job, summed over its tasks from their metrics: what the Spark UI shows
 * per task (scheduler delay, deserialization, GC, result serialization), gathered while the job
 * runs. Registered just before the job and removed after it.
 */
public final class TaskMetricsListener extends SparkListener {

    private int jobsStarted;
    private int jobsEnded;
    private int tasks;
    private int failedTasks;
    private long runMillis;
    private long schedulerDelayMillis;
    private long deserializeMillis;
    private long gcMillis;
    private long resultSerializationMillis;
    private long gettingResultMillis;
    private long peakHeapBytes;

    @Override
    public synchronized void onJobStart(SparkListenerJobStart jobStart) {
        jobsStarted++;
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd jobEnd) {
        jobsEnded++;
        notifyAll();
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        if (!(end.reason() instanceof Success$)) {
            failedTasks++;
        }
        TaskInfo info = end.taskInfo();
        TaskMetrics m = end.taskMetrics();
        tasks++;
        if (end.taskExecutorMetrics() != null) {
            // The executor's peak heap while the task ran, as its metrics poller saw it.
            peakHeapBytes = Math.max(peakHeapBytes, end.taskExecutorMetrics().getMetricValue("JVMHeapMemory"));
        }
        if (m == null) {
            return; // a task lost with its executor has no metrics
        }
        runMillis += m.executorRunTime();
        deserializeMillis += m.executorDeserializeTime();
        gcMillis += m.jvmGCTime();
        resultSerializationMillis += m.resultSerializationTime();
        long getting = info.gettingResult() ? info.finishTime() - info.gettingResultTime() : 0;
        gettingResultMillis += getting;
        // As the Spark UI computes it: the task's life minus the parts accounted for.
        long delay = info.duration() - m.executorRunTime() - m.executorDeserializeTime()
                - m.resultSerializationTime() - getting;
        schedulerDelayMillis += Math.max(0, delay);
    }

    /**
     * Waits until every job started since registration has ended on the listener bus (job end is
     * posted after its tasks' ends, so the task sums are then complete), at most {@code timeoutMillis}.
     */
    public synchronized void awaitJobsEnded(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (jobsStarted == 0 || jobsEnded < jobsStarted) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            wait(left);
        }
    }

    public synchronized Overhead overhead() {
        return new Overhead(tasks, failedTasks, runMillis / 1e3, schedulerDelayMillis / 1e3, deserializeMillis / 1e3,
                gcMillis / 1e3, resultSerializationMillis / 1e3, gettingResultMillis / 1e3);
    }

    /**
     * The largest heap an executor had in use while one of the tasks ran (garbage not yet collected
     * included), from Spark's executor metrics; 0 unless {@value #POLLING} is set, since without it
     * the poller samples only at heartbeats, which short tasks never see.
     */
    public synchronized long peakHeapBytes() {
        return peakHeapBytes;
    }

    /** The setting that makes executors sample their heap often enough for {@link #peakHeapBytes}. */
    public static final String POLLING = "spark.executor.metrics.pollingInterval";

    /** Seconds summed over all task attempts (failed ones included). */
    public record Overhead(int tasks, int failedTasks, double executorRunSeconds, double schedulerDelaySeconds,
            double executorDeserializeSeconds, double gcSeconds, double resultSerializationSeconds,
            double gettingResultSeconds) {
    }
}
