package org.sparkpooling.pipeline;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.WritableRaster;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.sparkpooling.tensor.IntImage;

/** A level as a PNG of the same channels and bit depth (gray, gray+alpha, RGB, RGBA; 8 or 16 bits). */
public final class PngEncoder {

    private PngEncoder() {
    }

    /** PNG has no float samples, and any mapping to integers would lose what a float tensor holds. */
    private static void requireInteger(Planes p) {
        if (p.bitDepth() == Planes.FLOAT_DEPTH || p.channels() > 4) {
            throw new IllegalArgumentException("planes of bit depth " + p.bitDepth() + " and " + p.channels()
                    + " channels have no PNG form (8 or 16 bits, 1 to 4 channels)");
        }
    }

    public static BufferedImage toImage(Planes p) {
        requireInteger(p);
        boolean alpha = p.channels() == 2 || p.channels() == 4;
        ColorSpace cs = ColorSpace.getInstance(p.channels() <= 2 ? ColorSpace.CS_GRAY : ColorSpace.CS_sRGB);
        int type = p.bitDepth() == 8 ? DataBuffer.TYPE_BYTE : DataBuffer.TYPE_USHORT;
        ComponentColorModel cm = new ComponentColorModel(cs, alpha, false,
                alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, type);
        WritableRaster raster = cm.createCompatibleWritableRaster(p.width(), p.height());
        int c = p.channels();
        int plane = p.width() * p.height();
        float[] s = p.samples();
        if (type == DataBuffer.TYPE_BYTE) {
            byte[] a = ((DataBufferByte) raster.getDataBuffer()).getData();
            for (int b = 0; b < c; b++) {
                for (int i = 0, o = b; i < plane; i++, o += c) {
                    a[o] = (byte) (int) s[b * plane + i];
                }
            }
        } else {
            short[] a = ((DataBufferUShort) raster.getDataBuffer()).getData();
            for (int b = 0; b < c; b++) {
                for (int i = 0, o = b; i < plane; i++, o += c) {
                    a[o] = (short) (int) s[b * plane + i];
                }
            }
        }
        return new BufferedImage(cm, raster, false, null);
    }

    /** Writes integer planes as a PNG (see {@link #write(IntImage, OutputStream)}). */
    public static void write(Planes p, OutputStream out) throws IOException {
        requireInteger(p);
        write(p.toIntImage(), out);
    }

    /**
     * Writes {@code image} as a PNG of the same channels and depth: every row with the Sub filter,
     * deflated with Huffman coding only: on photos, Sub-filtered rows hold almost no repeated
     * strings, so LZ77 matching costs time and saves nothing (on 40 level-1 photos, 34.4 MP: zlib
     * took 898 ms for 48.5 MB with Huffman coding only against 1463 ms for 48.7 MB at its fastest
     * level). The Huffman coding is our own ({@link HuffmanDeflater}), since zlib's was still the
     * whole cost of the write: on the 21 level-1 photos of photos84 (28.3 MP, 84.9 MB of filtered
     * rows; thread CPU time, medians of 5-7 alternating rounds in one JVM, two runs on a shared
     * machine) zlib's {@code HUFFMAN_ONLY} deflate ran at 105-136 MB/s (35-45 MP/s), ours at
     * 335-470 MB/s (112-157 MP/s), 3.2-3.5x in the same run and 0.45% smaller (35,476,169 bytes
     * against 35,636,765); this whole write (filter, deflate, CRCs) went from 37 to 102 MP/s.
     */
    public static void write(IntImage image, OutputStream out) throws IOException {
        try (Stream png = new Stream(out, image.height(), image.width(), image.channels(), image.bitDepth())) {
            png.rows(image);
        }
    }

    /**
     * A PNG written band by band, top to bottom, so an image larger than memory can be encoded
     * from its rows as they are made: {@link #rows} filters a band and hands it to the deflater in
     * one call; the compressed bytes leave in IDAT chunks of {@value #IDAT_BYTES} bytes as they come
     * (PNG allows any number of consecutive IDAT chunks), never as one growing copy of the file.
     * {@link #close} ends the stream and checks that every row came; it does not close {@code out}.
     */
    public static final class Stream implements java.io.Closeable {
        private final int height;
        private final int width;
        private final int channels;
        private final int bitDepth;
        private final Idat idat;
        private final HuffmanDeflater deflater;
        private int rows;
        private boolean closed;

        public Stream(OutputStream out, int height, int width, int channels, int bitDepth) throws IOException {
            this.height = height;
            this.width = width;
            this.channels = channels;
            this.bitDepth = bitDepth;
            DataOutputStream d = new DataOutputStream(out);
            header(d, height, width, channels, bitDepth);
            idat = new Idat(d);
            deflater = new HuffmanDeflater(idat);
        }

