package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.InputStream;

/**
 * The TIFF decompressors the band reader streams a tile or strip through (LZW and PackBits; none
 * and Deflate need none of their own), each an {@link InputStream} of the decoded bytes, so a strip
 * of the whole image (one strip is common) is decoded row by row without being held whole.
 */
final class TiffCodecs {

    private TiffCodecs() {
    }

    /**
     * TIFF 6.0 LZW (section 13): MSB-first codes of 9 to 12 bits, Clear 256, EndOfInformation 257,
     * the code width growing one code early (at 511, 1023, 2047 entries) as libtiff and ImageIO
     * read it. The old LSB-first variant of TIFF 5 is refused by the caller.
     */
    static final class Lzw extends InputStream {
        private static final int CLEAR = 256;
        private static final int EOI = 257;
        private static final int TABLE = 4096;

        private final InputStream in;
        private final int[] prefix = new int[TABLE];
        private final byte[] suffix = new byte[TABLE];
        private final byte[] first = new byte[TABLE];
        private final int[] length = new int[TABLE];
        // One decoded string at a time: at most TABLE bytes long.
        private final byte[] out = new byte[TABLE];
        private int outPos;
        private int outLen;
        private int next = EOI + 1;
        private int width = 9;
        private int prev = -1;
        private boolean done;
        private int bits;
        private int bitCount;

        Lzw(InputStream in) {
            this.in = in;
            for (int i = 0; i < 256; i++) {
                suffix[i] = (byte) i;
                first[i] = (byte) i;
                length[i] = 1;
            }
        }

        private int code() throws IOException {
            while (bitCount < width) {
                int b = in.read();
                if (b < 0) {
                    return -1;
                }
                bits = (bits << 8) | b;
                bitCount += 8;
            }
            bitCount -= width;
            return (bits >>> bitCount) & ((1 << width) - 1);
        }

        /** Decodes the next code's string into {@code out}; false at EndOfInformation or the end of the data. */
        private boolean step() throws IOException {
            int code = code();
            while (code == CLEAR) {
                next = EOI + 1;
                width = 9;
                prev = -1;
                code = code();
            }
            if (code < 0 || code == EOI) {
                return false;
            }
            if (prev < 0) {
                if (code > 255) {
                    throw new IOException("LZW code " + code + " follows a Clear code; expected a literal");
                }
                emit(code);
                prev = code;
                return true;
            }
            if (code < next) {
                emit(code);
                add(prev, first[code]);
            } else if (code == next) {
                add(prev, first[prev]);
                emit(code);
            } else {
                throw new IOException("LZW code " + code + " is beyond the table (" + next + " entries)");
            }
            prev = code;
            return true;
        }

        private void add(int p, byte c) throws IOException {
            if (next >= TABLE) {
                throw new IOException("LZW table overflow: no Clear code after " + TABLE + " entries");
            }
            prefix[next] = p;
            suffix[next] = c;
            first[next] = first[p];
            length[next] = length[p] + 1;
            next++;
            if (next == (1 << width) - 1 && width < 12) {
                width++;
            }
        }

        private void emit(int code) {
            int n = length[code];
            for (int i = n - 1, c = code; i >= 0; i--, c = prefix[c]) {
                out[i] = suffix[c];
            }
            outPos = 0;
            outLen = n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = 0;
            while (n < len) {
                if (outPos == outLen) {
                    if (done || !step()) {
                        done = true;
                        break;
                    }
                }
                int k = Math.min(len - n, outLen - outPos);
                System.arraycopy(out, outPos, b, off + n, k);
                outPos += k;
                n += k;
            }
            return n == 0 && len > 0 ? -1 : n;
        }
    }

    /** PackBits (TIFF 6.0 section 9): a header byte n, then n + 1 literal bytes or one byte repeated 1 - n times. */
    static final class PackBits extends InputStream {
        private final InputStream in;
        private int literal;
        private int repeat;
        private int value;

        PackBits(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            while (literal == 0 && repeat == 0) {
                int h = in.read();
                if (h < 0) {
                    return -1;
                }
                byte n = (byte) h;
                if (n >= 0) {
                    literal = n + 1;
                } else if (n != -128) {
                    value = in.read();
                    if (value < 0) {
                        return -1;
                    }
                    repeat = 1 - n;
                }
            }
            if (literal > 0) {
                literal--;
                return in.read();
            }
            repeat--;
            return value;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = 0;
            while (n < len) {
                int v = read();
                if (v < 0) {
                    break;
                }
                b[off + n++] = (byte) v;
            }
            return n == 0 && len > 0 ? -1 : n;
        }
    }
}
