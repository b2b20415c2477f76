package org.sparkpooling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.sparkpooling.cli.Main;

/** One run of {@code pooling bench} in this JVM as the driver, and what its report.json says. */
record BenchRun(int exitCode, String out, String err, JsonNode report) {

    /** Runs the bench with these arguments plus {@code --report dir}; the report is read back. */
    static BenchRun run(Path reportDir, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(args);
        all.add("--report");
        all.add(reportDir.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(all.toArray(String[]::new));
        Path json = reportDir.resolve("report.json");
        JsonNode report = json.toFile().isFile() ? new ObjectMapper().readTree(json.toFile()) : null;
        return new BenchRun(code, out.toString(), err.toString(), report);
    }

    /** Exit 0, forward and backward verified, no mismatch, and a report: else the output, to see why. */
    void assertVerified() {
        String context = "exit " + exitCode + "\nstdout:\n" + out + "\nstderr:\n" + err;
        assertEquals(0, exitCode, context);
        assertTrue(report != null, "no report.json\n" + context);
        JsonNode v = report.get("verification");
        assertTrue(v.get("forward").asBoolean(), "forward verification\n" + context);
        assertTrue(v.get("backward").asBoolean(), "backward verification\n" + context);
        assertEquals(0, v.get("mismatches").size(), "mismatches " + v.get("mismatches") + "\n" + context);
    }

    /** Block id to the checksum of its partition, asserting that every block 0..n-1 appears exactly once. */
    Map<Long, String> checksumsByBlock(long blocks) {
        Map<Long, String> byBlock = new TreeMap<>();
        for (JsonNode p : report.get("partitions")) {
            for (JsonNode id : p.get("blockIds")) {
                String previous = byBlock.put(id.asLong(), p.get("checksum").asText());
                assertTrue(previous == null, "block " + id.asLong() + " reported twice: " + report.get("partitions"));
            }
        }
        assertEquals(blocks, byBlock.size(), "blocks reported " + byBlock.keySet());
        for (long b = 0; b < blocks; b++) {
            assertTrue(byBlock.containsKey(b), "block " + b + " missing from " + byBlock.keySet());
        }
        return byBlock;
    }

    Set<String> executorIds() {
        Set<String> ids = new TreeSet<>();
        report.get("partitions").forEach(p -> ids.add(p.get("executorId").asText()));
        return ids;
    }
}
