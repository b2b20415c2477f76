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
        assertTrue(r.out().contains("forward: True\nbackward: True\n\nimpl "), "the textbook's lines, then the table:\n"
                + r.out());

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
    void runsAnyOpOfTheFamilyAndTheReportSaysWhich(@TempDir Path dir) throws Exception {
        Run r = run("bench", "--op", "lp", "--norm-type", "2", "--kernel", "3,3,2", "--stride", "1", "--shape", "2,3,4,7,6",
                "--layout", "nhwc", "--dtype", "float64", "--blocks", "3", "--iterations", "2", "--report", dir.toString());
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("forward: True\nbackward: True\n\nop lp, 3-D, layout nhwc, dtype float64\nimpl "),
                r.out());
        List<String> computing = List.of("loops", "fast"); // im2col computes max and avg only
        for (String name : PoolKernels.names()) {
            assertEquals(computing.contains(name), r.out().contains("Elapsed of " + name + ": "), name + "\n" + r.out());
        }
        JsonNode config = new ObjectMapper().readTree(dir.resolve("report.json").toFile()).get("config");
        assertEquals("lp", config.get("op").asText());
        assertEquals("nhwc", config.get("layout").asText());
        assertEquals("float64", config.get("dtype").asText());
        assertEquals("2x3x4x7x6", config.get("shape").asText(), "channels-first, whatever the layout");
        assertTrue(config.get("mode").isNull(), "mode is max or avg only");
        assertEquals("[3,3,2]", config.get("kernel").toString());
        assertEquals("[1,1,1]", config.get("stride").toString());
        assertEquals(2.0, config.get("normType").asDouble());
        assertTrue(config.get("outputSize").isNull());
        assertEquals(computing, List.of(config.get("implementations").get(0).asText(),
                config.get("implementations").get(1).asText()));
        List<String> csv = Files.readAllLines(dir.resolve("report.csv"));
        assertTrue(csv.get(0).endsWith(",error,op,layout,dtype"), csv.get(0));
        assertEquals(1 + 3 * computing.size(), csv.size());
        for (String row : csv.subList(1, csv.size())) {
            assertTrue(row.endsWith(",lp,nhwc,float64") && row.contains(",2x3x4x7x6,"), row);
        }

        Run unpool = run("bench", "--op", "unpool", "--output-size", "5", "--shape", "2,2,3", "--blocks", "2",
                "--iterations", "1", "--impl", "fast");
        assertEquals(0, unpool.exit(), unpool.err() + unpool.out());
        assertTrue(unpool.out().contains("\nop unpool, 1-D, layout nchw, dtype float32\n"), unpool.out());
        assertTrue(unpool.out().contains("Elapsed of fast: ") && !unpool.out().contains("Elapsed of loops"),
                "loops is the reference, timed only when asked for:\n" + unpool.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--op=lp", "--op=adaptive-avg", "--op=unpool", "--op=adaptive-max --output-size=0",
        "--op=lp --norm-type=0", "--op=lp --norm-type=NaN", "--op=lp --norm-type=2 --impl=im2col",
        "--op=max --output-size=2", "--op=avg --norm-type=2", "--op=adaptive-max --output-size=2 --kernel=2",
        "--kernel=2,2,2", "--shape=2,3,8 --layout=nhwc", "--dtype=float16", "--layout=nchwc",
        "--op=max --mode=avg", "--shape=2,3,4,4,4 --kernel=2,2"})
    void badFamilyOptionsExitWithTwo(String options) {
        Run r = run(("bench --iterations=1 " + options).split(" "));
        assertEquals(2, r.exit(), options + ": " + r.err() + r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.out().isEmpty(), r.out());
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
        Run float64 = run("bench", "--input", data, "--dtype", "float64");
        assertEquals(2, float64.exit());
        assertTrue(float64.err().startsWith("pooling bench: --dtype (float64) applies to synthetic blocks, not to --input"),
                float64.err());
        Run rank = run("bench", "--input", data, "--kernel", "2,2,2");
        assertEquals(2, rank.exit());
        assertTrue(rank.err().startsWith("pooling bench: --kernel (2,2,2) has 3 entries, but --input (" + data
                + "), whose blocks are N,C,H,W, has 2 spatial dimensions"), rank.err());
        Run channelsLast = run("bench", "--input", data, "--iterations", "1", "--seed", "8", "--layout", "nhwc");
        assertEquals(0, channelsLast.exit(), channelsLast.err() + channelsLast.out());
        assertEquals(checksum(synthetic.out()), checksum(channelsLast.out()), "the same numbers, laid out channels-last");
    }

    private static String checksum(String out) {
        int at = out.indexOf("checksum ");
        assertTrue(at >= 0, out);
        return out.substring(at + 9, at + 17);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--blocks=0", "--partitions=0", "--iterations=-1", "--impl=nope", "--impl=loops,loops",
        "--shape=1,2", "--shape=1,2,3,4,5,6", "--shape=1,0,4,4", "--kernel=0", "--mode=median", "--padding=2",
        "--warmup=-1", "--shape=1,1,1,1"})
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
