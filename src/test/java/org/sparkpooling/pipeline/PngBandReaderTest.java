package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sparkpooling.pipeline.BandTestSupport.assertBandsEqualWhole;
import static org.sparkpooling.pipeline.BandTestSupport.assertSameSamples;
import static org.sparkpooling.pipeline.BandTestSupport.haveVips;
import static org.sparkpooling.pipeline.BandTestSupport.open;
import static org.sparkpooling.pipeline.BandTestSupport.openCounting;
import static org.sparkpooling.pipeline.BandTestSupport.photo;
import static org.sparkpooling.pipeline.BandTestSupport.reason;
import static org.sparkpooling.pipeline.BandTestSupport.vips;
import static org.sparkpooling.pipeline.BandTestSupport.whole;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.tensor.IntImage;

/**
 * PNG bands, assembled, equal ImageDecoder's (ImageIO's) whole-image samples on every layout: Debian's
 * photos (gray + alpha, RGB, RGBA), ImageIO-written PNGs of generated samples (1 to 4 channels, 8
 * and 16 bits, its adaptive row filters), vips-written 1/2/4-bit gray and quantised palettes,
 * palettes of every depth with and without alpha and short of {@code 2^depth} entries, and tRNS
 * colours in gray (1 to 16 bits) and RGB images. Then the costs (a top band reads the top of the
 * file) and the bad files.
 */
class PngBandReaderTest {

    @Test
    void realPhotosGiveImageDecodersSamples() throws Exception {
        for (String name : new String[] {"mate/desktop/Stripes.png", "mate/desktop/Ubuntu-Mate-Dark-no-logo.png",
            "mate/abstract/Spring.png"}) {
            Path p = photo(name);
            assumeTrue(p != null, "photo packages not installed");
            assertBandsEqualWhole(p, whole(p), name);
        }
    }

    @Test
    void imageIoPngsOfEveryChannelCountAndDepthGiveImageDecodersSamples(@TempDir Path dir) throws Exception {
        for (int bits : new int[] {8, 16}) {
            for (int c = 1; c <= 4; c++) {
                Planes p = TestImages.random(c, 71 + c, 43 + 3 * c, bits, 13L * c + bits);
                Path f = TestImages.write(p, "png", dir.resolve("io-" + c + "-" + bits + ".png"));
                IntImage want = whole(f);
                assertSameSamples(p.toIntImage(), want, f + ": ImageDecoder against the samples written");
                assertBandsEqualWhole(f, want, f.getFileName().toString());
            }
        }
    }

    @Test
    void vipsLowDepthGrayAndQuantisedPalettesGiveImageDecodersSamples(@TempDir Path dir) throws Exception {
        assumeTrue(haveVips(), "vips not installed (.ci/run installs libvips-tools)");
        Path photo = photo("mate/nature/Dune.jpg");
        assumeTrue(photo != null, "photo packages not installed");
        Path crop = dir.resolve("c.v");
        vips("extract_area", photo.toString(), crop.toString(), "400", "300", "203", "131");
        Path gray = dir.resolve("g.v");
        vips("colourspace", crop.toString(), gray.toString(), "b-w");
        for (int depth : new int[] {1, 2, 4}) {
            Path f = dir.resolve("gray" + depth + ".png");
            vips("pngsave", gray.toString(), f.toString(), "--bitdepth", Integer.toString(depth));
            assertEquals(depth, Files.readAllBytes(f)[24], f + " bit depth");
            assertBandsEqualWhole(f, whole(f), f.getFileName().toString());
        }
        for (String q : new String[] {"8", "4", "2", "1"}) {
            Path f = dir.resolve("palette" + q + ".png");
            vips("pngsave", crop.toString(), f.toString(), "--palette", "--bitdepth", q, "--effort", "1");
            assertEquals(3, Files.readAllBytes(f)[25], f + " colour type");
            assertBandsEqualWhole(f, whole(f), f.getFileName().toString());
        }
        Path rgba = dir.resolve("rgba.v");
        vips("bandjoin_const", crop.toString(), rgba.toString(), "128");
        Path f = dir.resolve("palette-alpha.png");
        vips("pngsave", rgba.toString(), f.toString(), "--palette", "--effort", "1");
        assertBandsEqualWhole(f, whole(f), f.getFileName().toString());
    }

