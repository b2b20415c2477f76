package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

/** HuffmanDeflater's streams inflated by zlib ({@link Inflater}) over awkward inputs and block sizes. */
class HuffmanDeflaterTest {

    @Test
    void emptyAndTinyInputsInflateBack() throws Exception {
        for (int n : new int[] {0, 1, 2, 3, 4, 5, 7, 8, 9}) {
            byte[] data = random(n, n);
            assertArrayEquals(data, inflate(deflate(data, HuffmanDeflater.BLOCK_BYTES)), n + " bytes");
            assertArrayEquals(data, inflate(deflate(data, 1)), n + " bytes, a block each");
        }
    }

    @Test
    void randomBytesInflateBackAcrossBlockBoundaries() throws Exception {
        int block = HuffmanDeflater.BLOCK_BYTES;
        for (int n : new int[] {1000, block - 1, block, block + 1, 3 * block + 17, 200_003}) {
            byte[] data = random(n, 7);
            assertArrayEquals(data, inflate(deflate(data, block)), n + " bytes");
        }
    }

    @Test
    void oneAndTwoSymbolsInflateBack() throws Exception {
        byte[] zeros = new byte[100_000];
        assertArrayEquals(zeros, inflate(deflate(zeros, HuffmanDeflater.BLOCK_BYTES)), "all zero");
        byte[] one = new byte[5000];
        Arrays.fill(one, (byte) 0xff);
        assertArrayEquals(one, inflate(deflate(one, 1000)), "one value, the last byte value");
        byte[] two = new byte[5001];
        Random r = new Random(3);
        for (int i = 0; i < two.length; i++) {
            two[i] = (byte) (r.nextInt(10) == 0 ? 0x80 : 0x7f);
        }
        assertArrayEquals(two, inflate(deflate(two, 1000)), "two values");
    }

    /** Fibonacci frequencies make an optimal code 26 deep: the 14-bit limit has to cut it. */
    @Test
    void skewedFrequenciesBeyondTheLengthLimitInflateBack() throws Exception {
        int symbols = 27;
        long total = 0;
        long[] fib = new long[symbols];
        for (int k = 0; k < symbols; k++) {
            fib[k] = k < 2 ? 1 : fib[k - 1] + fib[k - 2];
            total += fib[k];
        }
        byte[] data = new byte[(int) total];
        int o = 0;
        for (int k = 0; k < symbols; k++) {
            for (long i = 0; i < fib[k]; i++) {
                data[o++] = (byte) (3 * k);
            }
        }
        shuffle(data, 5);
        assertArrayEquals(data, inflate(deflate(data, data.length)), "one block");
        assertArrayEquals(data, inflate(deflate(data, 1 << 16)), "blocks of 64 KiB");
    }

    @Test
    void lengthsAreCompleteCodesWithinTheLimit() {
        HuffmanDeflater.Lengths lengths = new HuffmanDeflater.Lengths();
        int[] freq = new int[257];
        int[] len = new int[257];
        int a = 1;
        int b = 1;
        for (int k = 0; k < 40; k++) {
            freq[5 * k] = a;
            int c = a + b;
            a = b;
            b = Math.min(c, 1 << 28);
        }
        for (int limit : new int[] {7, 14, 15}) {
            lengths.build(freq, 257, limit, len);
            long kraft = 0;
            for (int s = 0; s < 257; s++) {
                assertEquals(freq[s] > 0, len[s] > 0, "symbol " + s + " has a code iff it is used");
                assertTrue(len[s] <= limit, "symbol " + s + ": length " + len[s] + " over " + limit);
                kraft += len[s] == 0 ? 0 : 1L << (limit - len[s]);
            }
            assertEquals(1L << limit, kraft, "a complete code of at most " + limit + " bits");
            for (int s = 0; s + 5 < 200; s += 5) {
                assertTrue(len[s] >= len[s + 5], "a more frequent symbol has a code no longer");
            }
        }
        int[] single = new int[19];
        single[4] = 9;
        lengths.build(single, 19, 7, len);
        assertEquals(1, len[4], "the one used symbol");
        assertEquals(1, len[0], "and a dummy, so that the code is complete");
        assertEquals(2, Arrays.stream(len, 0, 19).filter(l -> l > 0).count());
    }

