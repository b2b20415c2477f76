package org.sparkpooling.pool;

import java.util.Arrays;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * The fast implementation: the same results as {@link LoopsKernel} (max output, indices and
 * gradients bit for bit; avg within {@code 1e-5 * max(1, |x|)}), shaped for the JIT.
 *
 * <p>How it chooses: every plane is split into interior windows (wholly inside the input, so no
 * bounds arithmetic) and border windows (clipped by padding or the ceil-mode overhang). Interior rows
 * of undilated kernels with column stride 1 or 2 go to SIMD rows ({@link PoolVectorSupport}) when
 * the JVM has them and the row holds a full vector; interior windows of 2x2 and 3x3 kernels (any
 * stride: the textbook's 2x2 stride 2, ResNet's 3x3 stride 2 padding 1, the overlapping 2x2 and 3x3
 * stride 1) otherwise run unrolled scalar bodies; every other window runs a generic body over
 * precomputed, already clipped ranges. Avg backward writes each input exactly once where windows
 * tile the input (stride = kernel, no dilation), so gradInput is never zeroed first; max backward,
 * and avg with overlaps or gaps, zero each plane and add contributions in output raster order, as
 * the reference does, which keeps overlapping sums bit for bit equal.
 *
 * <p>Max follows PyTorch's rule in every body: a value replaces the running maximum when it is
 * strictly greater (ties keep the first in raster order) or NaN (the last NaN wins); an all
 * {@code -inf} window keeps its first in-bounds element. Avg sums each window in raster order, as the
 * reference does, and multiplies by the divisor's reciprocal.
 *
 * <p>The family ({@link NdPoolKernel}): float channels-first max and avg of one or two spatial
 * dimensions take the 2-D paths above (a 1-D input as planes of one row); every other op, rank,
 * layout and dtype goes to {@link FastFamily}, generic loops over tabulated windows with the
 * channels innermost for channels-last, not yet tuned per shape.
 */
public final class FastKernel implements PoolKernel {

    private final PoolVectorSupport simd;
    /** The rows without two-vector rearranges (channels-last, {@link #supportFor}): SIMD from Java 17 ({@link PoolVectorization#channelsLastSupport}). */
    private final PoolVectorSupport rows;
    private final LayoutBodies channelsFirst;
    private final LayoutBodies channelsLast;

    /** With SIMD when this JVM has the Vector API ({@link PoolVectorization}), else scalar. */
    public FastKernel() {
        this(PoolVectorization.support(), PoolVectorization.channelsLastSupport());
    }

    /** With the given support: tests run the SIMD and the scalar paths in one JVM. */
    FastKernel(PoolVectorSupport simd) {
        this(simd, simd);
    }

    /** {@code simd} for the channels-first rows, {@code rows} for the channels-last ones (SIMD from Java 17). */
    private FastKernel(PoolVectorSupport simd, PoolVectorSupport rows) {
        this.simd = simd;
        this.rows = rows;
        channelsFirst = LayoutBodies.of(org.sparkpooling.tensor.Layout.CHANNELS_FIRST, simd, rows);
        channelsLast = LayoutBodies.of(org.sparkpooling.tensor.Layout.CHANNELS_LAST, simd, rows);
    }

    /**
     * The specs whose SIMD rows need no two-vector rearranges take the rows that are SIMD from
     * Java 17 on; everything else the channels-first support (SIMD from Java 21, as Java 17 runs
     * two-vector rearranges as library code). Those specs: max with column stride 1 (plain loads;
     * on Java 17 overlap-max's forward took 24.3 ms on the scalar bodies and inception-max's 94.8
     * ms), 2x2 stride-2 tiles of max and avg and padded 3x3 stride-2 max (even and odd columns split
     * by one-vector rearranges, the tiles' backward spread by them). On Java 17, forward + backward:
     * textbook-max channels-first 99.5 against 270 us, textbook-avg 66 against 119, large-max 35.5
     * against 60.3 ms, stem-max 55.3 against 90.3 ms.
     */
    private PoolVectorSupport supportFor(PoolSpec spec) {
        boolean max = switch (spec.mode()) {
            case MAX -> true;
            case AVG -> false;
        };
        boolean plainLoads = spec.strideW() == 1 && spec.dilationW() == 1;
        return tiles2x2(spec) || max && (plainLoads || padded3x3s2(spec)) ? rows : simd;
    }

    /**
     * 2x2 stride 2, no padding, floor mode: every window goes to the unrolled 2x2 rows
     * ({@link PoolVectorSupport#maxRow}, {@link PoolVectorSupport#avgRow}) or the tile planes, never
     * to the padded plane's generic taps.
     */
    private static boolean tiles2x2(PoolSpec spec) {
        return spec.kernelH() == 2 && spec.kernelW() == 2 && spec.strideH() == 2 && spec.strideW() == 2
                && spec.padH() == 0 && spec.padW() == 0 && spec.dilationH() == 1 && spec.dilationW() == 1
                && !spec.ceilMode();
    }

    /** 3x3 column stride 2 with padding (the ResNet stem): its planes go through {@link Padded}'s unrolled 3x3 rows. */
    private static boolean padded3x3s2(PoolSpec spec) {
        return spec.kernelH() == 3 && spec.kernelW() == 3 && spec.strideW() == 2 && (spec.padH() > 0 || spec.padW() > 0)
                && spec.dilationH() == 1 && spec.dilationW() == 1;
    }

    private LayoutBodies bodies(NdPoolGeometry g) {
        return switch (g.input().layout()) {
            case CHANNELS_FIRST -> channelsFirst;
            case CHANNELS_LAST -> channelsLast;
        };
    }

    @Override
    public String name() {
        return "fast";
    }

    @Override
    public String toString() {
        return "fast (" + (simd.lanes() > 1 ? simd.lanes() + "-lane SIMD" : "scalar") + ")";
    }

    // ------------------------------------------------------------------------------------------
    // The family: 2-D-able float channels-first max and avg take the tuned paths below, the rest
    // FastFamily's generic bodies

    @Override
    public boolean supports(PoolOp op) {
        return true;
    }

    @Override
    public void forward(NdPoolSpec spec, FloatTensor input, float[] output, int[] indices) {
        NdPoolGeometry g = NdPoolGeometry.forForward(spec, input, output, indices);
        if (SeparableMax.applies(g, simd)) {
            new SeparableMax(new WindowPlan(g), simd)
                    .max(input.data(), output, indices != null ? indices : new int[output.length]);
            return;
        }
        PoolSpec planar = planar(g);
        if (planar != null) {
            forward(planar, planarTensor(g, input.data()), output, indices);
        } else {
            FastFamily.forward(g, bodies(g), input.data(), output, indices);
        }
    }