    /** A palette PNG written by ImageIO from an IndexColorModel of {@code entries} entries. */
    private static Path palette(Path file, int depth, int entries, boolean gray, boolean alpha, long seed)
            throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] red = new byte[entries];
        byte[] green = new byte[entries];
        byte[] blue = new byte[entries];
        byte[] a = new byte[entries];
        for (int i = 0; i < entries; i++) {
            red[i] = (byte) r.nextInt(256);
            green[i] = gray ? red[i] : (byte) r.nextInt(256);
            blue[i] = gray ? red[i] : (byte) r.nextInt(256);
            a[i] = alpha && i % 3 == 0 ? (byte) r.nextInt(255) : (byte) 255;
        }
        IndexColorModel cm = alpha ? new IndexColorModel(depth, entries, red, green, blue, a)
                : new IndexColorModel(depth, entries, red, green, blue);
        int w = 37;
        int h = 29;
        BufferedImage img = depth == 8 ? new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, cm)
                : new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, cm);
        WritableRaster raster = img.getRaster();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setSample(x, y, 0, r.nextInt(entries));
            }
        }
        assertTrue(ImageIO.write(img, "png", file.toFile()));
        return file;
    }

    @Test
    void palettesOfEveryDepthShortOrFullWithOrWithoutAlphaAreLookedUpAsImageDecoderDoes(@TempDir Path dir)
            throws Exception {
        int k = 0;
        for (int depth : new int[] {1, 2, 4, 8}) {
            for (int entries : new int[] {2, 3, (1 << depth) - 1, 1 << depth}) {
                if (entries > 1 << depth || entries < 2) {
                    continue;
                }
                for (int kind = 0; kind < 3; kind++) {
                    Path f = palette(dir.resolve("p" + depth + "-" + entries + "-" + kind + ".png"), depth, entries,
                            kind == 0, kind == 2, k++);
                    IntImage want = whole(f);
                    assertEquals(kind == 0 ? 1 : kind == 1 ? 3 : 4, want.channels(), f + " channels");
                    assertBandsEqualWhole(f, want, f.getFileName().toString());
                }
            }
        }
    }

    /** {@code png} with one chunk inserted after IHDR. */
    private static Path withChunk(Path png, Path out, String type, byte[] data) throws Exception {
        byte[] all = Files.readAllBytes(png);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(all, 0, 33);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        o.write(ByteBuffer.allocate(4).putInt(data.length).array());
        o.write(t);
        o.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        o.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        o.write(all, 33, all.length - 33);
        Files.write(out, o.toByteArray());
        return out;
    }

    @Test
    void aTransparentColourInGrayOrRgbAddsAlphaAsImageIoDoes(@TempDir Path dir) throws Exception {
        int k = 0;
        // Gray at 8 and 16 bits, RGB at 8 and 16 bits: a colour that occurs, so some alpha is 0.
        for (int c : new int[] {1, 3}) {
            for (int bits : new int[] {8, 16}) {
                Planes p = TestImages.random(c, 31, 27, bits, 40 + k++);
                Path plain = TestImages.write(p, "png", dir.resolve("plain-" + c + "-" + bits + ".png"));
                ByteBuffer t = ByteBuffer.allocate(2 * c);
                for (int i = 0; i < c; i++) {
                    t.putShort((short) p.get(i, 4, 6));
                }
                Path f = withChunk(plain, dir.resolve("trns-" + c + "-" + bits + ".png"), "tRNS", t.array());
                IntImage want = whole(f);
                assertEquals(c + 1, want.channels(), f + ": ImageIO adds alpha");
                assertEquals(0, want.get(4, 6, c), f + ": transparent where the colour is");
                assertBandsEqualWhole(f, want, f.getFileName().toString());
            }
        }
        // 1/2/4-bit gray: ImageIO compares the scaled sample with the raw tRNS value.
        assumeTrue(haveVips(), "vips not installed");
        Planes p = TestImages.random(1, 23, 41, 8, 99);
        Path g8 = TestImages.write(p, "png", dir.resolve("g8.png"));
        for (int depth : new int[] {1, 2, 4}) {
            Path low = dir.resolve("g" + depth + ".png");
            vips("pngsave", g8.toString(), low.toString(), "--bitdepth", Integer.toString(depth));
            for (int value : new int[] {0, 1, 255}) {
                Path f = withChunk(low, dir.resolve("g" + depth + "-trns" + value + ".png"), "tRNS",
                        new byte[] {0, (byte) value});
                assertBandsEqualWhole(f, whole(f), f.getFileName().toString());
            }
        }
    }

    @Test
    void aTopBandReadsTheTopOfTheFileAndAnEarlierBandRestarts() throws Exception {
        Path p = photo("mate/desktop/Ubuntu-Mate-Dark-no-logo.png");
        assumeTrue(p != null, "photo packages not installed");
        long size = Files.size(p);
        AtomicLong bytes = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        IntImage all = whole(p);
        try (BandReader r = openCounting(p, bytes, reads)) {
            IntImage top = r.readRows(0, 64);
            assertTrue(bytes.get() < size / 4, "64 of 1280 rows read " + bytes.get() + " of " + size + " bytes");
            bytes.set(0);
            IntImage bottom = r.readRows(r.height() - 10, 10);
            IntImage again = r.readRows(0, 64);
            assertSameSamples(top, again, "the top band, read again after a restart");
            int row = r.width() * r.channels();
            assertTrue(Arrays.equals(Arrays.copyOfRange(all.bytes(), (r.height() - 10) * row, r.height() * row),
                    bottom.bytes()), "the bottom band");
        }
    }

    @Test
    void interlacedPngIsRefusedWithTheReason(@TempDir Path dir) throws Exception {
        assumeTrue(haveVips(), "vips not installed");
        Path png = TestImages.write(TestImages.random(3, 20, 30, 8, 1), "png", dir.resolve("a.png"));
        Path f = dir.resolve("adam7.png");
        vips("pngsave", png.toString(), f.toString(), "--interlace");
        assertEquals("png: interlaced (Adam7) PNG cannot be read in bands: its rows are spread over seven passes"
                + " through the whole image; decode it whole (within the budget) or re-save it without interlacing",
                reason(f, Long.MAX_VALUE));
    }

    @Test
    void truncatedCorruptAndOversizedPngsGiveNamedReasons(@TempDir Path dir) throws Exception {
        Planes p = TestImages.random(3, 120, 50, 8, 2);
        Path png = TestImages.write(p, "png", dir.resolve("ok.png"));
        byte[] all = Files.readAllBytes(png);

        Path cut = dir.resolve("cut.png");
        Files.write(cut, Arrays.copyOf(all, all.length * 2 / 3));
        try (BandReader r = open(cut, Long.MAX_VALUE)) {
            r.readRows(0, 20); // the top is there
            String m = assertThrows(BadImageException.class, () -> r.readRows(20, 100)).getMessage();
            assertTrue(m.startsWith("png: truncated or corrupt: the image data ends at row "), m);
        }
        String imageIo = assertThrows(BadImageException.class, () -> whole(cut)).getMessage();
        assertTrue(imageIo.startsWith("png: truncated or corrupt: "), "the same kind of reason: " + imageIo);

        Path bad = dir.resolve("bad.png");
        byte[] b = all.clone();
        for (int i = all.length / 2; i < all.length / 2 + 40; i++) {
            b[i] = (byte) 0xff;
        }
        Files.write(bad, b);
        String m = reason(bad, Long.MAX_VALUE);
        assertTrue(m.startsWith("png: truncated or corrupt: ") && m.contains(" (at row "), m);

        assertEquals("png: 50x120 (6000 pixels) exceeds max pixels (5999)", reason(png, 5999));
        byte[] bomb = all.clone();
        ByteBuffer.wrap(bomb).putInt(16, 100_000).putInt(20, 100_000);
        Path bombFile = dir.resolve("bomb.png");
        Files.write(bombFile, bomb);
        AtomicLong bytes = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        assertEquals("png: 100000x100000 (10000000000 pixels) exceeds max pixels (89478485)",
                reason(bombFile, 89_478_485L));
        try (BandReader r = openCounting(bombFile, bytes, reads)) {
            assertEquals(100_000, r.height());
            assertTrue(bytes.get() < 200, "opening reads the chunks before IDAT only: " + bytes.get());
        }
    }
}
