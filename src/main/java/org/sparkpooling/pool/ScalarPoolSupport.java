package org.sparkpooling.pool;

import java.util.Arrays;

/**
 * The scalar twin of {@code PanamaPoolSupport}: the same rows, the same order of operations, so
 * a test can hold the SIMD code to it lane for lane. It is also what {@link PoolVectorization}
 * returns when SIMD is off, which keeps {@link FastKernel} to one code path.
 */
final class ScalarPoolSupport implements PoolVectorSupport {

    @Override
    public int lanes() {
        return 1;
    }

    @Override
    public void maxRow(float[] x, int inBase, int origin, int inW, int kh, int kw, int sw,
            int owFrom, int owTo, float[] out, int[] ind, int o) {
        for (int ow = owFrom; ow < owTo; ow++) {
            int i = origin + ow * sw;
            float m = x[inBase + i];
            int k = i;
            for (int r = 0; r < kh; r++) {
                for (int d = r == 0 ? 1 : 0; d < kw; d++) {
                    int j = i + r * inW + d;
                    float v = x[inBase + j];
                    if (v > m || v != v) {
                        m = v;
                        k = j;
                    }
                }
            }
            out[o + ow] = m;
            ind[o + ow] = k;
        }
    }

    @Override
    public void avgRow(float[] x, int inBase, int origin, int inW, int kh, int kw, int sw, float reciprocal,
            int owFrom, int owTo, float[] out, int o) {
        for (int ow = owFrom; ow < owTo; ow++) {
            int a = inBase + origin + ow * sw;
            float s = x[a];
            for (int r = 0; r < kh; r++) {
                for (int d = r == 0 ? 1 : 0; d < kw; d++) {
                    s += x[a + r * inW + d];
                }
            }
            out[o + ow] = s * reciprocal;
        }
    }

    @Override
    public void max2x2s2Plane(float[] x, int inBase, int inW, int outH, int outW, float[] out, int[] ind, int o) {
        for (int oh = 0; oh < outH; oh++) {
            maxRow(x, inBase, 2 * oh * inW, inW, 2, 2, 2, 0, outW, out, ind, o + oh * outW);
        }
    }

