package org.sparkpooling.pool;

import org.sparkpooling.tensor.IntImage;

/**
 * One downsampling level of an image of integer samples, channels-last, in integers: each
 * {@code f x f} window (stride {@code f}, no padding) of each channel becomes one sample. Exact: a
 * mean is the window's integer sum divided by its count and rounded half to even (NumPy's round,
 * TensorStore's integer downsampling), never through a float, so 16-bit samples and 32-bit label ids
 * lose nothing. With {@code partial} edges the last window of a row or column hangs over and pools
 * only its in-bounds samples (PyTorch's ceil mode without padding); otherwise the remainder is
 * dropped (floor mode).
 *
 * <p>For 8- and 16-bit samples and windows of up to 2^31 / max sample samples (8-bit: any factor up
 * to 2901, 16-bit: 181) the sums are {@code int}s and each level takes two passes over the input: a
 * stride-1 pass adds (or maxes) the window's rows into one row of column results, which HotSpot
 * vectorises, then each window's {@code f} columns are combined. Wider windows and 32-bit samples
 * take the same passes in {@code long}.
 *
 * <p>Where the float path was exact (every window sum below 2^24, the mean's float error below half
 * its distance to a half) the samples equal those of the float kernels followed by {@code rint},
 * which is what this replaced; beyond that range this is exact and the float path was not.
 */
public final class ImagePooling {

    private ImagePooling() {
    }

    /** The side after one level: ceil ({@code partial}) or floor of {@code side / factor}. */
    public static int outputSize(int side, int factor, boolean partial) {
        return (int) (partial ? ((long) side + factor - 1) / factor : side / factor);
    }