    /** Bands cut anywhere, down to single bytes, give the bytes of one write: blocks follow the input, not the calls. */
    @Test
    void smallWritesOverManyBlocksGiveTheStreamOfOneWrite() throws Exception {
        byte[] data = skewed(50_000, 11);
        int block = 1000;
        byte[] whole = deflate(data, block);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HuffmanDeflater d = new HuffmanDeflater(out, block);
        Random r = new Random(13);
        for (int i = 0; i < data.length;) {
            int n = Math.min(data.length - i, r.nextInt(4) == 0 ? r.nextInt(3 * block) : r.nextInt(20));
            d.write(data, i, n);
            i += n;
        }
        d.finish();
        assertArrayEquals(whole, out.toByteArray());
        assertArrayEquals(data, inflate(whole));
        assertThrows(IllegalStateException.class, () -> d.write(data, 0, 1), "written after finish");
    }

    /**
     * Segments of any length (empty, one byte, on and across block boundaries) joined as bytes
     * between a zlib header and an empty final block inflate to the joined input: each ends at a
     * byte with the sync flush {@code 00 00 FF FF}, and none has a final block.
     */
    @Test
    void segmentsJoinedAsBytesInflateToTheJoinedInput() throws Exception {
        int block = 1000;
        int[] lengths = {0, 1, 999, 1000, 1001, 4321, 7, 3000};
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        ByteArrayOutputStream zlib = new ByteArrayOutputStream();
        zlib.write(HuffmanDeflater.ZLIB_CMF);
        zlib.write(HuffmanDeflater.ZLIB_FLG);
        for (int k = 0; k < lengths.length; k++) {
            byte[] data = skewed(lengths[k], 20 + k);
            joined.write(data);
            ByteArrayOutputStream segment = new ByteArrayOutputStream();
            HuffmanDeflater d = HuffmanDeflater.segment(segment, block);
            assertThrows(IllegalStateException.class, d::adler, "the Adler-32 before finish");
            d.write(data, 0, data.length);
            d.finish();
            byte[] s = segment.toByteArray();
            assertArrayEquals(new byte[] {0, 0, (byte) 0xff, (byte) 0xff}, Arrays.copyOfRange(s, s.length - 4, s.length),
                    lengths[k] + " bytes: the sync flush ends the segment");
            Adler32 a = new Adler32();
            a.update(data);
            assertEquals((int) a.getValue(), d.adler(), lengths[k] + " bytes");
            assertEquals(lengths[k], d.inputBytes());
            zlib.write(s);
        }
        zlib.write(new byte[] {3, 0}); // an empty final block of the fixed code
        Adler32 a = new Adler32();
        a.update(joined.toByteArray());
        zlib.write(ByteBuffer.allocate(4).putInt((int) a.getValue()).array());
        assertArrayEquals(joined.toByteArray(), inflate(zlib.toByteArray()));
    }

    /**
     * zlib cuts a block every 16 K literals; ours are cut in 64 KiB only where the statistics hold,
     * so they cost no more on data whose spread changes every few 16 K (fixed 64 KiB blocks: +2%).
     */
    @Test
    void noLargerThanZlibHuffmanOnly() throws Exception {
        byte[] data = skewed(1 << 20, 17);
        Deflater z = new Deflater(Deflater.BEST_SPEED);
        z.setStrategy(Deflater.HUFFMAN_ONLY);
        z.setInput(data);
        z.finish();
        byte[] buf = new byte[2 << 20];
        int zlib = 0;
        while (!z.finished()) {
            zlib += z.deflate(buf, zlib, buf.length - zlib);
        }
        z.end();
        int ours = deflate(data, HuffmanDeflater.BLOCK_BYTES).length;
        assertTrue(ours <= zlib * 1.01, ours + " bytes against zlib's " + zlib);
    }

    private static byte[] deflate(byte[] data, int blockBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HuffmanDeflater d = new HuffmanDeflater(out, blockBytes);
        d.write(data, 0, data.length);
        d.finish();
        d.finish();
        return out.toByteArray();
    }

    /** The stream inflated by zlib, which checks every code, the Adler-32 and that nothing follows. */
    private static byte[] inflate(byte[] z) throws DataFormatException {
        Inflater inf = new Inflater();
        inf.setInput(z);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!inf.finished()) {
            int n = inf.inflate(buf);
            assertTrue(n > 0 || inf.finished() || !inf.needsInput(), "the stream ends before its final block");
            out.write(buf, 0, n);
        }
        assertEquals(0, inf.getRemaining(), "bytes after the Adler-32");
        inf.end();
        return out.toByteArray();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Bytes around 0 with long tails and a drifting spread, as Sub-filtered photo rows are. */
    private static byte[] skewed(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            double spread = 2 + 10 * (1 + Math.sin(i / 40_000.0));
            b[i] = (byte) Math.round(r.nextGaussian() * spread);
        }
        return b;
    }

    private static void shuffle(byte[] b, long seed) {
        Random r = new Random(seed);
        for (int i = b.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
    }
}
