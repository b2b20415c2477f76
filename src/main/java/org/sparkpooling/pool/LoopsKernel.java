package org.sparkpooling.pool;

import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * The readable reference: for every output, the cells of its window in raster order, reduced as
 * PyTorch's CPU kernels reduce them, the textbook's method 1. Every other implementation is tested
 * against this one, for every op of the family, rank, layout and dtype.
 *
 * <p>Each algorithm is written once for both dtypes over {@link ValueArray}, rounding after every
 * operation, which for float32 is float arithmetic itself; and once for both layouts, addressing
 * position {@code s} of a volume as {@code base + s * positionStride}. The 2-D API checks its
 * arguments as it always has and then runs the same code, so its results are unchanged.
 */
public final class LoopsKernel implements PoolKernel {

    @Override
    public String name() {
        return "loops";
    }

    @Override
    public boolean supports(PoolOp op) {
        return true;
    }

    // ------------------------------------------------------------------ entry points

    @Override
    public void forward(PoolSpec spec, Tensor input, float[] output, int[] indices) {
        PoolGeometry.forForward(spec, input, output, indices);
        forward(twoDimensional(spec, input.shape()), ValueArray.of(input.data()), ValueArray.of(output), indices);
    }

    @Override
    public void backward(PoolSpec spec, Shape inputShape, float[] gradOutput, int[] indices, float[] gradInput) {
        PoolGeometry.forBackward(spec, inputShape, gradOutput, indices, gradInput);
        // Max and avg backward read the input's shape alone.
        backward(twoDimensional(spec, inputShape), null, ValueArray.of(gradOutput), indices, ValueArray.of(gradInput));
    }

    private static NdPoolGeometry twoDimensional(PoolSpec spec, Shape shape) {
        return NdPoolGeometry.of(NdPoolSpec.of(spec), TensorShape.of(shape));
    }

    @Override
    public void forward(NdPoolSpec spec, FloatTensor input, float[] output, int[] indices) {
        NdPoolGeometry g = NdPoolGeometry.forForward(spec, input, output, indices);
        forward(g, ValueArray.of(input.data()), ValueArray.of(output), indices);
    }

    @Override
    public void forward(NdPoolSpec spec, DoubleTensor input, double[] output, int[] indices) {
        NdPoolGeometry g = NdPoolGeometry.forForward(spec, input, output, indices);
        forward(g, ValueArray.of(input.data()), ValueArray.of(output), indices);
    }

    @Override
    public void backward(NdPoolSpec spec, FloatTensor input, float[] gradOutput, int[] indices, float[] gradInput) {
        NdPoolGeometry g = NdPoolGeometry.forBackward(spec, input, gradOutput, indices, gradInput);
        backward(g, ValueArray.of(input.data()), ValueArray.of(gradOutput), indices, ValueArray.of(gradInput));
    }

    @Override
    public void backward(NdPoolSpec spec, DoubleTensor input, double[] gradOutput, int[] indices, double[] gradInput) {
        NdPoolGeometry g = NdPoolGeometry.forBackward(spec, input, gradOutput, indices, gradInput);
        backward(g, ValueArray.of(input.data()), ValueArray.of(gradOutput), indices, ValueArray.of(gradInput));
    }

    private static void forward(NdPoolGeometry g, ValueArray x, ValueArray y, int[] ind) {
        Pass pass = switch (g.spec().op()) {
            case MAX, ADAPTIVE_MAX -> LoopsKernel::maxForward;
            case AVG, ADAPTIVE_AVG -> LoopsKernel::avgForward;
            case LP -> LoopsKernel::lpForward;
            case UNPOOL -> LoopsKernel::unpoolForward;
        };
        pass.run(g, x, y, ind);
    }

