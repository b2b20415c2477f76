package org.sparkpooling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.spark.ClusterSupport;
import org.sparkpooling.spark.SparkSetup;

/**
 * Issue 8: a driver without the cluster's secret, or with a wrong one, was refused only after two
 * minutes of registration retries ending in "All masters are unresponsive". On the real cluster: each
 * is refused within {@link #BOUND_SECONDS} with a sentence that says "authentication failed", names the
 * master and where the secret comes from; the CLI prints it as its one line and exits 2. The
 * {@code @Timeout}s end the tests on code that still retries for two minutes.
 */
class DriverSecretRefusedIT {

    static final double BOUND_SECONDS = 30;

    @Test
    @Timeout(180)
    void wrongSecretIsRefusedAtOnce() {
        String master = ClusterSupport.assumeCluster();
        Map<String, String> settings = new HashMap<>(ClusterSupport.driverSettings()); // the cluster's, encryption too
        settings.put("spark.authenticate.secret", "0".repeat(64));
        String message = refusedWithin(master, settings);
        assertTrue(message.contains("refused this driver's secret"), message);
    }

    @Test
    @Timeout(180)
    void driverWithoutSecretIsRefusedAtOnce() {
        String master = ClusterSupport.assumeCluster();
        // Nothing of driver.args: no spark.authenticate, no secret, no encryption.
        String message = refusedWithin(master, Map.of("spark.jars", ClusterSupport.appJar().toString()));
        assertTrue(message.contains("requires authentication"), message);
    }

    @Test
    @Timeout(180)
    void benchWithAWrongSecretExitsTwoWithOneLine(@TempDir Path dir) throws Exception {
        String master = ClusterSupport.assumeCluster();
        Map<String, String> settings = new HashMap<>(ClusterSupport.driverSettings());
        settings.put("spark.authenticate.secret", "f".repeat(64));
        settings.forEach(System::setProperty); // the CLI's session reads -Dspark.* as scripts/pooling passes them
        try {
            long t0 = System.nanoTime();
            BenchRun run = BenchRun.run(dir.resolve("report"),
                    List.of("bench", "--master", master, "--blocks", "1", "--iterations", "1"));
            double seconds = (System.nanoTime() - t0) / 1e9;
            String context = "exit " + run.exitCode() + " after " + seconds + " s\nstderr:\n" + run.err();
            assertEquals(2, run.exitCode(), context);
            assertTrue(seconds < BOUND_SECONDS, context);
            String first = run.err().lines().findFirst().orElse("");
            assertTrue(first.startsWith("pooling bench: authentication failed: "), context);
            assertTrue(first.contains(master), context);
            assertEquals(1, run.err().lines().count(), "one line: " + context);
            assertFalse(Files.exists(dir.resolve("report")), "no report of a job that never ran: " + context);
        } finally {
            settings.keySet().forEach(System::clearProperty);
        }
    }

    /** The session is refused within the bound; returns the message, checked for what it must name. */
    private static String refusedWithin(String master, Map<String, String> settings) {
        long t0 = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SparkSetup.session("driver-secret-refused-it", master, settings).stop());
        double seconds = (System.nanoTime() - t0) / 1e9;
        String message = e.getMessage();
        assertTrue(seconds < BOUND_SECONDS, "refused after " + seconds + " s: " + message);
        assertTrue(message.startsWith("authentication failed: "), message);
        assertTrue(message.contains(master), "names the master " + master + ": " + message);
        assertTrue(message.contains(ClusterSupport.clusterDir().resolve("driver.args").toString()),
                "names where the secret comes from: " + message);
        assertTrue(SparkSession.getDefaultSession().isEmpty(), "no half-made session is left behind");
        return message;
    }
}
