package org.sparkpooling.pipeline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import org.sparkpooling.tensor.IntImage;

/**
 * TIFF and BigTIFF (TIFF 6.0; BigTIFF's 64-bit offsets, for files over 4 GB), tiled or stripped,
 * read band by band: a band reads and decodes only the tiles or strips that cover its rows, each
 * streamed row by row, so a band costs its own samples plus one row of one tile and the read and
 * inflate buffers, whatever the image's size; a strip of the whole image (common) is decoded from
 * its start to the band's last row, and no further. Bands may be read in any order at no extra
 * cost, but for the tile rows two bands share (see {@link #rowAlignment()}).
 *
 * <p>Reads the first image (IFD), as {@link ImageDecoder} does: compression none, LZW, Deflate and
 * Adobe Deflate, PackBits; horizontal predictor (2) for LZW and Deflate at 8, 16 and 32 bits (as
 * ImageIO, it is ignored for the others); 1 to 4 unsigned integer samples of 8, 16 or 32 bits;
 * chunky or separate planes; PhotometricInterpretation BlackIsZero, WhiteIsZero (inverted, every
 * sample, alpha too, exactly as ImageIO's TIFF reader does, so the samples are ImageDecoder's) and
 * RGB; the extra sample (2 or 4 samples per pixel) is alpha, un-premultiplied as Java 2D does when
 * ExtraSamples says associated alpha; either byte order. Everything else is refused with the
 * reason: JPEG and the other compressions, palette, CMYK, YCbCr and CIE Lab, 1/2/4-bit, signed
 * and floating-point samples, floating-point predictor, FillOrder 2, TIFF 5 LZW.
 *
 * <p>A tile that is truncated or corrupt (the decompressor fails, or its data ends before the rows
 * it must hold), or whose offset and byte count point past the end of the file, is a
 * {@link BadImageException} naming the tile (row and column of tiles, or strip) and the offset.
 * This is stricter than ImageIO, which gives zeros for a Deflate tile that ends early.
 */
final class TiffBandReader implements BandReader {

    static final String FORMAT = "tif";

    private static final int NONE = 1;
    private static final int LZW = 5;
    private static final int DEFLATE = 8;
    private static final int ADOBE_DEFLATE = 32946;
    private static final int PACKBITS = 32773;

    private static final int WHITE_IS_ZERO = 0;
    private static final int RGB = 2;

    private static final int TAG_WIDTH = 256;
    private static final int TAG_HEIGHT = 257;
    private static final int TAG_BITS = 258;
    private static final int TAG_COMPRESSION = 259;
    private static final int TAG_PHOTOMETRIC = 262;
    private static final int TAG_FILL_ORDER = 266;
    private static final int TAG_STRIP_OFFSETS = 273;
    private static final int TAG_SAMPLES = 277;
    private static final int TAG_ROWS_PER_STRIP = 278;
    private static final int TAG_STRIP_COUNTS = 279;
    private static final int TAG_PLANAR = 284;
    private static final int TAG_PREDICTOR = 317;
    private static final int TAG_COLOR_MAP = 320;
    private static final int TAG_TILE_WIDTH = 322;
    private static final int TAG_TILE_HEIGHT = 323;
    private static final int TAG_TILE_OFFSETS = 324;
    private static final int TAG_TILE_COUNTS = 325;
    private static final int TAG_EXTRA_SAMPLES = 338;
    private static final int TAG_SAMPLE_FORMAT = 339;

    /** Read-ahead for a tile's compressed bytes: one positioned read per block. */
    private static final int BLOCK = 64 * 1024;

    /** One IFD entry: where its values are in the file (or, when they fit in the entry, the values). */
    private record Field(int tag, int type, long count, long position, byte[] inline) {
    }

