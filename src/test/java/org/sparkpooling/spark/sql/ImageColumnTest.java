package org.sparkpooling.spark.sql;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkpooling.pipeline.DownsampleJob;
import org.sparkpooling.pipeline.DownsampleSpec;
import org.sparkpooling.pipeline.EdgeMode;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.PoolingFunctions;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.TestPhotos;

/**
 * The column functions on Spark's own image data source, over real photos as PNG (8-bit RGB, RGBA
 * and gray, odd sizes, up to 1920x1280): each against the kernel called directly on the decoded
 * planes, against the downsample pipeline's level 1 for the same files, mode and edge rule, and
 * back as rows of Spark's image schema.
 */
class ImageColumnTest {

    private static SparkSession spark;

    @TempDir
    static Path dir;

    private static Path photos;
    private static Dataset<Row> images;

    @BeforeAll
    static void start() throws Exception {
        photos = TestPhotos.write(dir.resolve("photos"));
        spark = SparkSetup.session("ImageColumnTest", "local[2]", Map.of());
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        images = spark.read().format("image").load(photos.toString());
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static String name(String origin) {
        return origin.substring(origin.lastIndexOf('/') + 1);
    }

    /** file name -> the image struct the column {@code image} holds, after {@code function} made it. */
    private static Map<String, Row> byName(Dataset<Row> rows, String column) {
        Map<String, Row> out = new TreeMap<>();
        for (Row r : rows.collectAsList()) {
            out.put(name(r.getAs("origin")), r.isNullAt(r.fieldIndex(column)) ? null : r.getStruct(r.fieldIndex(column)));
        }
        return out;
    }

    static Stream<PoolSpec> specs() {
        return Stream.of(
                PoolSpec.max(2, 2).build(),
                PoolSpec.avg(2, 2).ceilMode(true).build(),
                PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build(),
                PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).countIncludePad(false).ceilMode(true).build(),
                PoolSpec.max(2, 3).stride(3, 1).dilation(2, 1).ceilMode(true).build(),
                PoolSpec.avg(5, 4).stride(3, 3).padding(0, 2).build(),
                PoolSpec.avg(2, 2).divisorOverride(3).build());
    }

    @ParameterizedTest
    @MethodSource("specs")
    void eachImageEqualsTheKernelOnItsPlanes(PoolSpec spec) {
        Dataset<Row> out = images.select(col("image.origin").alias("origin"), col("image"),
                PoolingFunctions.pool2d(col("image"), spec).alias("pooled"),
                spec.mode() == PoolMode.MAX ? PoolingFunctions.maxPool2dWithIndices(col("image"), spec).alias("indexed")
                        : lit(null).alias("indexed"));
        List<Row> rows = out.collectAsList();
        assertEquals(5, rows.size());
        for (Row r : rows) {
            Row in = r.getStruct(1);
            Row got = r.getStruct(2);
            String what = spec + " on " + name(r.getString(0));
            Expected.Image want = Expected.interleaved(spec, ImageSchema.getData(in), ImageSchema.getHeight(in),
                    ImageSchema.getWidth(in), ImageSchema.getNChannels(in), 8);
            assertEquals(ImageSchema.getOrigin(in), ImageSchema.getOrigin(got), "origin kept");
            assertEquals(ImageSchema.getMode(in), ImageSchema.getMode(got), "mode kept");
            assertEquals(ImageSchema.getNChannels(in), ImageSchema.getNChannels(got), "nChannels kept");
            assertEquals(want.height(), ImageSchema.getHeight(got), what + " height");
            assertEquals(want.width(), ImageSchema.getWidth(got), what + " width");
            assertArrayEquals(want.data(), ImageSchema.getData(got), what + " data");
            if (spec.mode() == PoolMode.MAX) {
                Row indexed = r.getStruct(3);
                assertArrayEquals(want.data(), ImageSchema.getData(indexed.getStruct(0)), what + " data with indices");
                assertArrayEquals(Expected.littleEndian(want.indices()), (byte[]) indexed.get(1), what + " indices");
            }
        }
    }

    static Stream<Arguments> pipelineRuns() {
        return Stream.of(Arguments.of(PoolMode.AVG, 2, EdgeMode.PARTIAL), Arguments.of(PoolMode.AVG, 2, EdgeMode.TRIM),
                Arguments.of(PoolMode.MAX, 2, EdgeMode.PARTIAL), Arguments.of(PoolMode.MAX, 2, EdgeMode.TRIM),
                Arguments.of(PoolMode.AVG, 3, EdgeMode.PARTIAL));
    }

