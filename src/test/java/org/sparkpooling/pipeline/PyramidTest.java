package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolMode;

/** Decoding and one pyramid level against the plain reference, on images written by ImageIO. */
class PyramidTest {

    @TempDir
    Path dir;

    private static final int[][] SIZES = {{7, 5}, {8, 6}, {1, 9}, {13, 16}, {2, 2}, {17, 3}};

    private static Planes decode(Path file) throws IOException, BadImageException {
        try (InputStream in = Files.newInputStream(file)) {
            return Planes.of(ImageDecoder.decode(in, Files.size(file), DownsampleSpec.PILLOW_MAX_PIXELS));
        }
    }

    /** Level 1 of {@code decoded} against the reference, every mode, edge and factor 2 and 3. */
    private static void checkLevel(Planes decoded, String what) {
        for (DownsampleMode mode : TestImages.floatModes()) {
            for (EdgeMode edge : EdgeMode.values()) {
                for (int f : new int[] {2, 3}) {
                    DownsampleSpec spec = new DownsampleSpec(mode, f, 0, edge, DownsampleSpec.PILLOW_MAX_PIXELS);
                    if (spec.levelCount(decoded.height(), decoded.width()) == 0) {
                        continue;
                    }
                    Planes got = Planes.of(new Pyramid(spec, Pyramid.defaultKernel()).next(decoded.toIntImage()));
                    double[] want = TestImages.reference(decoded, f, mode == DownsampleMode.MAX, edge == EdgeMode.PARTIAL);
                    String at = what + " " + mode + " " + edge + " f=" + f;
                    assertEquals(want.length, got.samples().length, at + ": size");
                    assertEquals(decoded.bitDepth(), got.bitDepth(), at + ": bit depth");
                    for (int i = 0; i < want.length; i++) {
                        float g = got.samples()[i];
                        assertEquals(Math.rint(g), g, 0.0, at + ": not an integer at " + i);
                        assertTrue(Math.abs(g - want[i]) <= 1, at + ": sample " + i + " is " + g + ", reference " + want[i]);
                    }
                }
            }
        }
    }