    @Override
    public void forward(NdPoolSpec spec, DoubleTensor input, double[] output, int[] indices) {
        NdPoolGeometry g = NdPoolGeometry.forForward(spec, input, output, indices);
        FastFamily.forward(g, bodies(g), input.data(), output, indices);
    }

    @Override
    public void backward(NdPoolSpec spec, FloatTensor input, float[] gradOutput, int[] indices, float[] gradInput) {
        // Every loop below checks each index as it reads it: no pass over the indices first.
        NdPoolGeometry g = NdPoolGeometry.forBackwardCheckingIndicesInLoops(spec, input, gradOutput, indices, gradInput);
        PoolSpec planar = planar(g);
        if (planar != null) {
            // The buffers are checked: not a second check of them in PoolGeometry.forBackward
            Shape shape = planarTensor(g, input.data()).shape();
            if (!backward(planar.geometry(shape.h(), shape.w()), shape, gradOutput, indices, gradInput)) {
                throw g.indexOutside(indices);
            }
        } else {
            FastFamily.backward(g, bodies(g), input.data(), gradOutput, indices, gradInput);
        }
    }

    @Override
    public void backward(NdPoolSpec spec, DoubleTensor input, double[] gradOutput, int[] indices, double[] gradInput) {
        NdPoolGeometry g = NdPoolGeometry.forBackwardCheckingIndicesInLoops(spec, input, gradOutput, indices, gradInput);
        FastFamily.backward(g, bodies(g), input.data(), gradOutput, indices, gradInput);
    }

    /**
     * The 2-D spec of a 1-D or 2-D channels-first float max or avg call, which the tuned planes
     * below compute (a 1-D input as planes of one row), else null. Indices are the same numbers
     * ({@code h * W + w} with {@code h = 0}).
     */
    private static PoolSpec planar(NdPoolGeometry g) {
        PoolMode mode = switch (g.spec().op()) {
            case MAX -> PoolMode.MAX;
            case AVG -> PoolMode.AVG;
            case ADAPTIVE_MAX, ADAPTIVE_AVG, LP, UNPOOL -> null;
        };
        boolean channelsFirst = switch (g.input().layout()) {
            case CHANNELS_FIRST -> true;
            case CHANNELS_LAST -> false;
        };
        if (mode == null || !channelsFirst || g.spec().dims() == 3) {
            return null;
        }
        NdPoolSpec s = g.spec();
        return new PoolSpec(mode, g.kernel(1), g.kernel(2), g.stride(1), g.stride(2), g.padding(1), g.padding(2),
                g.dilation(1), g.dilation(2), s.ceilMode(), s.countIncludePad(), s.divisorOverride());
    }

    private static Tensor planarTensor(NdPoolGeometry g, float[] data) {
        TensorShape in = g.input();
        return new Tensor(new Shape(in.n(), in.c(), g.in(1), g.in(2)), data);
    }

    // ------------------------------------------------------------------------------------------
    // Forward

    @Override
    public void forward(PoolSpec spec, Tensor input, float[] output, int[] indices) {
        PoolGeometry g = PoolGeometry.forForward(spec, input, output, indices);
        Plan plan = new Plan(g, supportFor(spec));
        boolean maxMode = switch (spec.mode()) {
            case MAX -> true;
            case AVG -> false;
        };
        plan.padded = Padded.applies(plan, maxMode) ? new Padded(plan) : null;
        float[] x = input.data();
        int planes = input.shape().planes();
        int inPlane = g.inH() * g.inW();
        int outPlane = g.outH() * g.outW();
        if (tiledForward(plan, indices)) {
            float[] row = new float[plan.coveredW];
            for (int p = 0; p < planes; p++) {
                tiledPlane(plan, x, p * inPlane, output, p * outPlane, row);
            }
            return;
        }
        boolean max = switch (spec.mode()) {
            case MAX -> true;
            case AVG -> false;
        };
        if (max && indices == null) {
            maxValuesOnly(plan, x, planes, inPlane, outPlane, output);
            return;
        }
        for (int p = 0; p < planes; p++) {
            if (max) {
                maxPlaneWithIndices(plan, x, p * inPlane, output, indices, p * outPlane);
            } else {
                avgPlane(plan, x, p * inPlane, output, p * outPlane);
            }
        }
    }

    /** Max without indices where windows do not tile: the usual bodies into one plane of scratch. */
    private static void maxValuesOnly(Plan q, float[] x, int planes, int inPlane, int outPlane, float[] output) {
        float[] values = new float[outPlane];
        int[] scratch = new int[outPlane];
        for (int p = 0; p < planes; p++) {
            maxPlaneWithIndices(q, x, p * inPlane, values, scratch, 0);
            System.arraycopy(values, 0, output, p * outPlane, outPlane);
        }
    }

    /** One plane of max forward: whole 2x2 stride-2 tile planes to the SIMD support in one call, else row by row. */
    private static void maxPlaneWithIndices(Plan q, float[] x, int inBase, float[] out, int[] ind, int outBase) {
        if (q.maxTileRows) {
            q.simd.max2x2s2Plane(x, inBase, q.inW, q.outH, q.outW, out, ind, outBase);
        } else {
            maxPlane(q, x, inBase, out, ind, outBase);
        }
    }

    private static void maxPlane(Plan q, float[] x, int inBase, float[] out, int[] ind, int outBase) {
        if (q.padded != null) {
            paddedMaxPlane(q, q.padded, x, inBase, out, ind, outBase);
            return;
        }
        int inW = q.inW;
        for (int oh = 0; oh < q.outH; oh++) {
            int o = outBase + oh * q.outW;
            if (oh < q.ohLo || oh >= q.ohHi) {
                maxGeneric(q, x, inBase, oh, 0, q.outW, out, ind, o);
                continue;
            }
            maxGeneric(q, x, inBase, oh, 0, q.owLo, out, ind, o);
            int rowIdx = (oh * q.sh - q.ph) * inW; // plane-relative index of the windows' top row
            int from = q.owLo;
            if (q.vectorHi > from && q.sw == 1) {
                // One flat loop over the taps: on Java 17 maxRow's nested tap loops kept the running
                // vectors in memory (overlap-max forward 16.3 ms against 3.3 on Java 25).
                int first = rowIdx - q.pw + from;
                q.simd.maxTaps(x, inBase + first, q.rowTaps, q.rowTaps, q.rowTaps.length, 1, first, q.vectorHi - from,
                        out, ind, o + from);
                from = q.vectorHi;
            } else if (q.vectorHi > from) {
                q.simd.maxRow(x, inBase, rowIdx - q.pw, inW, q.kh, q.kw, q.sw, from, q.vectorHi, out, ind, o);
                from = q.vectorHi;
            }
            if (q.kernel == 2 && q.sw == 2 && q.pw == 0) {
                if (!max2x2s2Keys(x, inBase, rowIdx, inW, from, q.owHi, out, ind, o)) {
                    max2x2s2(x, inBase, rowIdx, inW, from, q.owHi, out, ind, o);
                }
            } else if (q.kernel == 2) {
                if (!max2x2Keys(x, inBase, rowIdx, inW, q.sw, q.pw, from, q.owHi, out, ind, o)) {
                    max2x2(x, inBase, rowIdx, inW, q.sw, q.pw, from, q.owHi, out, ind, o);
                }
            } else if (q.kernel == 3 && q.sw == 2) {
                if (!max3x3s2Keys(x, inBase, rowIdx, inW, q.pw, from, q.owHi, out, ind, o)) {
                    max3x3(x, inBase, rowIdx, inW, q.sw, q.pw, from, q.owHi, out, ind, o);
                }
            } else if (q.kernel == 3) {
                if (!max3x3Keys(x, inBase, rowIdx, inW, q.sw, q.pw, from, q.owHi, out, ind, o)) {
                    max3x3(x, inBase, rowIdx, inW, q.sw, q.pw, from, q.owHi, out, ind, o);
                }
            } else {
                maxGeneric(q, x, inBase, oh, from, q.owHi, out, ind, o);
            }
            maxGeneric(q, x, inBase, oh, q.owHi, q.outW, out, ind, o);
        }
    }

