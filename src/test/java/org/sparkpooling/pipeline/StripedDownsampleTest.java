package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.tensor.IntImage;

/**
 * A TIFF above the task budget is made by many tasks, a stripe of rows each, and the output must
 * not tell: for a tiled 8-bit RGB photo and a striped 32-bit label image with ids above 2^24, in
 * every mode and edge rule, a run whose budget stripes them writes the same Zarr stores, file for
 * file and byte for byte, and the same dataset rows, as a run that makes each image whole in one
 * task. A bad tile in one stripe makes its image an error row with nothing of it left, and a
 * stripe's task that fails part-way is rerun into the same store.
 */
class StripedDownsampleTest {

    /** 2^16 pixels: the inputs (0.45 to 0.8 MP) are striped; levels of up to 2^14 pixels are gathered. */
    private static final long BUDGET = 1 << 16;
    private static final int CHUNK = 16;

    private static SparkSession spark;

    @TempDir
    static Path shared;

    private static Path inputs;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSetup.session("StripedDownsampleTest", "local[2,2]", Map.of());
        Path jpeg = BandTestSupport.photoAndVips("mate/nature/Aqua.jpg");
        inputs = Files.createDirectories(shared.resolve("in"));
        // Odd sizes make partial windows at every level; 32-row tiles do not line up with the stripes.
        BandTestSupport.vips("crop", jpeg.toString(), inputs.resolve("tiled.tif").toString()
                + "[tile,tile-width=32,tile-height=32,compression=deflate]", "3", "5", "901", "899");
        TiffFiles.writePlanar(inputs.resolve("labels.tif"), labels(677, 701, 11), true, true, 8);
        BandTestSupport.vips("crop", jpeg.toString(), inputs.resolve("small.jpg").toString() + "[Q=90]", "0", "0",
                "97", "83");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Blobs of a few label ids above 2^24 on a zero background, so every mode has ties and runs to keep. */
    private static IntImage labels(int h, int w, long seed) {
        Random random = new Random(seed);
        int[] ids = {0, 0, 16_777_217, 16_777_219, 2_000_000_011};
        int[] samples = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                samples[y * w + x] = ((x / 7 + y / 5) % 3 == 0) ? ids[random.nextInt(ids.length)] : ids[(x / 13) % 5];
            }
        }
        return IntImage.of32(h, w, 1, samples);
    }

    private static DownsampleReport run(Path in, Path out, DownsampleMode mode, EdgeMode edge, long taskPixels,
            StringWriter text) throws IOException {
        DownsampleSpec spec = new DownsampleSpec(mode, 2, 0, edge, DownsampleSpec.DEFAULT_MAX_PIXELS, taskPixels);
        return DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                .formats(OutputFormat.PARQUET, OutputFormat.ZARR).zarrChunk(CHUNK).partitions(2).build(),
                new PrintWriter(text));
    }

    /** The level rows, "path level" -> pixels (null for a level too large for a row). */
    private static TreeMap<String, byte[]> rows(Path out) {
        TreeMap<String, byte[]> rows = new TreeMap<>();
        for (Row r : spark.read().option("basePath", out.toString()).parquet(out + "/level=*")
                .select("path", "level", "height", "width", "pixels").collectAsList()) {
            rows.put(r.getString(0) + " " + r.getInt(1) + " " + r.getInt(2) + "x" + r.getInt(3), (byte[]) r.get(4));
        }
        return rows;
    }

    @Test
    void stripedRunsEqualWholeRuns() throws Exception {
        for (DownsampleMode mode : DownsampleMode.values()) {
            for (EdgeMode edge : EdgeMode.values()) {
                String at = mode + " " + edge;
                Path whole = shared.resolve("whole-" + mode + "-" + edge);
                Path striped = shared.resolve("striped-" + mode + "-" + edge);
                DownsampleReport w = run(inputs, whole, mode, edge, DownsampleSpec.DEFAULT_TASK_PIXELS,
                        new StringWriter());
                StringWriter text = new StringWriter();
                DownsampleReport s = run(inputs, striped, mode, edge, BUDGET, text);
                assertEquals(3, w.pooled(), at + " " + w.errorSamples());
                assertEquals(3, s.pooled(), at + " " + s.errorSamples());
                assertTrue(text.toString().contains("stripes: tiled.tif (901x899) in 15 stripes of 64 rows"), at + text);
                assertTrue(text.toString().contains("stripes: labels.tif (701x677) in "), at + text);
                assertFalse(text.toString().contains("stripes: small.jpg"), at + text);

                ZarrFiles.assertSameTree(whole.resolve("zarr"), striped.resolve("zarr"));
                TreeMap<String, byte[]> wr = rows(whole);
                TreeMap<String, byte[]> sr = rows(striped);
                assertEquals(wr.keySet(), sr.keySet(), at + ": the same rows");
                int withPixels = 0;
                for (Map.Entry<String, byte[]> e : sr.entrySet()) {
                    if (e.getValue() != null) {
                        assertArrayEquals(wr.get(e.getKey()), e.getValue(), at + " " + e.getKey());
                        withPixels++;
                    }
                }
                assertTrue(withPixels >= 6, at + ": the gathered levels keep their pixels in the rows");
                assertTrue(sr.values().stream().anyMatch(v -> v == null), at + ": the stripes' levels have none");
                assertFalse(Files.exists(striped.resolve(StripedImages.DIR)), "the stripes' parts are removed");
            }
        }
    }

    @Test
    void aBadTileInOneStripeFailsItsImageOnlyAndLeavesNothingOfIt(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(inputs.resolve("labels.tif"), in.resolve("good.tif"));
        // vips writes the directory after the tiles: garbage in the middle of the file spoils a tile
        // that the header still points to, found only by the stripe that reads it.
        byte[] tif = Files.readAllBytes(inputs.resolve("tiled.tif"));
        java.util.Arrays.fill(tif, tif.length / 2, tif.length / 2 + 4000, (byte) 0x5a);
        Files.write(in.resolve("cut.tif"), tif);
        Path out = dir.resolve("out");
        StringWriter text = new StringWriter();
        DownsampleReport r = run(in, out, DownsampleMode.AVG, EdgeMode.PARTIAL, BUDGET, text);
        assertTrue(text.toString().contains("stripes: cut.tif"), text.toString());
        assertEquals(2, r.inputs());
        assertEquals(1, r.pooled());
        assertEquals(1, r.errors());
        assertEquals("cut.tif", r.errorSamples().get(0).path());
        assertTrue(r.errorSamples().get(0).reason().startsWith("tif: tile"), r.errorSamples().get(0).reason());
        assertFalse(Files.exists(out.resolve("zarr/cut.zarr")), "no store of the image that failed in a stripe");
        assertTrue(Files.exists(out.resolve("zarr/good.zarr/0/.zarray")), "the other image's store is written");
        for (Row row : spark.read().parquet(out + "/level=*").select("path").collectAsList()) {
            assertEquals("good.tif", row.getString(0));
        }
        assertFalse(Files.exists(out.resolve(StripedImages.DIR)));
    }

    @Test
    void aStripeThatFailsPartWayIsRerunAndWritesTheCleanStore(@TempDir Path dir) throws Exception {
        Path clean = dir.resolve("clean");
        run(inputs, clean, DownsampleMode.MODE, EdgeMode.PARTIAL, BUDGET, new StringWriter());
        var conf = spark.sparkContext().hadoopConfiguration();
        AtomicInteger failedTasks = new AtomicInteger();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskInfo().failed()) {
                    failedTasks.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        conf.setInt(ZarrSink.FAIL_AFTER_CHUNKS, 20);
        conf.setInt(ZarrSink.FAIL_ATTEMPTS, 1);
        Path retried = dir.resolve("retried");
        DownsampleReport r;
        try {
            r = run(inputs, retried, DownsampleMode.MODE, EdgeMode.PARTIAL, BUDGET, new StringWriter());
        } finally {
            conf.unset(ZarrSink.FAIL_AFTER_CHUNKS);
            conf.unset(ZarrSink.FAIL_ATTEMPTS);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            spark.sparkContext().removeSparkListener(listener);
        }
        assertTrue(failedTasks.get() > 0, "no task failed: the test proves nothing");
        assertEquals(3, r.pooled());
        ZarrFiles.assertSameTree(clean.resolve("zarr"), retried.resolve("zarr"));
        assertEquals(rows(clean).keySet(), rows(retried).keySet());
    }
}