        /** The next band of rows (the image's width, channels and depth). */
        public void rows(IntImage band) throws IOException {
            if (band.width() != width || band.channels() != channels || band.bitDepth() != bitDepth
                    || rows + band.height() > height) {
                throw new IllegalArgumentException("band " + band + " at row " + rows + " does not fit a " + width
                        + "x" + height + "x" + channels + " " + bitDepth + "-bit PNG");
            }
            byte[] filtered = new byte[filteredBytes(band.height(), width, channels, bitDepth)];
            subFilter(band, 0, band.height(), filtered);
            deflater.write(filtered, 0, filtered.length);
            rows += band.height();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (rows != height) {
                throw new IllegalStateException("PNG of " + height + " rows closed after " + rows);
            }
            deflater.finish();
            idat.end();
        }
    }

    /** Compressed bytes per IDAT chunk. */
    static final int IDAT_BYTES = 1 << 20;

    /**
     * Checks that {@code height x width x channels} at {@code bitDepth} has a PNG form, then writes
     * the signature and the IHDR chunk (no interlace), what every PNG of ours starts with.
     */
    static void header(DataOutputStream out, int height, int width, int channels, int bitDepth) throws IOException {
        if (channels < 1 || channels > 4 || (bitDepth != 8 && bitDepth != 16) || height < 1 || width < 1) {
            throw new IllegalArgumentException(width + "x" + height + "x" + channels + " " + bitDepth
                    + "-bit has no PNG form (8 or 16 bits, 1 to 4 channels)");
        }
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
                .put((byte) (channels == 1 ? 0 : channels == 2 ? 4 : channels == 3 ? 2 : 6))
                .put((byte) 0).put((byte) 0).put((byte) 0);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ihdr.array(), ihdr.array().length);
    }

    /**
     * The compressed image data as it comes, out in IDAT chunks of {@value #IDAT_BYTES} bytes (PNG
     * allows any number of consecutive IDAT chunks), so no copy of the whole file is ever held;
     * {@link #end} sends the last, partial chunk and IEND. It does not close the stream under it.
     */
    static final class Idat extends OutputStream {
        private final DataOutputStream out;
        private final byte[] buf = new byte[IDAT_BYTES];
        private int filled;

        Idat(DataOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        /** Compressed bytes into the chunk buffer; each full buffer leaves as an IDAT chunk. */
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int n = Math.min(len, buf.length - filled);
                System.arraycopy(b, off, buf, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == buf.length) {
                    chunk(out, "IDAT", buf, filled);
                    filled = 0;
                }
            }
        }

        /** The last IDAT chunk, if any bytes wait for one, and IEND; then flushes. */
        void end() throws IOException {
            if (filled > 0) {
                chunk(out, "IDAT", buf, filled);
                filled = 0;
            }
            chunk(out, "IEND", new byte[0], 0);
            out.flush();
        }
    }

    /** The bytes of {@code rows} Sub-filtered scanlines: a filter byte and the row's samples each. */
    static int filteredBytes(int rows, int width, int channels, int bitDepth) {
        long n = (long) rows * (1 + (long) width * channels * bitDepth / 8);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows + " rows of " + width + "x" + channels + " " + bitDepth
                    + "-bit filter to " + n + " bytes, more than one Java array holds");
        }
        return (int) n;
    }

    /**
     * PNG's scanlines of rows {@code [y0, y0 + n)} of {@code image} into {@code out} from 0, each a
     * filter byte (1, Sub) and the row's bytes minus those one pixel left: Sub looks at no other
     * row, so any run of rows filters alike wherever it is cut (a band, a part of another task).
     */
    static void subFilter(IntImage image, int y0, int n, byte[] out) {
        int bpp = image.channels() * image.bitDepth() / 8;
        int rowBytes = image.width() * bpp;
        if (image.bitDepth() == 8) {
            byte[] s = image.bytes();
            for (int y = 0; y < n; y++) {
                int o = y * (1 + rowBytes);
                int i = (y0 + y) * rowBytes;
                out[o++] = 1;
                System.arraycopy(s, i, out, o, bpp);
                for (int k = bpp; k < rowBytes; k++) {
                    out[o + k] = (byte) (s[i + k] - s[i + k - bpp]);
                }
            }
        } else {
            short[] s = image.shorts();
            int spp = image.channels(); // samples per pixel
            int rowSamples = image.width() * spp;
            for (int y = 0; y < n; y++) {
                int o = y * (1 + rowBytes);
                int i = (y0 + y) * rowSamples;
                out[o++] = 1;
                for (int k = 0; k < rowSamples; k++) {
                    int v = s[i + k];
                    int left = k >= spp ? s[i + k - spp] : 0;
                    // Big-endian samples; Sub works on bytes, so each byte minus the same byte a pixel left.
                    out[o + 2 * k] = (byte) ((v >>> 8) - (k >= spp ? left >>> 8 & 0xff : 0));
                    out[o + 2 * k + 1] = (byte) (v - left);
                }
            }
        }
    }

    static void chunk(DataOutputStream d, String type, byte[] data, int length) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data, 0, length);
        d.writeInt(length);
        d.write(t);
        d.write(data, 0, length);
        d.writeInt((int) crc.getValue());
    }
}