    /** {@code x} is the forward's input, read by lp alone ({@code null} from the 2-D API). */
    private static void backward(NdPoolGeometry g, ValueArray x, ValueArray gy, int[] ind, ValueArray gx) {
        gx.zero(0, g.input().size());
        BackwardPass pass = switch (g.spec().op()) {
            case MAX, ADAPTIVE_MAX -> LoopsKernel::maxBackward;
            case AVG, ADAPTIVE_AVG -> LoopsKernel::avgBackward;
            case LP -> LoopsKernel::lpBackward;
            case UNPOOL -> LoopsKernel::unpoolBackward;
        };
        pass.run(g, x, gy, ind, gx);
    }

    @FunctionalInterface
    private interface Pass {
        void run(NdPoolGeometry g, ValueArray x, ValueArray y, int[] ind);
    }

    @FunctionalInterface
    private interface BackwardPass {
        void run(NdPoolGeometry g, ValueArray x, ValueArray gy, int[] ind, ValueArray gx);
    }

    // ------------------------------------------------------------------ windows

    /** One output position: where its volume starts in the input and output arrays, and its window. */
    @FunctionalInterface
    private interface OutputBody {
        /**
         * @param xBase offset of the volume's first input element
         * @param yAt offset of this output element (and of its index)
         * @param w the window: its cells inside the input, in raster order, and its divisor
         */
        void at(int xBase, int yAt, Window w);
    }

    /** The window of the output position at hand: one scratch per call, refilled for every output. */
    private static final class Window {
        /** Flat indices (inside a volume) of the cells inside the input, raster order; {@code count} in use. */
        final int[] cells;
        int count;
        /** The window's first position: a missed dilated window's index, PyTorch's. */
        int origin;
        /** avg, adaptive avg and lp: {@link NdPoolGeometry}'s divisor of this output. */
        long divisor;

        Window(int capacity) {
            cells = new int[capacity];
        }
    }

    /**
     * Calls {@code body} for every output position of every volume, in raster order within a volume.
     * The windows come from {@link NdPoolGeometry}'s rules, tabulated per axis once per call.
     */
    private static void forEachOutput(NdPoolGeometry g, OutputBody body) {
        TensorShape in = g.input();
        TensorShape out = g.output();
        WindowPlan q = new WindowPlan(g);
        Window w = new Window(windowCapacity(q));
        for (int n = 0; n < in.n(); n++) {
            for (int c = 0; c < in.c(); c++) {
                int xBase = in.offset(n, c, 0);
                int yAt = out.offset(n, c, 0);
                for (int od = 0; od < q.outD; od++) {
                    for (int oh = 0; oh < q.outH; oh++) {
                        for (int ow = 0; ow < q.outW; ow++) {
                            window(q, od, oh, ow, w);
                            body.at(xBase, yAt, w);
                            yAt += out.positionStride();
                        }
                    }
                }
            }
        }
    }

    /** Fills {@code w} with window {@code (od, oh, ow)}'s cells inside the input. */
    private static void window(WindowPlan q, int od, int oh, int ow, Window w) {
        w.origin = q.origin(od, oh, ow);
        w.divisor = q.divides ? q.divisor(od, oh, ow) : 0;
        int count = 0;
        for (int d = q.d0[od]; d < q.d1[od]; d += q.stepD) {
            for (int h = q.h0[oh]; h < q.h1[oh]; h += q.stepH) {
                for (int x = q.w0[ow]; x < q.w1[ow]; x += q.stepW) {
                    w.cells[count++] = (d * q.inH + h) * q.inW + x;
                }
            }
        }
        w.count = count;
    }

    /** The most cells any window has: the product over the axes of the longest window along each. */
    private static int windowCapacity(WindowPlan q) {
        return longest(q.d0, q.d1, q.stepD) * longest(q.h0, q.h1, q.stepH) * longest(q.w0, q.w1, q.stepW);
    }

    private static int longest(int[] start, int[] end, int step) {
        int cells = 0;
        for (int o = 0; o < start.length; o++) {
            cells = Math.max(cells, end[o] <= start[o] ? 0 : (end[o] - start[o] + step - 1) / step);
        }
        return cells;
    }

