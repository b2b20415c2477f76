package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sparkpooling.pipeline.BandTestSupport.assemble;
import static org.sparkpooling.pipeline.BandTestSupport.assertBandsEqualWhole;
import static org.sparkpooling.pipeline.BandTestSupport.assertSameSamples;
import static org.sparkpooling.pipeline.BandTestSupport.haveVips;
import static org.sparkpooling.pipeline.BandTestSupport.open;
import static org.sparkpooling.pipeline.BandTestSupport.openCounting;
import static org.sparkpooling.pipeline.BandTestSupport.photo;
import static org.sparkpooling.pipeline.BandTestSupport.reason;
import static org.sparkpooling.pipeline.BandTestSupport.vips;
import static org.sparkpooling.pipeline.BandTestSupport.whole;

import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.tensor.IntImage;

/**
 * TIFF and BigTIFF bands, assembled, equal ImageDecoder's whole-image samples: on crops of Debian's
 * photos saved by vips in every layout it writes (tiled and stripped; none, LZW, Deflate, PackBits;
 * with and without the predictor; 8 and 16 bits; gray, gray + alpha, RGB, RGBA; BigTIFF, whose
 * reference is the same image as classic TIFF since ImageIO cannot read BigTIFF), on ImageIO-written
 * TIFFs of generated samples in both byte orders, and on the layouts neither tool writes directly
 * (WhiteIsZero, associated alpha, separate planes, 32-bit labels). Then what a band reads, and the
 * bad files. Tests that need vips skip without it (.ci/run installs it).
 */
class TiffBandReaderTest {

    private static final int TILE_OFFSETS = 324;
    private static final int TILE_COUNTS = 325;
    private static final int STRIP_OFFSETS = 273;
    private static final int PHOTOMETRIC = 262;

    /** Crops of real photos (odd sizes), and their gray and 16-bit versions, as vips images. */
    private static List<Path> sources(Path dir) throws Exception {
        Path rgbPhoto = photo("mate/nature/Dune.jpg");
        Path rgbaPhoto = photo("mate/abstract/Spring.png");
        Path gaPhoto = photo("mate/desktop/Stripes.png");
        assumeTrue(rgbPhoto != null && rgbaPhoto != null && gaPhoto != null, "photo packages not installed");
        List<Path> out = new ArrayList<>();
        Path rgb = dir.resolve("rgb.v");
        vips("extract_area", rgbPhoto.toString(), rgb.toString(), "301", "203", "301", "237");
        Path rgba = dir.resolve("rgba.v");
        vips("extract_area", rgbaPhoto.toString(), rgba.toString(), "700", "500", "263", "171");
        Path ga = dir.resolve("ga.v");
        vips("extract_area", gaPhoto.toString(), ga.toString(), "900", "600", "211", "139");
        Path gray = dir.resolve("gray.v");
        vips("colourspace", rgb.toString(), gray.toString(), "b-w");
        out.add(rgb);
        out.add(rgba);
        out.add(ga);
        out.add(gray);
        for (Path p : List.of(rgb, rgba, ga, gray)) {
            String name = p.getFileName().toString().replace(".v", "16.v");
            Path p16 = dir.resolve(name);
            vips("colourspace", p.toString(), p16.toString(), name.startsWith("g") ? "grey16" : "rgb16");
            out.add(p16);
        }
        return out;
    }

    private static final String[][] VARIANTS = {
        {"strip-none", "--compression", "none"},
        {"tiled-deflate-predictor", "--tile", "--tile-width", "256", "--tile-height", "256", "--compression", "deflate",
            "--predictor", "horizontal"},
        {"strip-lzw-predictor", "--compression", "lzw", "--predictor", "horizontal"},
        {"tiled-lzw", "--tile", "--tile-width", "64", "--tile-height", "32", "--compression", "lzw", "--predictor",
            "none"},
        {"tiled-packbits", "--tile", "--tile-width", "128", "--tile-height", "128", "--compression", "packbits"},
        {"big-tiled-deflate", "--bigtiff", "--tile", "--tile-width", "128", "--tile-height", "64", "--compression",
            "deflate", "--predictor", "horizontal"},
        {"big-strip-none", "--bigtiff", "--compression", "none"},
    };

