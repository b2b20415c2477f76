package org.sparkpooling.pool;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    private static final IntVector IOTA1 = IntVector.zero(I).addIndex(1);
    private static final IntVector IOTA2 = IntVector.zero(I).addIndex(2);
    private static final FloatVector ZERO = FloatVector.zero(F);
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
            FloatVector m = lo.rearrange(EVENS, hi);
            IntVector k = first;
            FloatVector v = lo.rearrange(ODDS, hi);
            VectorMask<Float> t = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            m = m.blend(v, t);
            k = k.blend(first.add(1), t.cast(I));
            lo = FloatVector.fromArray(F, x, a + inW);
            hi = FloatVector.fromArray(F, x, a + inW + L);
            v = lo.rearrange(EVENS, hi);
            t = v.compare(VectorOperators.GT, m).or(v.test(VectorOperators.IS_NAN));
            m = m.blend(v, t);
            k = k.blend(first.add(inW), t.cast(I));
            v = lo.rearrange(ODDS, hi);
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
            FloatVector g = ZERO.add(FloatVector.fromArray(F, gradOutput, o + ow));
            FloatVector v00 = ZERO.blend(g, m00.cast(F));
            FloatVector v01 = ZERO.blend(g, m01.cast(F));
            FloatVector v10 = ZERO.blend(g, m10.cast(F));
            FloatVector v11 = ZERO.blend(g, m11.cast(F));
            int a = inBase + i;
            v00.rearrange(ZIP_LO, v01).intoArray(gradInput, a);
            v00.rearrange(ZIP_HI, v01).intoArray(gradInput, a + L);
            v10.rearrange(ZIP_LO, v11).intoArray(gradInput, a + inW);
            v10.rearrange(ZIP_HI, v11).intoArray(gradInput, a + inW + L);
            if (ow == owTo - L) {
                return true;
            }
            ow += L;
        }
    }
}
