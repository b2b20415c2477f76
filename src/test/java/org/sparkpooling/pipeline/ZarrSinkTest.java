package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.tensor.IntImage;

/** The Zarr sink alone, no Spark: chunk contents, metadata, bands, store paths and claims. */
class ZarrSinkTest {

    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    private static DownsampleSpec spec(DownsampleMode mode, int factor) {
        return new DownsampleSpec(mode, factor, 0, EdgeMode.PARTIAL, DownsampleSpec.DEFAULT_MAX_PIXELS);
    }

    private ZarrSink sink(int chunk) {
        return new ZarrSink(dir.toString(), spec(DownsampleMode.AVG, 2), chunk, false);
    }

    /** One task writing {@code bands} in order. */
    static void write(ZarrSink sink, ImageLevel... bands) throws IOException {
        write(sink, CONF, bands);
    }

    static void write(ZarrSink sink, Configuration conf, ImageLevel... bands) throws IOException {
        try (LevelWriter w = sink.open(conf)) {
            for (ImageLevel b : bands) {
                w.write(b);
            }
        }
    }

    /** Random unsigned samples of {@code bits}, extremes included. */
    static IntImage randomImage(int h, int w, int c, int bits, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        IntImage img = IntImage.allocate(h, w, c, bits);
        for (int i = 0; i < h * w * c; i++) {
            long v = switch (r.nextInt(8)) {
                case 0 -> 0;
                case 1 -> (1L << bits) - 1;
                default -> r.nextLong(1L << bits);
            };
            switch (bits) {
                case 8 -> img.bytes()[i] = (byte) v;
                case 16 -> img.shorts()[i] = (short) v;
                default -> img.ints()[i] = (int) v;
            }
        }
        return img;
    }

    /** The samples of {@code img} as a Zarr reader returns them: C x H x W, little-endian. */
    static byte[] expected(IntImage img) {
        return ZarrFiles.planar(img.interleavedBytes(), img.height(), img.width(), img.channels(), img.bitDepth() / 8);
    }

    @Test
    void chunksHoldTheLevelChannelByChannelForAwkwardSizes() throws IOException {
        int[][] sizes = {{1, 1}, {1, 7}, {5, 1}, {13, 17}, {16, 16}, {17, 16}, {31, 29}};
        int[] depths = {8, 16, 32};
        long seed = 1;
        for (int chunk : new int[] {1, 3, 4, 16, 512}) {
            for (int s = 0; s < sizes.length; s++) {
                int[] hw = sizes[s];
                if (chunk == 1 && hw[0] * hw[1] > 20) {
                    continue; // a file per sample: the small sizes say it all
                }
                for (int c = 1; c <= 4; c++) {
                    int bits = depths[(s + c + chunk) % 3]; // every depth meets every size, channel count and chunk
                    IntImage img = randomImage(hw[0], hw[1], c, bits, seed++);
                    String name = "i" + seed + ".png";
                    write(sink(chunk), ImageLevel.whole(name, 0, 1, new IntLevel(img)));
                    Path array = dir.resolve("zarr/i" + seed + ".zarr/0");
                    String what = img + " chunk " + chunk;
                    assertArrayEquals(expected(img), ZarrFiles.array(array), what);
                    JsonNode meta = ZarrFiles.json(array.resolve(".zarray"));
                    assertEquals(List.of(c, hw[0], hw[1]), ints(meta.get("shape")), what);
                    assertEquals(List.of(1, Math.min(chunk, hw[0]), Math.min(chunk, hw[1])), ints(meta.get("chunks")),
                            what);
                    assertEquals(Map.of(8, "|u1", 16, "<u2", 32, "<u4").get(bits), meta.get("dtype").asText(), what);
                }
            }
        }
    }

