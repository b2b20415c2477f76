package org.sparkpooling.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.spark.SparkSetup;
import picocli.CommandLine;

/** bench and generate through the command line: output lines, report files, exit codes. */
class BenchCommandTest {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        // The commands use the session that is already active rather than making their own.
        spark = SparkSetup.session("BenchCommandTest", "local[2]", Map.of());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void printsTheTextbookLinesAndWritesTheReport(@TempDir Path dir) throws Exception {
        Run r = run("bench", "--blocks", "3", "--partitions", "2", "--shape", "2,3,10,10", "--iterations", "2",
                "--seed", "4", "--report", dir.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        for (String name : PoolKernels.names()) {
            assertTrue(r.out().matches("(?s).*Elapsed of " + name + ": \\d+\\.\\d\\d\n.*"), r.out());
        }
        assertTrue(r.out().contains("forward: True\nbackward: True\n"), r.out());

        JsonNode json = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        for (String field : List.of("config", "sparkVersion", "wallSeconds", "blocks", "implementations",
                "verification", "efficiency", "partitions")) {
            assertTrue(json.has(field), "report.json lacks " + field);
        }
        assertEquals(3, json.get("blocks").asInt());
        assertEquals(2, json.get("config").get("iterations").asInt());
        assertTrue(json.get("verification").get("forward").asBoolean());
        assertTrue(json.get("verification").get("backward").asBoolean());
        assertEquals(0, json.get("verification").get("mismatches").size());
        assertEquals(PoolKernels.names().size(), json.get("implementations").size());
        for (JsonNode i : json.get("implementations")) {
            assertTrue(i.has("name") && i.has("kernelSeconds") && i.has("microsPerIteration"), i.toString());
        }
        Set<Long> ids = new HashSet<>();
        int listed = 0;
        for (JsonNode p : json.get("partitions")) {
            for (String field : List.of("partition", "attempt", "executorId", "host", "blockIds", "checksum")) {
                assertTrue(p.has(field), "partition lacks " + field + ": " + p);
            }
            for (JsonNode id : p.get("blockIds")) {
                ids.add(id.asLong());
                listed++;
            }
        }
        assertEquals(Set.of(0L, 1L, 2L), ids);
        assertEquals(3, listed, "every block exactly once");

        List<String> csv = Files.readAllLines(dir.resolve("report.csv"));
        assertTrue(csv.get(0).startsWith("blockId,"), csv.get(0));
        assertEquals(1 + 3 * PoolKernels.names().size(), csv.size(), "a row per block and implementation");

        BufferedImage png = ImageIO.read(dir.resolve("report.png").toFile());
        assertNotNull(png, "report.png is not a PNG");
        assertTrue(png.getWidth() > 100 && png.getHeight() > 100);
    }

    @Test
    void generateThenBenchTheDataset(@TempDir Path dir) {
        String data = dir.resolve("tensors").toString();
        Run g = run("generate", "--output", data, "--blocks", "3", "--shape", "1,2,6,6", "--seed", "8");
        assertEquals(0, g.exit(), g.err());
        Run fromFiles = run("bench", "--input", data, "--iterations", "1", "--seed", "8");
        Run synthetic = run("bench", "--blocks", "3", "--shape", "1,2,6,6", "--iterations", "1", "--seed", "8");
        assertEquals(0, fromFiles.exit(), fromFiles.err() + fromFiles.out());
        assertEquals(checksum(synthetic.out()), checksum(fromFiles.out()));
        assertTrue(fromFiles.out().contains("3 in, 3 processed, 0 errors"), fromFiles.out());
        assertEquals(2, run("generate", "--output", data, "--blocks", "3").exit(), "refuses to overwrite");
        assertEquals(2, run("bench", "--input", data, "--blocks", "3").exit(), "--blocks is for synthetic blocks");
    }

    private static String checksum(String out) {
        int at = out.indexOf("checksum ");
        assertTrue(at >= 0, out);
        return out.substring(at + 9, at + 17);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--blocks=0", "--partitions=0", "--iterations=-1", "--impl=nope", "--impl=loops,loops",
        "--shape=1,2,3", "--shape=1,0,4,4", "--kernel=0", "--mode=median", "--padding=2", "--warmup=-1",
        "--shape=1,1,1,1"})
    void badOptionsExitWithTwo(String option) {
        Run r = run("bench", option);
        assertEquals(2, r.exit(), option + ": " + r.err() + r.out());
        assertTrue(r.out().isEmpty(), r.out());
    }

    @Test
    void detectsNpyInput(@TempDir Path dir) throws Exception {
        assertEquals(org.sparkpooling.bench.BenchJob.InputFormat.PARQUET, BenchCommand.detect(dir.toString()));
        Files.write(dir.resolve("a.npy"), new byte[0]);
        assertEquals(org.sparkpooling.bench.BenchJob.InputFormat.NPY, BenchCommand.detect(dir.toString()));
        assertEquals(org.sparkpooling.bench.BenchJob.InputFormat.NPY, BenchCommand.detect("/data/*.npy"));
    }
}