    private final ByteSource src;
    private final boolean little;
    private final boolean big;
    private final int width;
    private final int height;
    private final int samples;
    private final int bits;
    private final int compression;
    private final boolean predict;
    private final boolean whiteIsZero;
    private final boolean premultiplied;
    private final boolean planes;
    private final boolean tiled;
    private final int chunkWidth;
    private final int chunkHeight;
    private final int across;
    private final int down;
    private final Field offsets;
    private final Field counts;
    private final Inflater inflater = new Inflater();

    private TiffBandReader(ByteSource src, boolean little, boolean big, Map<Integer, Field> ifd, long maxPixels)
            throws BadImageException, IOException {
        this.src = src;
        this.little = little;
        this.big = big;
        long w = scalar(ifd, TAG_WIDTH, -1);
        long h = scalar(ifd, TAG_HEIGHT, -1);
        if (w < 0 || h < 0) {
            throw header("no ImageWidth or ImageLength");
        }
        long pixels = w * h;
        if (w > Integer.MAX_VALUE || h > Integer.MAX_VALUE || pixels > maxPixels) {
            throw new BadImageException(FORMAT + ": " + w + "x" + h + " (" + pixels + " pixels) exceeds max pixels ("
                    + maxPixels + ")");
        }
        if (w < 1 || h < 1) {
            throw new BadImageException(FORMAT + ": header size " + w + "x" + h + " is empty");
        }
        width = (int) w;
        height = (int) h;
        compression = (int) scalar(ifd, TAG_COMPRESSION, NONE);
        if (compression != NONE && compression != LZW && compression != DEFLATE && compression != ADOBE_DEFLATE
                && compression != PACKBITS) {
            throw new BadImageException(FORMAT + ": compression " + compression + " (" + compressionName(compression)
                    + ") is not read in bands; only none (1), LZW (5), Deflate (8, 32946) and PackBits (32773)");
        }
        long spp = scalar(ifd, TAG_SAMPLES, 1);
        Field photometricField = ifd.get(TAG_PHOTOMETRIC);
        int photometric;
        if (photometricField != null) {
            photometric = (int) value(photometricField, 0);
        } else if (spp == 3 || spp == 4) {
            photometric = RGB; // as ImageIO assumes
        } else {
            throw new BadImageException(FORMAT + ": PhotometricInterpretation is missing (ImageIO warns and assumes"
                    + " BlackIsZero; so does ImageDecoder's error)");
        }
        if (photometric > RGB) {
            throw new BadImageException(FORMAT + ": photometric interpretation " + photometric + " ("
                    + photometricName(photometric) + ") is not read in bands; only WhiteIsZero (0), BlackIsZero (1)"
                    + " and RGB (2), with or without alpha");
        }
        boolean gray = photometric != RGB;
        if (gray ? spp != 1 && spp != 2 : spp != 3 && spp != 4) {
            throw new BadImageException(FORMAT + ": " + spp + " samples per pixel with photometric interpretation "
                    + photometric + "; only 1 or 2 for gray (gray, gray + alpha), 3 or 4 for RGB (RGB, RGBA)");
        }
        if (gray && ifd.containsKey(TAG_COLOR_MAP)) {
            throw new BadImageException(FORMAT + ": a ColorMap with gray samples (ImageIO reads it as a palette) is not"
                    + " read in bands");
        }
        samples = (int) spp;
        bits = (int) uniform(ifd, TAG_BITS, 1, "bits per sample");
        if (bits != 8 && bits != 16 && bits != 32) {
            throw new BadImageException(FORMAT + ": " + bits + " bits per sample is not read in bands; only 8, 16 or 32");
        }
        long format = uniform(ifd, TAG_SAMPLE_FORMAT, 1, "sample formats");
        if (format == 3) {
            throw new BadImageException(FORMAT + ": unsupported floating-point samples");
        }
        if (format == 2) {
            throw new BadImageException(FORMAT + ": unsupported signed integer samples");
        }
        if (format != 1 && format != 4) {
            throw new BadImageException(FORMAT + ": unsupported sample format " + format);
        }
        long predictor = scalar(ifd, TAG_PREDICTOR, 1);
        boolean compressed = compression == LZW || compression == DEFLATE || compression == ADOBE_DEFLATE;
        if (predictor == 3 && compressed) {
            throw new BadImageException(FORMAT + ": predictor 3 (floating point) is not read in bands");
        }
        if (predictor != 1 && predictor != 2 && compressed) {
            throw new BadImageException(FORMAT + ": unknown predictor " + predictor);
        }
        predict = predictor == 2 && compressed;
        if (scalar(ifd, TAG_FILL_ORDER, 1) != 1) {
            throw new BadImageException(FORMAT + ": FillOrder " + scalar(ifd, TAG_FILL_ORDER, 1)
                    + " (bits reversed) is not read in bands");
        }
        long planar = scalar(ifd, TAG_PLANAR, 1);
        if (planar != 1 && planar != 2) {
            throw new BadImageException(FORMAT + ": unknown PlanarConfiguration " + planar);
        }
        planes = planar == 2 && samples > 1;
        whiteIsZero = photometric == WHITE_IS_ZERO;
        Field extra = ifd.get(TAG_EXTRA_SAMPLES);
        premultiplied = (samples == 2 || samples == 4) && bits != 32 && extra != null && extra.count() > 0
                && value(extra, 0) == 1;

        tiled = ifd.containsKey(TAG_TILE_WIDTH) || ifd.containsKey(TAG_TILE_HEIGHT);
        long cw;
        long ch;
        if (tiled) {
            cw = scalar(ifd, TAG_TILE_WIDTH, -1);
            ch = scalar(ifd, TAG_TILE_HEIGHT, -1);
            offsets = ifd.get(TAG_TILE_OFFSETS);
            counts = ifd.get(TAG_TILE_COUNTS);
            if (offsets == null || counts == null) {
                throw header("a tiled image without TileOffsets or TileByteCounts");
            }
        } else {
            cw = w;
            ch = Math.min(scalar(ifd, TAG_ROWS_PER_STRIP, h), h);
            offsets = ifd.get(TAG_STRIP_OFFSETS);
            counts = ifd.get(TAG_STRIP_COUNTS);
            if (offsets == null) {
                throw header("no StripOffsets");
            }
            if (counts == null && compression != NONE) {
                throw header("a compressed image without StripByteCounts");
            }
        }
        if (cw < 1 || ch < 1 || cw > Integer.MAX_VALUE || ch > Integer.MAX_VALUE) {
            throw header((tiled ? "tile size " : "rows per strip ") + (tiled ? cw + "x" + ch : ch) + " is not a size");
        }
        chunkWidth = (int) cw;
        chunkHeight = (int) ch;
        across = (int) ((w + cw - 1) / cw);
        down = (int) ((h + ch - 1) / ch);
        long chunks = (long) across * down * (planes ? samples : 1);
        if (offsets.count() < chunks || (counts != null && counts.count() < chunks)) {
            throw header((tiled ? "TileOffsets" : "StripOffsets") + " has " + offsets.count() + " entries and the byte"
                    + " counts " + (counts == null ? "none" : counts.count()) + "; the image needs " + chunks);
        }
        if (chunkRowBytes() > IntImage.MAX_SAMPLES || (long) width * samples > IntImage.MAX_SAMPLES) {
            throw new BadImageException(FORMAT + ": a row of " + width + "x" + samples + " samples exceeds one Java array");
        }
    }