    @Test
    void vipsTiffsOfRealPhotosInEveryLayoutGiveImageDecodersSamples(@TempDir Path dir) throws Exception {
        assumeTrue(haveVips(), "vips not installed (.ci/run installs libvips-tools)");
        List<Path> sources = sources(dir);
        for (Path src : sources) {
            String base = src.getFileName().toString().replace(".v", "");
            // Every layout for two of them; the rest in the plainest and the commonest layout, and as BigTIFF.
            boolean all = base.equals("rgb") || base.equals("gray16");
            IntImage reference = null;
            for (String[] v : VARIANTS) {
                if (!all && !v[0].equals("strip-none") && !v[0].equals("tiled-deflate-predictor")
                        && !v[0].equals("big-tiled-deflate")) {
                    continue;
                }
                Path tif = dir.resolve(base + "-" + v[0] + ".tif");
                List<String> args = new ArrayList<>(List.of("tiffsave", src.toString(), tif.toString()));
                args.addAll(List.of(v).subList(1, v.length));
                vips(args.toArray(String[]::new));
                IntImage want;
                if (v[0].startsWith("big-")) {
                    assertEquals("unsupported format: no ImageIO reader recognises the content",
                            assertThrows(BadImageException.class, () -> whole(tif)).getMessage(),
                            "ImageIO reads no BigTIFF: the reference is the classic TIFF of the same image");
                    want = reference;
                } else if (base.contains("16") && String.join(" ", v).contains("horizontal")) {
                    assertEquals("tif: truncated or corrupt: IIOException: 16-bit samples are not supported for"
                            + " Horizontal differencing Predictor",
                            assertThrows(BadImageException.class, () -> whole(tif)).getMessage(),
                            "ImageIO reads the predictor at 8 bits only: the reference is the same image without it");
                    want = reference;
                } else {
                    want = whole(tif);
                    if (reference == null) {
                        reference = want;
                    }
                    assertSameSamples(reference, want, tif + " whole, against the first layout");
                }
                assertBandsEqualWhole(tif, want, tif.getFileName().toString());
            }
        }
    }

    @Test
    void aFullSizePhotoInTilesGivesImageDecodersSamples(@TempDir Path dir) throws Exception {
        Path p = BandTestSupport.photoAndVips("calla.png");
        Path tif = dir.resolve("calla.tif");
        vips("tiffsave", p.toString(), tif.toString(), "--tile", "--tile-width", "512", "--tile-height", "512",
                "--compression", "deflate", "--predictor", "horizontal");
        IntImage want = whole(tif);
        try (BandReader r = open(tif, Long.MAX_VALUE)) {
            assertEquals(512, r.rowAlignment());
            assertSameSamples(want, assemble(r, new int[] {701}, "shuffled"), "calla in bands of 701");
        }
    }

