package org.sparkpooling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkStageInfo;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.spark.ClusterSupport;

/**
 * An executor JVM killed with SIGKILL in the middle of a bench on the standalone cluster: its tasks
 * run again elsewhere (or on the executor the worker starts in its place), the job completes, every
 * block is reported once, with the checksums of a run nobody disturbed.
 */
class ExecutorKillIT {

    static final int BLOCKS = 16;
    static final List<String> ARGS = List.of("bench", "--blocks", String.valueOf(BLOCKS), "--partitions", "8",
            "--iterations", "40", "--seed", "11");

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

    private List<String> args() {
        return java.util.stream.Stream.concat(ARGS.stream(), java.util.stream.Stream.of("--master", master)).toList();
    }

    @Test
    @Timeout(900)
    void jobSurvivesAKilledExecutor(@TempDir Path dir) throws Exception {
        BenchRun clean = BenchRun.run(dir.resolve("clean"), args());
        clean.assertVerified();
        Map<Long, String> expected = clean.checksumsByBlock(BLOCKS);

        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<String> killer = CompletableFuture.supplyAsync(() -> killOneExecutorMidJob(done));
        BenchRun killed;
        try {
            killed = BenchRun.run(dir.resolve("killed"), args());
        } finally {
            done.set(true);
        }
        String victim = killer.get(60, TimeUnit.SECONDS);
        assertTrue(victim.startsWith("killed"), "the test must kill an executor mid-job, but: " + victim);
        System.out.println("ExecutorKillIT: " + victim);

        killed.assertVerified();
        assertEquals(expected, killed.checksumsByBlock(BLOCKS), "checksums after " + victim);
        assertEquals(clean.report().get("checksum").asText(), killed.report().get("checksum").asText(),
                "the run's combined checksum after " + victim);
    }

    /**
     * Waits until the bench's stage has finished some tasks and still runs others, then SIGKILLs one
     * executor JVM of that application (a child of a worker). Returns what it did, for the assertion.
     */
    private static String killOneExecutorMidJob(AtomicBoolean done) {
        try {
            while (!done.get()) {
                var session = SparkSession.getDefaultSession();
                if (session.isDefined() && !session.get().sparkContext().isStopped()) {
                    var sc = session.get().sparkContext();
                    String appId = sc.applicationId();
                    var tracker = sc.statusTracker();
                    for (int stageId : tracker.getActiveStageIds()) {
                        SparkStageInfo stage = tracker.getStageInfo(stageId).getOrElse(() -> null);
                        if (stage != null && stage.numCompletedTasks() >= 1 && stage.numActiveTasks() >= 1
                                && stage.numCompletedTasks() + stage.numActiveTasks() < stage.numTasks()) {
                            List<ProcessHandle> executors = ClusterSupport.executors(appId);
                            if (!executors.isEmpty()) {
                                ProcessHandle victim = executors.get(0);
                                victim.destroyForcibly(); // SIGKILL: no shutdown hooks, no goodbye to the driver
                                victim.onExit().get(30, TimeUnit.SECONDS);
                                return "killed executor pid " + victim.pid() + " of " + appId + " in stage " + stageId
                                        + " after " + stage.numCompletedTasks() + "/" + stage.numTasks() + " tasks";
                            }
                        }
                    }
                }
                Thread.sleep(100);
            }
            return "the job ended before an executor could be killed mid-job (make the iterations longer)";
        } catch (Exception e) {
            return "killer failed: " + e;
        }
    }
}
