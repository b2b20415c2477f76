package org.sparkpooling.pipeline;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.sparkpooling.tensor.IntImage;

/**
 * One PNG of a level from horizontal stripes of it that different tasks deflated in parallel,
 * joined as bytes: no task holds the whole level, and the join inflates nothing.
 *
 * <p>This works because of how {@link PngEncoder} writes a PNG: every row has the Sub filter, which
 * looks at no other row, and {@link HuffmanDeflater} codes literals only, so no block refers to bytes
 * before it. A stripe's filtered rows therefore deflate on their own to exactly the blocks they would
 * be in the middle of any stream, provided that the stripe ends on a byte with no final block
 * ({@linkplain HuffmanDeflater#segment a segment}) and the zlib frame around the stripes comes from
 * the whole: the header {@code 78 01} once, an empty final block after the last stripe, and the
 * Adler-32 of all filtered rows, combined from the stripes' own ({@link #adlerCombine}).
 *
 * <p>A part, as {@link #writePart} writes it (integers big-endian, as in PNG):
 * <pre>
 *   header   8 bytes  "PNGPART" and the format version 1
 *            4 x 4    rows, width, channels, bit depth
 *            8        the filtered length: rows x (1 + width x channels x bitDepth / 8)
 *   segment  n bytes  raw DEFLATE, non-final blocks only, ended by 00 00 FF FF (see below)
 *   trailer  8        n, the segment's length
 *            4        the Adler-32 of the filtered rows
 *            4        "PEND"
 * </pre>
 * The segment length and the Adler-32 come after the segment because they are known only once it
 * is written: a trailer lets a task write its part in one pass as it deflates, holding neither its
 * compressed bytes nor a second pass over its rows. {@link #assemble} holds back the last 20 bytes
 * of each part as it streams it; a part cut short anywhere ends in bytes that are not this trailer
 * (the end mark, the length against the bytes that came, the sync flush), which is an {@link IOException}.
 *
 * <p>A segment ends byte-aligned with an empty stored block (zlib's sync flush: 3 header bits, zero
 * bits to the byte, {@code 00 00 FF FF}), 4 or 5 bytes a part, because every inflater reads the bits
 * right after a non-final block as the next block's header: padding the last coded byte with zeros
 * would be read as a block, and steering the dynamic header's length to end on a byte would tie the
 * part format to the code lengths. The stored block is what zlib itself writes for the same need.
 */
final class PngParts {

    /** The start of every part: "PNGPART" and the format version. */
    private static final byte[] MAGIC = {'P', 'N', 'G', 'P', 'A', 'R', 'T', 1};
    /** The end of every part, after its trailer's numbers. */
    private static final byte[] END = {'P', 'E', 'N', 'D'};
    /** The magic, four ints, the filtered length. */
    private static final int HEADER_BYTES = 8 + 4 * 4 + 8;
    /** The segment's length, the Adler-32, the end mark. */
    private static final int TRAILER_BYTES = 8 + 4 + 4;
    /** The empty stored block every segment ends with, byte-aligned. */
    private static final byte[] SYNC = {0, 0, (byte) 0xff, (byte) 0xff};
    /** What assemble keeps back of a part until its end: the sync flush's 4 bytes and the trailer, checked before they go on. */
    private static final int TAIL_BYTES = 4 + TRAILER_BYTES;
    /**
     * Filtered bytes made at a time by writePart: a bounded buffer, rather than a filtered copy as
     * large as the part's samples, and large enough that calls per row cost nothing next to deflating.
     */
    private static final int BAND_BYTES = 1 << 20;
    /** Bytes of a part read at a time by assemble. */
    private static final int COPY_BYTES = 1 << 16;
    /** Adler-32's modulus, the largest prime below 2^16. */
    private static final int ADLER_BASE = 65521;

    /** Opens one part's stream; {@link #assembleFrom} opens the next only once the one before is read and closed. */
    @FunctionalInterface
    interface Opener {
        InputStream open() throws IOException;
    }

    private PngParts() {
    }

