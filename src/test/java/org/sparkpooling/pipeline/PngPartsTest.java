package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.IntImage;

/**
 * PNGs joined from parts decoded by ImageIO, sample for sample against the source image, with
 * their chunks' CRCs checked and their zlib stream inflated by zlib ({@link Inflater}) to its end:
 * ImageIO stops once it has the rows, so only the inflater sees the combined Adler-32.
 */
class PngPartsTest {

    @Test
    void adlerCombineIsTheAdler32OfTheJoinedBytes() {
        Random r = new Random(1);
        int[] lengths = {0, 1, 2, 65520, 65521, 65522, 131042, 300_007, 0, 5};
        Adler32 whole = new Adler32();
        int combined = 1;
        for (int n : lengths) {
            byte[] b = new byte[n];
            r.nextBytes(b);
            Adler32 piece = new Adler32();
            piece.update(b);
            combined = PngParts.adlerCombine(combined, (int) piece.getValue(), n);
            whole.update(b);
            assertEquals((int) whole.getValue(), combined, "after a piece of " + n + " bytes");
        }
        // Bytes of all 0xff, the largest sums, split at every length up to a few bases.
        byte[] ff = new byte[3 * 65521 + 11];
        Arrays.fill(ff, (byte) 0xff);
        for (int cut = 0; cut <= ff.length; cut += 997) {
            assertEquals(adler(ff, 0, ff.length),
                    PngParts.adlerCombine(adler(ff, 0, cut), adler(ff, cut, ff.length - cut), ff.length - cut), "cut " + cut);
        }
        // A second piece longer than an int counts: after n zero bytes A stays and B gains n (A - 1),
        // so n zeros and n mod 65521 zeros have one Adler-32 whatever comes before.
        byte[] head = new byte[1000];
        r.nextBytes(head);
        long n = 5_000_000_017L;
        byte[] headAndZeros = Arrays.copyOf(head, head.length + (int) (n % 65521));
        byte[] zeros = new byte[(int) (n % 65521)];
        assertEquals(adler(headAndZeros, 0, headAndZeros.length),
                PngParts.adlerCombine(adler(head, 0, head.length), adler(zeros, 0, zeros.length), n));
        assertThrows(IllegalArgumentException.class, () -> PngParts.adlerCombine(1, 1, -1));
    }

    @Test
    void partsOfUnevenRowsDecodeAt8And16BitsAndOneToFourChannels() throws Exception {
        for (int bits : new int[] {8, 16}) {
            for (int c = 1; c <= 4; c++) {
                IntImage img = TestImages.random(c, 23, 17, bits, 10 * bits + c).toIntImage();
                checkDecodes(img, assembled(img, 5, 1, 9, 8), c + " channels " + bits + "-bit");
            }
        }
    }

    @Test
    void aSinglePartIsTheWholePng() throws Exception {
        for (int bits : new int[] {8, 16}) {
            IntImage img = TestImages.random(3, 31, 29, bits, bits).toIntImage();
            checkDecodes(img, assembled(img, 31), "one part, " + bits + "-bit");
            IntImage pixel = TestImages.random(4, 1, 1, bits, bits + 1).toIntImage();
            checkDecodes(pixel, assembled(pixel, 1), "one part of one pixel, " + bits + "-bit");
        }
    }

    @Test
    void aWidthOfOnePixelDecodes() throws Exception {
        for (int bits : new int[] {8, 16}) {
            for (int c = 1; c <= 4; c++) {
                IntImage img = TestImages.random(c, 40, 1, bits, 100 + 10 * bits + c).toIntImage();
                checkDecodes(img, assembled(img, 1, 13, 26), "width 1, " + c + " channels " + bits + "-bit");
            }
        }
    }

    /** Rows of 1024 filtered bytes: parts of 64 and 128 rows end exactly on a deflate block, with nothing pending. */
    @Test
    void partsEndingOnADeflateBlockBoundaryDecode() throws Exception {
        IntImage img = TestImages.random(1, 195, 1023, 8, 7).toIntImage();
        assertEquals(1024, PngEncoder.filteredBytes(1, 1023, 1, 8));
        checkDecodes(img, assembled(img, 64, 128, 3), "parts of 1, 2 and 3/64 blocks");
    }

