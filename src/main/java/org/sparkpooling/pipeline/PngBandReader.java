package org.sparkpooling.pipeline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.sparkpooling.tensor.IntImage;

/**
 * PNG read row by row, streaming, over {@link Inflater}: every bit depth (1, 2, 4, 8, 16) and colour
 * type (gray, gray + alpha, RGB, RGBA, palette), with samples identical to {@link ImageDecoder}'s
 * (ImageIO's PNG reader followed by its conversion): 1/2/4-bit gray scaled to 8 bits; a palette
 * looked up, built as ImageIO builds it (padded to {@code 2^depth} entries; gray when every entry is,
 * alpha when tRNS gives any); a tRNS colour in a gray or RGB image adds an alpha channel (0 where a
 * pixel equals it, as ImageIO does: for 1/2/4-bit gray it compares the scaled sample with the tRNS
 * value, ImageIO's quirk kept so the samples stay the same). Gamma, sBIT and ICC chunks change
 * nothing, as in ImageIO.
 *
 * <p>PNG rows are one Deflate stream and each row is filtered against the one above, so rows can
 * only be decoded in order: the reader keeps its place and reads forward; a band above the last one
 * read restarts from the first IDAT chunk. Reading the bands top to bottom decodes the file once;
 * any other order costs up to the rows above each band again. Memory: the band, two rows, the
 * 32 KiB window and a 64 KiB read buffer. Interlaced (Adam7) files are refused: their rows are
 * spread over seven passes through the whole stream.
 *
 * <p>Chunk CRCs are not checked (ImageIO does not either); chunks after the image data are not read.
 */
final class PngBandReader implements BandReader {

    static final String FORMAT = "png";

    private static final int IHDR = 0x49484452;
    private static final int PLTE = 0x504c5445;
    private static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454e44;
    private static final int TRNS = 0x74524e53;

    private static final int GRAY = 0;
    private static final int RGB = 2;
    private static final int PALETTE = 3;
    private static final int GRAY_ALPHA = 4;

    private static final int BLOCK = 64 * 1024;

    private final ByteSource src;
    private final int width;
    private final int height;
    private final int depth;
    private final int colorType;
    private final int channels;
    private final int outBits;
    private final int rowBytes;
    /** Bytes a filter looks back: one pixel, at least one byte. */
    private final int filterStep;
    private final long firstIdat;
    /** Palette lookup, one table per output channel; null for other colour types. */
    private final byte[][] lut;
    /** tRNS colour of a gray ([0]) or RGB image; null when there is none. */
    private final int[] transparent;

    private final Inflater inflater = new Inflater();
    private InputStream pixels;
    private int nextRow;
    private byte[] prior;
    private byte[] curr;