    /** Spark's BGR(A) bytes in the pipeline's RGB(A) order: channels 0 and 2 swapped. */
    private static byte[] rgb(byte[] bgr, int channels) {
        byte[] out = bgr.clone();
        if (channels >= 3) {
            for (int i = 0; i < out.length; i += channels) {
                out[i] = bgr[i + 2];
                out[i + 2] = bgr[i];
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("pipelineRuns")
    void imageSourcePooledEqualsThePipelinesLevelOne(PoolMode mode, int factor, EdgeMode edge) throws Exception {
        Path out = dir.resolve("pyramid-" + mode.label() + factor + edge.label());
        DownsampleSpec ds = new DownsampleSpec(downsample(mode), factor, 1, edge, DownsampleSpec.DEFAULT_MAX_PIXELS);
        DownsampleJob.run(spark, DownsampleJob.Options.builder(photos.toString(), out.toString(), ds).partitions(2)
                .build(), new PrintWriter(new StringWriter()));
        Map<String, Row> level1 = new TreeMap<>();
        for (Row r : spark.read().parquet(out.resolve("level=1").toString()).collectAsList()) {
            level1.put(r.getAs("path"), r);
        }
        PoolSpec spec = PoolSpec.builder(mode, factor, factor).ceilMode(edge == EdgeMode.PARTIAL).build();
        Map<String, Row> ours = byName(images.select(col("image.origin").alias("origin"),
                PoolingFunctions.pool2d(col("image"), spec).alias("pooled")), "pooled");
        assertEquals(level1.keySet(), ours.keySet());
        for (String file : ours.keySet()) {
            Row p = level1.get(file);
            Row o = ours.get(file);
            String what = mode.label() + " " + factor + "x" + factor + " " + edge.label() + " of " + file;
            assertEquals(p.<Integer>getAs("height"), ImageSchema.getHeight(o), what + " height");
            assertEquals(p.<Integer>getAs("width"), ImageSchema.getWidth(o), what + " width");
            assertEquals(p.<Integer>getAs("channels"), ImageSchema.getNChannels(o), what + " channels");
            assertArrayEquals((byte[]) p.getAs("pixels"), rgb(ImageSchema.getData(o), ImageSchema.getNChannels(o)),
                    what + " pixels");
        }
    }

    @Test
    void pooledImagesAreImageRowsAndSurviveParquet() {
        Dataset<Row> half = images.select(PoolingFunctions.pool2d(col("image"), "avg", 2).alias("image"));
        StructType schema = half.schema();
        assertEquals(images.schema(), schema, "the image source's own schema, as it reads (nullable fields)");
        assertEquals(ImageSchema.columnSchema().catalogString(), schema.apply("image").dataType().catalogString(),
                "ImageSchema's field names and types");
        String path = dir.resolve("half").toString();
        half.write().parquet(path);
        Map<String, Row> back = byName(spark.read().parquet(path).select(col("image.origin").alias("origin"), col("image")),
                "image");
        Map<String, Row> direct = byName(half.select(col("image.origin").alias("origin"), col("image")), "image");
        assertEquals(direct.keySet(), back.keySet());
        for (String k : direct.keySet()) {
            assertArrayEquals(ImageSchema.getData(direct.get(k)), ImageSchema.getData(back.get(k)), k);
            // and pooled again: half of half, as a pyramid would
        }
        Dataset<Row> quarter = spark.read().parquet(path).select(PoolingFunctions.pool2d(col("image"), "avg", 2)
                .alias("image"));
        assertEquals(5, quarter.count());
    }

    @Test
    void nullImagesGiveNull() {
        Column maybe = when(col("image.width").equalTo(641), lit(null)).otherwise(col("image"));
        Map<String, Row> got = byName(images.select(col("image.origin").alias("origin"),
                PoolingFunctions.pool2d(maybe, "max", 2).alias("p")), "p");
        assertNull(got.get("meadow.png"));
        assertNotNull(got.get("dune.png"));
    }

    @Test
    void anUndecodableFileIsAnErrorNamingItsOriginOrNullWithTry() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(bad.resolve("broken.png"), "not a PNG at all");
        Files.copy(photos.resolve("meadow.png"), bad.resolve("meadow.png"));
        Dataset<Row> withInvalid = spark.read().format("image").option("dropInvalid", false).load(bad.toString());
        Exception e = assertThrows(Exception.class,
                () -> withInvalid.select(PoolingFunctions.pool2d(col("image"), "max", 2)).collectAsList());
        String m = TensorColumnTest.rootMessage(e);
        assertTrue(m.contains("pool2d: image row ") && m.contains("broken.png): it is the image source's invalid-image row"
                + " (height, width, nChannels and mode -1): Spark could not decode the file (try_pool2d gives null"
                + " for such rows)"), m);
        Map<String, Row> tried = byName(withInvalid.select(col("image.origin").alias("origin"),
                PoolingFunctions.tryPool2d(col("image"), PoolSpec.max(2, 2).build()).alias("p")), "p");
        assertNull(tried.get("broken.png"));
        assertEquals(479 / 2, ImageSchema.getHeight(tried.get("meadow.png")));
    }

    /** The pipeline's mode that pools as {@code mode} does. */
    static DownsampleMode downsample(PoolMode mode) {
        return switch (mode) {
            case MAX -> DownsampleMode.MAX;
            case AVG -> DownsampleMode.AVG;
        };
    }
}