    /** ImageIO's TIFF writer: stripped by default, tiled on request, in the stream's byte order. */
    private static Path writeImageIo(Planes p, Path file, String compression, ByteOrder order, int tile)
            throws Exception {
        ImageWriter w = ImageIO.getImageWritersByFormatName("tiff").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            out.setByteOrder(order);
            w.setOutput(out);
            ImageWriteParam param = w.getDefaultWriteParam();
            if (compression != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType(compression);
            }
            if (tile > 0) {
                param.setTilingMode(ImageWriteParam.MODE_EXPLICIT);
                param.setTiling(tile, tile, 0, 0);
            }
            javax.imageio.metadata.IIOMetadata stream = w.getDefaultStreamMetadata(param);
            String format = stream.getNativeMetadataFormatName();
            javax.imageio.metadata.IIOMetadataNode root = new javax.imageio.metadata.IIOMetadataNode(format);
            javax.imageio.metadata.IIOMetadataNode byteOrder = new javax.imageio.metadata.IIOMetadataNode("ByteOrder");
            byteOrder.setAttribute("value", order == ByteOrder.BIG_ENDIAN ? "BIG_ENDIAN" : "LITTLE_ENDIAN");
            root.appendChild(byteOrder);
            stream.mergeTree(format, root);
            w.write(stream, new IIOImage(PngEncoder.toImage(p), null, null), param);
        } finally {
            w.dispose();
        }
        return file;
    }

    @Test
    void imageIoTiffsOfEveryLayoutAndByteOrderGiveImageDecodersSamples(@TempDir Path dir) throws Exception {
        String[] compressions = {null, "LZW", "Deflate", "PackBits"};
        int i = 0;
        for (int bits : new int[] {8, 16}) {
            for (int c = 1; c <= 4; c++) {
                for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                    Planes p = TestImages.random(c, 61 + c, 37 + 2 * c, bits, 31L * c + bits);
                    String comp = compressions[i++ % compressions.length];
                    for (int tile : new int[] {0, 16}) {
                        Path f = writeImageIo(p, dir.resolve("io-" + bits + "-" + c + "-" + order + "-" + comp + "-"
                                + tile + ".tif"), comp, order, tile);
                        byte[] head = Files.readAllBytes(f);
                        assertEquals(order == ByteOrder.BIG_ENDIAN ? 'M' : 'I', head[0], f + " byte order");
                        IntImage want = whole(f);
                        assertSameSamples(p.toIntImage(), want, f + ": ImageDecoder against the samples written");
                        assertBandsEqualWhole(f, want, f.getFileName().toString());
                    }
                }
            }
        }
    }

    @Test
    void whiteIsZeroIsInvertedAsImageIoDoesAlphaIncluded(@TempDir Path dir) throws Exception {
        for (int c : new int[] {1, 2}) {
            for (int bits : new int[] {8, 16}) {
                Planes p = TestImages.random(c, 29, 23, bits, 7L * c + bits);
                Path f = writeImageIo(p, dir.resolve("wiz-" + c + "-" + bits + ".tif"), "Deflate", ByteOrder.LITTLE_ENDIAN,
                        0);
                assertEquals(1, TiffFiles.values(f, PHOTOMETRIC)[0]);
                TiffFiles.set(f, PHOTOMETRIC, 0, 0);
                IntImage want = whole(f);
                assertEquals((long) p.maxValue() - (long) p.get(0, 3, 5), want.get(3, 5, 0), "ImageIO inverts");
                if (c == 2) {
                    assertEquals((long) p.maxValue() - (long) p.get(1, 3, 5), want.get(3, 5, 1), "alpha too");
                }
                assertBandsEqualWhole(f, want, f.getFileName().toString());
            }
        }
    }

    @Test
    void associatedAlphaIsDividedOutAsJava2dDoes(@TempDir Path dir) throws Exception {
        Path p = BandTestSupport.photoAndVips("mate/abstract/Spring.png");
        Path crop = dir.resolve("c.v");
        vips("extract_area", p.toString(), crop.toString(), "0", "0", "333", "217");
        for (String depth : new String[] {"8", "16"}) {
            Path src = crop;
            if (depth.equals("16")) {
                src = dir.resolve("c16.v");
                vips("colourspace", crop.toString(), src.toString(), "rgb16");
            }
            Path tif = dir.resolve("pre" + depth + ".tif");
            vips("tiffsave", src.toString(), tif.toString(), "--premultiply", "--tile", "--compression", "deflate",
                    "--predictor", depth.equals("8") ? "horizontal" : "none");
            assertEquals(1, TiffFiles.values(tif, 338)[0], "ExtraSamples: associated alpha");
            assertBandsEqualWhole(tif, whole(tif), tif.getFileName().toString());
        }
    }

    @Test
    void separatePlanesAreReadPlaneByPlane(@TempDir Path dir) throws Exception {
        for (int c = 2; c <= 4; c++) {
            for (int bits : new int[] {8, 16}) {
                for (boolean deflate : new boolean[] {false, true}) {
                    IntImage img = TestImages.random(c, 53, 41, bits, c * 100L + bits).toIntImage();
                    Path f = dir.resolve("planar-" + c + "-" + bits + "-" + deflate + ".tif");
                    TiffFiles.writePlanar(f, img, deflate, deflate, 7);
                    IntImage want = img; // ImageIO reads the predictor at 8 bits only
                    if (bits == 8 || !deflate) {
                        want = whole(f);
                        assertSameSamples(img, want, f + ": ImageDecoder against the samples written");
                    }
                    assertBandsEqualWhole(f, want, f.getFileName().toString());
                }
            }
        }
    }

    @Test
    void thirtyTwoBitLabelsKeepEveryBitAboveTwoToThe24(@TempDir Path dir) throws Exception {
        Path p = BandTestSupport.photoAndVips("mate/nature/Dune.jpg");
        Path gray = dir.resolve("g.png");
        vips("extract_area", p.toString(), dir.resolve("c.v").toString(), "11", "7", "203", "149");
        vips("colourspace", dir.resolve("c.v").toString(), gray.toString(), "b-w");
        // v * 16000000 is exact in float (v * 31250 < 2^23, times 2^9), so the labels are known exactly.
        vips("linear", gray.toString(), dir.resolve("l.v").toString(), "16000000", "0");
        for (String layout : new String[] {"tile", "strip"}) {
            Path tif = dir.resolve("labels-" + layout + ".tif");
            List<String> args = new ArrayList<>(List.of("cast", dir.resolve("l.v").toString(),
                    tif + "[compression=deflate,predictor=horizontal" + (layout.equals("tile") ? ",tile" : "") + "]",
                    "uint"));
            vips(args.toArray(String[]::new));
            IntImage g = whole(gray);
            int[] want = new int[g.height() * g.width()];
            for (int i = 0; i < want.length; i++) {
                want[i] = (int) ((g.bytes()[i] & 0xff) * 16_000_000L);
            }
            String refused = assertThrows(BadImageException.class, () -> whole(tif)).getMessage();
            assertTrue(refused.contains("32-bit samples") || refused.contains("32 bits"),
                    "ImageDecoder refuses 32-bit samples: " + refused);
            try (BandReader r = open(tif, Long.MAX_VALUE)) {
                assertEquals(32, r.bitDepth());
                IntImage expected = IntImage.of32(g.height(), g.width(), 1, want);
                assertSameSamples(expected, assemble(r, new int[] {37, 1}, "shuffled"), tif.toString());
            }
        }
    }

    @Test
    void aBandReadsOnlyItsOwnRowOfTiles(@TempDir Path dir) throws Exception {
        Planes p = TestImages.random(3, 200, 130, 8, 5);
        Path f = writeImageIo(p, dir.resolve("t.tif"), "Deflate", ByteOrder.LITTLE_ENDIAN, 32);
        long[] counts = TiffFiles.values(f, TILE_COUNTS);
        int across = (130 + 31) / 32;
        long file = Files.size(f);
        AtomicLong bytes = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        try (BandReader r = openCounting(f, bytes, reads)) {
            long header = bytes.get();
            assertTrue(header < 1024, "opening reads the header only: " + header + " bytes");
            bytes.set(0);
            // Rows 96..127: tile row 3 exactly.
            IntImage band = r.readRows(96, 32);
            long tiles = 0;
            for (int c = 0; c < across; c++) {
                tiles += counts[3 * across + c];
            }
            long offsetsAndCounts = 2L * across * 4;
            assertEquals(tiles + offsetsAndCounts, bytes.get(), "the band's tiles and their offsets, nothing else (file "
                    + file + " bytes)");
            int row = 130 * 3;
            assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(p.toIntImage().bytes(), 96 * row, 128 * row),
                    band.bytes()), "the band's samples");
        }
    }

    // ----- bad files -----

    private static Path vipsTiled(Path dir, String name, String compression) throws Exception {
        Planes p = TestImages.random(1, 100, 90, 8, 11);
        Path png = TestImages.write(p, "png", dir.resolve(name + ".png"));
        Path tif = dir.resolve(name + ".tif");
        vips("tiffsave", png.toString(), tif.toString(), "--tile", "--tile-width", "32", "--tile-height", "32",
                "--compression", compression);
        return tif;
    }

    @Test
    void aTileOffsetPastTheEndOfTheFileIsNamed(@TempDir Path dir) throws Exception {
        assumeTrue(haveVips(), "vips not installed");
        Path tif = vipsTiled(dir, "past", "deflate");
        long size = Files.size(tif);
        TiffFiles.set(tif, TILE_OFFSETS, 5, size + 1000);
        long count = TiffFiles.values(tif, TILE_COUNTS)[5];
        try (BandReader r = open(tif, Long.MAX_VALUE)) {
            r.readRows(0, 32); // tile row 0 is intact
            BadImageException e = assertThrows(BadImageException.class, () -> r.readRows(40, 10));
            assertEquals("tif: tile (row 1, column 2) at offset " + (size + 1000) + " (" + count + " bytes) runs past the"
                    + " end of the file (" + size + " bytes)", e.getMessage());
        }
    }

    @Test
    void aTruncatedTileIsNamedWithItsOffset(@TempDir Path dir) throws Exception {
        assumeTrue(haveVips(), "vips not installed");
        for (String compression : new String[] {"deflate", "lzw", "packbits", "none"}) {
            Path tif = vipsTiled(dir, "cut-" + compression, compression);
            long[] counts = TiffFiles.values(tif, TILE_COUNTS);
            long offset = TiffFiles.values(tif, TILE_OFFSETS)[4];
            TiffFiles.set(tif, TILE_COUNTS, 4, counts[4] / 3);
            String m = reason(tif, Long.MAX_VALUE);
            assertTrue(m.startsWith("tif: tile (row 1, column 1) at offset " + offset + " (" + counts[4] / 3 + " bytes)"
                    + " is truncated"), compression + ": " + m);
        }
    }

    @Test
    void aCorruptTileAndAFileCutShortAreNamed(@TempDir Path dir) throws Exception {
        assumeTrue(haveVips(), "vips not installed");
        Path tif = vipsTiled(dir, "bad", "deflate");
        long offset = TiffFiles.values(tif, TILE_OFFSETS)[7];
        try (RandomAccessFile f = new RandomAccessFile(tif.toFile(), "rw")) {
            f.seek(offset);
            f.write(new byte[] {0x78, (byte) 0x9c, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        }
        String m = reason(tif, Long.MAX_VALUE);
        assertTrue(m.startsWith("tif: tile (row 2, column 1) at offset " + offset) && m.contains("truncated or corrupt: "
                + "ZipException"), m);

        // ImageIO writes the IFD before the tiles (vips after them), so a file cut short keeps its header.
        Path cut = writeImageIo(TestImages.random(1, 100, 90, 8, 12), dir.resolve("short.tif"), null,
                ByteOrder.LITTLE_ENDIAN, 32);
        long[] offsets = TiffFiles.values(cut, TILE_OFFSETS);
        long ifdEnd = 0;
        long last = 0;
        for (long o : offsets) {
            last = Math.max(last, o);
        }
        byte[] all = Files.readAllBytes(cut);
        assertTrue(TiffFiles.entry(cut, TILE_OFFSETS).position() < offsets[0], "the IFD before the tiles");
        Files.write(cut, java.util.Arrays.copyOf(all, (int) (last + 10)));
        ifdEnd = Files.size(cut);
        String cutReason = reason(cut, Long.MAX_VALUE);
        assertTrue(cutReason.contains("runs past the end of the file (" + ifdEnd + " bytes)"), cutReason);
    }

    @Test
    void aHeaderClaimingMorePixelsThanAllowedIsRefusedBeforeAnyPixelIsRead(@TempDir Path dir) throws Exception {
        Planes p = TestImages.random(1, 30, 20, 8, 3);
        Path f = writeImageIo(p, dir.resolve("small.tif"), "Deflate", ByteOrder.BIG_ENDIAN, 0);
        assertEquals("tif: 20x30 (600 pixels) exceeds max pixels (599)", reason(f, 599));
        // A bomb: 60000 x 50000 claimed by a file of a few hundred bytes.
        TiffFiles.set(f, 256, 0, 60_000);
        TiffFiles.set(f, 257, 0, 50_000);
        AtomicLong bytes = new AtomicLong();
        String m = assertThrows(BadImageException.class, () -> BandReaders.open(BandTestSupport.watched(f, bytes, new AtomicLong(),
                new java.util.concurrent.atomic.AtomicBoolean()), 89_478_485L))
                .getMessage();
        assertEquals("tif: 60000x50000 (3000000000 pixels) exceeds max pixels (89478485)", m);
        assertTrue(bytes.get() < Files.size(f), "the header only: " + bytes.get() + " bytes read");
    }

    @Test
    void jpegCompressedAndOtherUnreadLayoutsAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path p = BandTestSupport.photoAndVips("mate/nature/Dune.jpg");
        Path crop = dir.resolve("c.v");
        vips("extract_area", p.toString(), crop.toString(), "0", "0", "160", "96");
        Path jpegTif = dir.resolve("jpeg.tif");
        vips("tiffsave", crop.toString(), jpegTif.toString(), "--tile", "--compression", "jpeg");
        assertEquals("tif: compression 7 (JPEG) is not read in bands; only none (1), LZW (5), Deflate (8, 32946) and"
                + " PackBits (32773)", reason(jpegTif, Long.MAX_VALUE));
        Path zstd = dir.resolve("zstd.tif");
        vips("tiffsave", crop.toString(), zstd.toString(), "--compression", "zstd");
        assertTrue(reason(zstd, Long.MAX_VALUE).startsWith("tif: compression 50000 (Zstandard) is not read in bands"));
        Path gray = dir.resolve("g.v");
        vips("colourspace", crop.toString(), gray.toString(), "b-w");
        Path onebit = dir.resolve("1bit.tif");
        vips("tiffsave", gray.toString(), onebit.toString(), "--bitdepth", "1");
        assertEquals("tif: 1 bits per sample is not read in bands; only 8, 16 or 32", reason(onebit, Long.MAX_VALUE));
        Path fl = dir.resolve("float.tif");
        vips("cast", crop.toString(), fl.toString(), "float");
        assertEquals("tif: unsupported floating-point samples", reason(fl, Long.MAX_VALUE));
        Path cmyk = dir.resolve("cmyk.tif");
        vips("colourspace", crop.toString(), cmyk.toString(), "cmyk");
        assertTrue(reason(cmyk, Long.MAX_VALUE).startsWith("tif: photometric interpretation 5 (CMYK) is not read"),
                reason(cmyk, Long.MAX_VALUE));
    }
}