    @Test
    void theEdgeOfAChunkPastTheImageIsTheFillValue() {
        IntImage img = randomImage(5, 7, 2, 16, 3);
        for (int i = 0; i < img.shorts().length; i++) {
            img.shorts()[i] = (short) 0xffff; // nothing zero inside, so any zero is padding
        }
        byte[] raw = ZarrSink.chunk(new IntLevel(img), 1, 4, 4, 4, 4); // rows 4..8, columns 4..8 of 5 x 7
        for (int r = 0; r < 4; r++) {
            for (int x = 0; x < 4; x++) {
                boolean inside = r == 0 && x < 3;
                int v = (raw[2 * (r * 4 + x)] & 0xff) | (raw[2 * (r * 4 + x) + 1] & 0xff) << 8;
                assertEquals(inside ? 0xffff : 0, v, "row " + r + " column " + x);
            }
        }
    }

    @Test
    void floatPlanesKeepEveryBitNaNAndSignedZeroIncluded() throws IOException {
        float[] s = TestImages.randomFloats(3 * 9 * 11, 5);
        s[0] = Float.NaN;
        s[1] = Float.NEGATIVE_INFINITY;
        s[2] = -0.0f;
        s[3] = Float.intBitsToFloat(0x7fc12345); // a NaN with a payload
        Planes p = new Planes(3, 9, 11, Planes.FLOAT_DEPTH, s);
        write(sink(4), ImageLevel.whole("t/x.npy#2", 0, 1, p));
        Path array = dir.resolve("zarr/t/x.zarr/2/0");
        assertEquals("<f4", ZarrFiles.json(array.resolve(".zarray")).get("dtype").asText());
        byte[] got = ZarrFiles.array(array);
        for (int i = 0; i < s.length; i++) {
            int bits = (got[4 * i] & 0xff) | (got[4 * i + 1] & 0xff) << 8 | (got[4 * i + 2] & 0xff) << 16
                    | (got[4 * i + 3] & 0xff) << 24;
            assertEquals(Float.floatToRawIntBits(s[i]), bits, "sample " + i);
        }
        assertFalse(Files.exists(dir.resolve("zarr/t/x.zarr/.zattrs")), "image 2 does not write the record's root");
        write(sink(4), ImageLevel.whole("t/x.npy#0", 0, 1, p));
        JsonNode root = ZarrFiles.json(dir.resolve("zarr/t/x.zarr/.zattrs"));
        assertEquals(3, root.get("bioformats2raw.layout").asInt());
        assertEquals("t/x.npy", root.get("_creator").get("source").asText());
        JsonNode image = ZarrFiles.json(dir.resolve("zarr/t/x.zarr/0/.zattrs"));
        assertEquals("t/x.npy#0", image.get("multiscales").get(0).get("name").asText());
        assertFalse(image.has("omero"), "float planes have no display window");
    }

