package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.spark.SparkSetup;

/**
 * Images above the task budget are made in bands; the output must not tell: for real photos as
 * baseline JPEG, PNG and tiled TIFF, every mode and edge rule, a run whose budget forces bands gives
 * the same PNG files (decoded, sample for sample), the same dataset rows, and the same pixels in
 * every row whose level fits a task, as a run that holds each image whole.
 */
class BandedDownsampleTest {

    private static SparkSession spark;

    @TempDir
    static Path shared;

    private static Path inputs;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSetup.session("BandedDownsampleTest", "local[2]", Map.of());
        Path jpeg = BandTestSupport.photoAndVips("mate/nature/Aqua.jpg");
        Path png = BandTestSupport.photo("calla.png");
        inputs = Files.createDirectories(shared.resolve("in"));
        // Crops keep the runs short; odd sizes make partial windows at every level.
        BandTestSupport.vips("crop", jpeg.toString(), inputs.resolve("photo.jpg").toString() + "[Q=90]", "13", "7",
                "1001", "763");
        BandTestSupport.vips("crop", png.toString(), inputs.resolve("flower.png").toString(), "5", "3", "777", "1003");
        BandTestSupport.vips("crop", jpeg.toString(), inputs.resolve("tiled.tif").toString()
                + "[tile,tile-width=128,tile-height=128,compression=deflate]", "0", "0", "901", "899");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static DownsampleReport run(Path out, DownsampleMode mode, EdgeMode edge, long taskPixels)
            throws IOException {
        DownsampleSpec spec = new DownsampleSpec(mode, 2, 0, edge, DownsampleSpec.DEFAULT_MAX_PIXELS, taskPixels);
        return DownsampleJob.run(spark, DownsampleJob.Options.builder(inputs.toString(), out.toString(), spec)
                .formats(OutputFormat.PARQUET, OutputFormat.PNG).partitions(2).build(), new PrintWriter(new StringWriter()));
    }

    @Test
    void bandedRunsEqualWholeRuns() throws Exception {
        // 2^18 pixels: every input (0.7 to 0.8 MP) and its first level are made in bands of 16 to 64 rows.
        long small = 1 << 18;
        for (DownsampleMode mode : DownsampleMode.values()) {
            for (EdgeMode edge : EdgeMode.values()) {
                String at = mode + " " + edge;
                Path whole = shared.resolve("whole-" + at.replace(' ', '-'));
                Path banded = shared.resolve("banded-" + at.replace(' ', '-'));
                DownsampleReport w = run(whole, mode, edge, DownsampleSpec.DEFAULT_TASK_PIXELS);
                DownsampleReport b = run(banded, mode, edge, small);
                assertEquals(3, w.pooled(), at + " " + w.errorSamples());
                assertEquals(3, b.pooled(), at + " " + b.errorSamples());
                TreeMap<String, byte[]> wr = rows(whole);
                TreeMap<String, byte[]> br = rows(banded);
                assertEquals(wr.keySet(), br.keySet(), at + ": the same rows");
                int withPixels = 0;
                for (Map.Entry<String, byte[]> e : br.entrySet()) {
                    if (e.getValue() != null) {
                        assertArrayEquals(wr.get(e.getKey()), e.getValue(), at + " " + e.getKey());
                        withPixels++;
                    } else {
                        assertTrue(pixelsOf(e.getKey()) > small / 4, at + ": " + e.getKey() + " fits a task, yet no pixels");
                    }
                }
                assertTrue(withPixels > 0, at + ": the small levels keep their pixels");
                assertTrue(br.values().stream().anyMatch(v -> v == null), at + ": some level was made in bands");
                try (var files = Files.walk(whole.resolve("png"))) {
                    for (Path png : files.filter(Files::isRegularFile).toList()) {
                        Path other = banded.resolve(whole.relativize(png));
                        assertArrayEquals(Planes.of(BandTestSupport.whole(png)).samples(),
                                Planes.of(BandTestSupport.whole(other)).samples(), at + " " + whole.relativize(png));
                    }
                }
            }
        }
    }