    @Override
    public boolean maxBackward2x2s2Plane(float[] gradOutput, int[] ind, int o, int inW, int outH, int outW,
            float[] gradInput, int inBase) {
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                int i = 2 * oh * inW + 2 * ow;
                int g = o + oh * outW + ow;
                int local = ind[g] - i;
                if (local != 0 && local != 1 && local != inW && local != inW + 1) {
                    return false;
                }
                float v = 0f + gradOutput[g];
                int a = inBase + i;
                gradInput[a] = local == 0 ? v : 0f;
                gradInput[a + 1] = local == 1 ? v : 0f;
                gradInput[a + inW] = local == inW ? v : 0f;
                gradInput[a + inW + 1] = local == inW + 1 ? v : 0f;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ channels-last rows

    @Override
    public void maxCells(float[] x, int base, int[] cell, int cells, int c, float[] y, int[] ind, int o) {
        maxCellsTail(x, base, cell, cells, c, 0, y, ind, o);
    }

    /** Channels {@code [from, c)}; also the SIMD support's tail. */
    static void maxCellsTail(float[] x, int base, int[] cell, int cells, int c, int from, float[] y, int[] ind, int o) {
        if (maxCellsKeyed(x, base, cell, cells, c, from, y, ind, o)) {
            return;
        }
        for (int k = from; k < c; k++) {
            float m = x[base + cell[0] * c + k];
            int arg = cell[0];
            for (int t = 1; t < cells; t++) {
                float v = x[base + cell[t] * c + k];
                if (v > m || v != v) {
                    m = v;
                    arg = cell[t];
                }
            }
            y[o + k] = m;
            ind[o + k] = arg;
        }
    }

    @Override
    public void maxCells(double[] x, int base, int[] cell, int cells, int c, double[] y, int[] ind, int o) {
        maxCellsTail(x, base, cell, cells, c, 0, y, ind, o);
    }

    static void maxCellsTail(double[] x, int base, int[] cell, int cells, int c, int from, double[] y, int[] ind,
            int o) {
        for (int k = from; k < c; k++) {
            double m = x[base + cell[0] * c + k];
            int arg = cell[0];
            for (int t = 1; t < cells; t++) {
                double v = x[base + cell[t] * c + k];
                if (v > m || v != v) {
                    m = v;
                    arg = cell[t];
                }
            }
            y[o + k] = m;
            ind[o + k] = arg;
        }
    }

    @Override
    public void sumCells(float[] x, int base, int[] cell, int cells, int c, float scale, float[] y, int o) {
        sumCellsTail(x, base, cell, cells, c, 0, scale, y, o);
    }

    static void sumCellsTail(float[] x, int base, int[] cell, int cells, int c, int from, float scale, float[] y,
            int o) {
        for (int k = from; k < c; k++) {
            float s = x[base + cell[0] * c + k];
            for (int t = 1; t < cells; t++) {
                s += x[base + cell[t] * c + k];
            }
            y[o + k] = s * scale;
        }
    }

    @Override
    public void sumCells(double[] x, int base, int[] cell, int cells, int c, double scale, double[] y, int o) {
        sumCellsTail(x, base, cell, cells, c, 0, scale, y, o);
    }

    static void sumCellsTail(double[] x, int base, int[] cell, int cells, int c, int from, double scale, double[] y,
            int o) {
        for (int k = from; k < c; k++) {
            double s = x[base + cell[0] * c + k];
            for (int t = 1; t < cells; t++) {
                s += x[base + cell[t] * c + k];
            }
            y[o + k] = s * scale;
        }
    }

    @Override
    public int gatherMax(float[] gy, int[] ind, int[] out, int outs, int cell, int c, float[] gx, int g) {
        return gatherMaxTail(gy, ind, out, outs, cell, c, 0, gx, g);
    }

    static int gatherMaxTail(float[] gy, int[] ind, int[] out, int outs, int cell, int c, int from, float[] gx, int g) {
        int matches = 0;
        for (int k = from; k < c; k++) {
            float s = 0f;
            for (int t = 0; t < outs; t++) {
                int hit = same(ind[out[t] + k], cell);
                s += Float.intBitsToFloat(Float.floatToRawIntBits(gy[out[t] + k]) & hit);
                matches += hit & 1;
            }
            gx[g + k] = s;
        }
        return matches;
    }

    /** All ones when {@code a == b}, else 0, without a branch (HotSpot keeps int ternaries as branches). */
    private static int same(int a, int b) {
        int d = a ^ b;
        return ~((d | -d) >> 31);
    }

    @Override
    public void gatherSum(float[] gy, int[] out, float[] scale, int outs, int c, float[] gx, int g) {
        gatherSumTail(gy, out, scale, outs, c, 0, gx, g);
    }

    static void gatherSumTail(float[] gy, int[] out, float[] scale, int outs, int c, int from, float[] gx, int g) {
        for (int k = from; k < c; k++) {
            float s = 0f;
            for (int t = 0; t < outs; t++) {
                s += gy[out[t] + k] * scale[t];
            }
            gx[g + k] = s;
        }
    }

    @Override
    public int spreadMax(float[] gy, int[] ind, int o, int base, int[] cell, int cells, int c, float[] gx) {
        return spreadMaxTail(gy, ind, o, base, cell, cells, c, 0, gx);
    }

    static int spreadMaxTail(float[] gy, int[] ind, int o, int base, int[] cell, int cells, int c, int from,
            float[] gx) {
        int matches = 0;
        for (int k = from; k < c; k++) {
            int v = Float.floatToRawIntBits(0f + gy[o + k]);
            int arg = ind[o + k];
            for (int t = 0; t < cells; t++) {
                int hit = same(arg, cell[t]);
                gx[base + cell[t] * c + k] = Float.intBitsToFloat(v & hit);
                matches += hit & 1;
            }
        }
        return matches;
    }

    @Override
    public void spreadSum(float[] gy, int o, float scale, int base, int[] cell, int cells, int c, float[] gx) {
        spreadSumTail(gy, o, scale, base, cell, cells, c, 0, gx);
    }

    static void spreadSumTail(float[] gy, int o, float scale, int base, int[] cell, int cells, int c, int from,
            float[] gx) {
        for (int k = from; k < c; k++) {
            float v = gy[o + k] * scale;
            for (int t = 0; t < cells; t++) {
                gx[base + cell[t] * c + k] = v;
            }
        }
    }

    @Override
    public int gatherMax(double[] gy, int[] ind, int[] out, int outs, int cell, int c, double[] gx, int g) {
        return gatherMaxTail(gy, ind, out, outs, cell, c, 0, gx, g);
    }

    static int gatherMaxTail(double[] gy, int[] ind, int[] out, int outs, int cell, int c, int from, double[] gx, int g) {
        int matches = 0;
        for (int k = from; k < c; k++) {
            double s = 0.0;
            for (int t = 0; t < outs; t++) {
                boolean hit = ind[out[t] + k] == cell;
                s += hit ? gy[out[t] + k] : 0.0;
                matches += hit ? 1 : 0;
            }
            gx[g + k] = s;
        }
        return matches;
    }

    @Override
    public void gatherSum(double[] gy, int[] out, double[] scale, int outs, int c, double[] gx, int g) {
        gatherSumTail(gy, out, scale, outs, c, 0, gx, g);
    }

    static void gatherSumTail(double[] gy, int[] out, double[] scale, int outs, int c, int from, double[] gx, int g) {
        for (int k = from; k < c; k++) {
            double s = 0.0;
            for (int t = 0; t < outs; t++) {
                s += gy[out[t] + k] * scale[t];
            }
            gx[g + k] = s;
        }
    }

    @Override
    public int spreadMax(double[] gy, int[] ind, int o, int base, int[] cell, int cells, int c, double[] gx) {
        return spreadMaxTail(gy, ind, o, base, cell, cells, c, 0, gx);
    }

    static int spreadMaxTail(double[] gy, int[] ind, int o, int base, int[] cell, int cells, int c, int from,
            double[] gx) {
        int matches = 0;
        for (int k = from; k < c; k++) {
            double v = 0.0 + gy[o + k];
            int arg = ind[o + k];
            for (int t = 0; t < cells; t++) {
                boolean hit = arg == cell[t];
                gx[base + cell[t] * c + k] = hit ? v : 0.0;
                matches += hit ? 1 : 0;
            }
        }
        return matches;
    }

    @Override
    public void spreadSum(double[] gy, int o, double scale, int base, int[] cell, int cells, int c, double[] gx) {
        spreadSumTail(gy, o, scale, base, cell, cells, c, 0, gx);
    }

    static void spreadSumTail(double[] gy, int o, double scale, int base, int[] cell, int cells, int c, int from,
            double[] gx) {
        for (int k = from; k < c; k++) {
            double v = gy[o + k] * scale;
            for (int t = 0; t < cells; t++) {
                gx[base + cell[t] * c + k] = v;
            }
        }
    }

    // ------------------------------------------------------------------ channels-first rows of any rank

    @Override
    public void maxTaps(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            float[] y, int[] ind, int o) {
        maxTapsTail(x, a, tapAt, tapIndex, taps, sw, first, 0, count, y, ind, o);
    }

    /** Windows {@code [from, to)}; also the SIMD support's tail. */
    static void maxTapsTail(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int from,
            int to, float[] y, int[] ind, int o) {
        if (maxTapsKeyed(x, a, tapAt, tapIndex, taps, sw, first, from, to, y, ind, o)) {
            return;
        }
        for (int j = from; j < to; j++) {
            int b = a + j * sw;
            float m = x[b + tapAt[0]];
            int arg = tapIndex[0];
            for (int t = 1; t < taps; t++) {
                float v = x[b + tapAt[t]];
                if (v > m || v != v) {
                    m = v;
                    arg = tapIndex[t];
                }
            }
            y[o + j] = m;
            ind[o + j] = first + j * sw + arg;
        }
    }

    @Override
    public void sumTaps(float[] x, int a, int[] tapAt, int taps, int sw, int count, float scale, float[] y, int o) {
        sumTapsTail(x, a, tapAt, taps, sw, 0, count, scale, y, o);
    }

    static void sumTapsTail(float[] x, int a, int[] tapAt, int taps, int sw, int from, int to, float scale,
            float[] y, int o) {
        for (int j = from; j < to; j++) {
            int b = a + j * sw;
            float s = x[b + tapAt[0]];
            for (int t = 1; t < taps; t++) {
                s += x[b + tapAt[t]];
            }
            y[o + j] = s * scale;
        }
    }

    @Override
    public float sum(float[] x, int a, int n) {
        float s = 0f;
        for (int i = a; i < a + n; i++) {
            s += x[i];
        }
        return s;
    }


    @Override
    public void maxTaps(double[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            double[] y, int[] ind, int o) {
        maxTapsTail(x, a, tapAt, tapIndex, taps, sw, first, 0, count, y, ind, o);
    }

    /**
     * Windows {@code [from, to)}; also the SIMD support's tail. On keys without a branch first
     * ({@link #maxTapsKeys}); a run of windows that held a NaN is redone by the reference's rule.
     */
    static void maxTapsTail(double[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int from,
            int to, double[] y, int[] ind, int o) {
        if (!maxTapsKeys(x, a, tapAt, tapIndex, taps, sw, first, from, to, y, ind, o)) {
            maxTapsRule(x, a, tapAt, tapIndex, taps, sw, first, from, to, y, ind, o);
        }
    }

    /**
     * Max on the order of the doubles' bits, as {@code FastKernel}'s float bodies do on int keys: a
     * compare of doubles is a branch in HotSpot's code, which random input mispredicts about every
     * other tap (Java 17 ran float64 large-max channels-first 4.6x slower than Java 25's SIMD rows
     * this way). {@link #key} orders longs as the doubles are ordered, both zeros equal, so a tie
     * keeps the first tap; a tap is taken by masks of an overflow-free signed compare. The value
     * is the taken tap's own bits (the sign of a zero kept). False when some window held a NaN.
     */
    private static boolean maxTapsKeys(double[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first,
            int from, int to, double[] y, int[] ind, int o) {
        if (taps == 4) {
            return max4Keys(x, a, tapAt, tapIndex, sw, first, from, to, y, ind, o);
        }
        long nan = 0;
        for (int j = from; j < to; j++) {
            int b = a + j * sw;
            long bits = Double.doubleToRawLongBits(x[b + tapAt[0]]);
            nan |= nanFlag(bits);
            long best = key(bits);
            int arg = 0;
            for (int t = 1; t < taps; t++) {
                bits = Double.doubleToRawLongBits(x[b + tapAt[t]]);
                nan |= nanFlag(bits);
                long k = key(bits);
                long take = less(best, k);
                best ^= (best ^ k) & take;
                arg ^= (arg ^ t) & (int) take;
            }
            y[o + j] = x[b + tapAt[arg]];
            ind[o + j] = first + j * sw + tapIndex[arg];
        }
        return nan >= 0;
    }

    /**
     * Four taps (2x2, 2x1x2...) unrolled as a tournament: the first pair and the second pair, then
     * their winners, the earlier winning a tie, which is the first maximum in tap order as in the
     * loop; two compares deep instead of three.
     */
    private static boolean max4Keys(double[] x, int a, int[] tapAt, int[] tapIndex, int sw, int first, int from,
            int to, double[] y, int[] ind, int o) {
        int t1 = tapAt[1] - tapAt[0];
        int t2 = tapAt[2] - tapAt[0];
        int t3 = tapAt[3] - tapAt[0];
        long nan = 0;
        for (int j = from; j < to; j++) {
            int b = a + j * sw + tapAt[0];
            long b0 = Double.doubleToRawLongBits(x[b]);
            long b1 = Double.doubleToRawLongBits(x[b + t1]);
            long b2 = Double.doubleToRawLongBits(x[b + t2]);
            long b3 = Double.doubleToRawLongBits(x[b + t3]);
            nan |= nanFlag(b0) | nanFlag(b1) | nanFlag(b2) | nanFlag(b3);
            long k0 = key(b0);
            long k1 = key(b1);
            long k2 = key(b2);
            long k3 = key(b3);
            long take1 = less(k0, k1);
            long take3 = less(k2, k3);
            long first01 = k0 ^ ((k0 ^ k1) & take1);
            long first23 = k2 ^ ((k2 ^ k3) & take3);
            long bits01 = b0 ^ ((b0 ^ b1) & take1);
            long bits23 = b2 ^ ((b2 ^ b3) & take3);
            int arg01 = (int) take1 & 1;
            int arg23 = 2 | ((int) take3 & 1);
            long later = less(first01, first23);
            int arg = arg01 ^ ((arg01 ^ arg23) & (int) later);
            y[o + j] = Double.longBitsToDouble(bits01 ^ ((bits01 ^ bits23) & later));
            ind[o + j] = first + j * sw + tapIndex[arg];
        }
        return nan >= 0;
    }

    /** Two's-complement order of a double's bits: -a for negative doubles, a for positive, 0 for both zeros. */
    private static long key(long bits) {
        long s = bits >> 63;
        return ((bits & Long.MAX_VALUE) ^ s) - s;
    }

    /** All ones when {@code p < q}, else 0, without a branch; right where {@code p - q} overflows too. */
    private static long less(long p, long q) {
        long d = p - q;
        return (d ^ ((p ^ q) & (d ^ p))) >> 63;
    }

    /** Negative when the bits are a NaN (magnitude above +inf's), else non-negative. */
    private static long nanFlag(long bits) {
        return 0x7ff0000000000000L - (bits & Long.MAX_VALUE);
    }

    private static void maxTapsRule(double[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first,
            int from, int to, double[] y, int[] ind, int o) {
        for (int j = from; j < to; j++) {
            int b = a + j * sw;
            double m = x[b + tapAt[0]];
            int arg = tapIndex[0];
            for (int t = 1; t < taps; t++) {
                double v = x[b + tapAt[t]];
                if (v > m || v != v) {
                    m = v;
                    arg = tapIndex[t];
                }
            }
            y[o + j] = m;
            ind[o + j] = first + j * sw + arg;
        }
    }

    @Override
    public void sumTaps(double[] x, int a, int[] tapAt, int taps, int sw, int count, double scale, double[] y, int o) {
        sumTapsTail(x, a, tapAt, taps, sw, 0, count, scale, y, o);
    }

    static void sumTapsTail(double[] x, int a, int[] tapAt, int taps, int sw, int from, int to, double scale,
            double[] y, int o) {
        for (int j = from; j < to; j++) {
            int b = a + j * sw;
            double s = x[b + tapAt[0]];
            for (int t = 1; t < taps; t++) {
                s += x[b + tapAt[t]];
            }
            y[o + j] = s * scale;
        }
    }

    @Override
    public double sum(double[] x, int a, int n) {
        double s = 0.0;
        for (int i = a; i < a + n; i++) {
            s += x[i];
        }
        return s;
    }

    @Override
    public int spreadMaxPairs(float[] gy, int[] ind, int o, int count, int first, float[] gx, int a) {
        return spreadMaxPairsTail(gy, ind, o, 0, count, first, gx, a);
    }

    static int spreadMaxPairsTail(float[] gy, int[] ind, int o, int from, int to, int first, float[] gx, int a) {
        int matches = 0;
        for (int j = from; j < to; j++) {
            int local = ind[o + j] - (first + 2 * j);
            float v = 0f + gy[o + j];
            gx[a + 2 * j] = local == 0 ? v : 0f;
            gx[a + 2 * j + 1] = local == 1 ? v : 0f;
            matches += local == 0 || local == 1 ? 1 : 0;
        }
        return matches;
    }

    @Override
    public int spreadMaxPairs(double[] gy, int[] ind, int o, int count, int first, double[] gx, int a) {
        return spreadMaxPairsTail(gy, ind, o, 0, count, first, gx, a);
    }

    static int spreadMaxPairsTail(double[] gy, int[] ind, int o, int from, int to, int first, double[] gx, int a) {
        int matches = 0;
        for (int j = from; j < to; j++) {
            int local = ind[o + j] - (first + 2 * j);
            double v = 0.0 + gy[o + j];
            gx[a + 2 * j] = local == 0 ? v : 0.0;
            gx[a + 2 * j + 1] = local == 1 ? v : 0.0;
            matches += local == 0 || local == 1 ? 1 : 0;
        }
        return matches;
    }

    @Override
    public void addInto(float[] src, int s, float[] dst, int d, int n) {
        for (int i = 0; i < n; i++) {
            dst[d + i] += src[s + i];
        }
    }

    @Override
    public void spreadTiles(float[] gy, int o, int count, float scale, float[] gx, int a, int inW) {
        for (int j = 0; j < count; j++) {
            float v = gy[o + j] * scale;
            int c = a + 2 * j;
            gx[c] = v;
            gx[c + 1] = v;
            gx[c + inW] = v;
            gx[c + inW + 1] = v;
        }
    }

    @Override
    public void shareRow(float[] share, int m, int kw, int sw, int pw, float[] r, int b, int n) {
        shareColumns(share, m, kw, sw, pw, r, b, 0, n);
    }

    /**
     * Columns {@code [from, n)} of {@link #shareRow}: one pass per tap, the last tap first, so each
     * column adds its windows in output order and no store waits on the one before it (adding
     * window by window into the row chained every store to the next load: 2x slower).
     */
    static void shareColumns(float[] share, int m, int kw, int sw, int pw, float[] r, int b, int from, int n) {
        Arrays.fill(r, b + from, b + n, 0f);
        for (int d = kw - 1; d >= 0; d--) {
            // window ow's tap d is column ow * sw - pw + d
            int at = b - pw + d;
            int owHi = Math.floorDiv(n - 1 + pw - d, sw);
            for (int ow = -Math.floorDiv(-(from + pw - d), sw); ow <= owHi; ow++) {
                r[at + ow * sw] += share[m + ow];
            }
        }
    }

    @Override
    public void maxTapsFrom(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            int[] init, int initOffset, float[] y, int[] ind, int o) {
        maxTapsFromTail(x, a, tapAt, tapIndex, taps, sw, first, 0, count, init, initOffset, y, ind, o);
    }

    @Override
    public void max3x3s2Row(float[] x, int a, int inW, boolean clipFirst, int first, int count, int[] init,
            int initOffset, float[] y, int[] ind, int o) {
        max3x3s2RowTail(x, a, inW, clipFirst, first, 0, count, init, initOffset, y, ind, o);
    }

    static void max3x3s2RowTail(float[] x, int a, int inW, boolean clipFirst, int first, int from, int to, int[] init,
            int initOffset, float[] y, int[] ind, int o) {
        for (int j = from; j < to; j++) {
            float m = Float.NEGATIVE_INFINITY;
            int arg = init[j] + initOffset;
            for (int r = 0; r < 3; r++) {
                for (int d = clipFirst && j == 0 ? 1 : 0; d < 3; d++) {
                    int cell = r * inW + 2 * j + d;
                    float v = x[a + cell];
                    if (v > m || v != v) {
                        m = v;
                        arg = first + cell;
                    }
                }
            }
            y[o + j] = m;
            ind[o + j] = arg;
        }
    }

    static void maxTapsFromTail(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int from,
            int to, int[] init, int initOffset, float[] y, int[] ind, int o) {
        for (int j = from; j < to; j++) {
            int b = a + j * sw;
            float m = Float.NEGATIVE_INFINITY;
            int arg = init[j] + initOffset;
            for (int t = 0; t < taps; t++) {
                float v = x[b + tapAt[t]];
                if (v > m || v != v) {
                    m = v;
                    arg = first + j * sw + tapIndex[t];
                }
            }
            y[o + j] = m;
            ind[o + j] = arg;
        }
    }

    /**
     * {@link #maxTapsTail} without a branch per tap, on FastKernel's int keys (see its scalar
     * bodies: a float compare-and-select is a branch that random data mispredicts); false, with
     * the outputs partly written, when some window held a NaN, which the branchy loop then redoes.
     * The same results: the key orders as the floats (the two zeros equal), ties keep the first.
     */
    private static boolean maxTapsKeyed(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first,
            int from, int to, float[] y, int[] ind, int o) {
        int nan = 0;
        for (int j = from; j < to; j++) {
            int b = a + j * sw;
            int bits = Float.floatToRawIntBits(x[b + tapAt[0]]);
            nan |= 0x7f800000 - (bits & 0x7fffffff);
            int best = key(bits);
            int sel = 0;
            for (int t = 1; t < taps; t++) {
                bits = Float.floatToRawIntBits(x[b + tapAt[t]]);
                nan |= 0x7f800000 - (bits & 0x7fffffff);
                int k = key(bits);
                int take = (int) (((long) best - k) >> 63);
                best = Math.max(best, k);
                sel ^= (sel ^ t) & take;
            }
            y[o + j] = x[b + tapAt[sel]];
            ind[o + j] = first + j * sw + tapIndex[sel];
        }
        return nan >= 0;
    }

    private static int key(int bits) {
        int s = bits >> 31;
        return ((bits & 0x7fffffff) ^ s) - s;
    }

    /** {@link #maxCellsTail} on int keys without a branch per cell (see {@link #maxTapsKeyed}); false when a NaN was seen. */
    private static boolean maxCellsKeyed(float[] x, int base, int[] cell, int cells, int c, int from, float[] y,
            int[] ind, int o) {
        int nan = 0;
        for (int k = from; k < c; k++) {
            int bits = Float.floatToRawIntBits(x[base + cell[0] * c + k]);
            nan |= 0x7f800000 - (bits & 0x7fffffff);
            int best = key(bits);
            int sel = 0;
            for (int t = 1; t < cells; t++) {
                bits = Float.floatToRawIntBits(x[base + cell[t] * c + k]);
                nan |= 0x7f800000 - (bits & 0x7fffffff);
                int kk = key(bits);
                int take = (int) (((long) best - kk) >> 63);
                best = Math.max(best, kk);
                sel ^= (sel ^ t) & take;
            }
            y[o + k] = x[base + cell[sel] * c + k];
            ind[o + k] = cell[sel];
        }
        return nan >= 0;
    }

    @Override
    public boolean columnMax(float[] x, int[] rowAt, int[] rowCell, int rows, float[] colOf, int n, float[] col,
            float[] idx, int c) {
        return columnMaxTail(x, rowAt, rowCell, rows, colOf, 0, n, col, idx, c);
    }

    static boolean columnMaxTail(float[] x, int[] rowAt, int[] rowCell, int rows, float[] colOf, int from, int n,
            float[] col, float[] idx, int c) {
        boolean nan = false;
        for (int j = from; j < n; j++) {
            float m = x[rowAt[0] + j];
            float k = rowCell[0] + colOf[j];
            nan |= m != m;
            for (int r = 1; r < rows; r++) {
                float v = x[rowAt[r] + j];
                nan |= v != v;
                if (v > m) {
                    m = v;
                    k = rowCell[r] + colOf[j];
                }
            }
            col[c + j] = m;
            idx[c + j] = k;
        }
        return !nan;
    }

    @Override
    public void maxAlong(float[] col, float[] idx, int a, int n, int taps, int step, float[] y, int[] ind, int o) {
        maxAlongTail(col, idx, a, 0, n, taps, step, y, ind, o);
    }

    static void maxAlongTail(float[] col, float[] idx, int a, int from, int n, int taps, int step,
            float[] y, int[] ind, int o) {
        for (int j = from; j < n; j++) {
            int b = a + j;
            float m = col[b];
            float k = idx[b];
            for (int t = 1; t < taps; t++) {
                float v = col[b + t * step];
                float i = idx[b + t * step];
                if (v > m || (v == m && i < k)) {
                    m = v;
                    k = i;
                }
            }
            y[o + j] = m;
            ind[o + j] = (int) k;
        }
    }

    @Override
    public int spreadMaxAt(float[] gy, int[] ind, int o, int[] outOf, float[] cellOf, int cellBase, int n, float[] gx,
            int g) {
        return spreadMaxAtTail(gy, ind, o, outOf, cellOf, cellBase, 0, n, gx, g);
    }

    static int spreadMaxAtTail(float[] gy, int[] ind, int o, int[] outOf, float[] cellOf, int cellBase, int from, int n,
            float[] gx, int g) {
        int matches = 0;
        for (int e = from; e < n; e++) {
            int out = o + outOf[e];
            boolean hit = (float) ind[out] == cellBase + cellOf[e];
            gx[g + e] = hit ? 0f + gy[out] : 0f;
            matches += hit ? 1 : 0;
        }
        return matches;
    }

    @Override
    public void sumAt(float[] x, int[] rowAt, int rows, int[] first, int from, int to, int taps, int step,
            PixelBlocks blocks, float[] scale, float[] y, int o) {
        for (int j = from; j < to; j++) {
            float s = x[rowAt[0] + first[j]];
            for (int t = 1; t < taps; t++) {
                s += x[rowAt[0] + first[j] + t * step];
            }
            for (int r = 1; r < rows; r++) {
                for (int t = 0; t < taps; t++) {
                    s += x[rowAt[r] + first[j] + t * step];
                }
            }
            y[o + j] = s * scale[j];
        }
    }

    @Override
    public void spreadSumAt(float[] gy, int o, int[] outOf, int[] owOf, float[] rowScale, float[] coveredOf, int n,
            float[] gx, int g) {
        spreadSumAtTail(gy, o, outOf, owOf, rowScale, coveredOf, 0, n, gx, g);
    }

    static void spreadSumAtTail(float[] gy, int o, int[] outOf, int[] owOf, float[] rowScale, float[] coveredOf,
            int from, int n, float[] gx, int g) {
        for (int e = from; e < n; e++) {
            gx[g + e] = coveredOf[e] > 0 ? gy[o + outOf[e]] * rowScale[owOf[e]] : 0f;
        }
    }

    @Override
    public void maxAt(float[] x, int[] rowAt, int[] rowCell, int rows, int[] first, float[] column, int from, int to,
            int taps, int step, int stride, PixelBlocks blocks, float[] y, int[] ind, int o) {
        if (!maxAtKeyed(x, rowAt, rowCell, rows, first, column, from, to, taps, step, stride, y, ind, o)) {
            maxAtPlain(x, rowAt, rowCell, rows, first, column, from, to, taps, step, stride, y, ind, o);
        }
    }

    /**
     * {@link #maxAt} on int keys without a branch, as {@link #maxCellsKeyed}; false if some tap was
     * NaN, and then the caller redoes the call with the plain body. This is Java 17's few-channel
     * max (the vector form boxed its vectors there): textbook-max channels-last forward took
     * 0.27-0.28 ms with the unrolled 2x2 below, 0.44 ms with this loop alone, 0.77 ms with the plain
     * body and 0.48 ms window by window through {@code maxCells} (the minimum of 300 calls after 3 s
     * of warm-up, one after the other).
     */
    private static boolean maxAtKeyed(float[] x, int[] rowAt, int[] rowCell, int rows, int[] first, float[] column,
            int from, int to, int taps, int step, int stride, float[] y, int[] ind, int o) {
        if (rows == 2 && taps == 2) {
            return maxAt2x2Keyed(x, rowAt[0], rowAt[1], rowCell[0], rowCell[1], first, column, from, to, step, stride,
                    y, ind, o);
        }
        int nan = 0;
        for (int j = from; j < to; j++) {
            int at = rowAt[0] + first[j];
            int bits = Float.floatToRawIntBits(x[at]);
            nan |= 0x7f800000 - (bits & 0x7fffffff);
            int best = key(bits);
            int cell = rowCell[0];
            for (int r = 0; r < rows; r++) {
                for (int t = r == 0 ? 1 : 0; t < taps; t++) {
                    int a = rowAt[r] + first[j] + t * step;
                    bits = Float.floatToRawIntBits(x[a]);
                    nan |= 0x7f800000 - (bits & 0x7fffffff);
                    int k = key(bits);
                    int take = (int) (((long) best - k) >> 63);
                    best = Math.max(best, k);
                    at ^= (at ^ a) & take;
                    cell ^= (cell ^ (rowCell[r] + t * stride)) & take;
                }
            }
            y[o + j] = x[at];
            ind[o + j] = cell + (int) column[j];
        }
        return nan >= 0;
    }

    /** {@link #maxAtKeyed} of 2x2 windows (the textbook's), unrolled: taps in raster order. */
    private static boolean maxAt2x2Keyed(float[] x, int row0, int row1, int cell0, int cell1, int[] first,
            float[] column, int from, int to, int step, int stride, float[] y, int[] ind, int o) {
        int nan = 0;
        for (int j = from; j < to; j++) {
            int f = first[j];
            int b00 = Float.floatToRawIntBits(x[row0 + f]);
            int b01 = Float.floatToRawIntBits(x[row0 + f + step]);
            int b10 = Float.floatToRawIntBits(x[row1 + f]);
            int b11 = Float.floatToRawIntBits(x[row1 + f + step]);
            nan |= (0x7f800000 - (b00 & 0x7fffffff)) | (0x7f800000 - (b01 & 0x7fffffff))
                    | (0x7f800000 - (b10 & 0x7fffffff)) | (0x7f800000 - (b11 & 0x7fffffff));
            int best = key(b00);
            int at = row0 + f;
            int cell = cell0;
            int k = key(b01);
            int take = (int) (((long) best - k) >> 63);
            best = Math.max(best, k);
            at ^= (at ^ (row0 + f + step)) & take;
            cell ^= (cell ^ (cell0 + stride)) & take;
            k = key(b10);
            take = (int) (((long) best - k) >> 63);
            best = Math.max(best, k);
            at ^= (at ^ (row1 + f)) & take;
            cell ^= (cell ^ cell1) & take;
            k = key(b11);
            take = (int) (((long) best - k) >> 63);
            at ^= (at ^ (row1 + f + step)) & take;
            cell ^= (cell ^ (cell1 + stride)) & take;
            y[o + j] = x[at];
            ind[o + j] = cell + (int) column[j];
        }
        return nan >= 0;
    }

    private static void maxAtPlain(float[] x, int[] rowAt, int[] rowCell, int rows, int[] first, float[] column,
            int from, int to, int taps, int step, int stride, float[] y, int[] ind, int o) {
        for (int j = from; j < to; j++) {
            float m = x[rowAt[0] + first[j]];
            int k = rowCell[0] + (int) column[j];
            for (int r = 0; r < rows; r++) {
                for (int t = r == 0 ? 1 : 0; t < taps; t++) {
                    float v = x[rowAt[r] + first[j] + t * step];
                    if (v > m || v != v) {
                        m = v;
                        k = rowCell[r] + (int) column[j] + t * stride;
                    }
                }
            }
            y[o + j] = m;
            ind[o + j] = k;
        }
    }
}
