package org.sparkpooling.spark.sql;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pipeline.DownsampleJob;
import org.sparkpooling.pipeline.DownsampleSpec;
import org.sparkpooling.pipeline.EdgeMode;
import org.sparkpooling.pipeline.InputKind;
import org.sparkpooling.pipeline.PngEncoder;
import org.sparkpooling.pipeline.TestImages;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.BlockSources;
import org.sparkpooling.spark.PoolingFunctions;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.TensorDatasets;
import org.sparkpooling.spark.TestPhotos;
import org.sparkpooling.tensor.Shape;

/**
 * The column functions on the downsample dataset's level rows, made by the pipeline itself (its
 * public API) from 8-bit photos, 16-bit PNGs and a float tensor dataset: a level pooled once more
 * equals the pipeline's next level, and every level equals the kernel on its planes.
 */
class LevelColumnTest {

    private static SparkSession spark;

    @TempDir
    static Path dir;

    private static Path images;
    private static Path tensors;

    @BeforeAll
    static void start() throws Exception {
        images = TestPhotos.write(dir.resolve("images"));
        // 16-bit PNGs of every layout, which the pipeline decodes whole (Spark's image source keeps 8 bits)
        ImageIO.write(PngEncoder.toImage(TestImages.random(3, 57, 91, 16, 1)), "png", images.resolve("rgb16.png").toFile());
        ImageIO.write(PngEncoder.toImage(TestImages.random(1, 64, 33, 16, 2)), "png", images.resolve("gray16.png").toFile());
        ImageIO.write(PngEncoder.toImage(TestImages.random(4, 19, 23, 16, 3)), "png", images.resolve("rgba16.png").toFile());
        spark = SparkSetup.session("LevelColumnTest", "local[2]", Map.of());
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            rows.add(TensorDatasets.toRow(i, Expected.awkward(new Shape(2, 3, 37 + i, 50 - i), 40 + i)));
        }
        tensors = dir.resolve("tensors");
        spark.createDataFrame(rows, BlockSources.TENSOR_SCHEMA).write().parquet(tensors.toString());
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Path pyramid(Path input, InputKind kind, PoolMode mode, EdgeMode edge) throws Exception {
        Path out = dir.resolve("pyramid-" + kind.label() + "-" + mode.label() + "-" + edge.label());
        if (Files.isDirectory(out)) {
            return out; // the same run made by an earlier test
        }
        DownsampleSpec spec = new DownsampleSpec(downsample(mode), 2, 2, edge, DownsampleSpec.DEFAULT_MAX_PIXELS);
        DownsampleJob.run(spark, DownsampleJob.Options.builder(input.toString(), out.toString(), spec).kind(kind)
                .partitions(2).build(), new PrintWriter(new StringWriter()));
        return out;
    }

    /** path -> the level's row, read as the docs say: the level directory, all its columns. */
    private static Map<String, Row> level(Path pyramid, int level, Column pooled) {
        Dataset<Row> rows = spark.read().parquet(pyramid.resolve("level=" + level).toString());
        if (pooled != null) {
            rows = rows.select(pooled.alias("p")).select("p.*");
        }
        Map<String, Row> out = new TreeMap<>();
        for (Row r : rows.collectAsList()) {
            out.put(r.getAs("path"), r);
        }
        return out;
    }

    private static void assertNextLevel(Path input, InputKind kind, PoolMode mode, EdgeMode edge) throws Exception {
        Path p = pyramid(input, kind, mode, edge);
        PoolSpec spec = PoolSpec.builder(mode, 2, 2).ceilMode(edge == EdgeMode.PARTIAL).build();
        Column level = struct(col("path"), col("height"), col("width"), col("channels"), col("bitDepth"), col("pixels"));
        Map<String, Row> ours = level(p, 1, PoolingFunctions.pool2d(level, spec));
        Map<String, Row> theirs = level(p, 2, null);
        assertEquals(theirs.keySet(), ours.keySet());
        for (String path : theirs.keySet()) {
            Row o = ours.get(path);
            Row t = theirs.get(path);
            String what = kind.label() + " " + mode.label() + " " + edge.label() + " level 2 of " + path;
            for (String f : new String[] {"height", "width", "channels", "bitDepth"}) {
                assertEquals(t.<Integer>getAs(f), o.<Integer>getAs(f), what + " " + f);
            }
            if (t.<Integer>getAs("bitDepth") == 32 && mode == PoolMode.AVG) {
                Expected.assertSameFloats(t.getAs("pixels"), o.getAs("pixels"), what);
            } else {
                assertArrayEquals((byte[]) t.getAs("pixels"), (byte[]) o.getAs("pixels"), what);
            }
        }
    }

