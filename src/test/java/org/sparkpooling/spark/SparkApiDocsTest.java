package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pipeline.DownsampleJob;
import org.sparkpooling.pipeline.DownsampleSpec;
import org.sparkpooling.pipeline.EdgeMode;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.spark.examples.PoolImages;
import org.sparkpooling.spark.examples.PoolPipeline;
import org.sparkpooling.spark.examples.PoolTensors;
import org.sparkpooling.tensor.Shape;
import scala.jdk.javaapi.CollectionConverters;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;
import scala.tools.nsc.interpreter.shell.ReplReporterImpl;

/**
 * Every example of docs/spark-api.md, run as the page shows it, in a fresh session with the SQL
 * extension (and Kryo with registration required): the Java blocks are the marked regions of the
 * example classes (checked here character for character, then the classes run), the Scala blocks go
 * through the Scala interpreter spark-shell is built on, and every SQL statement runs through
 * {@code spark.sql}. Paths under {@code /data/} are made in a temporary directory.
 */
class SparkApiDocsTest {

    private static SparkSession spark;

    @TempDir
    static Path dir;

    private static Path data;
    private static String page;

    @BeforeAll
    static void start() throws Exception {
        page = Files.readString(docs(), StandardCharsets.UTF_8);
        data = dir.resolve("data");
        Path photos = TestPhotos.writeSmall(data.resolve("photos"));
        spark = SparkSetup.session("SparkApiDocsTest", "local[2]",
                Map.of("spark.sql.extensions", PoolingSparkExtensions.class.getName()));
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        TensorDatasets.generate(spark, data.resolve("blocks").toString(), 4, 2, new Shape(2, 3, 28, 28), 1, false);
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 2, EdgeMode.PARTIAL,
                DownsampleSpec.DEFAULT_MAX_PIXELS);
        DownsampleJob.run(spark, DownsampleJob.Options.builder(photos.toString(), data.resolve("pyramid").toString(),
                spec).build(), new PrintWriter(new StringWriter()));
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static Path docs() {
        String home = System.getProperty("pooling.home", ".");
        return Path.of(home, "docs", "spark-api.md");
    }

    /** The fenced blocks of {@code language} on the page, in order. */
    static List<String> blocks(String text, String language) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("```" + language + "\n(.*?)```", Pattern.DOTALL).matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static String paths(String code) {
        return code.replace("/data/", data + "/");
    }

    /** The marked region {@code [docs:name]} of an example class, its indentation removed. */
    static String region(String example, String name) throws IOException {
        String home = System.getProperty("pooling.home", ".");
        String source = Files.readString(Path.of(home, "src/test/java/org/sparkpooling/spark/examples", example));
        int start = source.indexOf("// [docs:" + name + "]\n") + ("// [docs:" + name + "]\n").length();
        int end = source.indexOf("// [/docs:" + name + "]");
        StringBuilder b = new StringBuilder();
        for (String line : source.substring(start, end).split("\n", -1)) {
            b.append(line.startsWith("        ") ? line.substring(8) : line.strip()).append('\n');
        }
        return b.toString().stripTrailing() + "\n";
    }

    @Test
    void theJavaBlocksAreTheExamplesAndTheyRun() throws Exception {
        List<String> java = blocks(page, "java");
        assertEquals(List.of(region("PoolImages.java", "java-images"), region("PoolTensors.java", "java-tensors"),
                region("PoolPipeline.java", "java-pipeline")), java, "the page's Java is the examples' code");

        PoolImages.main(new String[] {data.resolve("photos").toString(), data.resolve("pooled").toString()});
        List<Row> pooled = spark.read().parquet(data.resolve("pooled").toString()).orderBy("origin").collectAsList();
        assertEquals(3, pooled.size());
        for (Row r : pooled) {
            assertEquals(7, r.<Row>getAs("thumb").<Integer>getAs("width"));
        }
        PoolTensors.main(new String[] {data.resolve("blocks").toString(), data.resolve("tensors-out").toString()});
        assertEquals(4, spark.read().parquet(data.resolve("tensors-out").toString()).where("h = 14 AND w = 14").count());
        PoolPipeline.main(new String[] {data.resolve("photos").toString(), data.resolve("model").toString()});
        assertTrue(Files.isDirectory(data.resolve("model").resolve("stages")));
    }

    @Test
    void everySqlStatementRuns() {
        List<String> sql = blocks(page, "sql");
        assertEquals(3, sql.size());
        int selects = 0;
        for (String block : sql) {
            for (String statement : block.split(";\\s*\n")) {
                String s = statement.lines().filter(l -> !l.strip().startsWith("--")).reduce("", (a, l) -> a + l + "\n")
                        .strip();
                if (s.isEmpty()) {
                    continue;
                }
                List<Row> rows = spark.sql(paths(s)).collectAsList();
                if (s.startsWith("SELECT") || s.startsWith("DESCRIBE")) {
                    assertFalse(rows.isEmpty(), s);
                    selects++;
                }
            }
        }
        assertTrue(selects >= 9, selects + " queries");
        assertEquals(3, spark.read().parquet(data.resolve("quarter").toString()).count(), "INSERT OVERWRITE DIRECTORY");
    }

    @Test
    void theScalaBlocksRunAsInSparkShell() {
        List<String> scala = blocks(page, "scala");
        assertEquals(2, scala.size());
        Settings settings = new Settings();
        settings.processArgumentString("-usejavacp");
        StringWriter out = new StringWriter();
        IMain repl = new IMain(settings, new ReplReporterImpl(settings, new PrintWriter(out, true)));
        try {
            scala.collection.immutable.List<String> noModifiers = CollectionConverters.asScala(List.<String>of()).toList();
            assertEquals(Results.Success$.MODULE$, repl.bind("spark", "org.apache.spark.sql.SparkSession", spark,
                    noModifiers), out.toString());
            for (String block : scala) {
                Results.Result r = repl.interpret(paths(block));
                assertEquals(Results.Success$.MODULE$, r, "the block\n" + block + "\ngave\n" + out);
            }
        } finally {
            repl.close();
        }
        assertEquals(3, spark.read().parquet(data.resolve("pooled-scala").toString()).count());
        assertTrue(Files.isDirectory(data.resolve("model-scala").resolve("stages")));
    }
}