    @Test
    void metadataIsNgff04MultiscalesWithAScalePerLevel() throws IOException {
        ZarrSink sink = new ZarrSink(dir.toString(), new DownsampleSpec(DownsampleMode.MAX, 3, 0, EdgeMode.TRIM, 100), 512,
                false);
        IntImage img = randomImage(30, 28, 3, 8, 9);
        write(sink, ImageLevel.whole("a/rgb.png", 0, 3, new IntLevel(img)));
        Path store = dir.resolve("zarr/a/rgb.zarr");
        assertEquals(2, ZarrFiles.json(store.resolve(".zgroup")).get("zarr_format").asInt());
        JsonNode attrs = ZarrFiles.json(store.resolve(".zattrs"));
        JsonNode ms = attrs.get("multiscales").get(0);
        assertEquals("0.4", ms.get("version").asText());
        assertEquals("a/rgb.png", ms.get("name").asText());
        assertEquals("[{\"name\":\"c\",\"type\":\"channel\"},{\"name\":\"y\",\"type\":\"space\"},{\"name\":\"x\","
                + "\"type\":\"space\"}]", ms.get("axes").toString());
        assertEquals(4, ms.get("datasets").size(), "levels 0 to 3");
        for (int l = 0; l <= 3; l++) {
            JsonNode d = ms.get("datasets").get(l);
            assertEquals(Integer.toString(l), d.get("path").asText());
            JsonNode t = d.get("coordinateTransformations");
            assertEquals(1, t.size());
            assertEquals("scale", t.get(0).get("type").asText());
            double s = Math.pow(3, l);
            assertEquals("[1.0," + s + "," + s + "]", t.get(0).get("scale").toString());
        }
        assertEquals("max", ms.get("type").asText());
        assertEquals("{\"edge\":\"trim\",\"factor\":3,\"mode\":\"max\",\"sparse\":false}", ms.get("metadata").get("kwargs").toString());
        assertEquals("spark-pooling downsample", ms.get("metadata").get("method").asText());
        assertTrue(ms.get("metadata").get("description").asText().startsWith("3x3 max pooling, stride 3"));
        JsonNode omero = attrs.get("omero");
        assertEquals(3, omero.get("channels").size());
        assertEquals("FF0000", omero.get("channels").get(0).get("color").asText());
        assertEquals(255, omero.get("channels").get(2).get("window").get("end").asInt());
        assertFalse(attrs.has("image-label"));
        assertEquals("spark-pooling", attrs.get("_creator").get("name").asText());
        assertEquals("a/rgb.png", attrs.get("_creator").get("source").asText());

        JsonNode zarray = ZarrFiles.json(store.resolve("0/.zarray"));
        assertEquals("{\"chunks\":[1,30,28],\"compressor\":{\"id\":\"zstd\",\"level\":3},\"dimension_separator\":\"/\","
                + "\"dtype\":\"|u1\",\"fill_value\":0,\"filters\":null,\"order\":\"C\",\"shape\":[3,30,28],"
                + "\"zarr_format\":2}", zarray.toString());

        IntImage gray16 = randomImage(4, 4, 1, 16, 10);
        write(sink, ImageLevel.whole("g.png", 0, 1, new IntLevel(gray16)));
        JsonNode g = ZarrFiles.json(dir.resolve("zarr/g.zarr/.zattrs")).get("omero");
        assertEquals(65535, g.get("channels").get(0).get("window").get("max").asInt());
        assertEquals("greyscale", g.get("rdefs").get("model").asText());
    }

    @Test
    void labelImagesWriteImageLabelMetadataAndNoDisplayWindow() throws IOException {
        ZarrSink labels = new ZarrSink(dir.toString(), spec(DownsampleMode.MAX, 2), 8, true);
        IntImage ids = randomImage(9, 9, 1, 32, 11);
        write(labels, ImageLevel.whole("seg.tif", 0, 2, new IntLevel(ids)));
        JsonNode attrs = ZarrFiles.json(dir.resolve("zarr/seg.zarr/.zattrs"));
        assertEquals("{\"version\":\"0.4\"}", attrs.get("image-label").toString());
        assertFalse(attrs.has("omero"), "labels are ids, not intensities");
        assertEquals("<u4", ZarrFiles.json(dir.resolve("zarr/seg.zarr/0/.zarray")).get("dtype").asText());
        assertArrayEquals(expected(ids), ZarrFiles.array(dir.resolve("zarr/seg.zarr/0")), "ids above 2^24 kept");

        // The run's hook: mode, the label-safe mode, makes label pyramids; the others plain images.
        for (DownsampleMode m : DownsampleMode.values()) {
            assertEquals(m == DownsampleMode.MODE, ZarrSink.labelMode(m), m.label());
        }
    }

    /** Rows {@code y0 .. y1} of {@code img} as the band of a level of {@code img.height()} rows. */
    private static ImageLevel band(String name, LevelImage img, int y0, int y1) {
        LevelImage rows = ZarrSink.allocate(img, y1 - y0);
        ZarrSink.copyRows(img, y0, rows, 0, y1 - y0);
        return new ImageLevel(name, 0, 1, img.height(), y0, rows);
    }

