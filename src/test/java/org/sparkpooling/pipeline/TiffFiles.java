package org.sparkpooling.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import org.sparkpooling.tensor.IntImage;

/**
 * TIFF surgery for the band reader tests: the values of a tag in the first IFD of a file made by
 * vips or ImageIO, patched in place (a tile offset past the end, a byte count cut short, a
 * photometric interpretation changed), and a plain writer for the layouts neither tool writes
 * (separate planes). Reads TIFF and BigTIFF, either byte order.
 */
final class TiffFiles {

    private TiffFiles() {
    }

    /** One IFD entry: its type, count and where its values are. */
    record Entry(int type, long count, long position, int size) {
    }

    private static ByteBuffer map(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
        b.order(b.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        return b;
    }

    static Entry entry(Path file, int tag) throws IOException {
        ByteBuffer b = map(file);
        boolean big = b.getShort(2) == 43;
        long ifd = big ? b.getLong(8) : b.getInt(4) & 0xffffffffL;
        long n = big ? b.getLong((int) ifd) : b.getShort((int) ifd) & 0xffff;
        int at = (int) ifd + (big ? 8 : 2);
        for (int i = 0; i < n; i++, at += big ? 20 : 12) {
            if ((b.getShort(at) & 0xffff) == tag) {
                int type = b.getShort(at + 2) & 0xffff;
                long count = big ? b.getLong(at + 4) : b.getInt(at + 4) & 0xffffffffL;
                int size = switch (type) {
                    case 3 -> 2;
                    case 4 -> 4;
                    case 16 -> 8;
                    default -> 1;
                };
                int valueAt = at + (big ? 12 : 8);
                long position = count * size <= (big ? 8 : 4) ? valueAt
                        : big ? b.getLong(valueAt) : b.getInt(valueAt) & 0xffffffffL;
                return new Entry(type, count, position, size);
            }
        }
        throw new IllegalArgumentException(file + " has no tag " + tag);
    }

    static long[] values(Path file, int tag) throws IOException {
        Entry e = entry(file, tag);
        ByteBuffer b = map(file);
        long[] v = new long[(int) e.count()];
        for (int i = 0; i < v.length; i++) {
            int at = (int) (e.position() + (long) i * e.size());
            v[i] = switch (e.size()) {
                case 2 -> b.getShort(at) & 0xffff;
                case 4 -> b.getInt(at) & 0xffffffffL;
                case 8 -> b.getLong(at);
                default -> b.get(at) & 0xff;
            };
        }
        return v;
    }

    /** Sets value {@code i} of {@code tag} in place. */
    static void set(Path file, int tag, int i, long value) throws IOException {
        Entry e = entry(file, tag);
        boolean little = Files.readAllBytes(file)[0] == 'I';
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(e.position() + (long) i * e.size());
            byte[] v = new byte[e.size()];
            for (int k = 0; k < v.length; k++) {
                v[little ? k : v.length - 1 - k] = (byte) (value >>> (8 * k));
            }
            f.write(v);
        }
    }

    /**
     * A stripped TIFF with separate planes (PlanarConfiguration 2): 8- or 16-bit, gray + alpha or
     * RGB(A) (or gray at 32 bits), uncompressed or Deflate with the horizontal predictor, in the given byte order.
     */
    static void writePlanar(Path file, IntImage img, boolean little, boolean deflate, int rowsPerStrip)
            throws IOException {
        int w = img.width();
        int h = img.height();
        int c = img.channels();
        int bytes = img.bitDepth() / 8;
        ByteOrder order = little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        int strips = (h + rowsPerStrip - 1) / rowsPerStrip;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        long[] offsets = new long[strips * c];
        long[] counts = new long[strips * c];
        int headerAndIfd = 8;
        for (int p = 0; p < c; p++) {
            for (int s = 0; s < strips; s++) {
                int rows = Math.min(rowsPerStrip, h - s * rowsPerStrip);
                ByteBuffer raw = ByteBuffer.allocate(rows * w * bytes).order(order);
                for (int y = s * rowsPerStrip; y < s * rowsPerStrip + rows; y++) {
                    long prev = 0;
                    for (int x = 0; x < w; x++) {
                        long v = img.get(y, x, p);
                        long out = deflate ? v - prev : v;
                        prev = v;
                        if (bytes == 1) {
                            raw.put((byte) out);
                        } else if (bytes == 2) {
                            raw.putShort((short) out);
                        } else {
                            raw.putInt((int) out);
                        }
                    }
                }
                byte[] chunk = raw.array();
                if (deflate) {
                    Deflater d = new Deflater();
                    d.setInput(chunk);
                    d.finish();
                    byte[] buf = new byte[chunk.length + 1024];
                    int n = d.deflate(buf);
                    d.end();
                    chunk = java.util.Arrays.copyOf(buf, n);
                }
                offsets[p * strips + s] = headerAndIfd + data.size();
                counts[p * strips + s] = chunk.length;
                data.write(chunk);
            }
        }
        long dataEnd = headerAndIfd + data.size();
        // After the data: the arrays, then the IFD.
        ByteBuffer tail = ByteBuffer.allocate(64 + strips * c * 8 + 12 * 16 + 16).order(order);
        long offsetsAt = dataEnd;
        for (long o : offsets) {
            tail.putInt((int) o);
        }
        long countsAt = dataEnd + tail.position();
        for (long n : counts) {
            tail.putInt((int) n);
        }
        long bitsAt = dataEnd + tail.position();
        for (int i = 0; i < c; i++) {
            tail.putShort((short) img.bitDepth());
        }
        long extraAt = dataEnd + tail.position();
        if (tail.position() % 2 == 1) {
            tail.put((byte) 0);
        }
        long ifdAt = dataEnd + tail.position();
        boolean rgb = c >= 3;
        int[][] entries = {
            {256, 4, 1, w},
            {257, 4, 1, h},
            {258, 3, c, c == 1 ? img.bitDepth() : (int) bitsAt},
            {259, 3, 1, deflate ? 8 : 1},
            {262, 3, 1, rgb ? 2 : 1},
            {273, 4, strips * c, strips * c == 1 ? (int) offsets[0] : (int) offsetsAt},
            {277, 3, 1, c},
            {278, 4, 1, rowsPerStrip},
            {279, 4, strips * c, strips * c == 1 ? (int) counts[0] : (int) countsAt},
            {284, 3, 1, 2},
            {317, 3, 1, deflate ? 2 : 1},
            {338, 3, 1, 2},
        };
        int n = (c == 2 || c == 4) ? entries.length : entries.length - 1;
        tail.putShort((short) n);
        for (int i = 0; i < n; i++) {
            int[] e = entries[i];
            tail.putShort((short) e[0]).putShort((short) e[1]).putInt(e[2]);
            if (e[1] == 3 && e[2] == 1) {
                tail.putShort((short) e[3]).putShort((short) 0);
            } else if (e[1] == 3 && e[2] == 2 && e[0] == 258) {
                tail.putShort((short) img.bitDepth()).putShort((short) img.bitDepth());
            } else {
                tail.putInt(e[3]);
            }
        }
        tail.putInt(0);
        ByteBuffer head = ByteBuffer.allocate(8).order(order);
        head.put(little ? (byte) 'I' : (byte) 'M').put(little ? (byte) 'I' : (byte) 'M').putShort((short) 42)
                .putInt((int) ifdAt);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(head.array());
        all.write(data.toByteArray());
        all.write(tail.array(), 0, tail.position());
        Files.write(file, all.toByteArray());
        assert extraAt > 0;
    }
}
