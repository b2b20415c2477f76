package org.sparkpooling.pipeline;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

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

    /**
     * Writes {@code p} as a PNG: every row with the Sub filter, deflated with Huffman coding only
     * ({@link Deflater#HUFFMAN_ONLY}): on photos, Sub-filtered rows hold almost no repeated strings,
     * so LZ77 matching costs time and saves nothing. On 40 level-1 photos (34.4 MP) it took 898 ms
     * for 48.5 MB against 1463 ms for 48.7 MB at {@link Deflater#BEST_SPEED}. ImageIO's PNG writer
     * took twice the time of BEST_SPEED for files a third larger (README, choices).
     */
    public static void write(Planes p, OutputStream out) throws IOException {
        requireInteger(p);
        int c = p.channels();
        int bytes = p.bitDepth() / 8;
        int bpp = c * bytes;
        int w = p.width();
        int h = p.height();
        int plane = w * h;
        float[] s = p.samples();
        ByteArrayOutputStream idat = new ByteArrayOutputStream(Math.max(64, plane * bpp / 2));
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        deflater.setStrategy(Deflater.HUFFMAN_ONLY);
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            byte[] raw = new byte[w * bpp];
            byte[] row = new byte[1 + w * bpp];
            row[0] = 1; // Sub
            for (int y = 0; y < h; y++) {
                for (int b = 0; b < c; b++) {
                    int base = b * plane + y * w;
                    for (int x = 0, o = b * bytes; x < w; x++, o += bpp) {
                        int v = (int) s[base + x];
                        if (bytes == 1) {
                            raw[o] = (byte) v;
                        } else {
                            raw[o] = (byte) (v >>> 8); // PNG samples are big-endian
                            raw[o + 1] = (byte) v;
                        }
                    }
                }
                for (int i = 0; i < raw.length; i++) {
                    row[1 + i] = (byte) (raw[i] - (i >= bpp ? raw[i - bpp] : 0));
                }
                z.write(row);
            }
        } finally {
            deflater.end();
        }
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) p.bitDepth())
                .put((byte) (c == 1 ? 0 : c == 2 ? 4 : c == 3 ? 2 : 6)).put((byte) 0).put((byte) 0).put((byte) 0);
        DataOutputStream d = new DataOutputStream(out);
        d.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(d, "IHDR", ihdr.array(), ihdr.array().length);
        chunk(d, "IDAT", idat.toByteArray(), idat.size());
        chunk(d, "IEND", new byte[0], 0);
        d.flush();
    }

    private static void chunk(DataOutputStream d, String type, byte[] data, int length) throws IOException {
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