    private PngBandReader(ByteSource src, long maxPixels) throws BadImageException, IOException {
        this.src = src;
        byte[] h = new byte[33];
        if (src.length() < h.length) {
            throw header("file of " + src.length() + " bytes is shorter than a PNG header");
        }
        src.readFully(0, h, 0, h.length);
        if (int32(h, 8) != 13 || int32(h, 12) != IHDR) {
            throw header("the first chunk is not a 13-byte IHDR");
        }
        long w = int32(h, 16) & 0xffffffffL;
        long ht = int32(h, 20) & 0xffffffffL;
        depth = h[24] & 0xff;
        colorType = h[25] & 0xff;
        if (w < 1 || ht < 1 || w > Integer.MAX_VALUE || ht > Integer.MAX_VALUE) {
            throw header("size " + w + "x" + ht + " is not a size");
        }
        long pixelCount = w * ht;
        if (pixelCount > maxPixels) {
            throw new BadImageException(FORMAT + ": " + w + "x" + ht + " (" + pixelCount + " pixels) exceeds max pixels ("
                    + maxPixels + ")");
        }
        width = (int) w;
        height = (int) ht;
        int samples = switch (colorType) {
            case GRAY, PALETTE -> 1;
            case RGB -> 3;
            case GRAY_ALPHA -> 2;
            case 6 -> 4;
            default -> throw header("colour type " + colorType + " (must be 0, 2, 3, 4 or 6)");
        };
        boolean depthOk = switch (colorType) {
            case GRAY -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            case PALETTE -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
            default -> depth == 8 || depth == 16;
        };
        if (!depthOk) {
            throw header("bit depth " + depth + " with colour type " + colorType);
        }
        if (h[26] != 0 || h[27] != 0) {
            throw header("unknown compression (" + h[26] + ") or filter method (" + h[27] + ")");
        }
        if (h[28] == 1) {
            throw new BadImageException(FORMAT + ": interlaced (Adam7) PNG cannot be read in bands: its rows are spread"
                    + " over seven passes through the whole image; decode it whole (within the budget) or re-save it"
                    + " without interlacing");
        }
        if (h[28] != 0) {
            throw header("unknown interlace method " + h[28]);
        }
        long bitsPerRow = w * samples * depth;
        if ((bitsPerRow + 7) / 8 > IntImage.MAX_SAMPLES - 1 || w * 4 > IntImage.MAX_SAMPLES) {
            throw new BadImageException(FORMAT + ": a row of " + w + " pixels exceeds one Java array");
        }
        rowBytes = (int) ((bitsPerRow + 7) / 8);
        filterStep = Math.max(1, samples * depth / 8);
        outBits = depth == 16 ? 16 : 8;

        // The chunks before the image data: PLTE and tRNS are all a decode needs.
        byte[][] palette = null;
        int[] trns = null;
        byte[] trnsAlpha = null;
        long at = 33;
        while (true) {
            if (at > src.length() - 8) {
                throw corrupt("the file ends at offset " + src.length() + " before any image data (IDAT)");
            }
            byte[] c = new byte[8];
            src.readFully(at, c, 0, 8);
            long len = int32(c, 0) & 0xffffffffL;
            int type = int32(c, 4);
            if (type == IDAT) {
                break; // image data cut short is found by the band that reaches the cut
            }
            if (len > Integer.MAX_VALUE || at + 12 + len > src.length()) {
                throw corrupt("chunk " + chunkName(type) + " at offset " + at + " (" + len + " bytes) runs past the end of"
                        + " the file (" + src.length() + " bytes)");
            }
            if (type == IEND) {
                throw corrupt("no image data (IEND before any IDAT)");
            }
            if (type == PLTE && colorType == PALETTE) {
                if (palette != null) {
                    throw corrupt("A PNG image may not contain more than one PLTE chunk");
                }
                palette = readPalette(at + 8, (int) len);
            } else if (type == TRNS) {
                byte[] t = new byte[(int) len];
                src.readFully(at + 8, t, 0, t.length);
                if (colorType == PALETTE) {
                    if (palette == null) {
                        throw corrupt("tRNS chunk without prior PLTE chunk");
                    }
                    if (t.length > palette[0].length) {
                        throw corrupt("tRNS chunk has more entries than prior PLTE chunk");
                    }
                    trnsAlpha = t;
                } else if (colorType == GRAY) {
                    if (len != 2) {
                        throw corrupt("tRNS chunk for gray image must have length 2");
                    }
                    trns = new int[] {uint16(t, 0)};
                } else if (colorType == RGB) {
                    if (len != 6) {
                        throw corrupt("tRNS chunk for RGB image must have length 6");
                    }
                    trns = new int[] {uint16(t, 0), uint16(t, 2), uint16(t, 4)};
                } else {
                    throw corrupt("Gray+Alpha and RGBA images may not have a tRNS chunk");
                }
            }
            at += 12 + len;
        }
        firstIdat = at;
        transparent = trns;
        if (colorType == PALETTE) {
            if (palette == null) {
                throw corrupt("Required PLTE chunk missing");
            }
            lut = lookup(palette, trnsAlpha);
            channels = lut.length;
        } else {
            lut = null;
            channels = samples + (trns != null ? 1 : 0);
        }
    }

    /** Opens the PNG in {@code src} (its signature already checked): reads the chunks before the image data. */
    static PngBandReader open(ByteSource src, long maxPixels) throws BadImageException {
        try {
            return new PngBandReader(src, maxPixels);
        } catch (IOException e) {
            throw new BadImageException(FORMAT + ": unreadable header: " + BandReaders.message(e), e);
        }
    }