    @TestFactory
    List<DynamicTest> pngEveryLayoutAndDepth() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int channels = 1; channels <= 4; channels++) {
            for (int bits : new int[] {8, 16}) {
                for (int[] hw : SIZES) {
                    int c = channels;
                    String name = "png c=" + c + " bits=" + bits + " " + hw[0] + "x" + hw[1];
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        Planes p = TestImages.random(c, hw[0], hw[1], bits, 31L * c + bits + hw[0]);
                        Path file = TestImages.write(p, "png", dir.resolve(name.replace(' ', '_') + ".png"));
                        Planes decoded = decode(file);
                        assertEquals(c, decoded.channels());
                        assertEquals(bits, decoded.bitDepth());
                        assertArrayEquals(p.samples(), decoded.samples(), "PNG is lossless");
                        checkLevel(decoded, name);
                    }));
                }
            }
        }
        return tests;
    }

    @Test
    void tiffSixteenBitRgbaAndEightBitGray() throws Exception {
        for (Planes p : List.of(TestImages.random(4, 9, 11, 16, 5), TestImages.random(1, 10, 7, 8, 6))) {
            Path file = TestImages.write(p, "tiff", dir.resolve("t" + p.channels() + ".tif"));
            Planes decoded = decode(file);
            assertArrayEquals(p.samples(), decoded.samples(), "TIFF is lossless");
            assertEquals(p.bitDepth(), decoded.bitDepth());
            checkLevel(decoded, "tiff c=" + p.channels());
        }
    }

    @Test
    void lossyAndPaletteFormatsPoolWhatAnotherDecoderSees() throws Exception {
        Planes p = TestImages.random(3, 21, 14, 8, 9);
        for (String format : new String[] {"jpeg", "bmp", "gif"}) {
            Path file = TestImages.writeRgb(p, format, dir.resolve("x." + format));
            Planes decoded = decode(file);
            assertEquals(3, decoded.channels(), format);
            assertArrayEquals(TestImages.readRgb(file).samples(), decoded.samples(), format + " decoded samples");
            if (format.equals("bmp")) {
                assertArrayEquals(p.samples(), decoded.samples(), "BMP is lossless");
            }
            checkLevel(decoded, format);
        }
    }

    @Test
    void levelsComeFromTheRoundedLevelBefore() {
        Planes p = TestImages.random(3, 37, 23, 16, 3);
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, 1000);
        Pyramid pyramid = new Pyramid(spec, Pyramid.defaultKernel());
        assertEquals(5, spec.levelCount(37, 23)); // 23 -> 12 -> 6 -> 3 -> 2 -> 1 (37 -> ... -> 2)
        Planes level = p;
        for (int l = 1; l <= 5; l++) {
            Planes next = Planes.of(pyramid.next(level.toIntImage()));
            double[] want = TestImages.reference(level, 2, false, true);
            for (int i = 0; i < want.length; i++) {
                assertTrue(Math.abs(next.samples()[i] - want[i]) <= 1, "level " + l + " sample " + i);
            }
            level = next;
        }
        assertEquals(1, level.width());
        assertEquals(2, level.height());
    }

    @Test
    void levelCounts() {
        DownsampleSpec partial = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, 10);
        DownsampleSpec trim = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.TRIM, 10);
        assertEquals(0, partial.levelCount(1, 1));
        assertEquals(1, partial.levelCount(1, 100)); // at least one level while something shrinks
        assertEquals(2, partial.levelCount(3, 3));   // 3 -> 2 -> 1
        assertEquals(0, trim.levelCount(1, 100));
        assertEquals(1, trim.levelCount(3, 3));      // 3 -> 1
        assertEquals(3, new DownsampleSpec(DownsampleMode.MAX, 2, 3, EdgeMode.PARTIAL, 10).levelCount(1000, 1000));
        assertEquals(1, new DownsampleSpec(DownsampleMode.MAX, 3, 5, EdgeMode.TRIM, 10).levelCount(8, 8)); // 8 -> 2, then 0
        assertThrows(IllegalArgumentException.class, () -> new DownsampleSpec(DownsampleMode.MAX, 1, 0, EdgeMode.TRIM, 10));
    }

    @Test
    void pixelsColumnIsInterleavedLittleEndian() {
        Planes p = new Planes(2, 1, 2, 16, new float[] {1, 258, 65535, 0}); // c0: 1, 258; c1: 65535, 0
        assertArrayEquals(new byte[] {1, 0, -1, -1, 2, 1, 0, 0}, p.interleavedBytes());
        assertArrayEquals(p.samples(), Planes.fromInterleaved(2, 1, 2, 16, p.interleavedBytes()).samples());
    }

    @Test
    void pngEncoderRoundTripsEveryLayoutAndDepth() throws Exception {
        for (int c = 1; c <= 4; c++) {
            for (int bits : new int[] {8, 16}) {
                for (int[] hw : new int[][] {{1, 1}, {7, 1}, {5, 13}}) {
                    Planes p = TestImages.random(c, hw[0], hw[1], bits, c * 100 + bits + hw[1]);
                    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                    PngEncoder.write(p, out);
                    byte[] png = out.toByteArray();
                    Planes back = Planes.of(ImageDecoder.decode(new ByteArrayInputStream(png), png.length, 1000));
                    assertEquals(c, back.channels());
                    assertEquals(bits, back.bitDepth());
                    assertArrayEquals(p.samples(), back.samples(), c + "x" + bits + " " + hw[0] + "x" + hw[1]);
                }
            }
        }
    }

    // ---- bad input ----

    private static String reason(byte[] bytes, long maxPixels) {
        BadImageException e = assertThrows(BadImageException.class,
                () -> ImageDecoder.decode(new ByteArrayInputStream(bytes), bytes.length, maxPixels));
        return e.getMessage();
    }

    @Test
    void badInputsHaveReasons() throws Exception {
        byte[] png = Files.readAllBytes(TestImages.write(TestImages.random(3, 40, 40, 8, 1), "png", dir.resolve("ok.png")));
        assertEquals("empty file (0 bytes)", reason(new byte[0], 100));
        assertTrue(reason(java.util.Arrays.copyOf(png, png.length / 2), 10_000).startsWith("png: truncated or corrupt"));
        assertTrue(reason("hello, not an image".getBytes(), 100).startsWith("unsupported format"));
        assertEquals("png: 40x40 (1600 pixels) exceeds max pixels (1599)", reason(png, 1599));
        assertTrue(reason(bomb(png, 100_000, 100_000), DownsampleSpec.PILLOW_MAX_PIXELS).contains("exceeds max pixels"));
        byte[] jpeg = Files.readAllBytes(TestImages.writeRgb(TestImages.random(3, 64, 64, 8, 2), "jpeg", dir.resolve("ok.jpg")));
        assertTrue(reason(java.util.Arrays.copyOf(jpeg, jpeg.length * 2 / 3), 10_000).startsWith("jpeg: truncated or corrupt"));
    }

    /** A PNG whose IHDR claims {@code w x h} (CRC fixed), with the small image's data after it. */
    static byte[] bomb(byte[] png, int w, int h) {
        byte[] b = png.clone();
        // signature (8), IHDR length (4), "IHDR" (4), then width and height, big-endian
        java.nio.ByteBuffer.wrap(b, 16, 8).putInt(w).putInt(h);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        java.nio.ByteBuffer.wrap(b, 29, 4).putInt((int) crc.getValue());
        return b;
    }

    /**
     * The default kernel's level equals the reference kernel's bit for bit (exact sums, a correctly
     * rounded mean: factor 6 divides by 36, whose reciprocal is inexact, and has means at .5), and
     * float planes pass through unrounded.
     */
    @Test
    void defaultKernelLevelEqualsTheReferenceKernels() {
        long seed = 1;
        for (DownsampleMode mode : TestImages.floatModes()) {
            for (EdgeMode edge : EdgeMode.values()) {
                for (int f : new int[] {2, 3, 4, 6}) {
                    DownsampleSpec downsample = new DownsampleSpec(mode, f, 0, edge, 1000);
                    Pyramid pyramid = new Pyramid(downsample, Pyramid.defaultKernel());
                    Pyramid reference = new Pyramid(downsample, PoolKernels.reference());
                    for (int bits : new int[] {8, 16}) {
                        for (int[] hw : SIZES) {
                            if (edge == EdgeMode.TRIM && (hw[0] < f || hw[1] < f)) {
                                continue;
                            }
                            Planes p = TestImages.random(1 + (int) (seed % 4), hw[0], hw[1], bits, seed++);
                            String at = mode + " " + edge + " F=" + f + " " + bits + "-bit " + hw[0] + "x" + hw[1];
                            Planes got = pyramid.next(p);
                            Planes want = reference.next(p);
                            assertEquals(want.height(), got.height(), at);
                            assertEquals(want.width(), got.width(), at);
                            assertArrayEquals(want.samples(), got.samples(), at);
                        }
                    }
                }
            }
        }
        Planes floats = new Planes(5, 3, 3, Planes.FLOAT_DEPTH, new float[] {
            0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f,
            -1, 2, -3, 4, -5, 6, -7, 8, -9,
            1e30f, 1e30f, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0.25f,
            1, 1, 1, 1, 1, 1, 1, 1, 1});
        Planes next = new Pyramid(new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, 1000),
                Pyramid.defaultKernel()).next(floats);
        assertEquals(Planes.FLOAT_DEPTH, next.bitDepth());
        assertEquals(2, next.height());
        assertEquals((0.1f + 0.2f + 0.4f + 0.5f) / 4, next.get(0, 0, 0), 1e-7, "not rounded");
        assertEquals(0.25f, next.get(3, 1, 1), 0f, "the corner window is its one in-bounds sample");
        assertEquals(5e29f, next.get(2, 0, 0), 1e24f);
        assertArrayEquals(next.samples(), Planes.fromInterleaved(5, 2, 2, 32, next.interleavedBytes()).samples());
        assertThrows(IllegalArgumentException.class, () -> PngEncoder.write(next, java.io.OutputStream.nullOutputStream()));
    }

    @Test
    void floatRintIsMathRintOnTheSampleRange() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 1_000_000; i++) {
            float v = i < 200_000 ? i * 0.5f : i < 300_000 ? (i - 200_000) * 0.25f : (float) (r.nextDouble() * 70_000);
            assertEquals((float) Math.rint(v), Pyramid.rint(v), "rint(" + v + ")");
        }
        assertEquals(0f, Pyramid.rint(0.5f));
        assertEquals(2f, Pyramid.rint(1.5f));
        assertEquals(2f, Pyramid.rint(2.5f));
        assertEquals(65534f, Pyramid.rint(65534.5f)); // half to even
        assertEquals(65534f, Pyramid.rint(65533.5f));
    }
}