    @Test
    void bandsOfAnyHeightInOneTaskAndChunkRowsApartMakeTheWholeLevelsStore() throws IOException {
        List<LevelImage> images = List.of(new IntLevel(randomImage(37, 23, 3, 16, 12)),
                new IntLevel(randomImage(37, 23, 1, 8, 13)), new IntLevel(randomImage(37, 23, 2, 32, 14)),
                new Planes(2, 37, 23, Planes.FLOAT_DEPTH, TestImages.randomFloats(2 * 37 * 23, 15)));
        for (LevelImage img : images) {
            Path whole = dir.resolve("whole-" + img.bitDepth() + "-" + img.channels());
            Path banded = dir.resolve("banded-" + img.bitDepth() + "-" + img.channels());
            Path apart = dir.resolve("apart-" + img.bitDepth() + "-" + img.channels());
            write(new ZarrSink(whole.toString(), spec(DownsampleMode.AVG, 2), 8, false), ImageLevel.whole("b.png", 0, 1, img));
            // One task, bands of heights that do and do not meet the chunk rows (8): carried rows.
            List<ImageLevel> bands = new java.util.ArrayList<>();
            int y = 0;
            for (int h : new int[] {1, 7, 10, 3, 3, 9, 4}) {
                bands.add(band("b.png", img, y, y + h));
                y += h;
            }
            assertEquals(37, y);
            write(new ZarrSink(banded.toString(), spec(DownsampleMode.AVG, 2), 8, false), bands.toArray(new ImageLevel[0]));
            ZarrFiles.assertSameTree(whole, banded);
            // Chunk rows apart, each by a task of its own, in any order.
            int[][] cuts = {{32, 37}, {0, 16}, {16, 32}};
            for (int[] cut : cuts) {
                write(new ZarrSink(apart.toString(), spec(DownsampleMode.AVG, 2), 8, false), band("b.png", img, cut[0],
                        cut[1]));
            }
            ZarrFiles.assertSameTree(whole, apart);
        }

        LevelImage img = images.get(0);
        ZarrSink sink = new ZarrSink(dir.resolve("refused").toString(), spec(DownsampleMode.AVG, 2), 8, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> write(sink, band("b.png", img, 4, 16)));
        assertEquals("band rows 4..16 of b.png level 0 (37 rows) begin inside a chunk row (chunk height 8): the task"
                + " with the rows above writes it", e.getMessage());
        assertThrows(IllegalStateException.class, () -> write(sink, band("b.png", img, 0, 8), band("b.png", img, 9, 16)),
                "a band that skips a row");
    }

    @Test
    void aRerunRewritesTheSameBytes() throws IOException {
        IntImage img = randomImage(20, 20, 2, 8, 13);
        ImageLevel level = ImageLevel.whole("r.png", 0, 1, new IntLevel(img));
        write(sink(8), level);
        Map<String, byte[]> first = ZarrFiles.tree(dir);
        write(sink(8), level);
        assertEquals(first.keySet(), ZarrFiles.tree(dir).keySet(), "no temporary file left beside the chunks");
        Map<String, byte[]> second = ZarrFiles.tree(dir);
        first.forEach((k, v) -> assertArrayEquals(v, second.get(k), k));
    }

    @Test
    void theTestFaultFailsATaskAfterItsChunks() {
        Configuration conf = new Configuration();
        conf.setInt(ZarrSink.FAIL_AFTER_CHUNKS, 5);
        IntImage img = randomImage(20, 20, 1, 8, 14);
        IOException e = assertThrows(IOException.class,
                () -> write(sink(4), conf, ImageLevel.whole("f.png", 0, 1, new IntLevel(img))));
        assertTrue(e.getMessage().startsWith("injected failure after 5 chunks"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("zarr/f.zarr/0/0/0/4")));
        assertFalse(Files.exists(dir.resolve("zarr/f.zarr/0/0/1/0")), "half written");
    }