    /**
     * Parts of many 64 KiB deflate blocks, one of a single row, whose joins fall inside IDAT
     * chunks; the parts opened one at a time. Random samples barely compress, so ~3.6 MB of
     * filtered rows make four chunks of 1 MiB or so.
     */
    @Test
    void partsSpanningManyDeflateBlocksAndIdatChunksDecode() throws Exception {
        IntImage rgba16 = TestImages.random(4, 700, 640, 16, 42).toIntImage();
        IntImage rgb8 = TestImages.random(3, 1000, 1200, 8, 43).toIntImage();
        for (IntImage img : new IntImage[] {rgba16, rgb8}) {
            int[] rows = img == rgba16 ? new int[] {251, 1, 300, 148} : new int[] {1, 499, 377, 123};
            List<byte[]> parts = parts(img, rows);
            long largest = 0;
            for (int k = 0; k < rows.length; k++) {
                largest = Math.max(largest, (long) rows[k] * PngEncoder.filteredBytes(1, img.width(), img.channels(), img.bitDepth()));
            }
            assertTrue(largest > 10L * HuffmanDeflater.BLOCK_BYTES, "a part of " + largest + " filtered bytes");
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            List<PngParts.Opener> openers = new ArrayList<>();
            for (byte[] p : parts) {
                openers.add(() -> new ByteArrayInputStream(p));
            }
            PngParts.assembleFrom(img.height(), img.width(), img.channels(), img.bitDepth(), openers, png);
            int idats = checkDecodes(img, png.toByteArray(), img.toString());
            assertTrue(idats >= 3, img + ": " + idats + " IDAT chunks");
        }
    }