    /**
     * A plane with border windows on SIMD rows: copied into a buffer padded with {@code -inf}
     * (the border cells are filled once per call, only the plane's own cells per plane), so every
     * window, clipped or not, is one of a row's vector lanes. Inception's 3x3 stride 1 padding 1 on
     * 28x28 planes has 14% border windows, the stem's 3.5%; one window at a time with a branch per
     * tap they took most of the forward. The stem's planes skip the copy ({@link #directMaxPlane}).
     */
    private static void paddedMaxPlane(Plan q, Padded p, float[] x, int inBase, float[] out, int[] ind, int outBase) {
        // The direct rows read one cell past a window row's end: past the array in the last plane.
        if (p.direct && inBase + q.inH * q.inW < x.length) {
            directMaxPlane(q, p, x, inBase, out, ind, outBase);
            return;
        }
        for (int h = 0; h < q.inH; h++) {
            copyPaddedRow(q, p, x, inBase, h);
        }
        for (int oh = 0; oh < q.outH; oh++) {
            paddedMaxRow(q, p, oh, out, ind, outBase);
        }
    }

    /** Input row {@code h} of the plane at {@code inBase} into its place in the padded buffer. */
    private static void copyPaddedRow(Plan q, Padded p, float[] x, int inBase, int h) {
        System.arraycopy(x, inBase + h * q.inW, p.buffer, (q.ph + h) * p.width + q.pw, q.inW);
    }

    /** Output row {@code oh} from the padded buffer, whose rows its windows read are copied in. */
    private static void paddedMaxRow(Plan q, Padded p, int oh, float[] out, int[] ind, int outBase) {
        int first = (oh * q.sh - q.ph) * q.inW - q.pw;
        q.simd.maxTapsFrom(p.buffer, oh * q.sh * p.width, p.tapAt, p.tapIndex, p.tapAt.length, q.sw, first, q.outW,
                q.wStart, q.hStart[oh] * q.inW, out, ind, outBase + oh * q.outW);
    }

    /**
     * {@link #paddedMaxPlane} of 3x3 column-stride-2 windows (the ResNet stem) without the copy:
     * each output row whose three window rows lie in the plane reads them in place
     * ({@link PoolVectorSupport#max3x3s2Row}, window 0's padding column left out); a row with a
     * window row above or below the plane (the first, with padding) goes through the padded copy,
     * only the rows it needs copied. With the whole plane copied, stem-max's forward took 22.2-23.3
     * ms against 15.1-17.7 this way, forward + backward 34.9-41.3 against 29.4-30.8 on Java 25 and
     * 47.1-53.5 against 38.3-40.2 on Java 17 (JMH, alternated, a machine whose {@code copyTraffic}
     * took 9.7-10.8 ms). The tensor's last plane keeps the whole copy: the paired loads of its last
     * row would read one cell past the array.
     */
    private static void directMaxPlane(Plan q, Padded p, float[] x, int inBase, float[] out, int[] ind, int outBase) {
        for (int oh = 0; oh < q.outH; oh++) {
            int top = oh * q.sh - q.ph;
            if (top >= 0 && top + 3 <= q.inH) {
                int first = top * q.inW - q.pw;
                q.simd.max3x3s2Row(x, inBase + first, q.inW, q.pw == 1, first, q.outW, q.wStart, q.hStart[oh] * q.inW,
                        out, ind, outBase + oh * q.outW);
                continue;
            }
            // A window row above or below the plane: the padded copy's rows outside the plane stay -inf.
            for (int h = Math.max(0, top); h < Math.min(q.inH, top + 3); h++) {
                copyPaddedRow(q, p, x, inBase, h);
            }
            paddedMaxRow(q, p, oh, out, ind, outBase);
        }
    }

    /** The padded buffer of {@link #paddedMaxPlane} and its taps. */
    static final class Padded {
        final int width;
        final float[] buffer;
        final int[] tapAt;
        final int[] tapIndex;
        /**
         * 3x3 column stride 2, column padding at most 1, the last window inside the row: planes
         * before the tensor's last go to {@link #directMaxPlane}.
         */
        final boolean direct;

        Padded(Plan q) {
            direct = q.kh == 3 && q.kw == 3 && q.sw == 2 && q.pw <= 1 && 2 * (q.outW - 1) - q.pw + 2 <= q.inW - 1;
            // One column past the last window: stride 2 reads in pairs.
            width = Math.max(q.pw + q.inW, (q.outW - 1) * q.sw + q.kw + 1);
            int height = Math.max(q.ph + q.inH, (q.outH - 1) * q.sh + q.kh);
            buffer = new float[width * height];
            Arrays.fill(buffer, Float.NEGATIVE_INFINITY);
            tapAt = new int[q.kh * q.kw];
            tapIndex = new int[tapAt.length];
            for (int r = 0, t = 0; r < q.kh; r++) {
                for (int d = 0; d < q.kw; d++, t++) {
                    tapAt[t] = r * width + d;
                    tapIndex[t] = r * q.inW + d;
                }
            }
        }

        /** Worth it where SIMD rows run and some window is clipped: max, undilated, column stride 1 or 2, a full vector per row. */
        static boolean applies(Plan q, boolean max) {
            boolean borders = q.ohLo > 0 || q.ohHi < q.outH || q.owLo > 0 || q.owHi < q.outW;
            return max && borders && q.simd.lanes() > 1 && q.dh == 1 && q.dw == 1 && (q.sw == 1 || q.sw == 2)
                    && q.outW >= q.simd.lanes();
        }
    }

