package org.sparkpooling.pool;

import org.sparkpooling.tensor.IntImage;

/**
 * One downsampling level of an image of integer samples, channels-last, in integers: each
 * {@code f x f} window (stride {@code f}, no padding) of each channel becomes one sample. Exact: a
 * mean is the window's integer sum divided by its count and rounded half to even (NumPy's round,
 * TensorStore's integer downsampling), never through a float, so 16-bit samples and 32-bit label ids
 * lose nothing; min, max, mode and median are always one of the window's samples. With
 * {@code partial} edges the last window of a row or column hangs over and pools only its in-bounds
 * samples (PyTorch's ceil mode without padding); otherwise the remainder is dropped (floor mode). The
 * modes and the sparse rule are {@link DownsampleMode}'s and {@link #pool(DownsampleMode, IntImage,
 * int, boolean, boolean)}'s.
 *
 * <p>Avg, max and min fold: for 8- and 16-bit samples and windows of up to 2^31 / max sample samples
 * (8-bit: any factor up to 2901, 16-bit: 181) the sums are {@code int}s and each level takes two
 * passes over the input: a stride-1 pass adds (or maxes, or mins) the window's rows into one row of
 * column results, which HotSpot vectorises, then each window's {@code f} columns are combined (2x2
 * windows of an even-width row without counts or keys straight from the two input rows). Wider
 * windows and 32-bit samples take the same passes in {@code long}. Mode and median do not fold; they
 * are {@link WindowRanks}'.
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

    /** The level after {@code in}, every sample counted ({@code sparse} false). */
    public static IntImage pool(DownsampleMode mode, IntImage in, int factor, boolean partial) {
        return pool(mode, in, factor, partial, false);
    }

    /**
     * The level after {@code in}. With {@code sparse}, zero is background: every mode pools only the
     * window's nonzero samples, and a window of zeros alone gives 0. So {@code avg} is the mean of the
     * nonzero samples and {@code mode} the most frequent nonzero sample (igneous's sparse
     * downsampling), {@code min} and {@code median} the smallest and the lower median of the nonzero
     * samples; {@code max} is unchanged, zero being the least sample. Samples count per channel.
     *
     * @throws IllegalArgumentException when the factor is below 2 or the level would be empty
     */
    public static IntImage pool(DownsampleMode mode, IntImage in, int factor, boolean partial, boolean sparse) {
        if (mode == null || in == null) {
            throw new IllegalArgumentException("mode and image must not be null");
        }
        IntImage out = level(in.height(), in.width(), in.channels(), in.bitDepth(), factor, partial);
        return switch (mode) {
            case AVG -> fold(sparse ? Fold.NONZERO_SUM : Fold.SUM, in, out, factor);
            // Leaving zeros out changes no maximum: zero is the least sample, and 0 the max of zeros alone.
            case MAX -> fold(Fold.MAX, in, out, factor);
            case MIN -> fold(sparse ? Fold.NONZERO_MIN : Fold.MIN, in, out, factor);
            case MODE -> WindowRanks.mode(in, out, factor, sparse);
            case MEDIAN -> WindowRanks.median(in, out, factor, sparse);
        };
    }

    /**
     * The level after the 8-bit image whose {@code height x width x channels} samples start at
     * {@code samples[offset]}, read where they are rather than copied into an image of their own
     * first: a Spark row's binary inside the row's buffer, where that copy cost about as much as the
     * 2x2 level itself. The samples equal {@link #pool(DownsampleMode, IntImage, int, boolean,
     * boolean)}'s on an image of those samples alone; the modes that do not fold (mode, median) and
     * windows too wide for {@code int} sums take that path on a copy.
     *
     * @throws IllegalArgumentException when the range lies outside {@code samples}, the factor is
     *     below 2 or the level would be empty
     */
    public static IntImage pool8(DownsampleMode mode, byte[] samples, int offset, int height, int width, int channels,
            int factor, boolean partial, boolean sparse) {
        if (mode == null || samples == null) {
            throw new IllegalArgumentException("mode and samples must not be null");
        }
        if (height < 1 || width < 1 || channels < 1) {
            throw new IllegalArgumentException("size (" + height + "x" + width + "x" + channels
                    + ") must be at least 1x1x1");
        }
        long n = (long) height * width * channels;
        if (offset < 0 || offset + n > samples.length) {
            throw new IllegalArgumentException("offset (" + offset + ") and length (" + n + ") lie outside the "
                    + samples.length + " samples");
        }
        IntImage out = level(height, width, channels, 8, factor, partial);
        Fold fold = switch (mode) {
            case AVG -> sparse ? Fold.NONZERO_SUM : Fold.SUM;
            case MAX -> Fold.MAX;
            case MIN -> sparse ? Fold.NONZERO_MIN : Fold.MIN;
            case MODE, MEDIAN -> null;
        };
        if (fold == null || (long) factor * factor * 255 > Integer.MAX_VALUE) {
            byte[] copy = java.util.Arrays.copyOfRange(samples, offset, (int) (offset + n));
            return pool(mode, IntImage.of8(height, width, channels, copy), factor, partial, sparse);
        }
        new IntRows(fold, samples, null, offset, height, width, channels, 8, out, factor).run();
        return out;
    }

    /** The zeroed output of one level, after checking the factor and that the level has a pixel. */
    private static IntImage level(int height, int width, int channels, int depth, int factor, boolean partial) {
        if (factor < 2) {
            throw new IllegalArgumentException("factor (" + factor + ") must be >= 2");
        }
        int oh = outputSize(height, factor, partial);
        int ow = outputSize(width, factor, partial);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(width + "x" + height + "x" + channels + " " + depth + "-bit is too small"
                    + " for one " + factor + "x" + factor + " level "
                    + (partial ? "with partial edges" : "without partial edges"));
        }
        return IntImage.allocate(oh, ow, channels, depth);
    }

    /**
     * How the separable modes combine samples, first down each column of a window's rows, then across
     * its columns. {@code NONZERO_SUM} also counts the nonzero samples; {@code NONZERO_MIN} is the min
     * of {@code (v - 1) mod 2^(depth + 1)}, where 0 maps above every other sample, and maps back after.
     */
    private enum Fold {
        SUM, NONZERO_SUM, MAX, MIN, NONZERO_MIN
    }

    private static IntImage fold(Fold fold, IntImage in, IntImage out, int f) {
        boolean intSums = in.bitDepth() < 32 && (long) f * f * in.maxValue() <= Integer.MAX_VALUE;
        if (intSums) {
            new IntRows(fold, in, out, f).run();
        } else {
            new LongRows(fold, in, out, f).run();
        }
        return out;
    }

    /**
     * Row {@code y} of {@code in} as {@code int}s in sample order: 8- and 16-bit samples as they are,
     * 32-bit samples with the sign bit flipped, so that signed order is the samples' unsigned order
     * ({@link #fromOrdered} undoes it).
     */
    static void orderedRow(IntImage in, int y, int[] dst) {
        int rowLen = in.width() * in.channels();
        int base = y * rowLen;
        switch (in.bitDepth()) {
            case 8 -> {
                byte[] s = in.bytes();
                for (int i = 0; i < rowLen; i++) {
                    dst[i] = s[base + i] & 0xff;
                }
            }
            case 16 -> {
                short[] s = in.shorts();
                for (int i = 0; i < rowLen; i++) {
                    dst[i] = s[base + i] & 0xffff;
                }
            }
            default -> {
                int[] s = in.ints();
                for (int i = 0; i < rowLen; i++) {
                    dst[i] = s[base + i] ^ Integer.MIN_VALUE;
                }
            }
        }
    }

    /** Sample 0 as {@link #orderedRow} gives it. */
    static int orderedZero(IntImage in) {
        return in.bitDepth() == 32 ? Integer.MIN_VALUE : 0;
    }

    /** Stores {@code src}, {@link #orderedRow} values, as row {@code y} of {@code out}: the inverse. */
    static void fromOrdered(int[] src, IntImage out, int y) {
        int rowLen = out.width() * out.channels();
        int base = y * rowLen;
        switch (out.bitDepth()) {
            case 8 -> {
                byte[] d = out.bytes();
                for (int i = 0; i < rowLen; i++) {
                    d[base + i] = (byte) src[i];
                }
            }
            case 16 -> {
                short[] d = out.shorts();
                for (int i = 0; i < rowLen; i++) {
                    d[base + i] = (short) src[i];
                }
            }
            default -> {
                int[] d = out.ints();
                for (int i = 0; i < rowLen; i++) {
                    d[base + i] = src[i] ^ Integer.MIN_VALUE;
                }
            }
        }
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
        private final Fold fold;
        private final int height;
        private final int width;
        private final int depth;
        /** The input's samples: {@code bytes} (8-bit) or {@code shorts} (16-bit), sample 0 at {@code first}. */
        private final byte[] bytes;
        private final short[] shorts;
        private final int first;
        private final IntImage out;
        private final int f;
        private final int c;
        private final int wrap;
        private final int[] acc;
        private final int[] count;
        /** One output row before it is narrowed to the output's depth. */
        private final int[] row;
        /** Whether {@link #pairs} takes whole 2x2 rows: the folds without counts or keys. */
        private final boolean pairFold;

        IntRows(Fold fold, IntImage in, IntImage out, int f) {
            this(fold, in.bitDepth() == 8 ? in.bytes() : null, in.bitDepth() == 16 ? in.shorts() : null, 0,
                    in.height(), in.width(), in.channels(), in.bitDepth(), out, f);
        }

        /** The samples where they are: {@code bytes} or {@code shorts} from index {@code first}, unchecked. */
        IntRows(Fold fold, byte[] bytes, short[] shorts, int first, int height, int width, int channels, int depth,
                IntImage out, int f) {
            this.fold = fold;
            this.bytes = bytes;
            this.shorts = shorts;
            this.first = first;
            this.height = height;
            this.width = width;
            this.depth = depth;
            this.out = out;
            this.f = f;
            this.c = channels;
            this.wrap = (int) (((1L << depth) - 1) << 1 | 1);
            this.acc = new int[width * c];
            this.count = fold == Fold.NONZERO_SUM ? new int[acc.length] : null;
            this.row = new int[out.width() * c];
            this.pairFold = switch (fold) {
                case SUM, MAX, MIN -> true;
                case NONZERO_SUM, NONZERO_MIN -> false;
            };
        }

        void run() {
            Divisor full = new Divisor(f * f);
            for (int oy = 0; oy < out.height(); oy++) {
                int y0 = oy * f;
                int y1 = Math.min(y0 + f, height);
                if (pairFold && f == 2 && y1 - y0 == 2 && width % 2 == 0) {
                    pairs(y0, oy); // the common case, 2x2 windows all inside the row: no row buffers
                    continue;
                }
                firstRow(y0);
                start();
                for (int y = y0 + 1; y < y1; y++) {
                    combine(y);
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
            int rowLen = width * c;
            int r0 = first + y * rowLen;
            int r1 = r0 + rowLen;
            int o = oy * out.width() * c;
            int n = out.width() * c;
            // The fold and depth are chosen once per row, outside the loop over samples.
            if (depth == 8) {
                byte[] s = bytes;
                byte[] t = out.bytes();
                switch (fold) {
                    case SUM -> {
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
                    case MIN -> {
                        for (int i = 0, a = 0, ch = 0; i < n; i++, a++) {
                            t[o + i] = (byte) Math.min(Math.min(s[r0 + a] & 0xff, s[r0 + a + c] & 0xff),
                                    Math.min(s[r1 + a] & 0xff, s[r1 + a + c] & 0xff));
                            if (++ch == c) {
                                ch = 0;
                                a += c;
                            }
                        }
                    }
                    case NONZERO_SUM, NONZERO_MIN -> throw new IllegalStateException(fold + " has no pair path");
                }
            } else {
                short[] s = shorts;
                short[] t = out.shorts();
                switch (fold) {
                    case SUM -> {
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
                    case MIN -> {
                        for (int i = 0, a = 0, ch = 0; i < n; i++, a++) {
                            t[o + i] = (short) Math.min(Math.min(s[r0 + a] & 0xffff, s[r0 + a + c] & 0xffff),
                                    Math.min(s[r1 + a] & 0xffff, s[r1 + a + c] & 0xffff));
                            if (++ch == c) {
                                ch = 0;
                                a += c;
                            }
                        }
                    }
                    case NONZERO_SUM, NONZERO_MIN -> throw new IllegalStateException(fold + " has no pair path");
                }
            }
        }

        /** The mean of four samples rounded half to even: Divisor.roundHalfEven with n = 4. */
        private static int avg4(int v0, int v1, int v2, int v3) {
            int sum = v0 + v1 + v2 + v3;
            int q = sum >>> 2;
            return q + ((4 - 2 * (sum & 3) - (q & 1)) >>> 31);
        }

        /** Row {@code y} into {@code acc} as {@link #orderedRow} gives it (8- and 16-bit samples as they are). */
        private void firstRow(int y) {
            int base = first + y * acc.length;
            if (depth == 8) {
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = bytes[base + i] & 0xff;
                }
            } else {
                for (int i = 0; i < acc.length; i++) {
                    acc[i] = shorts[base + i] & 0xffff;
                }
            }
        }

        /** The window's first row, in {@code acc}, as the fold keeps it. */
        private void start() {
            switch (fold) {
                case SUM, MAX, MIN -> { }
                case NONZERO_SUM -> {
                    for (int i = 0; i < acc.length; i++) {
                        count[i] = -acc[i] >>> 31;
                    }
                }
                case NONZERO_MIN -> {
                    for (int i = 0; i < acc.length; i++) {
                        acc[i] = (acc[i] - 1) & wrap;
                    }
                }
            }
        }

        /**
         * Folds row {@code y} into {@code acc}: stride 1, so the loops vectorise. One loop per depth
         * and fold, reading the samples where they are: widening the row into a buffer first and
         * folding that made 2 x 2 averages a fifth slower (CPU time, ImagePoolingBench).
         */
        private void combine(int y) {
            int base = first + y * acc.length;
            if (depth == 8) {
                byte[] s = bytes;
                switch (fold) {
                    case SUM -> {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] += s[base + i] & 0xff;
                        }
                    }
                    case NONZERO_SUM -> {
                        for (int i = 0; i < acc.length; i++) {
                            int v = s[base + i] & 0xff;
                            acc[i] += v;
                            count[i] += -v >>> 31; // 1 for a sample above 0: samples are below 2^31
                        }
                    }
                    case MAX -> {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] = Math.max(acc[i], s[base + i] & 0xff);
                        }
                    }
                    case MIN -> {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] = Math.min(acc[i], s[base + i] & 0xff);
                        }
                    }
                    case NONZERO_MIN -> {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] = Math.min(acc[i], ((s[base + i] & 0xff) - 1) & wrap);
                        }
                    }
                }
            } else {
                short[] s = shorts;
                switch (fold) {
                    case SUM -> {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] += s[base + i] & 0xffff;
                        }
                    }
                    case NONZERO_SUM -> {
                        for (int i = 0; i < acc.length; i++) {
                            int v = s[base + i] & 0xffff;
                            acc[i] += v;
                            count[i] += -v >>> 31;
                        }
                    }
                    case MAX -> {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] = Math.max(acc[i], s[base + i] & 0xffff);
                        }
                    }
                    case MIN -> {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] = Math.min(acc[i], s[base + i] & 0xffff);
                        }
                    }
                    case NONZERO_MIN -> {
                        for (int i = 0; i < acc.length; i++) {
                            acc[i] = Math.min(acc[i], ((s[base + i] & 0xffff) - 1) & wrap);
                        }
                    }
                }
            }
        }

        /** Output row {@code oy} from the combined rows ({@code rows} of them). */
        private void emit(int oy, int rows, Divisor full) {
            int w = width;
            int ow = out.width();
            // Windows wholly inside the row: the same count, so one divisor and a loop without bounds.
            int inner = Math.min(ow, w / f);
            int[] o = row;
            // One loop per fold: a five-case switch inside the loop over windows cost 2x2 means a tenth.
            switch (fold) {
                case SUM -> {
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
                                o[ox * c + ch] = d.roundHalfEven(sum(acc, ox * f, f, ch));
                            }
                        }
                    }
                    if (inner < ow) { // the partial window at the row's end
                        Divisor last = new Divisor(rows * (w - inner * f));
                        for (int ch = 0; ch < c; ch++) {
                            o[inner * c + ch] = last.roundHalfEven(sum(acc, inner * f, w - inner * f, ch));
                        }
                    }
                }
                case NONZERO_SUM -> {
                    for (int ox = 0; ox < ow; ox++) {
                        int n = Math.min(f, w - ox * f);
                        for (int ch = 0; ch < c; ch++) {
                            int nonzero = sum(count, ox * f, n, ch);
                            o[ox * c + ch] = nonzero == 0 ? 0 : (int) roundHalfEven(sum(acc, ox * f, n, ch), nonzero);
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
                case MIN, NONZERO_MIN -> {
                    int back = fold == Fold.MIN ? 0 : 1; // NONZERO_MIN's keys map back by + 1, mod wrap + 1
                    for (int ox = 0; ox < ow; ox++) {
                        int x1 = Math.min(ox * f + f, w);
                        for (int ch = 0; ch < c; ch++) {
                            int v = Integer.MAX_VALUE;
                            for (int x = ox * f; x < x1; x++) {
                                v = Math.min(v, acc[x * c + ch]);
                            }
                            o[ox * c + ch] = (v + back) & wrap;
                        }
                    }
                }
            }
            fromOrdered(o, out, oy);
        }

        /** Channel {@code ch} of {@code a}'s {@code n} columns from column {@code x0}, summed. */
        private int sum(int[] a, int x0, int n, int ch) {
            int v = 0;
            for (int x = x0; x < x0 + n; x++) {
                v += a[x * c + ch];
            }
            return v;
        }
    }

    /** Wide windows and 32-bit samples: the same two passes in {@code long}, unsigned samples. */
    private static final class LongRows {
        private final Fold fold;
        private final IntImage in;
        private final IntImage out;
        private final int f;
        private final int c;
        private final long wrap;
        private final long[] acc;
        private final int[] count;

        LongRows(Fold fold, IntImage in, IntImage out, int f) {
            this.fold = fold;
            this.in = in;
            this.out = out;
            this.f = f;
            this.c = in.channels();
            this.wrap = in.maxValue() << 1 | 1;
            this.acc = new long[in.width() * c];
            this.count = fold == Fold.NONZERO_SUM ? new int[acc.length] : null;
        }

        void run() {
            int rowLen = in.width() * c;
            for (int oy = 0; oy < out.height(); oy++) {
                int y0 = oy * f;
                int y1 = Math.min(y0 + f, in.height());
                for (int y = y0; y < y1; y++) {
                    int base = y * rowLen;
                    boolean first = y == y0;
                    switch (fold) {
                        case SUM -> {
                            for (int i = 0; i < rowLen; i++) {
                                acc[i] = (first ? 0 : acc[i]) + sample(base + i);
                            }
                        }
                        case NONZERO_SUM -> {
                            for (int i = 0; i < rowLen; i++) {
                                long v = sample(base + i);
                                acc[i] = (first ? 0 : acc[i]) + v;
                                count[i] = (first ? 0 : count[i]) + (v == 0 ? 0 : 1);
                            }
                        }
                        case MAX -> {
                            for (int i = 0; i < rowLen; i++) {
                                acc[i] = Math.max(first ? 0 : acc[i], sample(base + i));
                            }
                        }
                        case MIN -> {
                            for (int i = 0; i < rowLen; i++) {
                                acc[i] = Math.min(first ? Long.MAX_VALUE : acc[i], sample(base + i));
                            }
                        }
                        case NONZERO_MIN -> {
                            for (int i = 0; i < rowLen; i++) {
                                acc[i] = Math.min(first ? Long.MAX_VALUE : acc[i], (sample(base + i) - 1) & wrap);
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
                    switch (fold) {
                        case SUM -> {
                            for (int x = x0 + 1; x < x1; x++) {
                                v += acc[a += c];
                            }
                            v = roundHalfEven(v, n);
                        }
                        case NONZERO_SUM -> {
                            long nonzero = count[a];
                            for (int x = x0 + 1; x < x1; x++) {
                                v += acc[a += c];
                                nonzero += count[a];
                            }
                            v = nonzero == 0 ? 0 : roundHalfEven(v, nonzero);
                        }
                        case MAX -> {
                            for (int x = x0 + 1; x < x1; x++) {
                                v = Math.max(v, acc[a += c]);
                            }
                        }
                        case MIN, NONZERO_MIN -> {
                            for (int x = x0 + 1; x < x1; x++) {
                                v = Math.min(v, acc[a += c]);
                            }
                            if (fold == Fold.NONZERO_MIN) {
                                v = (v + 1) & wrap;
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