    @Test
    void aLevelPooledAgainIsThePipelinesNextLevel() throws Exception {
        assertNextLevel(images, InputKind.IMAGES, PoolMode.AVG, EdgeMode.PARTIAL);
        assertNextLevel(images, InputKind.IMAGES, PoolMode.MAX, EdgeMode.TRIM);
    }

    @Test
    void floatLevelsOfATensorDatasetToo() throws Exception {
        assertNextLevel(tensors, InputKind.TENSORS, PoolMode.AVG, EdgeMode.TRIM);
        assertNextLevel(tensors, InputKind.TENSORS, PoolMode.MAX, EdgeMode.PARTIAL);
    }

    @Test
    void everyLevelEqualsTheKernelOnItsPlanesAndKeepsItsOtherFields() throws Exception {
        Path p = pyramid(images, InputKind.IMAGES, PoolMode.AVG, EdgeMode.PARTIAL);
        PoolSpec spec = PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build();
        Dataset<Row> rows = spark.read().option("basePath", p.toString()).parquet(p.resolve("level=1").toString());
        // struct(*) takes the partition column too: it is kept as it is, like every field the kind does not need
        List<Row> got = rows.select(col("level"), col("height"), col("width"), col("channels"), col("bitDepth"),
                col("pixels"), PoolingFunctions.maxPool2dWithIndices(struct(col("*")), spec).alias("p")).collectAsList();
        assertEquals(8, got.size());
        for (Row r : got) {
            Expected.Image want = Expected.interleaved(spec, r.getAs("pixels"), r.getAs("height"), r.getAs("width"),
                    r.getAs("channels"), r.getAs("bitDepth"));
            Row out = r.<Row>getAs("p").getStruct(0);
            assertEquals(1, out.<Integer>getAs("level"), "level kept");
            assertEquals(want.height(), out.<Integer>getAs("height"));
            assertEquals(want.width(), out.<Integer>getAs("width"));
            assertArrayEquals(want.data(), out.getAs("pixels"), "pixels of " + out.getAs("path"));
            assertArrayEquals(Expected.littleEndian(want.indices()), r.<Row>getAs("p").getAs("indices"));
        }
    }

    @Test
    void aPngOnlyRunHasNoPixelsToPool() throws Exception {
        Path out = dir.resolve("png-only");
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 1, EdgeMode.PARTIAL, DownsampleSpec.DEFAULT_MAX_PIXELS);
        Path one = Files.createDirectories(dir.resolve("one"));
        Files.copy(images.resolve("meadow.png"), one.resolve("meadow.png"));
        DownsampleJob.run(spark, DownsampleJob.Options.builder(one.toString(), out.toString(), spec)
                .formats(org.sparkpooling.pipeline.OutputFormat.PNG).build(), new PrintWriter(new StringWriter()));
        Dataset<Row> rows = spark.read().parquet(out.resolve("level=1").toString());
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> rows.select(PoolingFunctions.pool2d(struct(col("*")), "avg", 2)).collectAsList());
        String m = TensorColumnTest.rootMessage(e);
        assertTrue(m.contains("pool2d: level row 1 of partition 0 (path meadow.png): pixels is null"), m);
        assertTrue(rows.select(PoolingFunctions.tryPool2d(struct(col("*")), PoolSpec.avg(2, 2).build()).alias("p"))
                .collectAsList().get(0).isNullAt(0));
    }


    /** The pipeline's mode that pools as {@code mode} does. */
    static DownsampleMode downsample(PoolMode mode) {
        return switch (mode) {
            case MAX -> DownsampleMode.MAX;
            case AVG -> DownsampleMode.AVG;
        };
    }
}