    /*
     * The unrolled scalar bodies, first on int keys. HotSpot compiles a float compare-and-select to a
     * branch (no conditional move for floats on x86), which random data mispredicts about every other
     * tap. HotSpot 17 kept branches for int ternaries and ifs too (random input ran 2.5x slower than
     * zeros), so a tap is taken with arithmetic: an all-ones mask from a long difference, Math.max
     * (an intrinsic) for the best key, and a masked xor for the offset; the 2x2 stride 2 body runs as
     * fast on random input as on zeros (237 against 227 us per textbook forward). key(bits) orders ints as the floats are ordered,
     * with -0.0 and +0.0 equal (so ties still keep the first), for every non-NaN value. NaN is kept
     * out of the hot loop: each body ORs a NaN flag over its row and, when some window held a NaN,
     * answers false so the caller redoes the row with the branchy bodies below (exact for NaN, and
     * their NaN branch is predictable). The output value is read back from x at the chosen index, so
     * it is the input's own bits (NaN payload, the sign of zero) as in the reference.
     */

    /** Two's-complement order of a float's bits: -a for negative floats, a for positive, 0 for both zeros. */
    private static int key(int bits) {
        int s = bits >> 31;
        return ((bits & 0x7fffffff) ^ s) - s;
    }

    /** All ones when {@code k > best}, else 0; in long, since the difference of two keys can overflow an int. */
    private static int takeMask(int best, int k) {
        return (int) (((long) best - k) >> 63);
    }

    /** Negative when the bits are a NaN (magnitude above +inf's), else non-negative. */
    private static int nanFlag(int bits) {
        return 0x7f800000 - (bits & 0x7fffffff);
    }