    @Test
    void assembleFromOpensOnePartAtATimeAndClosesEach() throws Exception {
        IntImage img = TestImages.random(2, 30, 11, 16, 5).toIntImage();
        List<byte[]> parts = parts(img, 10, 10, 10);
        int[] open = new int[2]; // now, most at once
        List<Tracked> streams = new ArrayList<>();
        List<PngParts.Opener> openers = new ArrayList<>();
        for (byte[] p : parts) {
            openers.add(() -> {
                open[0]++;
                open[1] = Math.max(open[1], open[0]);
                Tracked t = new Tracked(new ByteArrayInputStream(p), () -> open[0]--);
                streams.add(t);
                return t;
            });
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        PngParts.assembleFrom(30, 11, 2, 16, openers, png);
        checkDecodes(img, png.toByteArray(), "opened one at a time");
        assertEquals(1, open[1], "parts open at once");
        assertEquals(0, open[0], "parts left open");
        assertEquals(3, streams.size());

        // A part that fails is closed too.
        streams.clear();
        openers.set(1, () -> {
            Tracked t = new Tracked(new ByteArrayInputStream(Arrays.copyOf(parts.get(1), 100)), () -> { });
            streams.add(t);
            return t;
        });
        assertThrows(IOException.class, () -> PngParts.assembleFrom(30, 11, 2, 16, openers, OutputStream.nullOutputStream()));
        assertTrue(streams.get(0).closed && streams.get(1).closed, "both parts read so far are closed");
    }

    /** The caller's streams are read to their ends and left open, and so is out. */
    @Test
    void assembleReadsTheGivenStreamsToTheirEndsAndClosesNothing() throws Exception {
        IntImage img = TestImages.random(1, 9, 6, 8, 6).toIntImage();
        List<Tracked> streams = new ArrayList<>();
        for (byte[] p : parts(img, 4, 5)) {
            streams.add(new Tracked(new ByteArrayInputStream(p), () -> { }));
        }
        boolean[] outClosed = new boolean[1];
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        OutputStream out = new FilterOutputStream(bytes) {
            @Override
            public void close() {
                outClosed[0] = true;
            }
        };
        PngParts.assemble(9, 6, 1, 8, streams, out);
        checkDecodes(img, bytes.toByteArray(), "given streams");
        for (Tracked t : streams) {
            assertEquals(-1, t.read(), "read to its end");
            assertTrue(!t.closed, "left open");
        }
        assertTrue(!outClosed[0], "out left open");
    }

    @Test
    void rowsThatDoNotAddUpAreRefusedNamingThem() throws Exception {
        IntImage img = TestImages.random(3, 23, 17, 8, 8).toIntImage();
        IllegalArgumentException fewer = assertThrows(IllegalArgumentException.class,
                () -> PngParts.assemble(23, 17, 3, 8, streams(parts(img, 5, 9)), OutputStream.nullOutputStream()));
        assertEquals("the parts' rows (14 in 2 parts) must add up to the height (23)", fewer.getMessage());
        List<byte[]> more = parts(img, 5, 9, 9);
        more.add(parts(img, 1).get(0));
        IllegalArgumentException over = assertThrows(IllegalArgumentException.class,
                () -> PngParts.assemble(23, 17, 3, 8, streams(more), OutputStream.nullOutputStream()));
        assertEquals("the parts' rows must add up to the height (23), but parts[0..3] hold 24 (parts[3] has 1)",
                over.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> PngParts.assemble(23, 17, 3, 8, List.of(), OutputStream.nullOutputStream()));
        assertEquals("the parts' rows (0 in 0 parts) must add up to the height (23)", none.getMessage());
    }

    @Test
    void aPartOfAnotherWidthChannelsOrDepthIsRefusedNamingIt() throws Exception {
        IntImage img = TestImages.random(3, 20, 17, 8, 9).toIntImage();
        List<byte[]> parts = parts(img, 10, 10);
        parts.set(1, parts(TestImages.random(3, 10, 16, 8, 9).toIntImage(), 10).get(0));
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> PngParts.assemble(20, 17, 3, 8, streams(parts), OutputStream.nullOutputStream()));
        assertEquals("parts[1] (of 2) has rows 16 wide of 3 channels at 8 bits, the PNG's are 17 wide of 3 channels"
                + " at 8 bits", width.getMessage());
        parts.set(1, parts(TestImages.random(4, 10, 17, 8, 9).toIntImage(), 10).get(0));
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> PngParts.assemble(20, 17, 3, 8, streams(parts), OutputStream.nullOutputStream()));
        assertTrue(channels.getMessage().contains("of 4 channels"), channels.getMessage());
        parts.set(1, parts(TestImages.random(3, 10, 17, 16, 9).toIntImage(), 10).get(0));
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class,
                () -> PngParts.assemble(20, 17, 3, 8, streams(parts), OutputStream.nullOutputStream()));
        assertTrue(depth.getMessage().contains("at 16 bits"), depth.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> PngParts.writePart(IntImage.allocate(2, 2, 1, 32), OutputStream.nullOutputStream()));
        assertEquals("a part of 2x2x1 32-bit has no PNG form (8 or 16 bits, 1 to 4 channels)", labels.getMessage());
    }

    /** Cut anywhere (in the header, the segment, the sync flush, the trailer), or grown, a part is an IOException naming it. */
    @Test
    void aTruncatedOrDamagedPartIsAnIOExceptionNamingIt() throws Exception {
        IntImage img = TestImages.random(3, 40, 300, 8, 10).toIntImage();
        List<byte[]> parts = parts(img, 12, 28);
        byte[] second = parts.get(1);
        int n = second.length;
        for (int cut : new int[] {0, 1, 31, 32, 33, 40, n / 2, n - 21, n - 20, n - 17, n - 16, n - 5, n - 4, n - 1}) {
            parts.set(1, Arrays.copyOf(second, cut));
            IOException e = assertThrows(IOException.class,
                    () -> PngParts.assemble(40, 300, 3, 8, streams(parts), OutputStream.nullOutputStream()), "cut at " + cut);
            assertTrue(e.getMessage().startsWith("parts[1] (of 2) ends after " + cut + " bytes"), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
        parts.set(1, Arrays.copyOf(second, n + 3));
        IOException grown = assertThrows(IOException.class,
                () -> PngParts.assemble(40, 300, 3, 8, streams(parts), OutputStream.nullOutputStream()));
        assertTrue(grown.getMessage().startsWith("parts[1] (of 2) ends after " + (n + 3) + " bytes"), grown.getMessage());
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        PngEncoder.write(img, png);
        parts.set(1, png.toByteArray());
        IOException notAPart = assertThrows(IOException.class,
                () -> PngParts.assemble(40, 300, 3, 8, streams(parts), OutputStream.nullOutputStream()));
        assertEquals("parts[1] (of 2) starts with 89504e470d0a1a0a, not a PNG part's 504e475041525401",
                notAPart.getMessage());
    }

    /** Rows {@code [y, y + n)} of {@code img}. */
    private static IntImage stripe(IntImage img, int y, int n) {
        int row = img.width() * img.channels();
        if (img.bitDepth() == 8) {
            return IntImage.of8(n, img.width(), img.channels(), Arrays.copyOfRange(img.bytes(), y * row, (y + n) * row));
        }
        return IntImage.of16(n, img.width(), img.channels(), Arrays.copyOfRange(img.shorts(), y * row, (y + n) * row));
    }

    /** {@code img} cut into parts of {@code rows} rows each, from the top. */
    private static List<byte[]> parts(IntImage img, int... rows) throws IOException {
        List<byte[]> parts = new ArrayList<>();
        int y = 0;
        for (int n : rows) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PngParts.writePart(stripe(img, y, n), out);
            parts.add(out.toByteArray());
            y += n;
        }
        return parts;
    }

    private static List<InputStream> streams(List<byte[]> parts) {
        return parts.stream().<InputStream>map(ByteArrayInputStream::new).toList();
    }

    private static byte[] assembled(IntImage img, int... rows) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        PngParts.assemble(img.height(), img.width(), img.channels(), img.bitDepth(), streams(parts(img, rows)), png);
        return png.toByteArray();
    }

    /**
     * Checks the chunks (signature, CRCs, IHDR first and IEND last), inflates the IDAT data with
     * zlib to its end (its Adler-32 checked, nothing after it) into the whole image's Sub-filtered
     * rows, then decodes the PNG with ImageIO and compares every sample. Returns the IDAT chunks.
     */
    private static int checkDecodes(IntImage img, byte[] png, String what) throws IOException, DataFormatException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(png));
        byte[] signature = new byte[8];
        in.readFully(signature);
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, signature, what);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        List<String> types = new ArrayList<>();
        while (in.available() > 0) {
            int length = in.readInt();
            byte[] typeAndData = new byte[4 + length];
            in.readFully(typeAndData);
            CRC32 crc = new CRC32();
            crc.update(typeAndData);
            assertEquals((int) crc.getValue(), in.readInt(), what + ": CRC of chunk " + types.size());
            String type = new String(typeAndData, 0, 4, StandardCharsets.US_ASCII);
            types.add(type);
            if (type.equals("IDAT")) {
                assertTrue(length <= PngEncoder.IDAT_BYTES, what + ": an IDAT of " + length + " bytes");
                idat.write(typeAndData, 4, length);
            }
        }
        assertEquals("IHDR", types.get(0), what);
        assertEquals("IEND", types.get(types.size() - 1), what);
        int idats = (int) types.stream().filter("IDAT"::equals).count();
        assertEquals(types.size() - 2, idats, what + ": only IDATs between IHDR and IEND: " + types);

        byte[] filtered = new byte[PngEncoder.filteredBytes(img.height(), img.width(), img.channels(), img.bitDepth())];
        PngEncoder.subFilter(img, 0, img.height(), filtered);
        Inflater inflater = new Inflater();
        inflater.setInput(idat.toByteArray());
        byte[] inflated = new byte[filtered.length + 1];
        int got = 0;
        while (!inflater.finished()) {
            int n = inflater.inflate(inflated, got, inflated.length - got);
            if (n == 0 && (inflater.needsInput() || got == inflated.length)) {
                fail(what + ": the zlib stream ends before its final block, after " + got + " bytes");
            }
            got += n;
        }
        assertEquals(0, inflater.getRemaining(), what + ": bytes after the Adler-32");
        inflater.end();
        assertEquals(filtered.length, got, what + ": inflated bytes");
        assertArrayEquals(filtered, Arrays.copyOf(inflated, got), what + ": the whole image's filtered rows");

        BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(img.width(), decoded.getWidth(), what);
        assertEquals(img.height(), decoded.getHeight(), what);
        Raster raster = decoded.getRaster();
        assertEquals(img.channels(), raster.getNumBands(), what);
        assertEquals(img.bitDepth(), decoded.getColorModel().getComponentSize(0), what);
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                for (int c = 0; c < img.channels(); c++) {
                    if (raster.getSample(x, y, c) != img.get(y, x, c)) {
                        fail(what + ": sample (" + y + ", " + x + ", " + c + ") decodes to " + raster.getSample(x, y, c)
                                + ", not " + img.get(y, x, c));
                    }
                }
            }
        }
        return idats;
    }

    private static int adler(byte[] b, int off, int len) {
        Adler32 a = new Adler32();
        a.update(b, off, len);
        return (int) a.getValue();
    }

    /** A stream that records that it was closed, and runs {@code onClose} once. */
    private static final class Tracked extends FilterInputStream {
        private final Runnable onClose;
        private boolean closed;

        Tracked(InputStream in, Runnable onClose) {
            super(in);
            this.onClose = onClose;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                onClose.run();
            }
            super.close();
        }
    }
}