    @Test
    void storePathsReplaceTheExtension() {
        assertEquals("zarr/a/b.zarr", ZarrClaims.store("a/b.jpg"));
        assertEquals("zarr/x.tar.zarr", ZarrClaims.store("x.tar.gz"));
        assertEquals("zarr/noext.zarr", ZarrClaims.store("noext"));
        assertEquals("zarr/d.x/.hidden.zarr", ZarrClaims.store("d.x/.hidden"), "a leading dot is not an extension");
        assertEquals("zarr/block-7.zarr", ZarrClaims.store("block-7"));
        Planes floats = new Planes(1, 1, 1, Planes.FLOAT_DEPTH, new float[1]);
        assertEquals("zarr/a/x.zarr/3", ZarrSink.imagePath("a/x.npy#3", floats));
        assertEquals("zarr/photo#1.zarr", ZarrSink.imagePath("photo#1.png", new IntLevel(randomImage(1, 1, 1, 8, 1))),
                "a file's # is part of its name");
    }

    @Test
    void twoInputsNeverShareAStoreAndTheFirstByPathKeepsIt() throws IOException {
        List<String> listed = List.of("b/c.png", "a.png", "a.zarr/b.png", "a.jpg", "b.png", "a.zarr/b/c.png");
        Map<String, String> refused = ZarrClaims.refused(CONF, dir.toString(), listed, Set.copyOf(listed), false);
        assertEquals(Set.of("a.png", "a.zarr/b.png", "a.zarr/b/c.png"), refused.keySet(), refused.toString());
        assertEquals("zarr: its store zarr/a.zarr is also the store of a.jpg, which comes first by path; not written",
                refused.get("a.png"));
        assertEquals("zarr: its store zarr/a.zarr/b.zarr lies inside the store of a.jpg (zarr/a.zarr); not written",
                refused.get("a.zarr/b.png"));
        // Only inputs still to do are refused; the claims are the same whatever was done before.
        assertEquals(Set.of("a.zarr/b.png"),
                ZarrClaims.refused(CONF, dir.toString(), listed, Set.of("a.zarr/b.png", "b.png"), false).keySet());
    }

    @Test
    void onResumeAStorePathHoldingSomethingElseIsRefusedAndOursIsNot() throws IOException {
        write(sink(8), ImageLevel.whole("ours.png", 0, 1, new IntLevel(randomImage(3, 3, 1, 8, 1))));
        write(sink(8), ImageLevel.whole("other.png", 0, 1, new IntLevel(randomImage(3, 3, 1, 8, 2))));
        Files.move(dir.resolve("zarr/other.zarr"), dir.resolve("zarr/moved.zarr")); // a store of another source
        Files.writeString(dir.resolve("zarr/file.zarr"), "keep me");
        Files.createDirectories(dir.resolve("zarr/notes.zarr"));
        Files.writeString(dir.resolve("zarr/notes.zarr/notes.txt"), "keep me too");
        Files.createDirectories(dir.resolve("zarr/empty.zarr"));
        Files.createDirectories(dir.resolve("zarr/temp.zarr"));
        Files.writeString(dir.resolve("zarr/temp.zarr/.zattrs" + OutputFiles.TEMP_MARK + "x"), "{");
        List<String> todo = List.of("ours.png", "moved.png", "file.png", "notes.png", "empty.png", "temp.png",
                "new.png");
        Map<String, String> refused = ZarrClaims.refused(CONF, dir.toString(), todo, Set.copyOf(todo), true);
        assertEquals(Map.of(
                "moved.png", "zarr: its store path zarr/moved.zarr holds another store (of other.png); left as it is",
                "file.png", "zarr: its store path zarr/file.zarr is a file that downsample did not write; left as it is",
                "notes.png", "zarr: its store path zarr/notes.zarr already holds notes.txt, not written by downsample;"
                        + " left as it is"), refused);
        assertNull(ZarrClaims.refused(CONF, dir.toString(), todo, Set.copyOf(todo), false).get("file.png"),
                "a fresh output has nothing to look at");
        assertEquals("keep me", Files.readString(dir.resolve("zarr/file.zarr")));
    }

    private static List<Integer> ints(JsonNode n) {
        List<Integer> out = new java.util.ArrayList<>();
        n.forEach(v -> out.add(v.asInt()));
        return out;
    }
}
