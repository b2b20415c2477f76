package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.Adler32;

/**
 * A zlib stream (RFC 1950) whose DEFLATE blocks (RFC 1951) code literals only, each block with its
 * own Huffman code: what {@link java.util.zip.Deflater} writes with {@code HUFFMAN_ONLY}, without
 * zlib's per-symbol bookkeeping for matches it never looks for. Each block is counted, given
 * length-limited canonical codes and then coded from a table of code and length per byte value
 * through a 64-bit bit buffer stored eight bytes at a time.
 *
 * <p>Blocks are cut from units of {@code blockBytes} of input, wherever the calls to {@link #write}
 * cut the input, so a stream written in bands is byte for byte the stream written whole. Only the output
 * of a block is allocated per stream, once; {@link #finish} ends the stream (the last block is
 * final) and adds the Adler-32; it does not close {@code out}.
 *
 * <p>A {@linkplain #segment segment} is the middle of such a stream, for data deflated in pieces by
 * different writers and joined later (the PNG parts of {@code PngParts}): no zlib header, no final block, no
 * Adler-32; it ends byte-aligned so that segments can be concatenated as bytes, and gives its
 * {@link #adler} and {@link #inputBytes} so that the joined stream's Adler-32 can be combined.
 */
final class HuffmanDeflater {

    /**
     * Input bytes coded at a time, as one to {@value #PARTS} blocks (see {@link #block}). Smaller
     * blocks follow the local statistics closer but pay a code header and a code build each.
     */
    static final int BLOCK_BYTES = 1 << 16;
    /** Parts of {@link #BLOCK_BYTES} that may each have a block. */
    private static final int PARTS = 4;
    /** What a further block costs, about: a dynamic code header on Sub-filtered photo rows. */
    private static final double HEADER_BITS = 8 * 90;

    /** The zlib header's two bytes, which every stream starts with (and a stream joined from segments). */
    static final int ZLIB_CMF = 0x78;
    static final int ZLIB_FLG = 0x01;

    private static final VarHandle LONG_LE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int END_OF_BLOCK = 256;
    private static final int LITERALS = 257;
    private static final int MAX_BITS = 15;
    /**
     * Literal codes are held to 14 bits, one less than DEFLATE allows, so that four of them (56
     * bits) fit the 57 bits the bit buffer has free after a store: one store per four literals.
     * On the photos' level 1 this made the encoder ~15% faster and the files 0.01% larger.
     */
    private static final int LITERAL_BITS = 14;
    private static final int MAX_CODE_LENGTH_BITS = 7;
    /** The order in which a dynamic block sends the code-length code's lengths (RFC 1951 3.2.7). */
    private static final int[] CODE_LENGTH_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    private final OutputStream out;
    private final int blockBytes;
    private final byte[] pending;
    private int pendingLength;
    private final Adler32 adler = new Adler32();
    private final boolean segment;
    private long inputBytes;
    /** One block's output: at most 14 bits per input byte, the code header (< 500 bytes), the 8 bytes a store may run past. */
    private final byte[] coded;
    private int codedLength;
    /** Bits not yet stored, LSB first, as DEFLATE packs them. */
    private long bits;
    private int bitCount;
    private boolean finished;

    private final int[] counts = new int[4 * 256];
    private final int[] literalFreq = new int[LITERALS];
    private final int[][] partFreq = new int[PARTS][LITERALS];
    private final int[] joined = new int[LITERALS];
    private final int[] literalLengths = new int[LITERALS];
    /** Per literal: its bit-reversed code shifted left by 4, its length in the low 4 bits. */
    private final int[] literalCodes = new int[LITERALS];
    /** The literal lengths and the one distance length as code-length symbols, each (extra << 5) | symbol. */
    private final int[] lengthSymbols = new int[LITERALS + 1];
    private final int[] codeLengthFreq = new int[19];
    private final int[] codeLengthLengths = new int[19];
    private final int[] codeLengthCodes = new int[19];
    private final int[] nextCode = new int[MAX_BITS + 1];
    private final Lengths lengths = new Lengths();

    HuffmanDeflater(OutputStream out) throws IOException {
        this(out, BLOCK_BYTES);
    }