    /**
     * Opens the TIFF or BigTIFF in {@code src}, whose first bytes are {@code head} (at least 16 or
     * the whole file): reads the first IFD's entries, nothing more (the tile offsets are read per
     * band, a row of tiles at a time).
     */
    static TiffBandReader open(ByteSource src, byte[] head, long maxPixels) throws BadImageException {
        boolean little = head[0] == 'I';
        int magic = (int) number(head, 2, 2, little);
        boolean big = magic == 43;
        try {
            long ifdOffset;
            if (big) {
                if (head.length < 16 || number(head, 4, 2, little) != 8) {
                    throw header("BigTIFF header without 8-byte offsets");
                }
                ifdOffset = number(head, 8, 8, little);
            } else {
                ifdOffset = number(head, 4, 4, little);
            }
            Map<Integer, Field> ifd = readIfd(src, ifdOffset, little, big);
            return new TiffBandReader(src, little, big, ifd, maxPixels);
        } catch (IOException e) {
            throw new BadImageException(FORMAT + ": unreadable header: " + BandReaders.message(e), e);
        }
    }

    private static Map<Integer, Field> readIfd(ByteSource src, long at, boolean little, boolean big)
            throws IOException, BadImageException {
        long length = src.length();
        int countSize = big ? 8 : 2;
        int entrySize = big ? 20 : 12;
        if (at < (big ? 16 : 8) || at > length - countSize) {
            throw header("first IFD offset " + at + " is outside the file (" + length + " bytes)");
        }
        byte[] c = new byte[countSize];
        src.readFully(at, c, 0, countSize);
        long n = number(c, 0, countSize, little);
        if (n < 1 || n > 4096 || at + countSize + n * entrySize > length) {
            throw header("first IFD at offset " + at + " claims " + n + " entries (the file has " + length + " bytes)");
        }
        byte[] entries = new byte[(int) n * entrySize];
        src.readFully(at + countSize, entries, 0, entries.length);
        Map<Integer, Field> ifd = new HashMap<>();
        for (int i = 0; i < n; i++) {
            int e = i * entrySize;
            int tag = (int) number(entries, e, 2, little);
            int type = (int) number(entries, e + 2, 2, little);
            long count = number(entries, e + 4, big ? 8 : 4, little);
            int size = typeSize(type);
            if (size == 0 || count < 0 || count > length) {
                continue; // a type this reader does not know, or a nonsense count: a tag it does not need, or refused when needed
            }
            int inlineSize = big ? 8 : 4;
            int valueAt = e + (big ? 12 : 8);
            if (count * size <= inlineSize) {
                byte[] inline = new byte[inlineSize];
                System.arraycopy(entries, valueAt, inline, 0, inlineSize);
                ifd.putIfAbsent(tag, new Field(tag, type, count, -1, inline));
            } else {
                long position = number(entries, valueAt, inlineSize, little);
                ifd.putIfAbsent(tag, new Field(tag, type, count, position, null));
            }
        }
        return ifd;
    }