    /**
     * Encodes rows {@code [y0, y0 + rows.height())} of a level as one part, written to {@code out}
     * (not closed), self-describing: its rows, width, channels, depth, filtered length and Adler-32
     * go with it; where its rows lie in the level is the caller's to keep, by giving {@link #assemble}
     * the parts in row order.
     */
    static void writePart(IntImage rows, OutputStream out) throws IOException {
        int h = rows.height();
        int w = rows.width();
        int c = rows.channels();
        int d = rows.bitDepth();
        if (c > 4 || (d != 8 && d != 16)) {
            throw new IllegalArgumentException("a part of " + rows + " has no PNG form (8 or 16 bits, 1 to 4 channels)");
        }
        int rowFiltered = PngEncoder.filteredBytes(1, w, c, d);
        // Header and trailer each in one write: a part may go straight to a file or a remote stream.
        out.write(ByteBuffer.allocate(HEADER_BYTES).put(MAGIC).putInt(h).putInt(w).putInt(c).putInt(d)
                .putLong((long) h * rowFiltered).array());
        Counting segment = new Counting(out);
        HuffmanDeflater deflater = HuffmanDeflater.segment(segment, HuffmanDeflater.BLOCK_BYTES);
        int bandRows = Math.min(h, Math.max(1, BAND_BYTES / rowFiltered));
        byte[] band = new byte[PngEncoder.filteredBytes(bandRows, w, c, d)];
        for (int y = 0; y < h; y += bandRows) {
            int n = Math.min(bandRows, h - y);
            PngEncoder.subFilter(rows, y, n, band);
            deflater.write(band, 0, n * rowFiltered);
        }
        deflater.finish();
        out.write(ByteBuffer.allocate(TRAILER_BYTES).putLong(segment.count).putInt(deflater.adler()).put(END).array());
        out.flush();
    }

    /**
     * Writes the whole PNG ({@code height x width x channels}, {@code bitDepth}) from its parts in
     * row order, each stream read to its end and left open (the caller opened it, the caller closes
     * it); {@code out} is not closed either. See {@link #assembleFrom} to have one part open at a time.
     *
     * @throws IllegalArgumentException if the parts' rows do not add up to {@code height}, or a part's
     *     width, channels or bit depth are not the PNG's; the message names the numbers and the part
     * @throws IOException if a part is not one, or is cut short or damaged (named by its index)
     */
    static void assemble(int height, int width, int channels, int bitDepth, List<? extends InputStream> parts,
            OutputStream out) throws IOException {
        List<Opener> opened = parts.stream().<Opener>map(in -> () -> in).toList();
        assemble(height, width, channels, bitDepth, opened, false, out);
    }

    /**
     * {@link #assemble}, opening each part only when the one before it is read and closed, so that
     * a level of hundreds of parts keeps one stream open at a time (one file handle, one connection).
     * Each stream is closed once read, or on failure.
     */
    static void assembleFrom(int height, int width, int channels, int bitDepth, List<? extends Opener> parts,
            OutputStream out) throws IOException {
        assemble(height, width, channels, bitDepth, parts, true, out);
    }