    // ------------------------------------------------------------------ max and adaptive max

    /**
     * PyTorch's rule: start from -inf at the window's first position, take a value when it is
     * strictly greater (so ties keep the first in raster order) or NaN (so NaN wins and the last
     * NaN's index is kept). Padding is never read. The output is the chosen input element itself,
     * its bits included; a dilated window that misses the input gives -inf at its first position,
     * which lies outside the input.
     */
    private static void maxForward(NdPoolGeometry g, ValueArray x, ValueArray y, int[] ind) {
        int xStep = g.input().positionStride();
        forEachOutput(g, (xBase, yAt, w) -> {
            double max = Double.NEGATIVE_INFINITY;
            int arg = w.origin;
            for (int k = 0; k < w.count; k++) {
                double v = x.get(xBase + w.cells[k] * xStep);
                if (v > max || Double.isNaN(v)) {
                    max = v;
                    arg = w.cells[k];
                }
            }
            if (w.count > 0) {
                y.copy(yAt, x, xBase + arg * xStep);
            } else {
                y.set(yAt, Double.NEGATIVE_INFINITY);
            }
            if (ind != null) {
                ind[yAt] = arg;
            }
        });
    }

    /** Each output's gradient goes to the input its index names; overlapping windows accumulate. */
    private static void maxBackward(NdPoolGeometry g, ValueArray x, ValueArray gy, int[] ind, ValueArray gx) {
        int xStep = g.input().positionStride();
        forEachOutput(g, (xBase, yAt, w) -> {
            int at = xBase + ind[yAt] * xStep;
            gx.set(at, gx.round(gx.get(at) + gy.get(yAt)));
        });
    }

    // ------------------------------------------------------------------ avg and adaptive avg

    /** The sum of the window's cells in raster order over the divisor; a window wholly in the padding averages nothing. */
    private static void avgForward(NdPoolGeometry g, ValueArray x, ValueArray y, int[] ind) {
        int xStep = g.input().positionStride();
        forEachOutput(g, (xBase, yAt, w) -> {
            double sum = 0;
            for (int k = 0; k < w.count; k++) {
                sum = x.round(sum + x.get(xBase + w.cells[k] * xStep));
            }
            y.set(yAt, w.count == 0 ? 0 : x.round(sum / x.round(w.divisor)));
        });
    }

    /** Every cell of a window gets the same share of its output's gradient. */
    private static void avgBackward(NdPoolGeometry g, ValueArray x, ValueArray gy, int[] ind, ValueArray gx) {
        int xStep = g.input().positionStride();
        forEachOutput(g, (xBase, yAt, w) -> {
            if (w.count > 0) {
                spread(gx, xBase, xStep, w, gx.round(gy.get(yAt) / gx.round(w.divisor)));
            }
        });
    }

    private static void spread(ValueArray gx, int xBase, int xStep, Window w, double share) {
        for (int k = 0; k < w.count; k++) {
            int at = xBase + w.cells[k] * xStep;
            gx.set(at, gx.round(gx.get(at) + share));
        }
    }

    // ------------------------------------------------------------------ lp

    /*
     * PyTorch's lp_pool1d/lp_pool2d, step by step as its autograd sees them:
     *   a = avg_pool(x^p)  (no padding, countIncludePad, the ceil-mode window clipped to the input)
     *   s = sign(a) * relu(|a|),  t = s * K  (K: the kernel's cell count, overhang windows included)
     *   y = t^(1/p)
     * sign(NaN) is 0 in ATen and relu keeps NaN, so s is a with both zeros made +0, NaN staying NaN.
     */

