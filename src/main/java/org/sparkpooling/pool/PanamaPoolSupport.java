package org.sparkpooling.pool;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The only class that touches the incubating Vector API ({@code jdk.incubator.vector}); loaded by
 * reflection from {@link PoolVectorization}, so a JVM without the module never links it.
 * {@link ScalarPoolSupport} is its twin.
 *
 * <p>256-bit vectors, 8 outputs per step: wide enough to pay, narrow enough that the textbook's
 * 14-output rows still get a full step (512-bit would leave them scalar). A row's last step is
 * shifted back to end exactly at {@code owTo}, recomputing a few outputs rather than running a
 * scalar tail: the same values are stored twice. Stride 2 reads two vectors per tap row and
 * splits them into even and odd columns, so every tap is a whole vector in output order.
 */
final class PanamaPoolSupport implements PoolVectorSupport {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int L = F.length();
    private static final VectorShuffle<Float> EVENS = VectorShuffle.fromOp(F, j -> 2 * j);
    private static final VectorShuffle<Float> ODDS = VectorShuffle.fromOp(F, j -> 2 * j + 1);
    /**
     * Lanes 0, 2, 4, 6 (1, 3, 5, 7) in each half: a vector's even (odd) lanes, twice. Two of these
     * rearranges and a blend of the halves split two vectors into even and odd columns as
     * {@code lo.rearrange(EVENS, hi)} does, in fewer steps as C2 compiles them on AVX2 (2x2 stride-2
     * max forward, in cache: 2.53-2.65 against 2.86-2.99 ns per output, alternated). Written out
     * where used: behind a helper method C2 stopped inlining it in the larger rows
     * (NodeCountInliningCutoff) and boxed the vectors.
     */
    private static final VectorShuffle<Float> HALF_EVENS = VectorShuffle.fromOp(F, j -> 2 * j % L);
    private static final VectorShuffle<Float> HALF_ODDS = VectorShuffle.fromOp(F, j -> (2 * j + 1) % L);
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(F, 0xf0L);
    private static final IntVector IOTA1 = IntVector.zero(I).addIndex(1);
    private static final IntVector IOTA2 = IntVector.zero(I).addIndex(2);
    private static final FloatVector ZERO = FloatVector.zero(F);
    private static final ScalarPoolSupport SCALAR = new ScalarPoolSupport();
    /** float64: 4 lanes of 256 bits, their indices in 4 lanes of 128. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Integer> DI = IntVector.SPECIES_128;
    private static final int DL = D.length();
    private static final DoubleVector DZERO = DoubleVector.zero(D);
    private static final VectorShuffle<Double> DEVENS = VectorShuffle.fromOp(D, j -> 2 * j);
    private static final VectorShuffle<Double> DODDS = VectorShuffle.fromOp(D, j -> 2 * j + 1);
    private static final IntVector DIOTA2 = IntVector.zero(DI).addIndex(2);
    /** HALF_EVENS, HALF_ODDS and UPPER_HALF for 4 double lanes: the pair rows' split, which Java 17 compiles too. */
    private static final VectorShuffle<Double> DHALF_EVENS = VectorShuffle.fromOp(D, j -> 2 * j % DL);
    private static final VectorShuffle<Double> DHALF_ODDS = VectorShuffle.fromOp(D, j -> (2 * j + 1) % DL);
    private static final VectorMask<Double> DUPPER_HALF = VectorMask.fromLong(D, 0b1100L);
    private static final VectorShuffle<Double> DZIP_LO = VectorShuffle.fromOp(D, j -> (j & 1) * DL + j / 2);
    private static final VectorShuffle<Double> DZIP_HI = VectorShuffle.fromOp(D, j -> (j & 1) * DL + DL / 2 + j / 2);
    private static final DoubleVector DLANES1 = DoubleVector.fromArray(D, new double[] {0, 1, 2, 3}, 0);
    private static final DoubleVector DLANES2 = DoubleVector.fromArray(D, new double[] {0, 2, 4, 6}, 0);
    /**
     * Lanes 0, 0, 1, 1, ... (4, 4, 5, 5, ...): a row of window values spread to both columns of
     * their pairs. The backward of 2x2 stride-2 tiles, max and avg, stores through these one-vector
     * rearranges where the two-vector ZIP_LO/ZIP_HI would interleave: Java 17 runs the two-vector
     * form as library code, so this is what lets those tiles take the SIMD rows from Java 17.
     */
    private static final VectorShuffle<Float> SPREAD_LO = VectorShuffle.fromOp(F, j -> j / 2);
    private static final VectorShuffle<Float> SPREAD_HI = VectorShuffle.fromOp(F, j -> L / 2 + j / 2);
    private static final VectorShuffle<Integer> INT_SPREAD_LO = VectorShuffle.fromOp(I, j -> j / 2);
    private static final VectorShuffle<Integer> INT_SPREAD_HI = VectorShuffle.fromOp(I, j -> L / 2 + j / 2);
    /** 0, 1, 0, 1, ...: a spread lane's column inside its pair. */
    private static final IntVector COLUMN_IN_PAIR = IntVector.zero(I).addIndex(1).and(1);
    /** Interleave two vectors lane by lane: the first half of the result, then the second. */
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromOp(F, j -> (j & 1) * L + j / 2);
    private static final VectorShuffle<Float> ZIP_HI = VectorShuffle.fromOp(F, j -> (j & 1) * L + L / 2 + j / 2);