    private static int typeSize(int type) {
        return switch (type) {
            case 1, 2, 6, 7 -> 1;
            case 3, 8 -> 2;
            case 4, 9, 11, 13 -> 4;
            case 5, 10, 12, 16, 17, 18 -> 8;
            default -> 0;
        };
    }

    private static boolean integral(int type) {
        return type == 1 || type == 3 || type == 4 || type == 16 || type == 13 || type == 18;
    }

    /** Value {@code i} of an integer field. */
    private long value(Field f, long i) throws IOException, BadImageException {
        return values(f, i, 1)[0];
    }

    /** Values {@code [first, first + n)} of an integer field, in one read. */
    private long[] values(Field f, long first, int n) throws IOException, BadImageException {
        if (!integral(f.type())) {
            throw header("tag " + f.tag() + " has type " + f.type() + "; expected an unsigned integer");
        }
        if (first < 0 || first + n > f.count()) {
            throw header("tag " + f.tag() + " has " + f.count() + " values; value " + (first + n - 1) + " is needed");
        }
        int size = typeSize(f.type());
        byte[] b;
        int base;
        if (f.inline() != null) {
            b = f.inline();
            base = (int) first * size;
        } else {
            long at = f.position() + first * size;
            if (f.position() < 0 || at > src.length() - (long) n * size) {
                throw header("the values of tag " + f.tag() + " at offset " + f.position() + " are outside the file ("
                        + src.length() + " bytes)");
            }
            b = new byte[n * size];
            src.readFully(at, b, 0, b.length);
            base = 0;
        }
        long[] out = new long[n];
        for (int k = 0; k < n; k++) {
            out[k] = number(b, base + k * size, size, little);
        }
        return out;
    }