    /** A deflater with blocks of {@code blockBytes}: smaller ones let a test reach many blocks with little input. */
    HuffmanDeflater(OutputStream out, int blockBytes) throws IOException {
        this(out, blockBytes, false);
    }

    /**
     * A raw DEFLATE segment: non-final blocks only, ended by {@link #finish} with an empty stored
     * block, whose 3 header bits are followed by padding to a byte and then {@code 00 00 FF FF}
     * (zlib's sync flush). A segment can then be followed by any other, byte for byte: the next
     * block header starts at a byte; padding a dynamic block's last byte with zero bits alone would not
     * do, since an inflater reads the bits after a non-final block as the next block's header.
     */
    static HuffmanDeflater segment(OutputStream out, int blockBytes) throws IOException {
        return new HuffmanDeflater(out, blockBytes, true);
    }

    private HuffmanDeflater(OutputStream out, int blockBytes, boolean segment) throws IOException {
        if (blockBytes < 1) {
            throw new IllegalArgumentException("block bytes (" + blockBytes + ") must be > 0");
        }
        this.out = out;
        this.blockBytes = blockBytes;
        this.pending = new byte[blockBytes];
        this.coded = new byte[(int) ((long) blockBytes * LITERAL_BITS / 8) + 1024];
        this.segment = segment;
        if (!segment) {
            // CMF: deflate with a 32 KiB window; FLG: the fastest level, no dictionary, check bits making it a multiple of 31.
            out.write(ZLIB_CMF);
            out.write(ZLIB_FLG);
        }
    }

    /** The Adler-32 of everything written, once {@link #finish} has coded the last of it. */
    int adler() {
        if (!finished) {
            throw new IllegalStateException("the Adler-32 is known after finish, not before");
        }
        return (int) adler.getValue();
    }

    /** How many bytes were written. */
    long inputBytes() {
        return inputBytes;
    }

