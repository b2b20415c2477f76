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
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
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
 * not tell: for a tiled 8-bit RGB photo, a striped 16-bit label image and (without PNG, which has
 * no 32-bit form) a 32-bit one with ids above 2^24, in every mode and edge rule, a run whose budget stripes them writes the same Zarr stores, file for
 * file and byte for byte, the same dataset rows, and PNG files of the same samples (joined from
 * the stripes' parts), as a run that makes each image whole in one task. A bad tile in one stripe makes its image an error row with nothing of it left, and a
 * stripe's task that fails part-way is rerun into the same store.
 */
class StripedDownsampleTest {

    /** 2^16 pixels: the TIFFs (0.18 and 0.34 MP) are striped; levels of up to 2^14 pixels are gathered. */
    private static final long BUDGET = 1 << 16;
    private static final int CHUNK = 16;

    private static SparkSession spark;

    @TempDir
    static Path shared;

    private static Path inputs;
    /** A 32-bit label image alone: PNG has no 32-bit form, so its runs write Zarr and Parquet. */
    private static Path labels32;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSetup.session("StripedDownsampleTest", "local[2,2]", Map.of());
        Path jpeg = BandTestSupport.photoAndVips("mate/nature/Aqua.jpg");
        inputs = Files.createDirectories(shared.resolve("in"));
        // Odd sizes make partial windows at every level; 32-row tiles do not line up with the stripes.
        BandTestSupport.vips("crop", jpeg.toString(), inputs.resolve("tiled.tif").toString()
                + "[tile,tile-width=32,tile-height=32,compression=deflate]", "3", "5", "601", "563");
        TiffFiles.writePlanar(inputs.resolve("labels.tif"), labels(397, 451, 11, false), true, true, 8);
        labels32 = Files.createDirectories(shared.resolve("in32"));
        TiffFiles.writePlanar(labels32.resolve("labels32.tif"), labels(397, 451, 12, true), true, true, 8);
        BandTestSupport.vips("crop", jpeg.toString(), inputs.resolve("small.jpg").toString() + "[Q=90]", "0", "0",
                "97", "83");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * Stripes of a few label ids on a zero background, with noise, so every mode has ties and runs to
     * keep: 16-bit ids, or 32-bit ones above 2^24 (where a float would merge them).
     */
    private static IntImage labels(int h, int w, long seed, boolean wide) {
        Random random = new Random(seed);
        int[] ids = wide ? new int[] {0, 0, 16_777_217, 16_777_219, 2_000_000_011} : new int[] {0, 0, 7, 300, 65_535};
        int[] samples = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                samples[y * w + x] = ((x / 7 + y / 5) % 3 == 0) ? ids[random.nextInt(ids.length)] : ids[(x / 13) % 5];
            }
        }
        if (wide) {
            return IntImage.of32(h, w, 1, samples);
        }
        short[] s16 = new short[samples.length];
        for (int i = 0; i < samples.length; i++) {
            s16[i] = (short) samples[i];
        }
        return IntImage.of16(h, w, 1, s16);
    }

    private static DownsampleReport run(Path in, Path out, DownsampleMode mode, EdgeMode edge, long taskPixels,
            StringWriter text) throws IOException {
        return run(in, out, mode, edge, taskPixels, text,
                EnumSet.of(OutputFormat.PARQUET, OutputFormat.ZARR, OutputFormat.PNG));
    }

    private static DownsampleReport run(Path in, Path out, DownsampleMode mode, EdgeMode edge, long taskPixels,
            StringWriter text, Set<OutputFormat> formats) throws IOException {
        DownsampleSpec spec = new DownsampleSpec(mode, 2, 0, edge, DownsampleSpec.DEFAULT_MAX_PIXELS, taskPixels);
        return DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                .formats(formats).zarrChunk(CHUNK).partitions(2).build(), new PrintWriter(text));
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
                assertTrue(text.toString().contains("stripes: tiled.tif (601x563) in 9 stripes of 64 rows"), at + text);
                assertTrue(text.toString().contains("stripes: labels.tif (451x397) in 13 stripes of 32 rows"), at + text);
                assertFalse(text.toString().contains("stripes: small.jpg"), at + text);

                ZarrFiles.assertSameTree(whole.resolve("zarr"), striped.resolve("zarr"));
                int pngs = 0;
                try (var files = Files.walk(whole.resolve("png"))) {
                    for (Path png : files.filter(Files::isRegularFile).toList()) {
                        Path other = striped.resolve(whole.relativize(png));
                        BandTestSupport.assertSameSamples(BandTestSupport.whole(png), BandTestSupport.whole(other),
                                at + " " + whole.relativize(png));
                        pngs++;
                    }
                }
                try (var files = Files.walk(striped.resolve("png"))) {
                    assertEquals(pngs, files.filter(Files::isRegularFile).count(), at + ": the same PNG files");
                }
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
    void stripedLabelIdsAbove2To24EqualWholeRuns() throws Exception {
        Set<OutputFormat> formats = EnumSet.of(OutputFormat.PARQUET, OutputFormat.ZARR);
        for (DownsampleMode mode : DownsampleMode.values()) {
            EdgeMode edge = mode.ordinal() % 2 == 0 ? EdgeMode.PARTIAL : EdgeMode.TRIM;
            String at = mode + " " + edge;
            Path whole = shared.resolve("whole32-" + mode);
            Path striped = shared.resolve("striped32-" + mode);
            run(labels32, whole, mode, edge, DownsampleSpec.DEFAULT_TASK_PIXELS, new StringWriter(), formats);
            StringWriter text = new StringWriter();
            DownsampleReport s = run(labels32, striped, mode, edge, BUDGET, text, formats);
            assertEquals(1, s.pooled(), at + " " + s.errorSamples());
            assertTrue(text.toString().contains("stripes: labels32.tif (451x397) in 13 stripes of 32 rows"), at + text);
            ZarrFiles.assertSameTree(whole.resolve("zarr"), striped.resolve("zarr"));
            TreeMap<String, byte[]> wr = rows(whole);
            TreeMap<String, byte[]> sr = rows(striped);
            assertEquals(wr.keySet(), sr.keySet(), at);
            sr.forEach((k, v) -> {
                if (v != null) {
                    assertArrayEquals(wr.get(k), v, at + " " + k);
                }
            });
        }
    }

    @Test
    void aFormatThatCannotHoldTheSamplesMakesAnErrorRowNotAFailedJob(@TempDir Path dir) throws Exception {
        // PNG has no 32-bit form: the label image is an error row, whole or striped, and the photo is pooled.
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(labels32.resolve("labels32.tif"), in.resolve("labels32.tif"));
        Files.copy(inputs.resolve("small.jpg"), in.resolve("small.jpg"));
        for (long budget : new long[] {DownsampleSpec.DEFAULT_TASK_PIXELS, BUDGET}) {
            Path out = dir.resolve("out-" + budget);
            DownsampleReport r = run(in, out, DownsampleMode.MODE, EdgeMode.PARTIAL, budget, new StringWriter(),
                    EnumSet.of(OutputFormat.PARQUET, OutputFormat.PNG));
            assertEquals(2, r.inputs());
            assertEquals(1, r.pooled(), r.errorSamples().toString());
            assertEquals("labels32.tif", r.errorSamples().get(0).path());
            assertEquals("png: 1 channels of 32-bit samples have no PNG form (8 or 16 bits, 1 to 4 channels); not"
                    + " written (--format zarr or parquet holds them)", r.errorSamples().get(0).reason());
            assertTrue(Files.exists(out.resolve("png/level=1/small.png")));
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
        try (var files = Files.walk(out.resolve("png"))) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith("cut")).count(),
                    "no PNG of the image that failed in a stripe");
        }
        assertTrue(Files.exists(out.resolve("zarr/good.zarr/0/.zarray")), "the other image's store is written");
        for (Row row : spark.read().parquet(out + "/level=*").select("path").collectAsList()) {
            assertEquals("good.tif", row.getString(0));
        }
        assertFalse(Files.exists(out.resolve(StripedImages.DIR)));
    }

    @Test
    void aTileOffsetPastTheEndOfTheFileIsAnErrorRowWholeOrStriped(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(inputs.resolve("small.jpg"), in.resolve("good.jpg"));
        Path past = in.resolve("past.tif");
        Files.copy(inputs.resolve("tiled.tif"), past);
        int tileOffsets = 324;
        int last = TiffFiles.values(past, tileOffsets).length - 1;
        TiffFiles.set(past, tileOffsets, last, Files.size(past) + 1000);
        for (long budget : new long[] {DownsampleSpec.DEFAULT_TASK_PIXELS, BUDGET}) {
            Path out = dir.resolve("out-" + budget);
            StringWriter text = new StringWriter();
            DownsampleReport r = run(in, out, DownsampleMode.AVG, EdgeMode.PARTIAL, budget, text);
            assertEquals(budget == BUDGET, text.toString().contains("stripes: past.tif"), text.toString());
            assertEquals(2, r.inputs());
            assertEquals(1, r.pooled(), budget + " " + r.errorSamples());
            assertEquals(1, r.errors());
            assertEquals("past.tif", r.errorSamples().get(0).path());
            String reason = r.errorSamples().get(0).reason();
            assertTrue(reason.startsWith("tif: "), reason);
            if (budget == BUDGET) {
                assertTrue(reason.contains("runs past the end of the file (" + Files.size(past) + " bytes)"), reason);
            }
            assertFalse(Files.exists(out.resolve("zarr/past.zarr")), budget + ": no store of the image");
            assertTrue(Files.exists(out.resolve("zarr/good.zarr/1/.zarray")), budget + ": the other image is written");
            assertTrue(Files.exists(out.resolve("png/level=1/good.png")));
            assertTrue(Files.exists(out.resolve("_SUCCESS")));
        }
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