    private static void assemble(int height, int width, int channels, int bitDepth, List<? extends Opener> parts,
            boolean close, OutputStream out) throws IOException {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("the parts' rows (0 in 0 parts) must add up to the height (" + height + ")");
        }
        DataOutputStream data = new DataOutputStream(out);
        PngEncoder.header(data, height, width, channels, bitDepth);
        PngEncoder.Idat idat = new PngEncoder.Idat(data);
        idat.write(HuffmanDeflater.ZLIB_CMF);
        idat.write(HuffmanDeflater.ZLIB_FLG);
        Joined joined = new Joined(height, width, channels, bitDepth, parts.size());
        byte[] buf = new byte[COPY_BYTES + TAIL_BYTES];
        for (int k = 0; k < parts.size(); k++) {
            InputStream in = parts.get(k).open();
            try {
                joined.part(k, in, buf, idat);
            } finally {
                if (close) {
                    in.close();
                }
            }
        }
        if (joined.rows != height) {
            throw new IllegalArgumentException("the parts' rows (" + joined.rows + " in " + parts.size()
                    + " parts) must add up to the height (" + height + ")");
        }
        // An empty final block of the fixed code (BFINAL 1, BTYPE 1, end-of-block: seven zero bits), then the Adler-32.
        idat.write(new byte[] {3, 0}, 0, 2);
        idat.write(ByteBuffer.allocate(4).putInt(joined.adler).array(), 0, 4);
        idat.end();
    }

    /** The PNG's parts as they come: their rows so far and the Adler-32 of their filtered rows. */
    private static final class Joined {
        private final int height;
        private final int width;
        private final int channels;
        private final int bitDepth;
        private final int count;
        private int rows;
        /** The Adler-32 of no bytes. */
        private int adler = 1;

        Joined(int height, int width, int channels, int bitDepth, int count) {
            this.height = height;
            this.width = width;
            this.channels = channels;
            this.bitDepth = bitDepth;
            this.count = count;
        }

        /** Checks part {@code k}'s header, sends its segment on as it is read, then checks its trailer. */
        void part(int k, InputStream in, byte[] buf, OutputStream idat) throws IOException {
            String name = "parts[" + k + "] (of " + count + ")";
            int got = in.readNBytes(buf, 0, HEADER_BYTES);
            if (got < HEADER_BYTES) {
                throw new IOException(name + " ends after " + got + " bytes, inside its " + HEADER_BYTES
                        + "-byte header: a truncated part");
            }
            if (!Arrays.equals(buf, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw new IOException(name + " starts with " + HexFormat.of().formatHex(buf, 0, MAGIC.length)
                        + ", not a PNG part's " + HexFormat.of().formatHex(MAGIC));
            }
            ByteBuffer header = ByteBuffer.wrap(buf, MAGIC.length, HEADER_BYTES - MAGIC.length);
            int partRows = header.getInt();
            int partWidth = header.getInt();
            int partChannels = header.getInt();
            int partDepth = header.getInt();
            long filtered = header.getLong();
            if (partWidth != width || partChannels != channels || partDepth != bitDepth) {
                throw new IllegalArgumentException(name + " has rows " + partWidth + " wide of " + partChannels
                        + " channels at " + partDepth + " bits, the PNG's are " + width + " wide of " + channels
                        + " channels at " + bitDepth + " bits");
            }
            if (partRows < 1) {
                throw new IOException(name + " has a header of " + partRows + " rows: a damaged part");
            }
            if (partRows > height - rows) {
                throw new IllegalArgumentException("the parts' rows must add up to the height (" + height + "), but "
                        + "parts[0.." + k + "] hold " + ((long) rows + partRows) + " (parts[" + k + "] has " + partRows + ")");
            }
            long expected = (long) partRows * PngEncoder.filteredBytes(1, width, channels, bitDepth);
            if (filtered != expected) {
                throw new IOException(name + " says its " + partRows + " rows filter to " + filtered + " bytes, not "
                        + expected + ": a damaged part");
            }
            long streamed = copySegment(name, in, buf, idat);
            ByteBuffer tail = ByteBuffer.wrap(buf, 0, TAIL_BYTES);
            long segmentBytes = tail.getLong(SYNC.length);
            int partAdler = tail.getInt(SYNC.length + 8);
            if (!Arrays.equals(buf, TAIL_BYTES - END.length, TAIL_BYTES, END, 0, END.length)
                    || segmentBytes != streamed + SYNC.length
                    || !Arrays.equals(buf, 0, SYNC.length, SYNC, 0, SYNC.length)) {
                throw truncated(name, HEADER_BYTES + streamed + TAIL_BYTES);
            }
            idat.write(buf, 0, SYNC.length);
            adler = adlerCombine(adler, partAdler, filtered);
            rows += partRows;
        }

        /**
         * Sends all of {@code in} but its last {@value #TAIL_BYTES} bytes to {@code idat} and leaves
         * those at the start of {@code buf}; returns how many it sent.
         */
        private static long copySegment(String name, InputStream in, byte[] buf, OutputStream idat) throws IOException {
            long sent = 0;
            int have = 0;
            while (true) {
                if (have == buf.length) {
                    int n = have - TAIL_BYTES;
                    idat.write(buf, 0, n);
                    sent += n;
                    System.arraycopy(buf, n, buf, 0, TAIL_BYTES);
                    have = TAIL_BYTES;
                }
                int n = in.read(buf, have, buf.length - have);
                if (n < 0) {
                    break;
                }
                have += n;
            }
            if (have < TAIL_BYTES) {
                throw truncated(name, HEADER_BYTES + sent + have);
            }
            int n = have - TAIL_BYTES;
            idat.write(buf, 0, n);
            System.arraycopy(buf, n, buf, 0, TAIL_BYTES);
            return sent + n;
        }
    }

    private static IOException truncated(String name, long bytes) {
        return new IOException(name + " ends after " + bytes + " bytes without a part's end (its segment's sync"
                + " flush 0000ffff, the segment's length, the Adler-32, \"PEND\"): a truncated or damaged part");
    }

    /**
     * The Adler-32 of {@code x} followed by {@code y} from {@code adler1} of {@code x},
     * {@code adler2} of {@code y} and the length of {@code y} (zlib's {@code adler32_combine}): the
     * sum A of the bytes adds up ({@code A1 + A2 - 1}, each A starting at 1), and B, the sum of the
     * A's after each byte, gains {@code A1 - 1} for each of {@code y}'s bytes, all modulo 65521.
     */
    static int adlerCombine(int adler1, int adler2, long length2) {
        if (length2 < 0) {
            throw new IllegalArgumentException("length (" + length2 + ") must be >= 0");
        }
        long rem = length2 % ADLER_BASE;
        long a1 = adler1 & 0xffff;
        long b1 = adler1 >>> 16;
        long a2 = adler2 & 0xffff;
        long b2 = adler2 >>> 16;
        long a = (a1 + a2 + ADLER_BASE - 1) % ADLER_BASE;
        long b = (rem * a1 % ADLER_BASE + b1 + b2 + ADLER_BASE - rem) % ADLER_BASE;
        return (int) (b << 16 | a);
    }

    /** Passes bytes on, counting them; not closing anything. */
    private static final class Counting extends OutputStream {
        private final OutputStream out;
        private long count;

        Counting(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
