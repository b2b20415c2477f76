package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code scripts/cluster status} on the running cluster says what is open and how it is guarded, from
 * the answers the UIs give now: the master UI and each worker UI behind Basic authentication, the kill
 * switch off, RPC authentication and encryption, no REST server, and every listening port on loopback.
 */
class ClusterStatusIT {

    @Test
    @Timeout(120)
    void statusNamesEveryOpenPortAndItsGuard() throws Exception {
        String master = ClusterSupport.assumeCluster();
        URI ui = ClusterSupport.uiUrl();
        String out = status(master, ui);

        assertTrue(out.contains("master RPC " + master.substring("spark://".length()) + ": authentication on"), out);
        assertTrue(out.contains("master UI " + ui + ": Basic auth required (no credentials: GET / -> 401)"), out);
        assertTrue(out.contains("kill switch off (POST /app/kill/ -> 405: no kill handler)"), out);
        boolean encrypted = "true".equals(ClusterSupport.clusterConf().getProperty("spark.network.crypto.enabled", "").trim());
        assertTrue(out.contains("RPC encryption " + (encrypted ? "on" : "OFF")), out);
        assertTrue(out.contains("REST submission server: off"), out);

        Matcher workerUi = Pattern.compile("worker \\S+ UI http://127\\.0\\.0\\.1:(\\d+): Basic auth required").matcher(out);
        int workerUis = 0;
        while (workerUi.find()) {
            workerUis++;
            String port = workerUi.group(1);
            assertTrue(out.matches("(?s).*\\nlistening.*pid \\d+: [^\\n]*127\\.0\\.0\\.1:" + port + "\\b.*"),
                    "worker UI port " + port + " among the listening sockets:\n" + out);
        }
        assertEquals(2, workerUis, "a guarded UI line per worker:\n" + out);
        assertFalse(out.contains("NOT ONLY LOOPBACK"), out);
        assertFalse(out.contains("OPEN to anyone"), out);
    }

    /** Runs scripts/cluster status for this cluster's ports (from master-url and ui-url, not the defaults). */
    private static String status(String master, URI ui) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", ClusterSupport.home().resolve("scripts/cluster").toString(), "status")
                .redirectErrorStream(true);
        pb.environment().put("POOLING_MASTER_PORT", master.substring(master.lastIndexOf(':') + 1));
        pb.environment().put("POOLING_MASTER_UI_PORT", String.valueOf(ui.getPort()));
        var log = Files.createTempFile("cluster-status", ".txt");
        try {
            Process p = pb.redirectOutput(log.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("scripts/cluster status did not end within 90 s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "scripts/cluster status exit:\n" + out);
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