    private static void lpForward(NdPoolGeometry g, ValueArray x, ValueArray y, int[] ind) {
        double p = g.spec().normType();
        double k = x.round(g.kernelCells());
        int xStep = g.input().positionStride();
        forEachOutput(g, (xBase, yAt, w) -> {
            double a = powerMean(g, x, xBase, xStep, w, p);
            double t = x.round(x.round(sign(a) * Math.abs(a)) * k);
            y.set(yAt, x.round(Math.pow(t, 1 / p)));
        });
    }

    /** {@code avg_pool(x^p)} of one window. */
    private static double powerMean(NdPoolGeometry g, ValueArray x, int xBase, int xStep, Window w, double p) {
        double sum = 0;
        for (int k = 0; k < w.count; k++) {
            sum = x.round(sum + x.round(Math.pow(x.get(xBase + w.cells[k] * xStep), p)));
        }
        return w.count == 0 ? 0 : x.round(sum / x.round(w.divisor));
    }

    /**
     * The chain rule through the steps above, each as PyTorch's backward formula computes it:
     * {@code pow}: {@code grad * (e * base^(e - 1))}; {@code mul}: {@code grad * K}; the sign factor:
     * {@code grad * sign(a)}; relu: the gradient where its output is not {@code <= 0}; abs:
     * {@code grad * sign(a)}; avg: an even share per cell; and {@code x^p}: {@code grad * (p * x^(p - 1))}.
     */
    private static void lpBackward(NdPoolGeometry g, ValueArray x, ValueArray gy, int[] ind, ValueArray gx) {
        double p = g.spec().normType();
        double e = 1 / p;
        double k = gx.round(g.kernelCells());
        int xStep = g.input().positionStride();
        forEachOutput(g, (xBase, yAt, w) -> {
            double a = powerMean(g, x, xBase, xStep, w, p);
            double sign = sign(a);
            double relu = Math.abs(a);
            double t = gx.round(gx.round(sign * relu) * k);
            double gt = gx.round(gy.get(yAt) * gx.round(e * gx.round(Math.pow(t, e - 1))));
            double gs = gx.round(gt * k);
            double gRelu = gx.round(gs * sign);
            double ga = gx.round((relu <= 0 ? 0 : gRelu) * sign);
            if (w.count > 0) {
                spread(gx, xBase, xStep, w, gx.round(ga / gx.round(w.divisor)));
            }
        });
        for (int i = 0; i < g.input().size(); i++) {
            gx.set(i, gx.round(gx.get(i) * gx.round(p * gx.round(Math.pow(x.get(i), p - 1)))));
        }
    }

    /** ATen's sign: 0 for both zeros and for NaN. */
    private static double sign(double a) {
        return a > 0 ? 1 : a < 0 ? -1 : 0;
    }

    // ------------------------------------------------------------------ unpool

    /**
     * Zero everywhere except {@code output[indices[i]] = input[i]}, in input raster order within a
     * volume, so that of two inputs with one index the later one stays (as PyTorch's CPU loop).
     */
    private static void unpoolForward(NdPoolGeometry g, ValueArray x, ValueArray y, int[] ind) {
        TensorShape in = g.input();
        TensorShape out = g.output();
        y.zero(0, out.size());
        for (int n = 0; n < in.n(); n++) {
            for (int c = 0; c < in.c(); c++) {
                for (int i = 0; i < in.volume(); i++) {
                    int from = in.offset(n, c, i);
                    y.copy(out.offset(n, c, ind[from]), x, from);
                }
            }
        }
    }

    /** Each input's gradient is the output gradient at its index. */
    private static void unpoolBackward(NdPoolGeometry g, ValueArray x, ValueArray gy, int[] ind, ValueArray gx) {
        TensorShape in = g.input();
        TensorShape out = g.output();
        for (int n = 0; n < in.n(); n++) {
            for (int c = 0; c < in.c(); c++) {
                for (int i = 0; i < in.volume(); i++) {
                    int to = in.offset(n, c, i);
                    gx.copy(to, gy, out.offset(n, c, ind[to]));
                }
            }
        }
    }
}