    /**
     * The level after {@code in}.
     *
     * @throws IllegalArgumentException when the factor is below 2 or the level would be empty
     */
    public static IntImage pool(DownsampleMode mode, IntImage in, int factor, boolean partial) {
        if (mode == null || in == null) {
            throw new IllegalArgumentException("mode and image must not be null");
        }
        if (factor < 2) {
            throw new IllegalArgumentException("factor (" + factor + ") must be >= 2");
        }
        int oh = outputSize(in.height(), factor, partial);
        int ow = outputSize(in.width(), factor, partial);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(in + " is too small for one " + factor + "x" + factor + " level "
                    + (partial ? "with partial edges" : "without partial edges"));
        }
        IntImage out = IntImage.allocate(oh, ow, in.channels(), in.bitDepth());
        boolean intSums = in.bitDepth() < 32 && (long) factor * factor * in.maxValue() <= Integer.MAX_VALUE;
        if (intSums) {
            new IntRows(mode, in, out, factor).run();
        } else {
            new LongRows(mode, in, out, factor).run();
        }
        return out;
    }

    /** Round half to even of {@code s / n} for {@code s >= 0, n > 0}. */
    static long roundHalfEven(long s, long n) {
        long q = s / n;
        long r2 = 2 * (s - q * n);
        return r2 > n || (r2 == n && (q & 1) == 1) ? q + 1 : q;
    }

    /** Exact {@code round-half-even(s / n)} for {@code 0 <= s < 2^31}, by multiply and one correction. */
    private static final class Divisor {
        private final int n;
        private final long magic;
        private final int shift;
        private final boolean powerOfTwo;

        Divisor(int n) {
            this.n = n;
            this.powerOfTwo = Integer.bitCount(n) == 1;
            this.shift = Integer.numberOfTrailingZeros(n);
            // ceil(2^32 / n): s * magic >>> 32 is floor(s / n) or one more for s < 2^31, fixed below.
            this.magic = ((1L << 32) + n - 1) / n;
        }

        /**
         * Branch-free, so a row of means has no data-dependent branch: {@code q + 1} exactly when
         * {@code 2r + (q & 1) > n}, that is half way or more, ties to the even {@code q}.
         */
        int roundHalfEven(int s) {
            int q;
            int r;
            if (powerOfTwo) {
                q = s >>> shift;
                r = s & (n - 1);
            } else {
                q = (int) ((s * magic) >>> 32);
                r = s - q * n;
                int low = r >> 31; // -1 when the estimate was one too high
                q += low;
                r += n & low;
            }
            return q + ((n - 2 * r - (q & 1)) >>> 31);
        }
    }

    /**
     * 8- and 16-bit samples with {@code int} sums: per output row, the window's input rows are
     * combined into {@code acc} (one entry per input sample of a row), then each window's columns.
     */
    private static final class IntRows {
        private final DownsampleMode mode;
        private final IntImage in;
        private final IntImage out;
        private final int f;
        private final int c;
        private final int[] acc;
        /** One output row before it is narrowed to the output's depth. */
        private final int[] row;

        IntRows(DownsampleMode mode, IntImage in, IntImage out, int f) {
            this.mode = mode;
            this.in = in;
            this.out = out;
            this.f = f;
            this.c = in.channels();
            this.acc = new int[in.width() * c];
            this.row = new int[out.width() * c];
        }

        void run() {
            int rowLen = in.width() * c;
            Divisor full = new Divisor(f * f);
            for (int oy = 0; oy < out.height(); oy++) {
                int y0 = oy * f;
                int y1 = Math.min(y0 + f, in.height());
                if (f == 2 && y1 - y0 == 2 && in.width() % 2 == 0) {
                    pairs(y0, oy); // the common case, 2x2 windows all inside the row: no row buffers
                    continue;
                }
                load(y0, rowLen);
                for (int y = y0 + 1; y < y1; y++) {
                    combine(y, rowLen);
                }
                emit(oy, y1 - y0, full);
            }
        }

        /**
         * Output row {@code oy} of 2x2 windows straight from input rows {@code y} and {@code y + 1}
         * (an even width, so every window is whole): four loads and one store per output sample.
         * Kept apart from the general path because it is most of what a pyramid does.
         */
        private void pairs(int y, int oy) {
            int rowLen = in.width() * c;
            int r0 = y * rowLen;
            int r1 = r0 + rowLen;
            int o = oy * out.width() * c;
            int n = out.width() * c;
            // The mode and depth are chosen once per row, outside the loop over samples.
            if (in.bitDepth() == 8) {
                byte[] s = in.bytes();
                byte[] t = out.bytes();
                switch (mode) {
                    case AVG -> {
                        for (int i = 0, a = 0, ch = 0; i < n; i++, a++) {
                            t[o + i] = (byte) avg4(s[r0 + a] & 0xff, s[r0 + a + c] & 0xff, s[r1 + a] & 0xff,
                                    s[r1 + a + c] & 0xff);
                            if (++ch == c) { // the next pixel's window starts two pixels on
                                ch = 0;
                                a += c;
                            }
                        }
                    }
                    case MAX -> {
                        for (int i = 0, a = 0, ch = 0; i < n; i++, a++) {
                            t[o + i] = (byte) Math.max(Math.max(s[r0 + a] & 0xff, s[r0 + a + c] & 0xff),
                                    Math.max(s[r1 + a] & 0xff, s[r1 + a + c] & 0xff));
                            if (++ch == c) {
                                ch = 0;
                                a += c;
                            }
                        }
                    }
                }
            } else {
                short[] s = in.shorts();
                short[] t = out.shorts();
                switch (mode) {
                    case AVG -> {
                        for (int i = 0, a = 0, ch = 0; i < n; i++, a++) {
                            t[o + i] = (short) avg4(s[r0 + a] & 0xffff, s[r0 + a + c] & 0xffff, s[r1 + a] & 0xffff,
                                    s[r1 + a + c] & 0xffff);
                            if (++ch == c) {
                                ch = 0;
                                a += c;
                            }
                        }
                    }
                    case MAX -> {
                        for (int i = 0, a = 0, ch = 0; i < n; i++, a++) {
                            t[o + i] = (short) Math.max(Math.max(s[r0 + a] & 0xffff, s[r0 + a + c] & 0xffff),
                                    Math.max(s[r1 + a] & 0xffff, s[r1 + a + c] & 0xffff));
                            if (++ch == c) {
                                ch = 0;
                                a += c;
                            }
                        }
                    }
                }
            }
        }

        /** The mean of four samples rounded half to even: Divisor.roundHalfEven with n = 4. */
        private static int avg4(int v0, int v1, int v2, int v3) {
            int sum = v0 + v1 + v2 + v3;
            int q = sum >>> 2;
            return q + ((4 - 2 * (sum & 3) - (q & 1)) >>> 31);
        }

        /** The window's first row into {@code acc}, widened. */
        private void load(int y, int rowLen) {
            int base = y * rowLen;
            if (in.bitDepth() == 8) {
                byte[] s = in.bytes();
                for (int i = 0; i < rowLen; i++) {
                    acc[i] = s[base + i] & 0xff;
                }
            } else {
                short[] s = in.shorts();
                for (int i = 0; i < rowLen; i++) {
                    acc[i] = s[base + i] & 0xffff;
                }
            }
        }

        /** Adds (or maxes) row {@code y} into {@code acc}: stride 1, so the loops vectorise. */
        private void combine(int y, int rowLen) {
            int base = y * rowLen;
            switch (mode) {
                case AVG -> {
                    if (in.bitDepth() == 8) {
                        byte[] s = in.bytes();
                        for (int i = 0; i < rowLen; i++) {
                            acc[i] += s[base + i] & 0xff;
                        }
                    } else {
                        short[] s = in.shorts();
                        for (int i = 0; i < rowLen; i++) {
                            acc[i] += s[base + i] & 0xffff;
                        }
                    }
                }
                case MAX -> {
                    if (in.bitDepth() == 8) {
                        byte[] s = in.bytes();
                        for (int i = 0; i < rowLen; i++) {
                            acc[i] = Math.max(acc[i], s[base + i] & 0xff);
                        }
                    } else {
                        short[] s = in.shorts();
                        for (int i = 0; i < rowLen; i++) {
                            acc[i] = Math.max(acc[i], s[base + i] & 0xffff);
                        }
                    }
                }
            }
        }

        /** Output row {@code oy} from the combined rows ({@code rows} of them). */
        private void emit(int oy, int rows, Divisor full) {
            int w = in.width();
            int ow = out.width();
            int obase = oy * ow * c;
            // Windows wholly inside the row: the same count, so one divisor and a loop without bounds.
            int inner = Math.min(ow, w / f);
            int[] o = row;
            switch (mode) {
                case AVG -> {
                    Divisor d = rows == f ? full : new Divisor(rows * f);
                    if (f == 2) {
                        for (int ox = 0; ox < inner; ox++) {
                            int a = 2 * ox * c;
                            for (int ch = 0; ch < c; ch++) {
                                o[ox * c + ch] = d.roundHalfEven(acc[a + ch] + acc[a + c + ch]);
                            }
                        }
                    } else {
                        for (int ox = 0; ox < inner; ox++) {
                            for (int ch = 0; ch < c; ch++) {
                                int a = ox * f * c + ch;
                                int v = 0;
                                for (int x = 0; x < f; x++, a += c) {
                                    v += acc[a];
                                }
                                o[ox * c + ch] = d.roundHalfEven(v);
                            }
                        }
                    }
                    if (inner < ow) { // the partial window at the row's end
                        Divisor last = new Divisor(rows * (w - inner * f));
                        for (int ch = 0; ch < c; ch++) {
                            int v = 0;
                            for (int x = inner * f; x < w; x++) {
                                v += acc[x * c + ch];
                            }
                            o[inner * c + ch] = last.roundHalfEven(v);
                        }
                    }
                }
                case MAX -> {
                    for (int ox = 0; ox < ow; ox++) {
                        int x1 = Math.min(ox * f + f, w);
                        for (int ch = 0; ch < c; ch++) {
                            int v = 0;
                            for (int x = ox * f; x < x1; x++) {
                                v = Math.max(v, acc[x * c + ch]);
                            }
                            o[ox * c + ch] = v;
                        }
                    }
                }
            }
            store(obase, ow * c);
        }

        /** The output row from {@code row}, narrowed to the depth; one typed array lookup per row. */
        private void store(int at, int n) {
            if (out.bitDepth() == 8) {
                byte[] b = out.bytes();
                for (int i = 0; i < n; i++) {
                    b[at + i] = (byte) row[i];
                }
            } else {
                short[] b = out.shorts();
                for (int i = 0; i < n; i++) {
                    b[at + i] = (short) row[i];
                }
            }
        }
    }

    /** Wide windows and 32-bit samples: the same two passes in {@code long}, unsigned samples. */
    private static final class LongRows {
        private final DownsampleMode mode;
        private final IntImage in;
        private final IntImage out;
        private final int f;
        private final int c;
        private final long[] acc;

        LongRows(DownsampleMode mode, IntImage in, IntImage out, int f) {
            this.mode = mode;
            this.in = in;
            this.out = out;
            this.f = f;
            this.c = in.channels();
            this.acc = new long[in.width() * c];
        }

        void run() {
            int rowLen = in.width() * c;
            for (int oy = 0; oy < out.height(); oy++) {
                int y0 = oy * f;
                int y1 = Math.min(y0 + f, in.height());
                for (int i = 0; i < rowLen; i++) {
                    acc[i] = sample(y0 * rowLen + i);
                }
                for (int y = y0 + 1; y < y1; y++) {
                    int base = y * rowLen;
                    switch (mode) {
                        case AVG -> {
                            for (int i = 0; i < rowLen; i++) {
                                acc[i] += sample(base + i);
                            }
                        }
                        case MAX -> {
                            for (int i = 0; i < rowLen; i++) {
                                acc[i] = Math.max(acc[i], sample(base + i));
                            }
                        }
                    }
                }
                emit(oy, y1 - y0);
            }
        }

        private long sample(int i) {
            return switch (in.bitDepth()) {
                case 8 -> in.bytes()[i] & 0xff;
                case 16 -> in.shorts()[i] & 0xffff;
                default -> in.ints()[i] & 0xffffffffL;
            };
        }

        private void emit(int oy, int rows) {
            int w = in.width();
            int ow = out.width();
            int obase = oy * ow * c;
            for (int ox = 0; ox < ow; ox++) {
                int x0 = ox * f;
                int x1 = Math.min(x0 + f, w);
                long n = (long) rows * (x1 - x0);
                for (int ch = 0; ch < c; ch++) {
                    int a = x0 * c + ch;
                    long v = acc[a];
                    switch (mode) {
                        case AVG -> {
                            for (int x = x0 + 1; x < x1; x++) {
                                v += acc[a += c];
                            }
                            v = roundHalfEven(v, n);
                        }
                        case MAX -> {
                            for (int x = x0 + 1; x < x1; x++) {
                                v = Math.max(v, acc[a += c]);
                            }
                        }
                    }
                    int o = obase + ox * c + ch;
                    switch (out.bitDepth()) {
                        case 8 -> out.bytes()[o] = (byte) v;
                        case 16 -> out.shorts()[o] = (short) v;
                        default -> out.ints()[o] = (int) v;
                    }
                }
            }
        }
    }
}