    /** The hardware's preferred vector size, for {@link PoolVectorization#simdWorthIt}. */
    static int preferredVectorBits() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }

    @Override
    public int lanes() {
        return L;
    }

    /** Tap {@code d} of a row of windows: columns {@code a + sw * j + d} for lanes j. */
    private static FloatVector tap(float[] x, int a, int d, int sw) {
        if (sw == 1) {
            return FloatVector.fromArray(F, x, a + d);
        }
        int even = a + (d & ~1);
        FloatVector lo = FloatVector.fromArray(F, x, even);
        FloatVector hi = FloatVector.fromArray(F, x, even + L);
        return lo.rearrange((d & 1) == 0 ? EVENS : ODDS, hi);
    }

    @Override
    public void maxRow(float[] x, int inBase, int origin, int inW, int kh, int kw, int sw,
            int owFrom, int owTo, float[] out, int[] ind, int o) {
        if (kh == 2 && kw == 2 && sw == 2) {
            max2x2s2(x, inBase, origin, inW, owFrom, owTo, out, ind, o);
            return;
        }
        if (kh == kw && (kh == 2 || kh == 3) && sw == 1) {
            maxSquareS1(x, inBase, origin, inW, kh, owFrom, owTo, out, ind, o);
            return;
        }
        IntVector iota = sw == 1 ? IOTA1 : IOTA2;
        int ow = owFrom;
        while (true) {
            ow = Math.min(ow, owTo - L);
            int i = origin + ow * sw;
            int a = inBase + i;
            IntVector first = iota.add(i);
            FloatVector m = tap(x, a, 0, sw);
            IntVector k = first;
            for (int r = 0; r < kh; r++) {
                for (int d = r == 0 ? 1 : 0; d < kw; d++) {
                    FloatVector v = tap(x, a + r * inW, d, sw);
                    VectorMask<Float> t = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
                    m = m.blend(v, t);
                    k = k.blend(first.add(r * inW + d), t.cast(I));
                }
            }
            m.intoArray(out, o + ow);
            k.intoArray(ind, o + ow);
            if (ow == owTo - L) {
                return;
            }
            ow += L;
        }
    }

    @Override
    public void avgRow(float[] x, int inBase, int origin, int inW, int kh, int kw, int sw, float reciprocal,
            int owFrom, int owTo, float[] out, int o) {
        if (sw == 2 && kh == kw && (kw == 2 || kw == 3)) {
            avgSquareS2(x, inBase + origin, inW, kw, reciprocal, owFrom, owTo, out, o);
            return;
        }
        int ow = owFrom;
        while (true) {
            ow = Math.min(ow, owTo - L);
            int a = inBase + origin + ow * sw;
            FloatVector s = tap(x, a, 0, sw);
            for (int r = 0; r < kh; r++) {
                for (int d = r == 0 ? 1 : 0; d < kw; d++) {
                    s = s.add(tap(x, a + r * inW, d, sw));
                }
            }
            s.mul(reciprocal).intoArray(out, o + ow);
            if (ow == owTo - L) {
                return;
            }
            ow += L;
        }
    }

    /**
     * 2x2 and 3x3 stride 2 unrolled, in raster order like the scalar twin: per input row two loads
     * feed the even and the odd taps through constant shuffles (and 3x3's third tap is the next
     * pair's even one). The generic loop chose its shuffle per tap, which C2 did not make constant:
     * it ran the rearranges as library code (stem-avg's forward 15 ms).
     */
    private static void avgSquareS2(float[] x, int a0, int inW, int k, float reciprocal, int owFrom, int owTo,
            float[] out, int o) {
        int ow = owFrom;
        while (true) {
            ow = Math.min(ow, owTo - L);
            int a = a0 + 2 * ow;
            FloatVector s;
            if (k == 2) {
                // Even and odd columns by one-vector rearranges (see HALF_EVENS), so Java 17 runs these rows too.
                FloatVector lo = FloatVector.fromArray(F, x, a);
                FloatVector hi = FloatVector.fromArray(F, x, a + L);
                FloatVector even = lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF);
                FloatVector odd = lo.rearrange(HALF_ODDS).blend(hi.rearrange(HALF_ODDS), UPPER_HALF);
                s = even.add(odd);
                lo = FloatVector.fromArray(F, x, a + inW);
                hi = FloatVector.fromArray(F, x, a + inW + L);
                even = lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF);
                odd = lo.rearrange(HALF_ODDS).blend(hi.rearrange(HALF_ODDS), UPPER_HALF);
                s = s.add(even).add(odd);
            } else {
                s = rowOf3(x, a, null);
                s = rowOf3(x, a + inW, s);
                s = rowOf3(x, a + 2 * inW, s);
            }
            s.mul(reciprocal).intoArray(out, o + ow);
            if (ow == owTo - L) {
                return;
            }
            ow += L;
        }
    }

    /** One input row of 3-wide stride-2 windows added to {@code s} in tap order (null: the first row). */
    private static FloatVector rowOf3(float[] x, int a, FloatVector s) {
        FloatVector lo = FloatVector.fromArray(F, x, a);
        FloatVector hi = FloatVector.fromArray(F, x, a + L);
        FloatVector lo2 = FloatVector.fromArray(F, x, a + 2);
        FloatVector hi2 = FloatVector.fromArray(F, x, a + 2 + L);
        FloatVector even = lo.rearrange(EVENS, hi);
        FloatVector t = s == null ? even : s.add(even);
        return t.add(lo.rearrange(ODDS, hi)).add(lo2.rearrange(EVENS, hi2));
    }

    /**
     * The textbook's 2x2 stride 2 unrolled: two loads per input row feed both taps of that row
     * (even and odd columns), where the generic loop would load each pair twice.
     */
    private static void max2x2s2(float[] x, int inBase, int origin, int inW, int owFrom, int owTo,
            float[] out, int[] ind, int o) {
        int ow = owFrom;
        while (true) {
            ow = Math.min(ow, owTo - L);
            int i = origin + 2 * ow;
            int a = inBase + i;
            IntVector first = IOTA2.add(i);
            FloatVector lo = FloatVector.fromArray(F, x, a);
            FloatVector hi = FloatVector.fromArray(F, x, a + L);
            FloatVector m = lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF);
            IntVector k = first;
            FloatVector v = lo.rearrange(HALF_ODDS).blend(hi.rearrange(HALF_ODDS), UPPER_HALF);
            VectorMask<Float> t = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            m = m.blend(v, t);
            k = k.blend(first.add(1), t.cast(I));
            lo = FloatVector.fromArray(F, x, a + inW);
            hi = FloatVector.fromArray(F, x, a + inW + L);
            v = lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF);
            t = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            m = m.blend(v, t);
            k = k.blend(first.add(inW), t.cast(I));
            v = lo.rearrange(HALF_ODDS).blend(hi.rearrange(HALF_ODDS), UPPER_HALF);
            t = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            m = m.blend(v, t);
            k = k.blend(first.add(inW + 1), t.cast(I));
            m.intoArray(out, o + ow);
            k.intoArray(ind, o + ow);
            if (ow == owTo - L) {
                return;
            }
            ow += L;
        }
    }

    /** One tap: {@code v} replaces the running maximum where strictly greater or NaN. */
    private static VectorMask<Float> takes(FloatVector v, FloatVector m) {
        return v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
    }

    /** 2x2 and 3x3 stride 1: every tap is one plain load, shifted by its column. */
    private static void maxSquareS1(float[] x, int inBase, int origin, int inW, int kernel, int owFrom, int owTo,
            float[] out, int[] ind, int o) {
        int ow = owFrom;
        while (true) {
            ow = Math.min(ow, owTo - L);
            int i = origin + ow;
            int a = inBase + i;
            IntVector first = IOTA1.add(i);
            FloatVector m = FloatVector.fromArray(F, x, a);
            IntVector k = first;
            for (int r = 0; r < kernel; r++) {
                for (int d = r == 0 ? 1 : 0; d < kernel; d++) {
                    FloatVector v = FloatVector.fromArray(F, x, a + r * inW + d);
                    VectorMask<Float> t = takes(v, m);
                    m = m.blend(v, t);
                    k = k.blend(first.add(r * inW + d), t.cast(I));
                }
            }
            m.intoArray(out, o + ow);
            k.intoArray(ind, o + ow);
            if (ow == owTo - L) {
                return;
            }
            ow += L;
        }
    }

    @Override
    public void max2x2s2Plane(float[] x, int inBase, int inW, int outH, int outW, float[] out, int[] ind, int o) {
        for (int oh = 0; oh < outH; oh++) {
            max2x2s2(x, inBase, 2 * oh * inW, inW, 0, outW, out, ind, o + oh * outW);
        }
    }

    @Override
    public boolean maxBackward2x2s2Plane(float[] gradOutput, int[] ind, int o, int inW, int outH, int outW,
            float[] gradInput, int inBase) {
        for (int oh = 0; oh < outH; oh++) {
            if (!maxBackward2x2s2Row(gradOutput, ind, o + oh * outW, 2 * oh * inW, inW, outW, gradInput, inBase)) {
                return false;
            }
        }
        return true;
    }

    private static boolean maxBackward2x2s2Row(float[] gradOutput, int[] ind, int o, int origin, int inW, int owTo,
            float[] gradInput, int inBase) {
        int ow = 0;
        while (true) {
            ow = Math.min(ow, owTo - L);
            int i = origin + 2 * ow;
            IntVector local = IntVector.fromArray(I, ind, o + ow).sub(IOTA2.add(i));
            VectorMask<Integer> m00 = local.eq(0);
            VectorMask<Integer> m01 = local.eq(1);
            VectorMask<Integer> m10 = local.eq(inW);
            VectorMask<Integer> m11 = local.eq(inW + 1);
            if (!m00.or(m01).or(m10).or(m11).allTrue()) {
                return false;
            }
            // Each gradient and its window-local index spread to both columns of its pair, then
            // kept where the index names that column: one-vector rearranges only (see SPREAD_LO).
            FloatVector g = ZERO.add(FloatVector.fromArray(F, gradOutput, o + ow));
            FloatVector gLo = g.rearrange(SPREAD_LO);
            FloatVector gHi = g.rearrange(SPREAD_HI);
            IntVector kLo = local.rearrange(INT_SPREAD_LO).sub(COLUMN_IN_PAIR);
            IntVector kHi = local.rearrange(INT_SPREAD_HI).sub(COLUMN_IN_PAIR);
            int a = inBase + i;
            ZERO.blend(gLo, kLo.eq(0).cast(F)).intoArray(gradInput, a);
            ZERO.blend(gHi, kHi.eq(0).cast(F)).intoArray(gradInput, a + L);
            ZERO.blend(gLo, kLo.eq(inW).cast(F)).intoArray(gradInput, a + inW);
            ZERO.blend(gHi, kHi.eq(inW).cast(F)).intoArray(gradInput, a + inW + L);
            if (ow == owTo - L) {
                return true;
            }
            ow += L;
        }
    }

    // ------------------------------------------------------------------ channels-last rows

    /*
     * One vector of channels at a time with its whole window (or its whole list of outputs) in the
     * inner loop, so the running value and index stay in registers; the channels past the last
     * full vector go to the scalar twin's loop, which does the same operations in the same order.
     */

    @Override
    public void maxCells(float[] x, int base, int[] cell, int cells, int c, float[] y, int[] ind, int o) {
        int k = 0;
        for (; k <= c - L; k += L) {
            int a = base + k;
            FloatVector m = FloatVector.fromArray(F, x, a + cell[0] * c);
            IntVector arg = IntVector.broadcast(I, cell[0]);
            for (int t = 1; t < cells; t++) {
                FloatVector v = FloatVector.fromArray(F, x, a + cell[t] * c);
                VectorMask<Float> take = takes(v, m);
                m = m.blend(v, take);
                arg = arg.blend(cell[t], take.cast(I));
            }
            m.intoArray(y, o + k);
            arg.intoArray(ind, o + k);
        }
        ScalarPoolSupport.maxCellsTail(x, base, cell, cells, c, k, y, ind, o);
    }

    @Override
    public void maxCells(double[] x, int base, int[] cell, int cells, int c, double[] y, int[] ind, int o) {
        int k = 0;
        for (; k <= c - DL; k += DL) {
            int a = base + k;
            DoubleVector m = DoubleVector.fromArray(D, x, a + cell[0] * c);
            // The cell as a double lane (exact below 2^53), converted once: on Java 17 a mask cast
            // from 4 double lanes to 4 int lanes per tap ran 10x slower than the float code.
            DoubleVector arg = DoubleVector.broadcast(D, cell[0]);
            for (int t = 1; t < cells; t++) {
                DoubleVector v = DoubleVector.fromArray(D, x, a + cell[t] * c);
                VectorMask<Double> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
                m = m.blend(v, take);
                arg = arg.blend(DoubleVector.broadcast(D, (double) cell[t]), take);
            }
            m.intoArray(y, o + k);
            ((IntVector) arg.convertShape(VectorOperators.D2I, DI, 0)).intoArray(ind, o + k);
        }
        ScalarPoolSupport.maxCellsTail(x, base, cell, cells, c, k, y, ind, o);
    }

    /**
     * Past this many channels (4 KB of floats) the window's rows are summed one after another into
     * the output row instead of one vector of channels at a time through all of them: rows 8 KB
     * apart (global-avg's 2048 channels, 49 rows) map to the same cache sets, and walking down such
     * a column of rows for every vector evicted the lines the next vector needed.
     */
    private static final int WIDE_ROWS = 1024;

    @Override
    public void sumCells(float[] x, int base, int[] cell, int cells, int c, float scale, float[] y, int o) {
        if (c >= WIDE_ROWS) {
            // The same additions per channel in the same order as below, so the same sums.
            System.arraycopy(x, base + cell[0] * c, y, o, c);
            for (int t = 1; t < cells; t++) {
                addInto(x, base + cell[t] * c, y, o, c);
            }
            int k = 0;
            for (; k <= c - L; k += L) {
                FloatVector.fromArray(F, y, o + k).mul(scale).intoArray(y, o + k);
            }
            for (; k < c; k++) {
                y[o + k] *= scale;
            }
            return;
        }
        int k = 0;
        for (; k <= c - L; k += L) {
            int a = base + k;
            FloatVector s = FloatVector.fromArray(F, x, a + cell[0] * c);
            for (int t = 1; t < cells; t++) {
                s = s.add(FloatVector.fromArray(F, x, a + cell[t] * c));
            }
            s.mul(scale).intoArray(y, o + k);
        }
        ScalarPoolSupport.sumCellsTail(x, base, cell, cells, c, k, scale, y, o);
    }

    @Override
    public void sumCells(double[] x, int base, int[] cell, int cells, int c, double scale, double[] y, int o) {
        int k = 0;
        for (; k <= c - DL; k += DL) {
            int a = base + k;
            DoubleVector s = DoubleVector.fromArray(D, x, a + cell[0] * c);
            for (int t = 1; t < cells; t++) {
                s = s.add(DoubleVector.fromArray(D, x, a + cell[t] * c));
            }
            s.mul(scale).intoArray(y, o + k);
        }
        ScalarPoolSupport.sumCellsTail(x, base, cell, cells, c, k, scale, y, o);
    }

    @Override
    public int gatherMax(float[] gy, int[] ind, int[] out, int outs, int cell, int c, float[] gx, int g) {
        int matches = 0;
        int k = 0;
        for (; k <= c - L; k += L) {
            FloatVector s = FloatVector.zero(F); // not ZERO: a constant object in the loop's phi would be boxed every step
            for (int t = 0; t < outs; t++) {
                int at = out[t] + k;
                VectorMask<Integer> hit = IntVector.fromArray(I, ind, at).eq(cell);
                s = s.add(ZERO.blend(FloatVector.fromArray(F, gy, at), hit.cast(F)));
                matches += hit.trueCount();
            }
            s.intoArray(gx, g + k);
        }
        return matches + ScalarPoolSupport.gatherMaxTail(gy, ind, out, outs, cell, c, k, gx, g);
    }

    @Override
    public void gatherSum(float[] gy, int[] out, float[] scale, int outs, int c, float[] gx, int g) {
        int k = 0;
        for (; k <= c - L; k += L) {
            FloatVector s = FloatVector.zero(F);
            for (int t = 0; t < outs; t++) {
                s = s.add(FloatVector.fromArray(F, gy, out[t] + k).mul(scale[t]));
            }
            s.intoArray(gx, g + k);
        }
        ScalarPoolSupport.gatherSumTail(gy, out, scale, outs, c, k, gx, g);
    }

    @Override
    public int spreadMax(float[] gy, int[] ind, int o, int base, int[] cell, int cells, int c, float[] gx) {
        int matches = 0;
        int k = 0;
        for (; k <= c - L; k += L) {
            FloatVector v = ZERO.add(FloatVector.fromArray(F, gy, o + k));
            IntVector arg = IntVector.fromArray(I, ind, o + k);
            for (int t = 0; t < cells; t++) {
                VectorMask<Integer> hit = arg.eq(cell[t]);
                ZERO.blend(v, hit.cast(F)).intoArray(gx, base + cell[t] * c + k);
                matches += hit.trueCount();
            }
        }
        return matches + ScalarPoolSupport.spreadMaxTail(gy, ind, o, base, cell, cells, c, k, gx);
    }

    @Override
    public void spreadSum(float[] gy, int o, float scale, int base, int[] cell, int cells, int c, float[] gx) {
        if (c >= WIDE_ROWS) {
            // Row after row (see WIDE_ROWS); the same product stored in each.
            for (int t = 0; t < cells; t++) {
                int g = base + cell[t] * c;
                int k = 0;
                for (; k <= c - L; k += L) {
                    FloatVector.fromArray(F, gy, o + k).mul(scale).intoArray(gx, g + k);
                }
                for (; k < c; k++) {
                    gx[g + k] = gy[o + k] * scale;
                }
            }
            return;
        }
        int k = 0;
        for (; k <= c - L; k += L) {
            FloatVector v = FloatVector.fromArray(F, gy, o + k).mul(scale);
            for (int t = 0; t < cells; t++) {
                v.intoArray(gx, base + cell[t] * c + k);
            }
        }
        ScalarPoolSupport.spreadSumTail(gy, o, scale, base, cell, cells, c, k, gx);
    }

    @Override
    public int gatherMax(double[] gy, int[] ind, int[] out, int outs, int cell, int c, double[] gx, int g) {
        int matches = 0;
        int k = 0;
        for (; k <= c - DL; k += DL) {
            DoubleVector s = DoubleVector.zero(D);
            for (int t = 0; t < outs; t++) {
                int at = out[t] + k;
                VectorMask<Double> hit = IntVector.fromArray(DI, ind, at).convertShape(VectorOperators.I2D, D, 0)
                        .compare(VectorOperators.EQ, cell);
                s = s.add(DZERO.blend(DoubleVector.fromArray(D, gy, at), hit));
                matches += hit.trueCount();
            }
            s.intoArray(gx, g + k);
        }
        return matches + ScalarPoolSupport.gatherMaxTail(gy, ind, out, outs, cell, c, k, gx, g);
    }

    @Override
    public void gatherSum(double[] gy, int[] out, double[] scale, int outs, int c, double[] gx, int g) {
        int k = 0;
        for (; k <= c - DL; k += DL) {
            DoubleVector s = DoubleVector.zero(D);
            for (int t = 0; t < outs; t++) {
                s = s.add(DoubleVector.fromArray(D, gy, out[t] + k).mul(scale[t]));
            }
            s.intoArray(gx, g + k);
        }
        ScalarPoolSupport.gatherSumTail(gy, out, scale, outs, c, k, gx, g);
    }

    @Override
    public int spreadMax(double[] gy, int[] ind, int o, int base, int[] cell, int cells, int c, double[] gx) {
        int matches = 0;
        int k = 0;
        for (; k <= c - DL; k += DL) {
            DoubleVector v = DZERO.add(DoubleVector.fromArray(D, gy, o + k));
            Vector<Double> arg = IntVector.fromArray(DI, ind, o + k).convertShape(VectorOperators.I2D, D, 0);
            for (int t = 0; t < cells; t++) {
                VectorMask<Double> hit = arg.compare(VectorOperators.EQ, cell[t]);
                DZERO.blend(v, hit).intoArray(gx, base + cell[t] * c + k);
                matches += hit.trueCount();
            }
        }
        return matches + ScalarPoolSupport.spreadMaxTail(gy, ind, o, base, cell, cells, c, k, gx);
    }

    @Override
    public void spreadSum(double[] gy, int o, double scale, int base, int[] cell, int cells, int c, double[] gx) {
        int k = 0;
        for (; k <= c - DL; k += DL) {
            DoubleVector v = DoubleVector.fromArray(D, gy, o + k).mul(scale);
            for (int t = 0; t < cells; t++) {
                v.intoArray(gx, base + cell[t] * c + k);
            }
        }
        ScalarPoolSupport.spreadSumTail(gy, o, scale, base, cell, cells, c, k, gx);
    }

    // ------------------------------------------------------------------ channels-first rows of any rank

    /** Tap {@code at} of windows {@code j, j + 1, ...}: elements {@code b + sw * lane + at}, stride 2 split from two loads. */
    private static FloatVector tapAt(float[] x, int b, int at, int sw) {
        if (sw == 1) {
            return FloatVector.fromArray(F, x, b + at);
        }
        int even = b + (at & ~1);
        return FloatVector.fromArray(F, x, even).rearrange((at & 1) == 0 ? EVENS : ODDS, FloatVector.fromArray(F, x, even + L));
    }

    /**
     * How many of {@code count} windows the vector steps may take: stride 2 reads up to one element
     * past a window's last tap, which must stay inside the array; the rest go to the scalar tail.
     */
    private static int vectorWindows(int length, int a, int maxAt, int sw, int count) {
        if (sw == 1) {
            return count;
        }
        int last = count;
        while (last > 0 && a + 2 * (last - 1) + maxAt + 1 >= length) {
            last--;
        }
        return last;
    }

    /*
     * float64 windows two columns wide at stride 2 (2x2 stride 2 in 2-D, 2x2x2 in 3-D), row by row:
     * each row of the windows is a pair of taps, even and odd columns, which one pair of loads feeds
     * through constant shuffles; the first row's pairs go into y (and ind), then each further row is
     * taken against them, in tap order still. Reading the rows one after the other, not side by side,
     * and without a shuffle picked per tap: large-max float64 channels-first forward 13.5 ms against
     * 61 ms for the generic loop. float32 rows the same way measured no faster than its generic loop
     * (c3d-max channels-first forward 15.6-16.8 ms against 14.7-15.9), so float keeps that loop.
     * Each row is a method of its own (two loops in one method kept the vectors boxed). The last
     * vector step of a row is shifted back to end at n: the first row writes its lanes again with
     * the same values; a further row of max takes its taps again on lanes that already hold them,
     * which changes nothing (a tap replaces only what is strictly smaller, or with a NaN, and a NaN
     * taken again leaves the same NaN at the same index); a further row of sums keeps those lanes as
     * they were.
     */

    /** Whether the taps are rows of two neighbouring columns, each starting at an even offset, at stride 2. */
    private static boolean pairRows(int[] tapAt, int[] tapIndex, int taps, int sw) {
        if (sw != 2 || taps % 2 != 0) {
            return false;
        }
        for (int t = 0; t < taps; t += 2) {
            if ((tapAt[t] & 1) != 0 || tapAt[t + 1] != tapAt[t] + 1
                    || tapIndex != null && tapIndex[t + 1] != tapIndex[t] + 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first row's max of windows {@code [0, n)}, {@code n >= DL}: window j's pair at
     * {@code x[b + 2j]}, its index {@code i + 2j}. The indices ride as double lanes in a row of
     * their own, {@code at}, which the caller converts to int after the last row: a lane conversion
     * per vector (D2I out, I2D back in the next row) made Java 17 slower than the scalar twin.
     */
    private static void maxFirstPairRow(double[] x, int b, int i, int n, double[] y, double[] at, int o) {
        int j = 0;
        while (true) {
            j = Math.min(j, n - DL);
            DoubleVector lo = DoubleVector.fromArray(D, x, b + 2 * j);
            DoubleVector hi = DoubleVector.fromArray(D, x, b + 2 * j + DL);
            DoubleVector m = lo.rearrange(DHALF_EVENS).blend(hi.rearrange(DHALF_EVENS), DUPPER_HALF);
            DoubleVector v = lo.rearrange(DHALF_ODDS).blend(hi.rearrange(DHALF_ODDS), DUPPER_HALF);
            VectorMask<Double> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            DoubleVector k = DLANES2.add((double) (i + 2 * j));
            m.blend(v, take).intoArray(y, o + j);
            k.blend(k.add(1.0), take).intoArray(at, j);
            if (j == n - DL) {
                return;
            }
            j += DL;
        }
    }

    /** A further row of {@link #maxFirstPairRow}, taken against what {@code y} and {@code at} hold. */
    private static void maxNextPairRow(double[] x, int b, int i, int n, double[] y, double[] at, int o) {
        int j = 0;
        while (true) {
            j = Math.min(j, n - DL);
            DoubleVector m = DoubleVector.fromArray(D, y, o + j);
            DoubleVector k = DoubleVector.fromArray(D, at, j);
            DoubleVector lo = DoubleVector.fromArray(D, x, b + 2 * j);
            DoubleVector hi = DoubleVector.fromArray(D, x, b + 2 * j + DL);
            DoubleVector tap = DLANES2.add((double) (i + 2 * j));
            DoubleVector v = lo.rearrange(DHALF_EVENS).blend(hi.rearrange(DHALF_EVENS), DUPPER_HALF);
            VectorMask<Double> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            m = m.blend(v, take);
            k = k.blend(tap, take);
            v = lo.rearrange(DHALF_ODDS).blend(hi.rearrange(DHALF_ODDS), DUPPER_HALF);
            take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            m.blend(v, take).intoArray(y, o + j);
            k.blend(tap.add(1.0), take).intoArray(at, j);
            if (j == n - DL) {
                return;
            }
            j += DL;
        }
    }

    /** The first row's pair sums of windows {@code [0, n)}, times {@code scale} (1 unless it is the only row). */
    private static void sumFirstPairRow(double[] x, int b, int n, double scale, double[] y, int o) {
        int j = 0;
        while (true) {
            j = Math.min(j, n - DL);
            DoubleVector lo = DoubleVector.fromArray(D, x, b + 2 * j);
            DoubleVector hi = DoubleVector.fromArray(D, x, b + 2 * j + DL);
            DoubleVector even = lo.rearrange(DHALF_EVENS).blend(hi.rearrange(DHALF_EVENS), DUPPER_HALF);
            DoubleVector odd = lo.rearrange(DHALF_ODDS).blend(hi.rearrange(DHALF_ODDS), DUPPER_HALF);
            even.add(odd).mul(scale).intoArray(y, o + j);
            if (j == n - DL) {
                return;
            }
            j += DL;
        }
    }

    /** A further row of {@link #sumFirstPairRow}, added to {@code y}, times {@code scale} (1 unless it is the last row). */
    private static void sumNextPairRow(double[] x, int b, int n, double scale, double[] y, int o) {
        int j = 0;
        for (; j <= n - DL; j += DL) {
            DoubleVector lo = DoubleVector.fromArray(D, x, b + 2 * j);
            DoubleVector hi = DoubleVector.fromArray(D, x, b + 2 * j + DL);
            DoubleVector even = lo.rearrange(DHALF_EVENS).blend(hi.rearrange(DHALF_EVENS), DUPPER_HALF);
            DoubleVector odd = lo.rearrange(DHALF_ODDS).blend(hi.rearrange(DHALF_ODDS), DUPPER_HALF);
            DoubleVector.fromArray(D, y, o + j).add(even).add(odd).mul(scale).intoArray(y, o + j);
        }
        if (j < n) {
            int k = n - DL;
            DoubleVector lo = DoubleVector.fromArray(D, x, b + 2 * k);
            DoubleVector hi = DoubleVector.fromArray(D, x, b + 2 * k + DL);
            DoubleVector was = DoubleVector.fromArray(D, y, o + k);
            DoubleVector even = lo.rearrange(DHALF_EVENS).blend(hi.rearrange(DHALF_EVENS), DUPPER_HALF);
            DoubleVector odd = lo.rearrange(DHALF_ODDS).blend(hi.rearrange(DHALF_ODDS), DUPPER_HALF);
            DoubleVector sum = was.add(even).add(odd).mul(scale);
            was.blend(sum, DLANES1.compare(VectorOperators.GE, (double) (j - k))).intoArray(y, o + k);
        }
    }

    @Override
    public void maxTaps(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            float[] y, int[] ind, int o) {
        int n = vectorWindows(x.length, a, tapAt[taps - 1], sw, count);
        if (n < L) {
            ScalarPoolSupport.maxTapsTail(x, a, tapAt, tapIndex, taps, sw, first, 0, count, y, ind, o);
            return;
        }
        if (sw == 2 && pairRows(tapAt, taps) && pairRows(tapIndex, taps)) {
            maxPairRows(x, a, tapAt, tapIndex, taps / 2, first, n, y, ind, o);
            ScalarPoolSupport.maxTapsTail(x, a, tapAt, tapIndex, taps, sw, first, n, count, y, ind, o);
            return;
        }
        IntVector iota = sw == 1 ? IOTA1 : IOTA2;
        int j = 0;
        while (true) {
            j = Math.min(j, n - L);
            int b = a + j * sw;
            IntVector lane = iota.add(first + j * sw);
            FloatVector m = tapAt(x, b, tapAt[0], sw);
            IntVector arg = lane.add(tapIndex[0]);
            for (int t = 1; t < taps; t++) {
                FloatVector v = tapAt(x, b, tapAt[t], sw);
                VectorMask<Float> take = takes(v, m);
                m = m.blend(v, take);
                arg = arg.blend(lane.add(tapIndex[t]), take.cast(I));
            }
            m.intoArray(y, o + j);
            arg.intoArray(ind, o + j);
            if (j == n - L) {
                break;
            }
            j += L;
        }
        ScalarPoolSupport.maxTapsTail(x, a, tapAt, tapIndex, taps, sw, first, n, count, y, ind, o);
    }

    /**
     * Whether the taps are rows of two neighbouring columns in raster order, {@code tap[2r + 1] ==
     * tap[2r] + 1}: 2x2 in a plane, 2x2x2 in a volume (c3d), 1x2.
     */
    private static boolean pairRows(int[] tap, int taps) {
        if (taps % 2 != 0) {
            return false;
        }
        for (int t = 0; t < taps; t += 2) {
            if (tap[t + 1] != tap[t] + 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #maxTaps} of stride-2 windows two columns wide ({@link #pairRows}) row by row: one pair
     * of loads per row feeds both its taps, split into even and odd columns by constant shuffles
     * (as {@link #max2x2s2} does). The generic loop loads each pair twice and chooses its shuffle
     * per tap, which C2 does not make constant. Starts from {@code -inf} at the first tap's index,
     * which the first tap replaces unless it is {@code -inf} itself: the generic loop's result.
     */
    private static void maxPairRows(float[] x, int a, int[] tapAt, int[] tapIndex, int rows, int first, int n,
            float[] y, int[] ind, int o) {
        int j = 0;
        while (true) {
            j = Math.min(j, n - L);
            int b = a + 2 * j;
            IntVector lane = IOTA2.add(first + 2 * j);
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            IntVector arg = lane.add(tapIndex[0]);
            for (int r = 0; r < rows; r++) {
                int c = b + tapAt[2 * r];
                IntVector at = lane.add(tapIndex[2 * r]);
                FloatVector lo = FloatVector.fromArray(F, x, c);
                FloatVector hi = FloatVector.fromArray(F, x, c + L);
                FloatVector v = lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF);
                VectorMask<Float> take = takes(v, m);
                m = m.blend(v, take);
                arg = arg.blend(at, take.cast(I));
                v = lo.rearrange(HALF_ODDS).blend(hi.rearrange(HALF_ODDS), UPPER_HALF);
                take = takes(v, m);
                m = m.blend(v, take);
                arg = arg.blend(at.add(1), take.cast(I));
            }
            m.intoArray(y, o + j);
            arg.intoArray(ind, o + j);
            if (j == n - L) {
                return;
            }
            j += L;
        }
    }

    /** {@link #sumTaps} of {@link #pairRows} taps at stride 2, row by row as {@link #maxPairRows}; the same additions in tap order. */
    private static void sumPairRows(float[] x, int a, int[] tapAt, int rows, int n, float scale, float[] y, int o) {
        int j = 0;
        while (true) {
            j = Math.min(j, n - L);
            int b = a + 2 * j;
            FloatVector lo = FloatVector.fromArray(F, x, b + tapAt[0]);
            FloatVector hi = FloatVector.fromArray(F, x, b + tapAt[0] + L);
            FloatVector s = lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF)
                    .add(lo.rearrange(HALF_ODDS).blend(hi.rearrange(HALF_ODDS), UPPER_HALF));
            for (int r = 1; r < rows; r++) {
                int c = b + tapAt[2 * r];
                lo = FloatVector.fromArray(F, x, c);
                hi = FloatVector.fromArray(F, x, c + L);
                s = s.add(lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF))
                        .add(lo.rearrange(HALF_ODDS).blend(hi.rearrange(HALF_ODDS), UPPER_HALF));
            }
            s.mul(scale).intoArray(y, o + j);
            if (j == n - L) {
                return;
            }
            j += L;
        }
    }

    @Override
    public void sumTaps(float[] x, int a, int[] tapAt, int taps, int sw, int count, float scale, float[] y, int o) {
        int n = vectorWindows(x.length, a, tapAt[taps - 1], sw, count);
        if (n < L) {
            ScalarPoolSupport.sumTapsTail(x, a, tapAt, taps, sw, 0, count, scale, y, o);
            return;
        }
        if (sw == 2 && pairRows(tapAt, taps)) {
            sumPairRows(x, a, tapAt, taps / 2, n, scale, y, o);
            ScalarPoolSupport.sumTapsTail(x, a, tapAt, taps, sw, n, count, scale, y, o);
            return;
        }
        int j = 0;
        while (true) {
            j = Math.min(j, n - L);
            int b = a + j * sw;
            FloatVector s = tapAt(x, b, tapAt[0], sw);
            for (int t = 1; t < taps; t++) {
                s = s.add(tapAt(x, b, tapAt[t], sw));
            }
            s.mul(scale).intoArray(y, o + j);
            if (j == n - L) {
                break;
            }
            j += L;
        }
        ScalarPoolSupport.sumTapsTail(x, a, tapAt, taps, sw, n, count, scale, y, o);
    }

    @Override
    public float sum(float[] x, int a, int n) {
        FloatVector s = FloatVector.zero(F);
        int i = 0;
        for (; i <= n - L; i += L) {
            s = s.add(FloatVector.fromArray(F, x, a + i));
        }
        float r = s.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            r += x[a + i];
        }
        return r;
    }

    private static DoubleVector tapAt(double[] x, int b, int at, int sw) {
        if (sw == 1) {
            return DoubleVector.fromArray(D, x, b + at);
        }
        int even = b + (at & ~1);
        return DoubleVector.fromArray(D, x, even).rearrange((at & 1) == 0 ? DEVENS : DODDS,
                DoubleVector.fromArray(D, x, even + DL));
    }

    @Override
    public void maxTaps(double[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            double[] y, int[] ind, int o) {
        int n = vectorWindows(x.length, a, tapAt[taps - 1], sw, count);
        if (n < DL) {
            ScalarPoolSupport.maxTapsTail(x, a, tapAt, tapIndex, taps, sw, first, 0, count, y, ind, o);
            return;
        }
        if (pairRows(tapAt, tapIndex, taps, sw)) {
            double[] at = new double[n];
            maxFirstPairRow(x, a + tapAt[0], first + tapIndex[0], n, y, at, o);
            for (int t = 2; t < taps; t += 2) {
                maxNextPairRow(x, a + tapAt[t], first + tapIndex[t], n, y, at, o);
            }
            for (int j = 0; j < n; j++) {
                ind[o + j] = (int) at[j];
            }
            ScalarPoolSupport.maxTapsTail(x, a, tapAt, tapIndex, taps, sw, first, n, count, y, ind, o);
            return;
        }
        int j = 0;
        while (true) {
            j = Math.min(j, n - DL);
            int b = a + j * sw;
            // Indices as double lanes, converted once (see maxCells)
            DoubleVector lane = (sw == 1 ? DLANES1 : DLANES2).add((double) (first + j * sw));
            DoubleVector m = tapAt(x, b, tapAt[0], sw);
            DoubleVector arg = lane.add((double) tapIndex[0]);
            for (int t = 1; t < taps; t++) {
                DoubleVector v = tapAt(x, b, tapAt[t], sw);
                VectorMask<Double> take = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
                m = m.blend(v, take);
                arg = arg.blend(lane.add((double) tapIndex[t]), take);
            }
            m.intoArray(y, o + j);
            ((IntVector) arg.convertShape(VectorOperators.D2I, DI, 0)).intoArray(ind, o + j);
            if (j == n - DL) {
                break;
            }
            j += DL;
        }
        ScalarPoolSupport.maxTapsTail(x, a, tapAt, tapIndex, taps, sw, first, n, count, y, ind, o);
    }

    @Override
    public void sumTaps(double[] x, int a, int[] tapAt, int taps, int sw, int count, double scale, double[] y, int o) {
        int n = vectorWindows(x.length, a, tapAt[taps - 1], sw, count);
        if (n < DL) {
            ScalarPoolSupport.sumTapsTail(x, a, tapAt, taps, sw, 0, count, scale, y, o);
            return;
        }
        if (pairRows(tapAt, null, taps, sw)) {
            sumFirstPairRow(x, a + tapAt[0], n, taps == 2 ? scale : 1.0, y, o);
            for (int t = 2; t < taps; t += 2) {
                sumNextPairRow(x, a + tapAt[t], n, t == taps - 2 ? scale : 1.0, y, o);
            }
            ScalarPoolSupport.sumTapsTail(x, a, tapAt, taps, sw, n, count, scale, y, o);
            return;
        }
        int j = 0;
        while (true) {
            j = Math.min(j, n - DL);
            int b = a + j * sw;
            DoubleVector s = tapAt(x, b, tapAt[0], sw);
            for (int t = 1; t < taps; t++) {
                s = s.add(tapAt(x, b, tapAt[t], sw));
            }
            s.mul(scale).intoArray(y, o + j);
            if (j == n - DL) {
                break;
            }
            j += DL;
        }
        ScalarPoolSupport.sumTapsTail(x, a, tapAt, taps, sw, n, count, scale, y, o);
    }

    @Override
    public double sum(double[] x, int a, int n) {
        DoubleVector s = DoubleVector.zero(D);
        int i = 0;
        for (; i <= n - DL; i += DL) {
            s = s.add(DoubleVector.fromArray(D, x, a + i));
        }
        double r = s.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            r += x[a + i];
        }
        return r;
    }

    @Override
    public int spreadMaxPairs(float[] gy, int[] ind, int o, int count, int first, float[] gx, int a) {
        if (count < L) {
            return ScalarPoolSupport.spreadMaxPairsTail(gy, ind, o, 0, count, first, gx, a);
        }
        // The last step shifted back to end at count, as in the forward rows; its lanes already
        // written are written again with the same values but not counted again.
        int matches = 0;
        int j = 0;
        int done = 0;
        while (true) {
            j = Math.min(j, count - L);
            IntVector local = IntVector.fromArray(I, ind, o + j).sub(IOTA2.add(first + 2 * j));
            VectorMask<Integer> m0 = local.eq(0);
            VectorMask<Integer> m1 = local.eq(1);
            FloatVector g = ZERO.add(FloatVector.fromArray(F, gy, o + j));
            FloatVector v0 = ZERO.blend(g, m0.cast(F));
            FloatVector v1 = ZERO.blend(g, m1.cast(F));
            v0.rearrange(ZIP_LO, v1).intoArray(gx, a + 2 * j);
            v0.rearrange(ZIP_HI, v1).intoArray(gx, a + 2 * j + L);
            matches += Long.bitCount(m0.or(m1).toLong() >>> (done - j));
            if (j == count - L) {
                return matches;
            }
            j += L;
            done = j;
        }
    }

    @Override
    public int spreadMaxPairs(double[] gy, int[] ind, int o, int count, int first, double[] gx, int a) {
        int matches = 0;
        int j = 0;
        for (; j <= count - DL; j += DL) {
            Vector<Double> local = IntVector.fromArray(DI, ind, o + j).sub(DIOTA2.add(first + 2 * j))
                    .convertShape(VectorOperators.I2D, D, 0);
            VectorMask<Double> m0 = local.compare(VectorOperators.EQ, 0);
            VectorMask<Double> m1 = local.compare(VectorOperators.EQ, 1);
            DoubleVector g = DZERO.add(DoubleVector.fromArray(D, gy, o + j));
            DoubleVector v0 = DZERO.blend(g, m0);
            DoubleVector v1 = DZERO.blend(g, m1);
            v0.rearrange(DZIP_LO, v1).intoArray(gx, a + 2 * j);
            v0.rearrange(DZIP_HI, v1).intoArray(gx, a + 2 * j + DL);
            matches += m0.or(m1).trueCount();
        }
        return matches + ScalarPoolSupport.spreadMaxPairsTail(gy, ind, o, j, count, first, gx, a);
    }

    /**
     * Each share twice side by side (two interleaving shuffles of the shares with themselves), stored
     * to both rows; the last step shifted back, storing some cells twice with the same values.
     */
    @Override
    public void spreadTiles(float[] gy, int o, int count, float scale, float[] gx, int a, int inW) {
        if (count < L) {
            SCALAR.spreadTiles(gy, o, count, scale, gx, a, inW);
            return;
        }
        int j = 0;
        while (true) {
            j = Math.min(j, count - L);
            FloatVector v = FloatVector.fromArray(F, gy, o + j).mul(scale);
            FloatVector lo = v.rearrange(SPREAD_LO); // v interleaved with itself, in one-vector form
            FloatVector hi = v.rearrange(SPREAD_HI);
            int c = a + 2 * j;
            lo.intoArray(gx, c);
            hi.intoArray(gx, c + L);
            lo.intoArray(gx, c + inW);
            hi.intoArray(gx, c + inW + L);
            if (j == count - L) {
                return;
            }
            j += L;
        }
    }

    @Override
    public void addInto(float[] src, int s, float[] dst, int d, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(F, dst, d + i).add(FloatVector.fromArray(F, src, s + i)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] += src[s + i];
        }
    }

    /**
     * Windows up to 4 columns wide at column stride 1 or 2; others in the scalar twin. Stride 1: each
     * tap a vector of shares shifted by {@code pw - d}. Stride 2: the even and the odd columns apart,
     * each tap of one parity a plain vector of shares (at most two per parity), then the two
     * interleaved. The taps are unrolled, not a loop: C2 kept the running sums of a nested tap loop
     * boxed (stem-avg's backward 20 ms for the rows alone, a young collection every 130 ms). The last
     * columns, less than a step, run in the scalar twin.
     */
    @Override
    public void shareRow(float[] share, int m, int kw, int sw, int pw, float[] r, int b, int n) {
        int w = 0;
        if (sw == 1 && kw <= 4) {
            int s0 = m + pw - (kw - 1);
            for (; w <= n - L; w += L) {
                // taps kw-1 .. 0 are shares s0 + w, s0 + w + 1, ...
                FloatVector sum = ZERO.add(FloatVector.fromArray(F, share, s0 + w));
                if (kw > 1) {
                    sum = sum.add(FloatVector.fromArray(F, share, s0 + w + 1));
                }
                if (kw > 2) {
                    sum = sum.add(FloatVector.fromArray(F, share, s0 + w + 2));
                }
                if (kw > 3) {
                    sum = sum.add(FloatVector.fromArray(F, share, s0 + w + 3));
                }
                sum.intoArray(r, b + w);
            }
        } else if (sw == 2 && kw <= 4) {
            // column 2j + p is tap d of window j + (p + pw - d) / 2 where d - pw - p is even; the taps
            // of each parity, last tap first, as offsets into the shares
            int[] even = new int[2];
            int[] odd = new int[2];
            int evens = 0;
            int odds = 0;
            for (int d = kw - 1; d >= 0; d--) {
                if (((d - pw) & 1) == 0) {
                    even[evens++] = m + (pw - d) / 2;
                } else {
                    odd[odds++] = m + (1 + pw - d) / 2;
                }
            }
            int e0 = even[0];
            int e1 = even[1];
            int o0 = odd[0];
            int o1 = odd[1];
            for (int j = 0; 2 * j <= n - 2 * L; j += L) {
                FloatVector e = ZERO;
                FloatVector o = ZERO;
                if (evens > 0) {
                    e = e.add(FloatVector.fromArray(F, share, e0 + j));
                }
                if (evens > 1) {
                    e = e.add(FloatVector.fromArray(F, share, e1 + j));
                }
                if (odds > 0) {
                    o = o.add(FloatVector.fromArray(F, share, o0 + j));
                }
                if (odds > 1) {
                    o = o.add(FloatVector.fromArray(F, share, o1 + j));
                }
                e.rearrange(ZIP_LO, o).intoArray(r, b + 2 * j);
                e.rearrange(ZIP_HI, o).intoArray(r, b + 2 * j + L);
                w = 2 * j + 2 * L;
            }
        }
        ScalarPoolSupport.shareColumns(share, m, kw, sw, pw, r, b, w, n);
    }

    @Override
    public void maxTapsFrom(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            int[] init, int initOffset, float[] y, int[] ind, int o) {
        int n = vectorWindows(x.length, a, tapAt[taps - 1], sw, count);
        if (n < L) {
            ScalarPoolSupport.maxTapsFromTail(x, a, tapAt, tapIndex, taps, sw, first, 0, count, init, initOffset,
                    y, ind, o);
            return;
        }
        if (sw == 2 && square3(tapAt) && square3(tapIndex)) {
            max3x3s2From(x, a, tapAt[3], tapIndex[3], first, n, init, 0, initOffset, y, ind, o);
            ScalarPoolSupport.maxTapsFromTail(x, a, tapAt, tapIndex, taps, sw, first, n, count, init, initOffset, y,
                    ind, o);
            return;
        }
        IntVector iota = sw == 1 ? IOTA1 : IOTA2;
        int j = 0;
        while (true) {
            j = Math.min(j, n - L);
            int b = a + j * sw;
            IntVector lane = iota.add(first + j * sw);
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            IntVector arg = IntVector.fromArray(I, init, j).add(initOffset);
            for (int t = 0; t < taps; t++) {
                FloatVector v = tapAt(x, b, tapAt[t], sw);
                VectorMask<Float> take = takes(v, m);
                m = m.blend(v, take);
                arg = arg.blend(lane.add(tapIndex[t]), take.cast(I));
            }
            m.intoArray(y, o + j);
            arg.intoArray(ind, o + j);
            if (j == n - L) {
                break;
            }
            j += L;
        }
        ScalarPoolSupport.maxTapsFromTail(x, a, tapAt, tapIndex, taps, sw, first, n, count, init, initOffset, y, ind, o);
    }

    /**
     * With {@code clipFirst}, window 0 in scalar code and the rest from window 1: a mask for its
     * padding lane made the stem's forward twice as slow on Java 17 (58-63 ms against 27-29 through
     * the padded copy), and window 0 is one of {@code count}.
     */
    @Override
    public void max3x3s2Row(float[] x, int a, int inW, boolean clipFirst, int first, int count, int[] init,
            int initOffset, float[] y, int[] ind, int o) {
        int j0 = clipFirst ? 1 : 0;
        if (count - j0 < L) {
            ScalarPoolSupport.max3x3s2RowTail(x, a, inW, clipFirst, first, 0, count, init, initOffset, y, ind, o);
            return;
        }
        ScalarPoolSupport.max3x3s2RowTail(x, a, inW, clipFirst, first, 0, j0, init, initOffset, y, ind, o);
        max3x3s2From(x, a + 2 * j0, inW, inW, first + 2 * j0, count - j0, init, j0, initOffset, y, ind, o + j0);
    }

    /** Whether the taps are those of a 3x3 window in raster order: {@code r * tap[3] + d}. */
    private static boolean square3(int[] tap) {
        if (tap.length != 9) {
            return false;
        }
        for (int t = 0; t < 9; t++) {
            if (tap[t] != t / 3 * tap[3] + t % 3) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@link #maxTapsFrom} of 3x3 stride-2 windows (the ResNet stem) unrolled: per window row two
     * pairs of loads, the taps through constant shuffles (the three rows written out instead of looped ran
     * 4x slower: too big a method for C2 to keep its vectors in registers). The generic loop chose its
     * shuffle per tap, which C2 did not make constant. Even and odd columns by one-vector rearranges
     * and a blend of halves (see HALF_EVENS), which Java 17 compiles too: the stem's planes, padded
     * or read in place ({@link #max3x3s2Row}), take these rows from Java 17 on.
     */
    private static void max3x3s2From(float[] x, int a, int rowAt, int rowIndex, int first, int n, int[] init,
            int initAt, int initOffset, float[] y, int[] ind, int o) {
        int j = 0;
        while (true) {
            j = Math.min(j, n - L);
            int b = a + 2 * j;
            IntVector lane = IOTA2.add(first + 2 * j);
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            IntVector arg = IntVector.fromArray(I, init, initAt + j).add(initOffset);
            for (int r = 0; r < 3; r++) {
                int c = b + r * rowAt;
                IntVector at = lane.add(r * rowIndex);
                FloatVector lo = FloatVector.fromArray(F, x, c);
                FloatVector hi = FloatVector.fromArray(F, x, c + L);
                FloatVector v = lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF);
                VectorMask<Float> take = takes(v, m);
                m = m.blend(v, take);
                arg = arg.blend(at, take.cast(I));
                v = lo.rearrange(HALF_ODDS).blend(hi.rearrange(HALF_ODDS), UPPER_HALF);
                take = takes(v, m);
                m = m.blend(v, take);
                arg = arg.blend(at.add(1), take.cast(I));
                lo = FloatVector.fromArray(F, x, c + 2);
                hi = FloatVector.fromArray(F, x, c + 2 + L);
                v = lo.rearrange(HALF_EVENS).blend(hi.rearrange(HALF_EVENS), UPPER_HALF);
                take = takes(v, m);
                m = m.blend(v, take);
                arg = arg.blend(at.add(2), take.cast(I));
            }
            m.intoArray(y, o + j);
            arg.intoArray(ind, o + j);
            if (j == n - L) {
                return;
            }
            j += L;
        }
    }

    @Override
    public boolean columnMax(float[] x, int[] rowAt, int[] rowCell, int rows, float[] colOf, int n, float[] col,
            float[] idx, int c) {
        if (n < L) {
            return ScalarPoolSupport.columnMaxTail(x, rowAt, rowCell, rows, colOf, 0, n, col, idx, c);
        }
        VectorMask<Float> nan = F.maskAll(false);
        int j = 0;
        while (true) {
            j = Math.min(j, n - L);
            // The row's first cell blended in, the columns added after the loop: with the columns'
            // vector live across the loop, Java 17's C2 boxed it at every step.
            FloatVector m = FloatVector.fromArray(F, x, rowAt[0] + j);
            FloatVector k = FloatVector.broadcast(F, rowCell[0]);
            nan = nan.or(m.test(VectorOperators.IS_NAN));
            for (int r = 1; r < rows; r++) {
                FloatVector v = FloatVector.fromArray(F, x, rowAt[r] + j);
                nan = nan.or(v.test(VectorOperators.IS_NAN));
                VectorMask<Float> take = v.compare(VectorOperators.GT, m);
                m = m.blend(v, take);
                k = k.blend(rowCell[r], take);
            }
            m.intoArray(col, c + j);
            k.add(FloatVector.fromArray(F, colOf, j)).intoArray(idx, c + j);
            if (j == n - L) {
                return !nan.anyTrue();
            }
            j += L;
        }
    }

    @Override
    public void maxAlong(float[] col, float[] idx, int a, int n, int taps, int step, float[] y, int[] ind, int o) {
        if (n < L) {
            ScalarPoolSupport.maxAlongTail(col, idx, a, 0, n, taps, step, y, ind, o);
            return;
        }
        int j = 0;
        while (true) {
            j = Math.min(j, n - L);
            int b = a + j;
            FloatVector m = FloatVector.fromArray(F, col, b);
            FloatVector k = FloatVector.fromArray(F, idx, b);
            for (int t = 1; t < taps; t++) {
                FloatVector v = FloatVector.fromArray(F, col, b + t * step);
                FloatVector i = FloatVector.fromArray(F, idx, b + t * step);
                VectorMask<Float> take = v.compare(VectorOperators.GT, m)
                        .or(v.compare(VectorOperators.EQ, m).and(i.compare(VectorOperators.LT, k)));
                m = m.blend(v, take);
                k = k.blend(i, take);
            }
            m.intoArray(y, o + j);
            ((IntVector) k.convert(VectorOperators.F2I, 0)).intoArray(ind, o + j);
            if (j == n - L) {
                return;
            }
            j += L;
        }
    }

    @Override
    public int spreadMaxAt(float[] gy, int[] ind, int o, int[] outOf, float[] cellOf, int cellBase, int n, float[] gx,
            int g) {
        // No last step shifted back: it would count its lanes' matches twice.
        int matches = 0;
        int e = 0;
        for (; e <= n - L; e += L) {
            FloatVector found = (FloatVector) IntVector.fromArray(I, ind, o, outOf, e).convert(VectorOperators.I2F, 0);
            VectorMask<Float> hit = found.compare(VectorOperators.EQ, FloatVector.fromArray(F, cellOf, e).add(cellBase));
            ZERO.blend(ZERO.add(FloatVector.fromArray(F, gy, o, outOf, e)), hit).intoArray(gx, g + e);
            matches += hit.trueCount();
        }
        return matches + ScalarPoolSupport.spreadMaxAtTail(gy, ind, o, outOf, cellOf, cellBase, e, n, gx, g);
    }

    @Override
    public int spreadMaxRowsAt(float[] gy, int[] ind, int o, int[] outOf, float[] cellOf, int cellBase, int rowCells,
            int rows, int n, float[] gx, int g, PixelBlocks tiles, int from, int to) {
        if (tiles == null) {
            return PoolVectorSupport.super.spreadMaxRowsAt(gy, ind, o, outOf, cellOf, cellBase, rowCells, rows, n, gx,
                    g, null, from, to);
        }
        int matches = 0;
        int stop = tiledStop(o, outOf, ind.length, tiles, from, to);
        for (int r = 0; r < rows; r++) {
            int cells = cellBase + r * rowCells;
            int row = g + r * n;
            matches += ScalarPoolSupport.spreadMaxAtTail(gy, ind, o, outOf, cellOf, cells, 0, from, gx, row)
                    + spreadMaxTiles(gy, ind, o, outOf, cellOf, cells, gx, row, tiles, from, stop)
                    + ScalarPoolSupport.spreadMaxAtTail(gy, ind, o, outOf, cellOf, cells, stop, n, gx, row);
        }
        return matches;
    }

    /**
     * The tiled elements {@code [from, to)} of one row of {@link #spreadMaxRowsAt}, block by block
     * ({@link PixelBlocks#tiles}): the block's outputs and their indices loaded as one vector each and
     * spread to the block's input lanes by one rearrange. Each block stores a whole vector: the lanes
     * past it are the next block's, the tail's or the next row's, all written after it (a masked store,
     * scalar code on Java 17, only at the end of the array).
     */
    private static int spreadMaxTiles(float[] gy, int[] ind, int o, int[] outOf, float[] cellOf, int cellBase,
            float[] gx, int g, PixelBlocks tiles, int from, int to) {
        int block = tiles.block;
        VectorShuffle<Float> spread = VectorShuffle.fromArray(F, tiles.offsets, 0);
        VectorMask<Float> whole = F.indexInRange(0, block);
        int matches = 0;
        for (int e = from; e < to; e += block) {
            int out = o + outOf[e];
            FloatVector found = ((FloatVector) IntVector.fromArray(I, ind, out).convert(VectorOperators.I2F, 0))
                    .rearrange(spread);
            VectorMask<Float> hit = found.compare(VectorOperators.EQ, FloatVector.fromArray(F, cellOf, e).add(cellBase));
            FloatVector grad = ZERO.blend(ZERO.add(FloatVector.fromArray(F, gy, out).rearrange(spread)), hit);
            storeAhead(grad, gx, g + e);
            matches += hit.and(e + block <= to ? whole : F.indexInRange(0, to - e)).trueCount();
        }
        return matches;
    }

    /** A whole vector at {@code a}, or the lanes inside the array at its end. */
    private static void storeAhead(FloatVector v, float[] gx, int a) {
        if (a + L <= gx.length) {
            v.intoArray(gx, a);
        } else {
            v.intoArray(gx, a, F.indexInRange(a, gx.length));
        }
    }

    @Override
    public void spreadSumRowsAt(float[] gy, int o, int[] outOf, int[] owOf, float[] rowScale, float[] coveredOf,
            int rows, int n, float[] gx, int g, PixelBlocks tiles, int from, int to) {
        if (tiles == null) {
            PoolVectorSupport.super.spreadSumRowsAt(gy, o, outOf, owOf, rowScale, coveredOf, rows, n, gx, g, null, from,
                    to);
            return;
        }
        int stop = tiledStop(o, outOf, gy.length, tiles, from, to);
        VectorShuffle<Float> spread = VectorShuffle.fromArray(F, tiles.offsets, 0);
        VectorShuffle<Float> window = VectorShuffle.fromArray(F, tiles.windowOf, 0);
        for (int r = 0; r < rows; r++) {
            int row = g + r * n;
            ScalarPoolSupport.spreadSumAtTail(gy, o, outOf, owOf, rowScale, coveredOf, 0, from, gx, row);
            for (int e = from; e < stop; e += tiles.block) {
                int out = o + outOf[e];
                storeAhead(FloatVector.fromArray(F, gy, out).rearrange(spread)
                        .mul(FloatVector.fromArray(F, rowScale, owOf[e]).rearrange(window)), gx, row + e);
            }
            ScalarPoolSupport.spreadSumAtTail(gy, o, outOf, owOf, rowScale, coveredOf, stop, n, gx, row);
        }
    }

    /**
     * Where the tiled blocks of {@code [from, to)} stop: {@code to}, or the start of the first block
     * whose vector of outputs would pass {@code outputs}, which the caller's tail then takes.
     */
    private static int tiledStop(int o, int[] outOf, int outputs, PixelBlocks tiles, int from, int to) {
        int block = tiles.block;
        int blocks = (to - from + block - 1) / block;
        while (blocks > 0 && o + outOf[from + (blocks - 1) * block] + L > outputs) {
            blocks--;
        }
        return Math.min(to, from + blocks * block);
    }

    @Override
    public void sumAt(float[] x, int[] rowAt, int rows, int[] first, int from, int to, int taps, int step,
            PixelBlocks blocks, float[] scale, float[] y, int o) {
        if (blocks != null) {
            from = sumAtBlocks(x, rowAt, rows, first, from, to, blocks, scale, y, o);
            if (from == to) {
                return;
            }
        }
        if (to - from < L) {
            SCALAR.sumAt(x, rowAt, rows, first, from, to, taps, step, null, scale, y, o);
            return;
        }
        int j = from;
        while (true) {
            j = Math.min(j, to - L);
            FloatVector s = FloatVector.fromArray(F, x, rowAt[0], first, j);
            for (int t = 1; t < taps; t++) {
                s = s.add(FloatVector.fromArray(F, x, rowAt[0] + t * step, first, j));
            }
            for (int r = 1; r < rows; r++) {
                for (int t = 0; t < taps; t++) {
                    s = s.add(FloatVector.fromArray(F, x, rowAt[r] + t * step, first, j));
                }
            }
            s.mul(FloatVector.fromArray(F, scale, j)).intoArray(y, o + j);
            if (j == to - L) {
                return;
            }
            j += L;
        }
    }

    @Override
    public void spreadSumAt(float[] gy, int o, int[] outOf, int[] owOf, float[] rowScale, float[] coveredOf, int n,
            float[] gx, int g) {
        if (n < L) {
            SCALAR.spreadSumAt(gy, o, outOf, owOf, rowScale, coveredOf, n, gx, g);
            return;
        }
        int e = 0;
        while (true) {
            e = Math.min(e, n - L);
            FloatVector v = FloatVector.fromArray(F, gy, o, outOf, e).mul(FloatVector.fromArray(F, rowScale, 0, owOf, e));
            ZERO.blend(v, FloatVector.fromArray(F, coveredOf, e).compare(VectorOperators.GT, 0f)).intoArray(gx, g + e);
            if (e == n - L) {
                return;
            }
            e += L;
        }
    }

    @Override
    public void maxAt(float[] x, int[] rowAt, int[] rowCell, int rows, int[] first, float[] column, int from, int to,
            int taps, int step, int stride, PixelBlocks blocks, float[] y, int[] ind, int o) {
        if (blocks != null) {
            from = maxAtBlocks(x, rowAt, rowCell, rows, first, column, from, to, stride, blocks, y, ind, o);
            if (from == to) {
                return;
            }
        }
        if (to - from < L) {
            SCALAR.maxAt(x, rowAt, rowCell, rows, first, column, from, to, taps, step, stride, null, y, ind, o);
            return;
        }
        int j = from;
        while (true) {
            j = Math.min(j, to - L);
            FloatVector m = FloatVector.fromArray(F, x, rowAt[0], first, j);
            FloatVector k = FloatVector.broadcast(F, rowCell[0]); // the column added after the loop
            for (int r = 0; r < rows; r++) {
                for (int t = r == 0 ? 1 : 0; t < taps; t++) {
                    FloatVector v = FloatVector.fromArray(F, x, rowAt[r] + t * step, first, j);
                    VectorMask<Float> take = takes(v, m);
                    m = m.blend(v, take);
                    k = k.blend(rowCell[r] + t * stride, take);
                }
            }
            m.intoArray(y, o + j);
            ((IntVector) k.add(FloatVector.fromArray(F, column, j)).convert(VectorOperators.F2I, 0)).intoArray(ind, o + j);
            if (j == to - L) {
                return;
            }
            j += L;
        }
    }

    /**
     * {@link #maxAt} block by block ({@link PixelBlocks#forward}; cells below 2^23): each tap's two
     * pixels loaded and blended ({@link #pixelPair}), then the same rule in the same order as the
     * gathering form. Returns where it stopped: {@code to}, or the first block whose loads would pass
     * the end of {@code x}, which the caller finishes.
     */
    private static int maxAtBlocks(float[] x, int[] rowAt, int[] rowCell, int rows, int[] first, float[] column,
            int from, int to, int stride, PixelBlocks blocks, float[] y, int[] ind, int o) {
        int block = blocks.block;
        int[] offsets = blocks.offsets;
        int last = rowAt[rows - 1] + blocks.reach;
        VectorMask<Float> second = F.indexInRange(-block / 2, L);
        for (int j = from; j < to; j += block) {
            int at = first[j];
            if (last + at > x.length) {
                return j;
            }
            int a = rowAt[0] + at;
            FloatVector m = pixelPair(x, a + offsets[0], a + offsets[1], second);
            FloatVector k = FloatVector.broadcast(F, rowCell[0]); // the column added after the loop
            FloatVector v = pixelPair(x, a + offsets[2], a + offsets[3], second);
            VectorMask<Float> take = takes(v, m);
            m = m.blend(v, take);
            k = k.blend(rowCell[0] + stride, take);
            // Two rows (2x2) as straight code: Java 17 boxes vectors carried around a loop (textbook
            // channels-last forward 0.24 against 0.12 ms).
            if (rows == 2) {
                a = rowAt[1] + at;
                v = pixelPair(x, a + offsets[0], a + offsets[1], second);
                take = takes(v, m);
                m = m.blend(v, take);
                k = k.blend(rowCell[1], take);
                v = pixelPair(x, a + offsets[2], a + offsets[3], second);
                take = takes(v, m);
                m = m.blend(v, take);
                k = k.blend(rowCell[1] + stride, take);
            } else {
                for (int r = 1; r < rows; r++) {
                    a = rowAt[r] + at;
                    v = pixelPair(x, a + offsets[0], a + offsets[1], second);
                    take = takes(v, m);
                    m = m.blend(v, take);
                    k = k.blend(rowCell[r], take);
                    v = pixelPair(x, a + offsets[2], a + offsets[3], second);
                    take = takes(v, m);
                    m = m.blend(v, take);
                    k = k.blend(rowCell[r] + stride, take);
                }
            }
            // The cell's float to int by its bits (2^23 + cell has the cell in its mantissa): Java 17
            // runs convert(F2I) as library code (textbook channels-last forward 0.29 against 0.12 ms).
            IntVector cells = k.add(FloatVector.fromArray(F, column, j)).add(0x1p23f).reinterpretAsInts()
                    .sub(0x4b000000);
            if (j + L <= to) {
                m.intoArray(y, o + j);
                cells.intoArray(ind, o + j);
            } else {
                m.intoArray(y, o + j, F.indexInRange(0, to - j));
                cells.intoArray(ind, o + j, I.indexInRange(0, to - j));
            }
        }
        return to;
    }

    /** {@link #sumAt} block by block, as {@link #maxAtBlocks}: the sum in the gathering form's order. */
    private static int sumAtBlocks(float[] x, int[] rowAt, int rows, int[] first, int from, int to, PixelBlocks blocks,
            float[] scale, float[] y, int o) {
        int block = blocks.block;
        int[] offsets = blocks.offsets;
        int last = rowAt[rows - 1] + blocks.reach;
        VectorMask<Float> second = F.indexInRange(-block / 2, L);
        for (int j = from; j < to; j += block) {
            int at = first[j];
            if (last + at > x.length) {
                return j;
            }
            int a = rowAt[0] + at;
            FloatVector s = pixelPair(x, a + offsets[0], a + offsets[1], second)
                    .add(pixelPair(x, a + offsets[2], a + offsets[3], second));
            for (int r = 1; r < rows; r++) {
                a = rowAt[r] + at;
                s = s.add(pixelPair(x, a + offsets[0], a + offsets[1], second))
                        .add(pixelPair(x, a + offsets[2], a + offsets[3], second));
            }
            s = s.mul(FloatVector.fromArray(F, scale, j));
            if (j + L <= to) {
                s.intoArray(y, o + j);
            } else {
                s.intoArray(y, o + j, F.indexInRange(0, to - j));
            }
        }
        return to;
    }

    /** One tap of a block: the first pixel's lanes from the load at {@code a0}, the second's ({@code second}) at {@code a1}. */
    private static FloatVector pixelPair(float[] x, int a0, int a1, VectorMask<Float> second) {
        return FloatVector.fromArray(F, x, a0).blend(FloatVector.fromArray(F, x, a1), second);
    }
}