    /** Deflates {@code len} bytes of {@code b} from {@code off}. */
    void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IllegalStateException("deflater written after finish");
        }
        if (off < 0 || len < 0 || off > b.length - len) {
            throw new IndexOutOfBoundsException("offset " + off + " and length " + len + " in " + b.length + " bytes");
        }
        inputBytes += len;
        while (len > 0) {
            if (pendingLength == 0 && len >= blockBytes) {
                // A whole block in the caller's array is coded from there, saving the copy.
                block(b, off, blockBytes, false);
                off += blockBytes;
                len -= blockBytes;
                continue;
            }
            int n = Math.min(len, blockBytes - pendingLength);
            System.arraycopy(b, off, pending, pendingLength, n);
            pendingLength += n;
            off += n;
            len -= n;
            if (pendingLength == blockBytes) {
                block(pending, 0, blockBytes, false);
                pendingLength = 0;
            }
        }
    }

    /** Writes the last block and the Adler-32 of the input; for a segment, its last block and the sync flush. */
    void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        if (pendingLength > 0) {
            block(pending, 0, pendingLength, !segment);
        } else if (!segment) {
            // The input ended on a block boundary (or was empty): an empty final block of the fixed code,
            // whose end-of-block symbol is seven zero bits.
            put(1 | 1 << 1, 3);
            put(0, 7);
        }
        if (segment) {
            // An empty stored block, not final: BFINAL 0, BTYPE 0, then (below) padding to a byte.
            put(0, 3);
        }
        if (bitCount > 0) {
            put(0, 8 - bitCount);
        }
        if (segment) {
            // LEN 0 and NLEN 0xffff, little-endian: the bytes 00 00 FF FF.
            put(0xffff0000L, 32);
        } else {
            int a = (int) adler.getValue();
            put(Integer.reverseBytes(a) & 0xffffffffL, 32);
        }
        flushBlock();
    }

    /**
     * Codes {@code len} bytes (at most {@code blockBytes}) as one to {@value #PARTS} blocks: the
     * input is counted in parts, and each part joins the block before it unless its own code would
     * save more than a code header. zlib cuts its blocks every 16 K literals; where the statistics
     * hold (most of a photo) one block of four parts saves three headers, where they change (a sky
     * meeting a roof) the parts keep their own codes.
     */
    private void block(byte[] b, int off, int len, boolean last) throws IOException {
        adler.update(b, off, len);
        int part = (blockBytes + PARTS - 1) / PARTS;
        int parts = (len + part - 1) / part;
        for (int j = 0; j < parts; j++) {
            count(b, off + j * part, Math.min(part, len - j * part), partFreq[j]);
        }
        int start = 0;
        System.arraycopy(partFreq[0], 0, literalFreq, 0, LITERALS);
        double cost = bits(literalFreq);
        for (int j = 1; j < parts; j++) {
            int[] next = partFreq[j];
            for (int v = 0; v < LITERALS; v++) {
                joined[v] = literalFreq[v] + next[v];
            }
            joined[END_OF_BLOCK] = 1;
            double together = bits(joined);
            double apart = bits(next);
            if (together <= cost + apart + HEADER_BITS) {
                System.arraycopy(joined, 0, literalFreq, 0, LITERALS);
                cost = together;
            } else {
                emit(b, off + start * part, (j - start) * part, false);
                start = j;
                System.arraycopy(next, 0, literalFreq, 0, LITERALS);
                cost = apart;
            }
        }
        emit(b, off + start * part, len - start * part, last);
    }

    /**
     * About what {@code freq} costs coded with its own Huffman code, in bits: its entropy
     * {@code N log2 N - sum f log2 f}, from a log2 that is good to ~0.01 (all a choice of cuts needs).
     */
    private static double bits(int[] freq) {
        long total = 0;
        double sum = 0;
        for (int v = 0; v < LITERALS; v++) {
            int f = freq[v];
            if (f > 0) {
                total += f;
                sum += f * log2(f);
            }
        }
        return total * (double) log2(total) - sum;
    }

    /** log2 of a positive {@code x}: the float's exponent plus a quadratic in its mantissa. */
    private static float log2(long x) {
        int f = Float.floatToRawIntBits(x);
        float m = Float.intBitsToFloat(f & 0x7fffff | 0x3f800000) - 1;
        return ((f >>> 23) - 127) + m * (1.3465557f - 0.3465557f * m);
    }

    /** One dynamic block of {@code len} bytes whose frequencies are in {@code literalFreq}. */
    private void emit(byte[] b, int off, int len, boolean last) throws IOException {
        lengths.build(literalFreq, LITERALS, LITERAL_BITS, literalLengths);
        codes(literalLengths, LITERALS, literalCodes);
        int symbols = runLengths();
        Arrays.fill(codeLengthFreq, 0);
        for (int i = 0; i < symbols; i++) {
            codeLengthFreq[lengthSymbols[i] & 31]++;
        }
        lengths.build(codeLengthFreq, 19, MAX_CODE_LENGTH_BITS, codeLengthLengths);
        codes(codeLengthLengths, 19, codeLengthCodes);
        int hclen = 19;
        while (hclen > 4 && codeLengthLengths[CODE_LENGTH_ORDER[hclen - 1]] == 0) {
            hclen--;
        }
        // BFINAL, BTYPE 2 (dynamic), HLIT 257 - 257, HDIST 1 - 1, HCLEN - 4.
        put((last ? 1 : 0) | 2 << 1 | (hclen - 4) << 13, 17);
        for (int i = 0; i < hclen; i++) {
            put(codeLengthLengths[CODE_LENGTH_ORDER[i]], 3);
        }
        for (int i = 0; i < symbols; i++) {
            int s = lengthSymbols[i];
            int e = codeLengthCodes[s & 31];
            put(e >>> 4, e & 15);
            switch (s & 31) {
                case 16 -> put(s >>> 5, 2);
                case 17 -> put(s >>> 5, 3);
                case 18 -> put(s >>> 5, 7);
                default -> { }
            }
        }
        literals(b, off, len);
        int e = literalCodes[END_OF_BLOCK];
        put(e >>> 4, e & 15);
        flushBlock();
    }

    /** The literal frequencies of {@code len} bytes into {@code freq}, the end-of-block symbol once. */
    private void count(byte[] b, int off, int len, int[] freq) {
        int[] c = counts;
        Arrays.fill(c, 0);
        int i = off;
        int end = off + len;
        // Four tables, so that runs of one byte value do not wait on one counter's store.
        for (; i + 4 <= end; i += 4) {
            c[b[i] & 0xff]++;
            c[256 + (b[i + 1] & 0xff)]++;
            c[512 + (b[i + 2] & 0xff)]++;
            c[768 + (b[i + 3] & 0xff)]++;
        }
        for (; i < end; i++) {
            c[b[i] & 0xff]++;
        }
        for (int v = 0; v < 256; v++) {
            freq[v] = c[v] + c[256 + v] + c[512 + v] + c[768 + v];
        }
        freq[END_OF_BLOCK] = 1;
    }

    /** Codes the literals. */
    private void literals(byte[] b, int off, int len) {
        int[] t = literalCodes;
        byte[] o = coded;
        long acc = bits;
        int n = bitCount;
        int pos = codedLength;
        int i = off;
        int end = off + len;
        // Four codes per store, joined apart from the bit buffer, so that only one shift and one add per
        // four literals wait on the buffer's previous state.
        for (; i + 4 <= end; i += 4) {
            int e0 = t[b[i] & 0xff];
            int e1 = t[b[i + 1] & 0xff];
            int e2 = t[b[i + 2] & 0xff];
            int e3 = t[b[i + 3] & 0xff];
            int l0 = e0 & 15;
            int l01 = l0 + (e1 & 15);
            int l2 = e2 & 15;
            int c01 = e0 >>> 4 | (e1 >>> 4) << l0;
            int c23 = e2 >>> 4 | (e3 >>> 4) << l2;
            acc |= (c01 | (long) c23 << l01) << n;
            n += l01 + l2 + (e3 & 15);
            LONG_LE.set(o, pos, acc);
            pos += n >>> 3;
            acc >>>= n & ~7;
            n &= 7;
        }
        for (; i < end; i++) {
            int e = t[b[i] & 0xff];
            acc |= (long) (e >>> 4) << n;
            n += e & 15;
            LONG_LE.set(o, pos, acc);
            pos += n >>> 3;
            acc >>>= n & ~7;
            n &= 7;
        }
        bits = acc;
        bitCount = n;
        codedLength = pos;
    }

    /**
     * The 257 literal lengths and the distance code's one length (1: DEFLATE wants at least one
     * distance code, and zlib writes this one for blocks without matches) as code-length symbols:
     * 16 repeats the previous length 3-6 times, 17 and 18 give 3-10 and 11-138 zeros. Returns how many.
     */
    private int runLengths() {
        int m = 0;
        int total = LITERALS + 1;
        int i = 0;
        while (i < total) {
            int v = i < LITERALS ? literalLengths[i] : 1;
            int run = 1;
            while (i + run < total && run < 138 && (i + run < LITERALS ? literalLengths[i + run] : 1) == v) {
                run++;
            }
            if (v == 0 && run >= 11) {
                lengthSymbols[m++] = (run - 11) << 5 | 18;
            } else if (v == 0 && run >= 3) {
                lengthSymbols[m++] = (run - 3) << 5 | 17;
            } else if (v != 0 && run >= 4) {
                lengthSymbols[m++] = v;
                run = Math.min(run, 7);
                lengthSymbols[m++] = (run - 4) << 5 | 16;
            } else {
                run = 1;
                lengthSymbols[m++] = v;
            }
            i += run;
        }
        return m;
    }

    /** Canonical codes (RFC 1951 3.2.2) of {@code lengths}, bit-reversed for LSB-first output, as (code << 4) | length. */
    private void codes(int[] lengths, int n, int[] codes) {
        int[] next = nextCode;
        Arrays.fill(next, 0);
        for (int i = 0; i < n; i++) {
            next[lengths[i]]++;
        }
        next[0] = 0;
        int code = 0;
        for (int len = 1; len <= MAX_BITS; len++) {
            int count = next[len];
            next[len] = code;
            code = (code + count) << 1;
        }
        for (int i = 0; i < n; i++) {
            int len = lengths[i];
            codes[i] = len == 0 ? 0 : Integer.reverse(next[len]++) >>> (32 - len) << 4 | len;
        }
    }

    /** Appends the low {@code n} (at most 57 - 7) bits of {@code v}; for headers, not the literals' loop. */
    private void put(long v, int n) {
        bits |= v << bitCount;
        bitCount += n;
        LONG_LE.set(coded, codedLength, bits);
        codedLength += bitCount >>> 3;
        bits >>>= bitCount & ~7;
        bitCount &= 7;
    }

    /** Sends the whole bytes coded so far; the last partial byte stays in the bit buffer. */
    private void flushBlock() throws IOException {
        out.write(coded, 0, codedLength);
        codedLength = 0;
    }

    /**
     * Length-limited Huffman code lengths: an optimal tree from the frequencies sorted ascending
     * (two queues, leaves and merged nodes, both in ascending order), then, if it is deeper than
     * the limit, the overlong codes cut to the limit and the Kraft sum restored by lengthening the
     * longest codes that are still shorter (as miniz does): near optimal, and it runs on counts
     * per length, not on the tree.
     */
    static final class Lengths {
        private final long[] sorted = new long[LITERALS];
        private final int[] parent = new int[2 * LITERALS];
        private final int[] depth = new int[2 * LITERALS];
        private final int[] perLength = new int[LITERALS + 1];
        private final long[] weights = new long[2 * LITERALS];

        /** Fills {@code lengths[0..n)} for {@code freq[0..n)}: 0 for unused symbols, else 1 to {@code maxBits}. */
        void build(int[] freq, int n, int maxBits, int[] lengths) {
            int m = 0;
            for (int s = 0; s < n; s++) {
                lengths[s] = 0;
                if (freq[s] > 0) {
                    sorted[m++] = (long) freq[s] << 9 | s;
                }
            }
            if (m < 2) {
                // A code needs two symbols to be complete (inflaters refuse an incomplete code-length code):
                // the one symbol and an unused one both get one bit. A block's literals always have two,
                // with the end-of-block symbol.
                int used = m == 1 ? (int) (sorted[0] & 511) : 0;
                lengths[used] = 1;
                lengths[used == 0 ? 1 : 0] = 1;
                return;
            }
            Arrays.sort(sorted, 0, m);
            // Nodes 0..m-1 are the leaves in ascending order, m..2m-2 the merged nodes as they are made.
            int leaf = 0;
            int node = m;
            long[] w = weights;
            for (int i = 0; i < m; i++) {
                w[i] = sorted[i] >>> 9;
            }
            for (int made = m; made < 2 * m - 1; made++) {
                int a = (leaf < m && (node >= made || w[leaf] <= w[node])) ? leaf++ : node++;
                int b = (leaf < m && (node >= made || w[leaf] <= w[node])) ? leaf++ : node++;
                w[made] = w[a] + w[b];
                parent[a] = made;
                parent[b] = made;
            }
            int root = 2 * m - 2;
            depth[root] = 0;
            Arrays.fill(perLength, 0);
            for (int i = root - 1; i >= 0; i--) {
                depth[i] = depth[parent[i]] + 1;
                if (i < m) {
                    perLength[Math.min(depth[i], maxBits)]++;
                }
            }
            int longest = 0;
            for (int i = 0; i < m; i++) {
                longest = Math.max(longest, depth[i]);
            }
            if (longest > maxBits) {
                long kraft = 0;
                for (int len = 1; len <= maxBits; len++) {
                    kraft += (long) perLength[len] << (maxBits - len);
                }
                while (kraft != 1L << maxBits) {
                    perLength[maxBits]--;
                    for (int len = maxBits - 1; len > 0; len--) {
                        if (perLength[len] != 0) {
                            perLength[len]--;
                            perLength[len + 1] += 2;
                            break;
                        }
                    }
                    kraft--;
                }
                longest = maxBits;
            }
            // The rarest symbols take the longest lengths.
            int i = 0;
            for (int len = longest; len >= 1; len--) {
                for (int k = perLength[len]; k > 0; k--) {
                    lengths[(int) (sorted[i++] & 511)] = len;
                }
            }
        }
    }
}