    private static boolean max2x2s2Keys(float[] x, int inBase, int rowIdx, int inW, int owLo, int owHi,
            float[] out, int[] ind, int o) {
        int w1 = inW + 1;
        int nan = 0;
        for (int ow = owLo; ow < owHi; ow++) {
            int i = rowIdx + 2 * ow;
            int a = inBase + i;
            int b0 = Float.floatToRawIntBits(x[a]);
            int b1 = Float.floatToRawIntBits(x[a + 1]);
            int b2 = Float.floatToRawIntBits(x[a + inW]);
            int b3 = Float.floatToRawIntBits(x[a + w1]);
            nan |= nanFlag(b0) | nanFlag(b1) | nanFlag(b2) | nanFlag(b3);
            int best = key(b0);
            int off = 0;
            int k = key(b1);
            int m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ 1) & m;
            k = key(b2);
            m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ inW) & m;
            k = key(b3);
            off ^= (off ^ w1) & takeMask(best, k);
            out[o + ow] = x[a + off];
            ind[o + ow] = i + off;
        }
        return nan >= 0;
    }

    private static boolean max2x2Keys(float[] x, int inBase, int rowIdx, int inW, int sw, int pw, int owLo,
            int owHi, float[] out, int[] ind, int o) {
        int w1 = inW + 1;
        int nan = 0;
        for (int ow = owLo; ow < owHi; ow++) {
            int i = rowIdx + ow * sw - pw;
            int a = inBase + i;
            int b0 = Float.floatToRawIntBits(x[a]);
            int b1 = Float.floatToRawIntBits(x[a + 1]);
            int b2 = Float.floatToRawIntBits(x[a + inW]);
            int b3 = Float.floatToRawIntBits(x[a + w1]);
            nan |= nanFlag(b0) | nanFlag(b1) | nanFlag(b2) | nanFlag(b3);
            int best = key(b0);
            int off = 0;
            int k = key(b1);
            int m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ 1) & m;
            k = key(b2);
            m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ inW) & m;
            k = key(b3);
            off ^= (off ^ w1) & takeMask(best, k);
            out[o + ow] = x[a + off];
            ind[o + ow] = i + off;
        }
        return nan >= 0;
    }

    /**
     * The ResNet stem's 3x3 stride 2: neighbouring windows share a column, so each column's best of
     * three rows is found once and used by two windows. A column's best is a tagged long, the key
     * above a rank bit field, so one max orders by value and breaks ties by raster order: bits 4-5
     * hold 3 - row (an earlier row wins a tie), bits 0-1, ORed in per window, 3 - column.
     */
    private static boolean max3x3s2Keys(float[] x, int inBase, int rowIdx, int inW, int pw, int owLo, int owHi,
            float[] out, int[] ind, int o) {
        if (owLo >= owHi) {
            return true; // no window: the first column below would be read past the row
        }
        int h2 = 2 * inW;
        int nan = 0;
        int a0 = inBase + rowIdx + 2 * owLo - pw;
        int b0 = Float.floatToRawIntBits(x[a0]);
        int b1 = Float.floatToRawIntBits(x[a0 + inW]);
        int b2 = Float.floatToRawIntBits(x[a0 + h2]);
        nan |= nanFlag(b0) | nanFlag(b1) | nanFlag(b2);
        long left = column(b0, b1, b2);
        for (int ow = owLo; ow < owHi; ow++) {
            int i = rowIdx + 2 * ow - pw;
            int a = inBase + i;
            b0 = Float.floatToRawIntBits(x[a + 1]);
            b1 = Float.floatToRawIntBits(x[a + 1 + inW]);
            b2 = Float.floatToRawIntBits(x[a + 1 + h2]);
            int c0 = Float.floatToRawIntBits(x[a + 2]);
            int c1 = Float.floatToRawIntBits(x[a + 2 + inW]);
            int c2 = Float.floatToRawIntBits(x[a + 2 + h2]);
            nan |= nanFlag(b0) | nanFlag(b1) | nanFlag(b2) | nanFlag(c0) | nanFlag(c1) | nanFlag(c2);
            long mid = column(b0, b1, b2);
            long right = column(c0, c1, c2);
            long best = maxTagged(maxTagged(left | 3, mid | 2), right | 1);
            left = right;
            int t = (int) best;
            int off = (3 - ((t >> 4) & 3)) * inW + 3 - (t & 3);
            out[o + ow] = x[a + off];
            ind[o + ow] = i + off;
        }
        return nan >= 0;
    }

    private static long column(int top, int middle, int bottom) {
        return maxTagged(maxTagged(tagged(top, 3 << 4), tagged(middle, 2 << 4)), tagged(bottom, 1 << 4));
    }

    private static long tagged(int bits, int rank) {
        return ((long) key(bits) << 8) | rank;
    }

    /** The larger of two tagged keys without a branch; they differ by far less than 2^63. */
    private static long maxTagged(long a, long b) {
        long d = a - b;
        return a - (d & (d >> 63));
    }

    private static boolean max3x3Keys(float[] x, int inBase, int rowIdx, int inW, int sw, int pw, int owLo,
            int owHi, float[] out, int[] ind, int o) {
        int w1 = inW + 1;
        int w2 = inW + 2;
        int h2 = 2 * inW;
        int h21 = h2 + 1;
        int h22 = h2 + 2;
        int nan = 0;
        for (int ow = owLo; ow < owHi; ow++) {
            int i = rowIdx + ow * sw - pw;
            int a = inBase + i;
            int b0 = Float.floatToRawIntBits(x[a]);
            int b1 = Float.floatToRawIntBits(x[a + 1]);
            int b2 = Float.floatToRawIntBits(x[a + 2]);
            int b3 = Float.floatToRawIntBits(x[a + inW]);
            int b4 = Float.floatToRawIntBits(x[a + w1]);
            int b5 = Float.floatToRawIntBits(x[a + w2]);
            int b6 = Float.floatToRawIntBits(x[a + h2]);
            int b7 = Float.floatToRawIntBits(x[a + h21]);
            int b8 = Float.floatToRawIntBits(x[a + h22]);
            nan |= nanFlag(b0) | nanFlag(b1) | nanFlag(b2) | nanFlag(b3) | nanFlag(b4)
                    | nanFlag(b5) | nanFlag(b6) | nanFlag(b7) | nanFlag(b8);
            int best = key(b0);
            int off = 0;
            int k = key(b1);
            int m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ 1) & m;
            k = key(b2);
            m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ 2) & m;
            k = key(b3);
            m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ inW) & m;
            k = key(b4);
            m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ w1) & m;
            k = key(b5);
            m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ w2) & m;
            k = key(b6);
            m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ h2) & m;
            k = key(b7);
            m = takeMask(best, k);
            best = Math.max(best, k);
            off ^= (off ^ h21) & m;
            k = key(b8);
            off ^= (off ^ h22) & takeMask(best, k);
            out[o + ow] = x[a + off];
            ind[o + ow] = i + off;
        }
        return nan >= 0;
    }

    /* The exact bodies for rows that hold a NaN: plain ifs, the NaN test in each. */

    private static void max2x2s2(float[] x, int inBase, int rowIdx, int inW, int owLo, int owHi,
            float[] out, int[] ind, int o) {
        // The textbook's case, kept apart so the column arithmetic is a shift, not a multiply.
        for (int ow = owLo; ow < owHi; ow++) {
            int i = rowIdx + 2 * ow;
            int a = inBase + i;
            float m = x[a];
            int k = i;
            float v = x[a + 1];
            if (v > m || v != v) {
                m = v;
                k = i + 1;
            }
            v = x[a + inW];
            if (v > m || v != v) {
                m = v;
                k = i + inW;
            }
            v = x[a + inW + 1];
            if (v > m || v != v) {
                m = v;
                k = i + inW + 1;
            }
            out[o + ow] = m;
            ind[o + ow] = k;
        }
    }

    private static void max2x2(float[] x, int inBase, int rowIdx, int inW, int sw, int pw, int owLo, int owHi,
            float[] out, int[] ind, int o) {
        for (int ow = owLo; ow < owHi; ow++) {
            int i = rowIdx + ow * sw - pw;
            int a = inBase + i;
            float m = x[a];
            int k = i;
            float v = x[a + 1];
            if (v > m || v != v) {
                m = v;
                k = i + 1;
            }
            v = x[a + inW];
            if (v > m || v != v) {
                m = v;
                k = i + inW;
            }
            v = x[a + inW + 1];
            if (v > m || v != v) {
                m = v;
                k = i + inW + 1;
            }
            out[o + ow] = m;
            ind[o + ow] = k;
        }
    }

    private static void max3x3(float[] x, int inBase, int rowIdx, int inW, int sw, int pw, int owLo, int owHi,
            float[] out, int[] ind, int o) {
        int w2 = 2 * inW;
        for (int ow = owLo; ow < owHi; ow++) {
            int i = rowIdx + ow * sw - pw;
            int a = inBase + i;
            float m = x[a];
            int k = i;
            float v = x[a + 1];
            if (v > m || v != v) {
                m = v;
                k = i + 1;
            }
            v = x[a + 2];
            if (v > m || v != v) {
                m = v;
                k = i + 2;
            }
            v = x[a + inW];
            if (v > m || v != v) {
                m = v;
                k = i + inW;
            }
            v = x[a + inW + 1];
            if (v > m || v != v) {
                m = v;
                k = i + inW + 1;
            }
            v = x[a + inW + 2];
            if (v > m || v != v) {
                m = v;
                k = i + inW + 2;
            }
            v = x[a + w2];
            if (v > m || v != v) {
                m = v;
                k = i + w2;
            }
            v = x[a + w2 + 1];
            if (v > m || v != v) {
                m = v;
                k = i + w2 + 1;
            }
            v = x[a + w2 + 2];
            if (v > m || v != v) {
                m = v;
                k = i + w2 + 2;
            }
            out[o + ow] = m;
            ind[o + ow] = k;
        }
    }

    /** Any window, over the plan's clipped ranges; outputs {@code [owFrom, owTo)} of row {@code oh}. */
    private static void maxGeneric(Plan q, float[] x, int inBase, int oh, int owFrom, int owTo,
            float[] out, int[] ind, int o) {
        int h0 = q.hStart[oh];
        int h1 = q.hEnd[oh];
        int dh = q.dh;
        int dw = q.dw;
        int inW = q.inW;
        for (int ow = owFrom; ow < owTo; ow++) {
            int w0 = q.wStart[ow];
            int w1 = q.wEnd[ow];
            float m = Float.NEGATIVE_INFINITY;
            int k = h0 * inW + w0;
            for (int h = h0; h < h1; h += dh) {
                int row = h * inW;
                for (int w = w0; w < w1; w += dw) {
                    float v = x[inBase + row + w];
                    if (v > m || v != v) {
                        m = v;
                        k = row + w;
                    }
                }
            }
            out[o + ow] = m;
            ind[o + ow] = k;
        }
    }

    private static void avgPlane(Plan q, float[] x, int inBase, float[] out, int outBase) {
        int inW = q.inW;
        float inv = q.interiorReciprocal;
        for (int oh = 0; oh < q.outH; oh++) {
            int o = outBase + oh * q.outW;
            if (oh < q.ohLo || oh >= q.ohHi) {
                avgGeneric(q, x, inBase, oh, 0, q.outW, out, o);
                continue;
            }
            avgGeneric(q, x, inBase, oh, 0, q.owLo, out, o);
            int origin = (oh * q.sh - q.ph) * inW - q.pw;
            int from = q.owLo;
            if (q.vectorHi > from) {
                q.simd.avgRow(x, inBase, origin, inW, q.kh, q.kw, q.sw, inv, from, q.vectorHi, out, o);
                from = q.vectorHi;
            }
            int a0 = inBase + origin;
            int sw = q.sw;
            if (q.kernel == 2) {
                // Summed in raster order like the reference, so cancellation of huge values agrees.
                for (int ow = from; ow < q.owHi; ow++) {
                    int a = a0 + ow * sw;
                    out[o + ow] = (((x[a] + x[a + 1]) + x[a + inW]) + x[a + inW + 1]) * inv;
                }
            } else if (q.kernel == 3) {
                int w2 = 2 * inW;
                for (int ow = from; ow < q.owHi; ow++) {
                    int a = a0 + ow * sw;
                    float s = x[a] + x[a + 1] + x[a + 2]
                            + x[a + inW] + x[a + inW + 1] + x[a + inW + 2]
                            + x[a + w2] + x[a + w2 + 1] + x[a + w2 + 2];
                    out[o + ow] = s * inv;
                }
            } else {
                avgGeneric(q, x, inBase, oh, from, q.owHi, out, o);
            }
            avgGeneric(q, x, inBase, oh, q.owHi, q.outW, out, o);
        }
    }

    private static void avgGeneric(Plan q, float[] x, int inBase, int oh, int owFrom, int owTo, float[] out, int o) {
        int h0 = q.hStart[oh];
        int h1 = q.hEnd[oh];
        int inW = q.inW;
        for (int ow = owFrom; ow < owTo; ow++) {
            int w0 = q.wStart[ow];
            int w1 = q.wEnd[ow];
            if (h0 >= h1 || w0 >= w1) {
                out[o + ow] = 0f; // a window wholly in the padding averages nothing, as in the reference
                continue;
            }
            float s = 0f;
            for (int h = h0; h < h1; h++) {
                int row = inBase + h * inW;
                for (int w = w0; w < w1; w++) {
                    s += x[row + w];
                }
            }
            out[o + ow] = s / q.g.avgDivisor(oh, ow);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Max without indices where windows tile the input from its corner

    /*
     * Stride = kernel, no padding, no dilation (ceil mode only cuts the last window of a row or
     * column short), and no indices wanted: the image pipeline's max levels. An output row is made
     * from its kh input rows alone, maxed into one row buffer by a stride-1 loop, then each kw-wide
     * run of the buffer gives one output. Math.max gives the reference's value whenever the window
     * holds no NaN and its maximum is not zero; in those two cases the reference's answer depends on
     * raster order (the last NaN's bits, the first zero's sign), so such a window is redone in it.
     *
     * Only where SIMD rows would not run: on Java 17 (scalar) a 1920x1200 RGB image took 10.6 ms
     * here against 14.8 ms for the key bodies into scratch indices; on Java 25 the SIMD rows took
     * 4.1 ms against 19.7 ms here (thread CPU time, median of 7). Avg has no such path: summed in
     * the reference's order (two stride-1 loads per column into a buffer of running window sums)
     * it ran twice as long as the window loop on the textbook and large cases, on both JDKs, and
     * summing columns first would give up that order, which cancelling 1e30s need.
     */

    /** Whether this call goes the tiled way: max without indices where windows tile from the corner and no SIMD row would run. */
    private static boolean tiledForward(Plan q, int[] indices) {
        return switch (q.g.spec().mode()) {
            case MAX -> indices == null && q.tiles && q.ph == 0 && q.pw == 0 && q.vectorHi == q.owLo;
            case AVG -> false;
        };
    }

    private static void tiledPlane(Plan q, float[] x, int inBase, float[] out, int outBase, float[] row) {
        int inW = q.inW;
        int kh = q.kh;
        int width = q.coveredW;
        for (int oh = 0; oh < q.outH; oh++) {
            int src = inBase + oh * kh * inW;
            int rows = Math.min(kh, q.inH - oh * kh);
            System.arraycopy(x, src, row, 0, width);
            for (int k = 1; k < rows; k++) {
                maxInto(x, src + k * inW, row, width);
            }
            maxRuns(x, src, inW, rows, q.kw, row, width, q.outW, out, outBase + oh * q.outW);
        }
    }

    private static void maxInto(float[] x, int from, float[] row, int width) {
        for (int j = 0; j < width; j++) {
            row[j] = Math.max(row[j], x[from + j]);
        }
    }

    /** Each kw-wide run's maximum; a window whose answer depends on raster order is redone in it. */
    private static void maxRuns(float[] x, int src, int inW, int rows, int kw, float[] row, int width, int outW,
            float[] out, int o) {
        for (int j = 0; j < outW; j++) {
            int k = j * kw;
            int e = Math.min(k + kw, width);
            float m = row[k];
            for (int i = k + 1; i < e; i++) {
                m = Math.max(m, row[i]);
            }
            if (m == 0f || m != m) { // a zero (which sign comes first) or a NaN (which payload comes last)
                m = maxRaster(x, src + k, inW, rows, e - k);
            }
            out[o + j] = m;
        }
    }

    /** The reference's rule over one window in raster order: strictly greater or NaN replaces. */
    private static float maxRaster(float[] x, int a, int inW, int rows, int cols) {
        float m = Float.NEGATIVE_INFINITY;
        for (int r = 0; r < rows; r++, a += inW) {
            for (int c = 0; c < cols; c++) {
                float v = x[a + c];
                if (v > m || v != v) {
                    m = v;
                }
            }
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------
    // Backward

    @Override
    public void backward(PoolSpec spec, Shape inputShape, float[] gradOutput, int[] indices, float[] gradInput) {
        if (!backward(PoolGeometry.forBackward(spec, inputShape, gradOutput, indices, gradInput), inputShape,
                gradOutput, indices, gradInput)) {
            throw new IllegalStateException("an index lay outside its plane after PoolGeometry.forBackward checked them");
        }
    }

    /**
     * Backward of a call whose buffers are checked; false, with gradInput partly written, when a max
     * index lay outside its plane (the indices' values are checked here, as they are read).
     */
    private boolean backward(PoolGeometry g, Shape inputShape, float[] gradOutput, int[] indices, float[] gradInput) {
        PoolSpec spec = g.spec();
        Plan plan = new Plan(g, supportFor(spec));
        int planes = inputShape.planes();
        int inPlane = g.inH() * g.inW();
        int outPlane = g.outH() * g.outW();
        boolean max = switch (spec.mode()) {
            case MAX -> true;
            case AVG -> false;
        };
        if (!max && plan.tiles) {
            for (int p = 0; p < planes; p++) {
                avgTiledPlane(plan, gradOutput, p * outPlane, gradInput, p * inPlane);
            }
            return true;
        }
        // Avg with overlaps or gaps writes each input row once (scatterAvg). Max: zero a plane, then
        // add in the reference's order. One plane at a time, so the zeroed plane is still in cache
        // when the scatter lands in it. In scalar code this beats writing every input once for max:
        // a branch-free "gradient here or zero" costs four selects per window, the scatter one add. SIMD rows turn that around for
        // 2x2 stride 2 tiles (eight windows' gradients per few vector ops, against eight dependent
        // scalar read-modify-writes), so there each input is written once, unless some index lies
        // outside its own window.
        float[] rowShares = max ? null : new float[avgRowSlots(plan) * g.inW()];
        float[] share = max ? null : new float[g.outW() + 2 * shareMargin(plan)];
        for (int p = 0; p < planes; p++) {
            if (max && plan.maxTileRows
                    && maxTiledPlane(plan, gradOutput, indices, p * outPlane, gradInput, p * inPlane)) {
                continue;
            }
            if (max) {
                Arrays.fill(gradInput, p * inPlane, (p + 1) * inPlane, 0f);
                if (!scatterMax(gradOutput, indices, p * outPlane, outPlane, gradInput, p * inPlane, inPlane)) {
                    return false;
                }
            } else {
                scatterAvg(plan, gradOutput, p * outPlane, gradInput, p * inPlane, rowShares, share);
            }
        }
        return true;
    }

    /**
     * Reference order: output raster order, so overlapping contributions sum identically. False,
     * having stopped there, at an index outside the plane.
     */
    private static boolean scatterMax(float[] go, int[] ind, int outBase, int outPlane, float[] gi, int inBase,
            int inPlane) {
        for (int o = outBase; o < outBase + outPlane; o++) {
            int k = ind[o];
            if (Integer.compareUnsigned(k, inPlane) >= 0) {
                return false;
            }
            gi[inBase + k] += go[o];
        }
        return true;
    }

    /** Max backward of one plane by SIMD rows; false, with the plane partly written, if an index left its window. */
    private static boolean maxTiledPlane(Plan q, float[] go, int[] ind, int outBase, float[] gi, int inBase) {
        if (!q.simd.maxBackward2x2s2Plane(go, ind, outBase, q.inW, q.outH, q.outW, gi, inBase)) {
            return false;
        }
        zeroColumnsPastLastWindow(q, gi, inBase, 0, q.coveredH);
        zeroRowsPastLastWindow(q, gi, inBase);
        return true;
    }

    /**
     * Avg backward with overlapping windows or gaps, separably: each output row's shares are first
     * summed along the row into an input-row buffer of its own, then each input row is written once:
     * the buffers of the output rows whose windows span it, added in output order by SIMD rows, or
     * zero where no window reaches it. In place of kh * kw scalar read-modify-writes per window
     * (stem-avg's backward took 71 ms that way, 3x its forward), and of zeroing the plane and adding
     * each buffer into it (30 ms, twice this way). The order of the additions is the buffers', which
     * avg's tolerance allows.
     *
     * <p>The buffers are a ring of {@link #avgRowSlots} rows: a row's buffer is filled when the scan
     * reaches its window's first row, and that slot's previous row ended above it.
     */
    private static void scatterAvg(Plan q, float[] go, int outBase, float[] gi, int inBase, float[] rowShares,
            float[] share) {
        int inW = q.inW;
        int slots = avgRowSlots(q);
        // hStart and hEnd never decrease: the output rows spanning input row h are [first, next),
        // less any empty window row there.
        int first = 0;
        int next = 0;
        for (int h = 0; h < q.inH; h++) {
            while (next < q.outH && q.hStart[next] <= h) {
                shareRow(q, go, outBase, next, share, rowShares, next % slots * inW);
                next++;
            }
            while (first < next && q.hEnd[first] <= h) {
                first++;
            }
            int row = inBase + h * inW;
            boolean written = false;
            for (int oh = first; oh < next; oh++) {
                if (h >= q.hEnd[oh]) {
                    continue;
                }
                if (written) {
                    q.simd.addInto(rowShares, oh % slots * inW, gi, row, inW);
                } else {
                    System.arraycopy(rowShares, oh % slots * inW, gi, row, inW);
                    written = true;
                }
            }
            if (!written) {
                Arrays.fill(gi, row, row + inW, 0f);
            }
        }
    }

    /** The rows of buffers {@link #scatterAvg} keeps: at most ceil(kh / sh) output rows span an input row. */
    private static int avgRowSlots(Plan q) {
        return Math.max(1, Math.min(q.outH, Plan.ceilDiv(q.kh, q.sh) + 1));
    }

    /**
     * Output row {@code oh}'s shares summed along the row into {@code r[b + w]}
     * ({@link PoolVectorSupport#shareRow}): the same numbers as adding each window's share into its
     * columns, in output order from 0.
     */
    private static void shareRow(Plan q, float[] go, int outBase, int oh, float[] share, float[] r, int b) {
        int o = outBase + oh * q.outW;
        int m = shareMargin(q);
        boolean interiorRow = oh >= q.ohLo && oh < q.ohHi;
        for (int ow = 0; ow < q.outW; ow++) {
            share[m + ow] = interiorRow && ow >= q.owLo && ow < q.owHi ? go[o + ow] * q.interiorReciprocal
                    : go[o + ow] / q.g.avgDivisor(oh, ow);
        }
        q.simd.shareRow(share, m, q.kw, q.sw, q.pw, r, b, q.inW);
    }

    /** The zeros each side of {@link #shareRow}'s shares. */
    private static int shareMargin(Plan q) {
        return q.kw + q.pw + 2 * q.simd.lanes();
    }

    private static void avgTiledPlane(Plan q, float[] go, int outBase, float[] gi, int inBase) {
        int inW = q.inW;
        float inv = q.interiorReciprocal;
        for (int oh = 0; oh < q.outH; oh++) {
            int o = outBase + oh * q.outW;
            int h0 = q.hStart[oh];
            int h1 = q.hEnd[oh];
            int owFrom = 0;
            if (q.kernel == 2 && q.sw == 2 && q.pw == 0 && oh >= q.ohLo && oh < q.ohHi) {
                q.simd.spreadTiles(go, o, q.owHi, inv, gi, inBase + h0 * inW, inW);
                owFrom = q.owHi;
            }
            for (int ow = owFrom; ow < q.outW; ow++) {
                int w0 = q.wStart[ow];
                int w1 = q.wEnd[ow];
                if (h0 >= h1 || w0 >= w1) {
                    continue;
                }
                float v = go[o + ow] / q.g.avgDivisor(oh, ow);
                for (int h = h0; h < h1; h++) {
                    int row = inBase + h * inW;
                    for (int w = w0; w < w1; w++) {
                        gi[row + w] = v;
                    }
                }
            }
            zeroColumnsPastLastWindow(q, gi, inBase, h0, h1);
        }
        zeroRowsPastLastWindow(q, gi, inBase);
    }

    private static void zeroColumnsPastLastWindow(Plan q, float[] gi, int inBase, int h0, int h1) {
        if (q.coveredW < q.inW) {
            for (int h = h0; h < h1; h++) {
                Arrays.fill(gi, inBase + h * q.inW + q.coveredW, inBase + (h + 1) * q.inW, 0f);
            }
        }
    }

    private static void zeroRowsPastLastWindow(Plan q, float[] gi, int inBase) {
        if (q.coveredH < q.inH) {
            Arrays.fill(gi, inBase + q.coveredH * q.inW, inBase + q.inH * q.inW, 0f);
        }
    }

    // ------------------------------------------------------------------------------------------
    // The plan: everything about the window arithmetic that does not depend on the data

    /**
     * Window ranges clipped to the input, per output row and column, and the interior rectangle
     * {@code [ohLo, ohHi) x [owLo, owHi)} of windows that need no clipping. Computed once per call
     * (two small arrays per axis), so no hot loop repeats the padding arithmetic.
     */
    static final class Plan {
        final PoolGeometry g;
        final int inH;
        final int inW;
        final int outH;
        final int outW;
        final int sh;
        final int sw;
        final int ph;
        final int pw;
        final int dh;
        final int dw;
        final int kh;
        final int kw;
        /** 2 or 3 for an unrolled square kernel without dilation, else 0 (generic bodies only). */
        final int kernel;
        /** SIMD rows (or the scalar twin, then unused); interior windows {@code [owLo, vectorHi)} go to it. */
        final PoolVectorSupport simd;
        final int vectorHi;
        final int ohLo;
        final int ohHi;
        final int owLo;
        final int owHi;
        /** First in-bounds row/column of each window (for max: on the dilation grid), and the clipped end. */
        final int[] hStart;
        final int[] hEnd;
        final int[] wStart;
        final int[] wEnd;
        /** Windows are disjoint and adjacent (stride = kernel, no dilation): backward writes each input once. */
        final boolean tiles;
        /**
         * 2x2 stride 2 tiles without padding, every window interior and every row at least one SIMD
         * vector: max forward and backward go to the SIMD support one plane per call
         * ({@link PoolVectorSupport#max2x2s2Plane}, {@link PoolVectorSupport#maxBackward2x2s2Plane}),
         * and backward writes each input once.
         */
        final boolean maxTileRows;
        /** The taps of an undilated window as offsets from its first cell, {@code r * inW + d}, in raster order. */
        final int[] rowTaps;
        /** Max forward planes with border windows on SIMD rows, through a padded copy; null where that does not apply. */
        Padded padded;
        /** Rows and columns reached by some window; the rest get zero gradient. */
        final int coveredH;
        final int coveredW;
        /** 1 / divisor for interior windows of avg pooling. */
        final float interiorReciprocal;

        Plan(PoolGeometry g, PoolVectorSupport simd) {
            PoolSpec s = g.spec();
            this.g = g;
            inH = g.inH();
            inW = g.inW();
            outH = g.outH();
            outW = g.outW();
            sh = s.strideH();
            sw = s.strideW();
            ph = s.padH();
            pw = s.padW();
            dh = s.dilationH();
            dw = s.dilationW();
            kh = s.kernelH();
            kw = s.kernelW();
            boolean undilated = dh == 1 && dw == 1;
            kernel = undilated && kh == kw && (kh == 2 || kh == 3) ? kh : 0;
            int ekh = s.effectiveKernelH();
            int ekw = s.effectiveKernelW();
            ohLo = Math.min(ceilDiv(ph, sh), outH);
            ohHi = Math.max(ohLo, Math.min(outH, inH - ekh + ph < 0 ? 0 : (inH - ekh + ph) / sh + 1));
            owLo = Math.min(ceilDiv(pw, sw), outW);
            owHi = Math.max(owLo, Math.min(outW, inW - ekw + pw < 0 ? 0 : (inW - ekw + pw) / sw + 1));
            hStart = new int[outH];
            hEnd = new int[outH];
            wStart = new int[outW];
            wEnd = new int[outW];
            boolean max = switch (s.mode()) {
                case MAX -> true;
                case AVG -> false;
            };
            clip(hStart, hEnd, sh, ph, max ? ekh : kh, max ? dh : 1, inH);
            clip(wStart, wEnd, sw, pw, max ? ekw : kw, max ? dw : 1, inW);
            tiles = undilated && sh == kh && sw == kw;
            coveredH = Math.min(inH, outH * sh - ph);
            coveredW = Math.min(inW, outW * sw - pw);
            int divisor = s.divisorOverride() != null ? s.divisorOverride() : kh * kw;
            interiorReciprocal = 1f / divisor;
            this.simd = simd;
            vectorHi = vectorEnd(simd.lanes(), undilated, sw, kw, pw, inW, owLo, owHi);
            maxTileRows = max && tiles && kernel == 2 && ph == 0 && pw == 0 && ohHi == outH && owHi == outW
                    && vectorHi == outW;
            rowTaps = new int[kh * kw];
            for (int r = 0, t = 0; r < kh; r++) {
                for (int d = 0; d < kw; d++) {
                    rowTaps[t++] = r * inW + d;
                }
            }
        }

        /**
         * End of the SIMD part of each interior row, or {@code owLo} for none: SIMD needs at least one
         * full vector of windows, and with stride 2 and an odd kernel width its paired loads read one
         * column past the last window, which must stay inside the row.
         */
        static int vectorEnd(int lanes, boolean undilated, int sw, int kw, int pw, int inW, int owLo, int owHi) {
            if (lanes <= 1 || !undilated || sw > 2) {
                return owLo;
            }
            int hi = owHi;
            if (sw == 2 && kw % 2 == 1) {
                // last window start (2 * ow - pw) + kw must be <= inW - 1
                hi = Math.min(hi, Math.floorDiv(inW - 1 - kw + pw, 2) + 1);
            }
            return hi - owLo >= lanes ? hi : owLo;
        }

        private static void clip(int[] start, int[] end, int stride, int pad, int span, int dilation, int in) {
            for (int o = 0; o < start.length; o++) {
                int a = o * stride - pad;
                end[o] = Math.min(a + span, in);
                while (a < 0) {
                    a += dilation;
                }
                start[o] = a;
            }
        }

        private static int ceilDiv(int a, int b) {
            return (a + b - 1) / b;
        }
    }
}