    private long scalar(Map<Integer, Field> ifd, int tag, long absent) throws IOException, BadImageException {
        Field f = ifd.get(tag);
        return f == null || f.count() == 0 ? absent : value(f, 0);
    }

    /** A per-sample field whose values must all be equal (one value stands for all, as ImageIO reads it). */
    private long uniform(Map<Integer, Field> ifd, int tag, long absent, String what)
            throws IOException, BadImageException {
        Field f = ifd.get(tag);
        if (f == null || f.count() == 0) {
            return absent;
        }
        int n = f.count() == samples ? samples : 1;
        long[] v = values(f, 0, n);
        for (long x : v) {
            if (x != v[0]) {
                StringBuilder s = new StringBuilder();
                for (long y : v) {
                    s.append(s.length() == 0 ? "" : ", ").append(y);
                }
                throw new BadImageException(FORMAT + ": mixed " + what + " (" + s + ") are not read in bands");
            }
        }
        return v[0];
    }

    private static long number(byte[] b, int at, int size, boolean little) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int k = little ? at + size - 1 - i : at + i;
            v = (v << 8) | (b[k] & 0xff);
        }
        return v;
    }

    private static BadImageException header(String why) {
        return new BadImageException(FORMAT + ": unreadable header: " + why);
    }

    private static String compressionName(int c) {
        return switch (c) {
            case 2 -> "CCITT RLE";
            case 3 -> "CCITT T.4";
            case 4 -> "CCITT T.6";
            case 6 -> "old-style JPEG";
            case 7 -> "JPEG";
            case 34712 -> "JPEG 2000";
            case 34887 -> "LERC";
            case 34925 -> "LZMA";
            case 50000 -> "Zstandard";
            case 50001 -> "WebP";
            default -> "unknown";
        };
    }

    private static String photometricName(int p) {
        return switch (p) {
            case 3 -> "palette";
            case 4 -> "transparency mask";
            case 5 -> "CMYK";
            case 6 -> "YCbCr";
            case 8, 9, 10 -> "CIE Lab";
            default -> "unknown";
        };
    }

    /** Whether the file is a BigTIFF (64-bit offsets), which ImageIO's TIFF reader does not read. */
    boolean bigTiff() {
        return big;
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
        return samples;
    }

    @Override
    public int bitDepth() {
        return bits;
    }

    @Override
    public int rowAlignment() {
        return chunkHeight;
    }

    /** Bytes in one row of one tile or strip (one plane's, with separate planes). */
    private long chunkRowBytes() {
        return (long) chunkWidth * (planes ? 1 : samples) * (bits / 8);
    }

    private String chunkName(int row, int column, int plane) {
        String where = tiled ? "tile (row " + row + ", column " + column + ")" : "strip " + row;
        return planes ? where + " of plane " + plane : where;
    }

    @Override
    public IntImage readRows(int y0, int rows) throws BadImageException {
        BandReader.checkBand(this, y0, rows);
        IntImage band = IntImage.allocate(rows, width, samples, bits);
        byte[] row = new byte[(int) chunkRowBytes()];
        int y1 = y0 + rows;
        int planeCount = planes ? samples : 1;
        try {
            for (int r = y0 / chunkHeight; r <= (y1 - 1) / chunkHeight; r++) {
                int top = r * chunkHeight;
                int from = Math.max(y0, top) - top;
                int to = Math.min(y1, top + chunkHeight) - top;
                for (int p = 0; p < planeCount; p++) {
                    long first = ((long) p * down + r) * across;
                    long[] offs = values(offsets, first, across);
                    long[] lens = counts == null ? null : values(counts, first, across);
                    for (int c = 0; c < across; c++) {
                        long stripRows = Math.min(chunkHeight, height - (long) top);
                        long len = lens != null ? lens[c] : stripRows * row.length;
                        readChunk(r, c, p, offs[c], len, from, to, row, band, y0);
                    }
                }
            }
        } catch (IOException e) {
            throw new BadImageException(FORMAT + ": read failed: " + BandReaders.message(e), e);
        }
        if (whiteIsZero) {
            invert(band);
        }
        if (premultiplied) {
            unpremultiply(band);
        }
        return band;
    }

    /** Rows {@code [from, to)} of one tile or strip into the band (whose first row is image row {@code y0}). */
    private void readChunk(int r, int c, int plane, long offset, long length, int from, int to, byte[] row,
            IntImage band, int y0) throws BadImageException, IOException {
        String name = chunkName(r, c, plane);
        long fileLength = src.length();
        if (offset < 0 || length < 0 || offset > fileLength || length > fileLength - offset) {
            throw new BadImageException(FORMAT + ": " + name + " at offset " + offset + " (" + length + " bytes) runs past"
                    + " the end of the file (" + fileLength + " bytes)");
        }
        if (length == 0) {
            throw new BadImageException(FORMAT + ": " + name + " at offset " + offset + " has no data (0 bytes)");
        }
        int k = from;
        try (InputStream in = open(offset, length, from, row.length)) {
            int skip = compression == NONE ? 0 : from;
            for (int i = 0; i < skip; i++) {
                readRow(in, row);
            }
            for (; k < to; k++) {
                readRow(in, row);
                if (predict) {
                    undoPredictor(row);
                }
                place(row, r * chunkHeight + k - y0, c * chunkWidth, plane, band);
            }
        } catch (EOFException e) {
            throw new BadImageException(FORMAT + ": " + name + " at offset " + offset + " (" + length + " bytes) is"
                    + " truncated: its data ends before row " + k + " of its " + chunkHeight + " rows", e);
        } catch (IOException e) {
            throw new BadImageException(FORMAT + ": " + name + " at offset " + offset + " (" + length + " bytes) is"
                    + " truncated or corrupt: " + BandReaders.message(e), e);
        }
    }

    private InputStream open(long offset, long length, int fromRow, int rowBytes) throws IOException {
        if (compression == NONE) {
            long skip = (long) fromRow * rowBytes;
            long start = Math.min(offset + length, offset + skip);
            return ByteSource.range(src, start, offset + length, BLOCK);
        }
        InputStream raw = ByteSource.range(src, offset, offset + length, BLOCK);
        return switch (compression) {
            case LZW -> {
                byte[] two = raw.readNBytes(2);
                if (two.length == 2 && two[0] == 0 && (two[1] & 1) == 1) {
                    throw new IOException("TIFF 5.0-style LZW (LSB first) is not read");
                }
                yield new TiffCodecs.Lzw(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(two), raw));
            }
            case PACKBITS -> new TiffCodecs.PackBits(raw);
            default -> {
                inflater.reset();
                yield new InflaterInputStream(raw, inflater, BLOCK);
            }
        };
    }

    private static void readRow(InputStream in, byte[] row) throws IOException {
        int n = in.readNBytes(row, 0, row.length);
        if (n < row.length) {
            throw new EOFException();
        }
    }

    /** Horizontal differencing, undone on the samples of one row (in the file's byte order). */
    private void undoPredictor(byte[] row) {
        int s = planes ? 1 : samples;
        int bytes = bits / 8;
        int n = row.length / bytes;
        if (bytes == 1) {
            for (int i = s; i < n; i++) {
                row[i] += row[i - s];
            }
            return;
        }
        for (int i = s; i < n; i++) {
            long v = number(row, i * bytes, bytes, little) + number(row, (i - s) * bytes, bytes, little);
            put(row, i * bytes, bytes, v);
        }
    }

    private void put(byte[] b, int at, int size, long v) {
        for (int i = 0; i < size; i++) {
            int k = little ? at + i : at + size - 1 - i;
            b[k] = (byte) (v >>> (8 * i));
        }
    }

    /** One decoded row of a tile into band row {@code y}, from image column {@code x0}, clipped at the right edge. */
    private void place(byte[] row, int y, int x0, int plane, IntImage band) {
        int s = planes ? 1 : samples;
        int n = Math.min(chunkWidth, width - x0) * s;
        int stride = planes ? samples : 1;
        int k = (y * width + x0) * samples + (planes ? plane : 0);
        switch (bits) {
            case 8 -> {
                byte[] o = band.bytes();
                if (!planes) {
                    System.arraycopy(row, 0, o, k, n);
                } else {
                    for (int i = 0; i < n; i++, k += stride) {
                        o[k] = row[i];
                    }
                }
            }
            case 16 -> {
                short[] o = band.shorts();
                int hi = little ? 1 : 0;
                for (int i = 0; i < n; i++, k += stride) {
                    o[k] = (short) ((row[2 * i + hi] & 0xff) << 8 | (row[2 * i + 1 - hi] & 0xff));
                }
            }
            default -> {
                int[] o = band.ints();
                for (int i = 0; i < n; i++, k += stride) {
                    o[k] = (int) number(row, 4 * i, 4, little);
                }
            }
        }
    }

    /**
     * WhiteIsZero: {@code v -> max - v} on every sample, alpha included, as ImageIO's TIFFDecompressor
     * does at 8 and 16 bits (so the samples are ImageDecoder's); 32 bits the same way.
     */
    private static void invert(IntImage band) {
        switch (band.bitDepth()) {
            case 8 -> {
                byte[] o = band.bytes();
                for (int i = 0; i < o.length; i++) {
                    o[i] ^= (byte) 0xff;
                }
            }
            case 16 -> {
                short[] o = band.shorts();
                for (int i = 0; i < o.length; i++) {
                    o[i] ^= (short) 0xffff;
                }
            }
            default -> {
                int[] o = band.ints();
                for (int i = 0; i < o.length; i++) {
                    o[i] = ~o[i];
                }
            }
        }
    }

    /**
     * Associated alpha divided out exactly as Java 2D's {@code ComponentColorModel.coerceData} does
     * for {@link ImageDecoder} (float arithmetic, {@code (int) (c / a + 0.5f)} narrowed to the sample
     * type, a zero alpha leaving the colour as it is), so the samples are the same.
     */
    private static void unpremultiply(IntImage band) {
        int ch = band.channels();
        int a = ch - 1;
        if (band.bitDepth() == 8) {
            byte[] o = band.bytes();
            float alphaScale = 1.0f / 255f;
            for (int k = 0; k < o.length; k += ch) {
                float normAlpha = (o[k + a] & 0xff) * alphaScale;
                if (normAlpha != 0.0f) {
                    float invAlpha = 1.0f / normAlpha;
                    for (int c = 0; c < a; c++) {
                        o[k + c] = (byte) ((o[k + c] & 0xff) * invAlpha + 0.5f);
                    }
                }
            }
        } else {
            short[] o = band.shorts();
            float alphaScale = 1.0f / 65535f;
            for (int k = 0; k < o.length; k += ch) {
                float normAlpha = (o[k + a] & 0xffff) * alphaScale;
                if (normAlpha != 0.0f) {
                    float invAlpha = 1.0f / normAlpha;
                    for (int c = 0; c < a; c++) {
                        o[k + c] = (short) ((o[k + c] & 0xffff) * invAlpha + 0.5f);
                    }
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        src.close();
    }

    @Override
    public String toString() {
        return (big ? "BigTIFF " : "TIFF ") + width + "x" + height + "x" + samples + " " + bits + "-bit, "
                + (tiled ? "tiles " + chunkWidth + "x" + chunkHeight : "strips of " + chunkHeight + " rows")
                + ", compression " + compression + (predict ? " + predictor" : "") + (planes ? ", separate planes" : "")
                + (little ? ", little-endian" : ", big-endian");
    }
}
