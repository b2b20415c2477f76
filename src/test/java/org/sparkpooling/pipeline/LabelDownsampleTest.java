package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferUShort;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.ImagePooling;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.tensor.IntImage;

/**
 * The label and order-statistic modes through the whole pipeline: a 16-bit label PNG and a 32-bit
 * label TIFF whose ids lie above 2^24, mostly background with one-pixel lines, downsampled to
 * OME-Zarr in each of min, mode and median, with and without {@code --sparse}, held whole and made in
 * bands. Every level of every store must equal {@link ImagePooling} applied level after level to
 * the decoded input (the modes' references are in {@code ImagePoolingTest}); only {@code mode}
 * writes NGFF's {@code image-label} metadata; the integer-only modes refuse float tensors.
 */
class LabelDownsampleTest {

    private static SparkSession spark;

    @TempDir
    static Path shared;

    private static Path in;

    /** The inputs' samples as written, by file name. */
    private static final Map<String, IntImage> WRITTEN = new java.util.HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSetup.session("LabelDownsampleTest", "local[2]", Map.of());
        in = Files.createDirectories(shared.resolve("in"));
        Random random = new Random(11);
        IntImage labels16 = labels(203, 157, 65534, 1, random);
        BufferedImage png = new BufferedImage(labels16.width(), labels16.height(), BufferedImage.TYPE_USHORT_GRAY);
        short[] data = ((DataBufferUShort) png.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < data.length; i++) {
            data[i] = (short) labels16.get(i / labels16.width(), i % labels16.width(), 0);
        }
        ImageIO.write(png, "png", in.resolve("labels16.png").toFile());
        IntImage labels32 = labels(131, 97, 4000, (1 << 24) + 1, random);
        // Deflate with the predictor, which ImageIO's TIFF reader refuses at 32 bits.
        TiffFiles.writePlanar(in.resolve("labels32.tif"), labels32, true, true, 16);
        WRITTEN.put("labels16.png", labels16);
        WRITTEN.put("labels32.tif", labels32);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * Mostly background (0), blocks of a few random ids from {@code first} to {@code first + span},
     * so windows hold ties, majorities and all-equal runs, and one-pixel lines that averaging or a
     * plain mode would erase.
     */
    private static IntImage labels(int h, int w, int span, int first, Random random) {
        int[] samples = new int[h * w];
        int[] ids = new int[6];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = first + random.nextInt(span);
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = 0;
                if ((y / 5 + x / 7) % 3 == 0) {
                    v = ids[random.nextInt(3)];
                } else if (x % 23 == 0 || y % 19 == 0) {
                    v = ids[3 + (x + y) % 3];
                } else if (random.nextInt(10) == 0) {
                    v = ids[random.nextInt(ids.length)];
                }
                samples[y * w + x] = v;
            }
        }
        if ((long) first + span <= 65535) {
            short[] s16 = new short[samples.length];
            for (int i = 0; i < samples.length; i++) {
                s16[i] = (short) samples[i];
            }
            return IntImage.of16(h, w, 1, s16);
        }
        return IntImage.of32(h, w, 1, samples);
    }

    private static DownsampleReport run(Path out, DownsampleMode mode, boolean sparse, long taskPixels)
            throws IOException {
        DownsampleSpec spec = new DownsampleSpec(mode, 2, 0, EdgeMode.PARTIAL, DownsampleSpec.DEFAULT_MAX_PIXELS,
                taskPixels, sparse);
        return DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                .formats(OutputFormat.PARQUET, OutputFormat.ZARR).zarrChunk(64).partitions(2).build(),
                new PrintWriter(new StringWriter()));
    }

    @Test
    void everyLevelOfEveryModeIsImagePoolingsWholeOrInBands() throws Exception {
        // 2^13 pixels: both inputs and their first levels are made in bands.
        for (long budget : new long[] {DownsampleSpec.DEFAULT_TASK_PIXELS, 1 << 13}) {
            for (DownsampleMode mode : List.of(DownsampleMode.MIN, DownsampleMode.MODE, DownsampleMode.MEDIAN,
                    DownsampleMode.AVG)) {
                for (boolean sparse : new boolean[] {false, true}) {
                    if (mode == DownsampleMode.AVG && !sparse) {
                        continue; // avg is ZarrJobTest's and BandedDownsampleTest's
                    }
                    String at = mode.label() + (sparse ? " sparse" : "") + " budget " + budget;
                    Path out = shared.resolve(at.replace(' ', '-'));
                    DownsampleReport r = run(out, mode, sparse, budget);
                    assertEquals(2, r.pooled(), at + " " + r.errorSamples());
                    for (String name : List.of("labels16.png", "labels32.tif")) {
                        checkStore(out, name, mode, sparse, at);
                    }
                }
            }
        }
    }

    private static void checkStore(Path out, String name, DownsampleMode mode, boolean sparse, String at)
            throws Exception {
        Path store = out.resolve(ZarrClaims.store(name));
        IntImage level = WRITTEN.get(name);
        Set<Long> inputIds = new HashSet<>();
        for (int y = 0; y < level.height(); y++) {
            for (int x = 0; x < level.width(); x++) {
                inputIds.add(level.get(y, x, 0));
            }
        }
        JsonNode attrs = ZarrFiles.json(store.resolve(".zattrs"));
        int levels = attrs.get("multiscales").get(0).get("datasets").size();
        assertTrue(levels >= 8, at + " " + name + ": the full pyramid, " + levels + " levels");
        assertEquals(mode == DownsampleMode.MODE, attrs.has("image-label"), at + " " + name + ": image-label");
        assertEquals(sparse, attrs.get("multiscales").get(0).get("metadata").get("kwargs").get("sparse").asBoolean());
        boolean above24 = false;
        for (int l = 0; l < levels; l++) {
            assertArrayEquals(ZarrSinkTest.expected(level), ZarrFiles.array(store.resolve(Integer.toString(l))),
                    at + " " + name + " level " + l);
            for (int y = 0; y < level.height(); y++) {
                for (int x = 0; x < level.width(); x++) {
                    long v = level.get(y, x, 0);
                    above24 |= v > 1 << 24;
                    if (mode != DownsampleMode.AVG) {
                        assertTrue(inputIds.contains(v), at + " " + name + " level " + l + ": " + v + " is no input id");
                    }
                }
            }
            level = ImagePooling.pool(mode, level, 2, true, sparse);
        }
        assertEquals(name.endsWith(".tif"), above24, at + " " + name + ": ids above 2^24 kept");
    }

    @Test
    void sparseKeepsAOnePixelLineThatThePlainModeErases() {
        int[] samples = new int[16];
        java.util.Arrays.fill(samples, 4, 8, (1 << 24) + 3); // row 1
        IntImage line = IntImage.of32(4, 4, 1, samples);
        assertEquals(0L, ImagePooling.pool(DownsampleMode.MODE, line, 2, true, false).get(0, 0, 0));
        assertEquals((1L << 24) + 3, ImagePooling.pool(DownsampleMode.MODE, line, 2, true, true).get(0, 0, 0));
    }

    @Test
    void theIntegerOnlyModesAndSparseRefuseFloatTensors() {
        for (DownsampleMode mode : List.of(DownsampleMode.MIN, DownsampleMode.MODE, DownsampleMode.MEDIAN)) {
            DownsampleSpec spec = new DownsampleSpec(mode, 2, 0, EdgeMode.PARTIAL, DownsampleSpec.DEFAULT_MAX_PIXELS);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DownsampleJob.Options.builder("t", "o", spec).kind(InputKind.NPY).build());
            assertEquals("mode (" + mode.label() + ") applies to integer images only: npy input pools float planes"
                    + " (use avg or max)", e.getMessage());
        }
        DownsampleSpec sparse = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL,
                DownsampleSpec.DEFAULT_MAX_PIXELS, DownsampleSpec.DEFAULT_TASK_PIXELS, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DownsampleJob.Options.builder("t", "o", sparse).kind(InputKind.TENSORS).build());
        assertTrue(e.getMessage().startsWith("--sparse applies to integer images only"), e.getMessage());
    }
}