    /** PLTE as ImageIO keeps it: at most {@code 2^depth} entries, in arrays of 2, 4, 16 or 256. */
    private byte[][] readPalette(long at, int len) throws IOException, BadImageException {
        int entries = len / 3;
        int max = 1 << depth;
        if (entries > max) {
            throw corrupt("PLTE chunk contains too many entries for bit depth");
        }
        int size = entries > 16 ? 256 : entries > 4 ? 16 : entries > 2 ? 4 : 2;
        byte[] p = new byte[entries * 3];
        src.readFully(at, p, 0, p.length);
        byte[][] rgb = new byte[3][size];
        for (int i = 0; i < entries; i++) {
            for (int c = 0; c < 3; c++) {
                rgb[c][i] = p[3 * i + c];
            }
        }
        return rgb;
    }

    /**
     * The lookup tables {@link ImageDecoder} makes from ImageIO's IndexColorModel: the palette padded
     * to {@code 2^depth} entries with its last, tRNS alpha padded with 255; gray when every entry is
     * gray, alpha when any is not 255.
     */
    private byte[][] lookup(byte[][] palette, byte[] trnsAlpha) {
        int n = 1 << depth;
        byte[][] rgb = new byte[3][];
        for (int c = 0; c < 3; c++) {
            rgb[c] = Arrays.copyOf(palette[c], Math.max(n, palette[c].length));
            Arrays.fill(rgb[c], palette[c].length, rgb[c].length, palette[c][palette[c].length - 1]);
        }
        n = rgb[0].length;
        byte[] alpha = new byte[n];
        Arrays.fill(alpha, (byte) 255);
        if (trnsAlpha != null) {
            System.arraycopy(trnsAlpha, 0, alpha, 0, trnsAlpha.length);
        }
        boolean gray = true;
        boolean hasAlpha = false;
        for (int i = 0; i < n; i++) {
            gray &= rgb[0][i] == rgb[1][i] && rgb[1][i] == rgb[2][i];
            hasAlpha |= alpha[i] != (byte) 255;
        }
        int ch = (gray ? 1 : 3) + (hasAlpha ? 1 : 0);
        byte[][] out = new byte[ch][];
        int c = 0;
        out[c++] = rgb[0];
        if (!gray) {
            out[c++] = rgb[1];
            out[c++] = rgb[2];
        }
        if (hasAlpha) {
            out[c] = alpha;
        }
        return out;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int bitDepth() {
        return outBits;
    }

    @Override
    public IntImage readRows(int y0, int rows) throws BadImageException {
        BandReader.checkBand(this, y0, rows);
        IntImage band = IntImage.allocate(rows, width, channels, outBits);
        try {
            if (pixels == null || y0 < nextRow) {
                restart();
            }
            while (nextRow < y0) {
                decodeRow();
            }
            for (int y = 0; y < rows; y++) {
                decodeRow();
                convert(curr, y, band);
            }
            return band;
        } catch (EOFException e) {
            pixels = null;
            throw corrupt("the image data ends at row " + nextRow + " of " + height);
        } catch (IOException e) {
            pixels = null;
            throw new BadImageException(FORMAT + ": truncated or corrupt: " + BandReaders.message(e) + " (at row "
                    + nextRow + " of " + height + ")", e);
        }
    }

    private void restart() {
        inflater.reset();
        pixels = new InflaterInputStream(new IdatStream(), inflater, BLOCK);
        nextRow = 0;
        prior = new byte[rowBytes];
        curr = new byte[rowBytes];
    }

    /** The next row, unfiltered, into {@code curr}. */
    private void decodeRow() throws IOException {
        byte[] t = prior;
        prior = curr;
        curr = t;
        int filter = pixels.read();
        if (filter < 0 || pixels.readNBytes(curr, 0, rowBytes) < rowBytes) {
            throw new EOFException();
        }
        int bpp = filterStep;
        byte[] c = curr;
        byte[] p = prior;
        switch (filter) {
            case 0 -> {
            }
            case 1 -> {
                for (int i = bpp; i < rowBytes; i++) {
                    c[i] += c[i - bpp];
                }
            }
            case 2 -> {
                for (int i = 0; i < rowBytes; i++) {
                    c[i] += p[i];
                }
            }
            case 3 -> {
                for (int i = 0; i < bpp; i++) {
                    c[i] += (byte) ((p[i] & 0xff) >>> 1);
                }
                for (int i = bpp; i < rowBytes; i++) {
                    c[i] += (byte) (((c[i - bpp] & 0xff) + (p[i] & 0xff)) >>> 1);
                }
            }
            case 4 -> {
                for (int i = 0; i < bpp; i++) {
                    c[i] += p[i];
                }
                for (int i = bpp; i < rowBytes; i++) {
                    c[i] += (byte) paeth(c[i - bpp] & 0xff, p[i] & 0xff, p[i - bpp] & 0xff);
                }
            }
            default -> throw new IOException("Unknown row filter type (= " + filter + ")");
        }
        nextRow++;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /** One unfiltered row into band row {@code y}, as ImageDecoder's samples. */
    private void convert(byte[] row, int y, IntImage band) {
        int k = y * width * channels;
        if (depth == 16) {
            short[] o = band.shorts();
            int samples = colorType == GRAY ? 1 : colorType == RGB ? 3 : colorType == GRAY_ALPHA ? 2 : 4;
            if (transparent == null) {
                for (int i = 0; i < width * samples; i++) {
                    o[k + i] = (short) ((row[2 * i] & 0xff) << 8 | (row[2 * i + 1] & 0xff));
                }
                return;
            }
            for (int x = 0, i = 0; x < width; x++) {
                boolean match = true;
                for (int s = 0; s < samples; s++, i++) {
                    int v = (row[2 * i] & 0xff) << 8 | (row[2 * i + 1] & 0xff);
                    match &= v == transparent[s];
                    o[k++] = (short) v;
                }
                o[k++] = (short) (match ? 0 : 0xffff);
            }
            return;
        }
        byte[] o = band.bytes();
        if (colorType == PALETTE || (colorType == GRAY && depth < 8)) {
            int max = (1 << depth) - 1;
            int perByte = 8 / depth;
            for (int x = 0; x < width; x++) {
                int shift = 8 - depth * (x % perByte + 1);
                int v = ((row[x / perByte] & 0xff) >>> shift) & max;
                if (lut != null) {
                    for (int c = 0; c < channels; c++) {
                        o[k++] = lut[c][v];
                    }
                } else if (transparent == null) {
                    o[k++] = (byte) (v * 255 / max); // ImageDecoder's rint(v * 255 / max): exact for 1, 2, 4 bits
                } else {
                    int scaled = (v * 255 + max / 2) / max; // ImageIO's own scaling, then its tRNS test on the result
                    o[k++] = (byte) scaled;
                    o[k++] = (byte) (scaled == transparent[0] ? 0 : 255);
                }
            }
            return;
        }
        if (transparent == null) {
            System.arraycopy(row, 0, o, k, rowBytes);
            return;
        }
        int samples = transparent.length;
        for (int x = 0, i = 0; x < width; x++) {
            boolean match = true;
            for (int s = 0; s < samples; s++, i++) {
                match &= (row[i] & 0xff) == transparent[s];
                o[k++] = row[i];
            }
            o[k++] = (byte) (match ? 0 : 255);
        }
    }

    /** The data of the consecutive IDAT chunks from the first, as one stream. */
    private final class IdatStream extends InputStream {
        private long next = firstIdat;
        private long pos;
        private long end;

        private boolean advance() throws IOException {
            while (pos == end) {
                if (next > src.length() - 8) {
                    return false;
                }
                byte[] c = new byte[8];
                src.readFully(next, c, 0, 8);
                if (int32(c, 4) != IDAT) {
                    return false;
                }
                long len = int32(c, 0) & 0xffffffffL;
                pos = next + 8;
                end = Math.min(src.length(), pos + len);
                next = pos + len + 4;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!advance()) {
                return -1;
            }
            int n = (int) Math.min(len, end - pos);
            src.readFully(pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static int int32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static int uint16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    private static String chunkName(int type) {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int v = (type >>> (24 - 8 * i)) & 0xff;
            c[i] = v >= 32 && v < 127 ? (char) v : '?';
        }
        return new String(c);
    }

    private static BadImageException header(String why) {
        return new BadImageException(FORMAT + ": unreadable header: " + why);
    }

    private static BadImageException corrupt(String why) {
        return new BadImageException(FORMAT + ": truncated or corrupt: " + why);
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        src.close();
    }

    @Override
    public String toString() {
        return "PNG " + width + "x" + height + ", colour type " + colorType + ", " + depth + "-bit, next row " + nextRow;
    }
}