    @Test
    void aBadTileFailsItsImageOnlyAndLeavesNothingOfIt(@TempDir Path dir) throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.copy(inputs.resolve("photo.jpg"), in.resolve("good.jpg"));
        // vips writes the directory after the tiles: garbage in the middle of the file spoils a tile
        // that the header still points to, found only when its band is read.
        byte[] tif = Files.readAllBytes(inputs.resolve("tiled.tif"));
        java.util.Arrays.fill(tif, tif.length / 2, tif.length / 2 + 4000, (byte) 0x5a);
        Files.write(in.resolve("cut.tif"), tif);
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL,
                DownsampleSpec.DEFAULT_MAX_PIXELS, 1 << 18);
        Path out = dir.resolve("out");
        DownsampleReport r = DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                .formats(OutputFormat.PARQUET, OutputFormat.PNG).partitions(1).build(), new PrintWriter(new StringWriter()));
        assertEquals(2, r.inputs());
        assertEquals(1, r.pooled());
        assertEquals(1, r.errors());
        assertEquals("cut.tif", r.errorSamples().get(0).path());
        assertTrue(r.errorSamples().get(0).reason().startsWith("tif: tile"), r.errorSamples().get(0).reason());
        try (var files = Files.walk(out.resolve("png"))) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().startsWith("cut")).count(),
                    "no PNG of the image that failed part-way");
        }
        for (Row row : spark.read().parquet(out + "/level=*").select("path").collectAsList()) {
            assertEquals("good.jpg", row.getString(0));
        }
    }

    @Test
    void aBigTiffThatFitsATaskIsPooledWholeAsItsClassicTwinIs(@TempDir Path dir) throws Exception {
        // ImageIO's TIFF reader reads no BigTIFF: the band reader reads it whole, and the rows must be the
        // classic TIFF's (which ImageIO reads) of the same samples.
        Path classic = Files.createDirectories(dir.resolve("classic"));
        Path big = Files.createDirectories(dir.resolve("big"));
        BandTestSupport.vips("copy", inputs.resolve("tiled.tif").toString(), classic.resolve("x.tif") + "[tile]");
        BandTestSupport.vips("copy", inputs.resolve("tiled.tif").toString(), big.resolve("x.tif") + "[tile,bigtiff]");
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL,
                DownsampleSpec.DEFAULT_MAX_PIXELS);
        for (Path in : List.of(classic, big)) {
            DownsampleReport r = DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(),
                    dir.resolve("out-" + in.getFileName()).toString(), spec).partitions(1).build(),
                    new PrintWriter(new StringWriter()));
            assertEquals(1, r.pooled(), in + " " + r.errorSamples());
        }
        TreeMap<String, byte[]> want = rows(dir.resolve("out-classic"));
        TreeMap<String, byte[]> got = rows(dir.resolve("out-big"));
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) {
            assertArrayEquals(want.get(k), got.get(k), k);
            assertTrue(got.get(k) != null, k + ": a level that fits a task keeps its pixels");
        }
    }

    /** path level HxWxC bits -> pixels (null where the row has none). */
    private static TreeMap<String, byte[]> rows(Path out) {
        TreeMap<String, byte[]> rows = new TreeMap<>();
        for (Row r : spark.read().option("basePath", out.toString()).parquet(out + "/level=*")
                .select("path", "level", "height", "width", "channels", "bitDepth", "pixels").collectAsList()) {
            rows.put(r.getString(0) + " " + r.getInt(1) + " " + r.getInt(2) + "x" + r.getInt(3) + "x" + r.getInt(4)
                    + " " + r.getInt(5), r.isNullAt(6) ? null : (byte[]) r.get(6));
        }
        return rows;
    }

    /** The pixels of the level a row key names. */
    private static long pixelsOf(String key) {
        String[] hw = key.split(" ")[2].split("x");
        return Long.parseLong(hw[0]) * Long.parseLong(hw[1]);
    }
}
