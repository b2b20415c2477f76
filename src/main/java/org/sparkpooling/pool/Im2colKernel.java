package org.sparkpooling.pool;

import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * The textbook's method 2: unfold the windows into a matrix (im2col), reduce each row, and for
 * the backward pass build a matrix of column gradients and fold it back (col2im). Max and avg
 * pooling in 1, 2 and 3 dimensions, both dtypes, both layouts; the other ops of the family are not
 * windows of a fixed kernel and are refused ({@link #supports}).
 *
 * <p>A row of the matrix is one output position, its {@code kd * kh * kw} columns the window's
 * cells in raster order. Each cell holds the input element's index inside its {@code (n, c)}
 * volume, or {@link #PADDING} for a cell in the padding or the ceil-mode overhang, so that no
 * reduction ever reads one. Forward gathers the values beside the indices and takes a row-wise
 * max (with argmax) or mean; backward puts each output's gradient into its row (one-hot at the
 * argmax for max, spread evenly for avg) and col2im adds every cell into the input gradient,
 * accumulating where windows overlap (the textbook assigns there, which loses gradient).
 *
 * <p>The matrix is built for one block of consecutive output positions of one volume at a time,
 * so the scratch memory is at most {@code max(COLUMN_BUDGET, cells)} cells whatever the tensor's
 * size. Blocks and rows go in output raster order, and within a row the cells go in raster order,
 * which is the order {@link LoopsKernel} visits them: max results and all gradients equal the
 * reference's bit for bit. Values are held as doubles with the dtype's rounding ({@link ValueArray}),
 * and a volume is addressed through its position stride, so one matrix serves both dtypes and layouts.
 */
public final class Im2colKernel implements PoolKernel {

    /** Matrix cells per block: 64 Ki cells of a double and an int each, 768 KiB, stays in L2. */
    static final int COLUMN_BUDGET = 1 << 16;

    /** The index of a cell that lies in the padding or past the input: never read, never written. */
    static final int PADDING = -1;

    @Override
    public String name() {
        return "im2col";
    }

    @Override
    public boolean supports(PoolOp op) {
        return switch (op) {
            case MAX, AVG -> true;
            case ADAPTIVE_MAX, ADAPTIVE_AVG, LP, UNPOOL -> false;
        };
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
        backward(twoDimensional(spec, inputShape), ValueArray.of(gradOutput), indices, ValueArray.of(gradInput));
    }

    private static NdPoolGeometry twoDimensional(PoolSpec spec, Shape shape) {
        return NdPoolGeometry.of(NdPoolSpec.of(spec), TensorShape.of(shape));
    }

    @Override
    public void forward(NdPoolSpec spec, FloatTensor input, float[] output, int[] indices) {
        NdPoolGeometry g = checked(NdPoolGeometry.forForward(spec, input, output, indices));
        forward(g, ValueArray.of(input.data()), ValueArray.of(output), indices);
    }

    @Override
    public void forward(NdPoolSpec spec, DoubleTensor input, double[] output, int[] indices) {
        NdPoolGeometry g = checked(NdPoolGeometry.forForward(spec, input, output, indices));
        forward(g, ValueArray.of(input.data()), ValueArray.of(output), indices);
    }

    @Override
    public void backward(NdPoolSpec spec, FloatTensor input, float[] gradOutput, int[] indices, float[] gradInput) {
        NdPoolGeometry g = checked(NdPoolGeometry.forBackward(spec, input, gradOutput, indices, gradInput));
        backward(g, ValueArray.of(gradOutput), indices, ValueArray.of(gradInput));
    }

    @Override
    public void backward(NdPoolSpec spec, DoubleTensor input, double[] gradOutput, int[] indices, double[] gradInput) {
        NdPoolGeometry g = checked(NdPoolGeometry.forBackward(spec, input, gradOutput, indices, gradInput));
        backward(g, ValueArray.of(gradOutput), indices, ValueArray.of(gradInput));
    }

    private NdPoolGeometry checked(NdPoolGeometry g) {
        if (!supports(g.spec().op())) {
            throw new IllegalArgumentException(name() + " does not implement " + g.spec().op().description()
                    + "; loops and fast do");
        }
        return g;
    }

    private static void forward(NdPoolGeometry g, ValueArray x, ValueArray y, int[] indices) {
        boolean max = max(g);
        int xStep = g.input().positionStride();
        int yStep = g.output().positionStride();
        forEachBlock(g, (m, xBase, yBase, first, rows) -> {
            m.gather(x, xBase, xStep, rows);
            for (int r = 0; r < rows; r++) {
                int o = yBase + (first + r) * yStep;
                if (max) {
                    m.rowMax(r, first + r, x, y, indices, o);
                } else {
                    y.set(o, m.rowMean(r, first + r, y));
                }
            }
        });
    }

    private static void backward(NdPoolGeometry g, ValueArray gy, int[] indices, ValueArray gx) {
        boolean max = max(g);
        int xStep = g.input().positionStride();
        int yStep = g.output().positionStride();
        gx.zero(0, g.input().size());
        forEachBlock(g, (m, xBase, yBase, first, rows) -> {
            for (int r = 0; r < rows; r++) {
                int o = yBase + (first + r) * yStep;
                if (max) {
                    m.oneHotRow(r, gy.get(o), indices[o]);
                } else {
                    m.spreadRow(r, first + r, gy.get(o), gx);
                }
            }
            m.col2im(gx, xBase, xStep, rows);
        });
    }

    /** One unfolded block: output positions {@code first .. first + rows - 1} of the volume at {@code xBase}/{@code yBase}. */
    @FunctionalInterface
    private interface BlockBody {
        void run(Matrix m, int xBase, int yBase, int first, int rows);
    }

    /** Unfolds every volume block by block, in output raster order, and hands each block to {@code body}. */
    private static void forEachBlock(NdPoolGeometry g, BlockBody body) {
        TensorShape in = g.input();
        TensorShape out = g.output();
        Matrix m = new Matrix(g);
        for (int n = 0; n < in.n(); n++) {
            for (int c = 0; c < in.c(); c++) {
                int xBase = in.offset(n, c, 0);
                int yBase = out.offset(n, c, 0);
                for (int first = 0; first < out.volume(); first += m.maxRows) {
                    int rows = Math.min(m.maxRows, out.volume() - first);
                    m.im2col(first, rows);
                    body.run(m, xBase, yBase, first, rows);
                }
            }
        }
    }

    /** Max rows or mean rows: the only difference between the two ops this class computes. */
    private static boolean max(NdPoolGeometry g) {
        return switch (g.spec().op()) {
            case MAX -> true;
            case AVG -> false;
            case ADAPTIVE_MAX, ADAPTIVE_AVG, LP, UNPOOL -> throw new IllegalStateException("checked at the entry point");
        };
    }

    /** The scratch of one call: a block of the window matrix, its cells' indices and values. */
    private static final class Matrix {
        private final NdPoolGeometry g;
        /** The geometry's windows tabulated: divisors and the first positions of missed windows. */
        private final WindowPlan plan;
        /** Window cells along each axis, and columns: their product. */
        private final int[] taps = new int[3];
        private final int cols;
        /** Rows per block: output positions unfolded at once. */
        final int maxRows;
        /** {@code index[r * cols + c]}: the input position under cell c of row r, or PADDING. */
        private final int[] index;
        /** The cells' values in forward, their gradients in backward. */
        private final double[] value;
        /**
         * Max backward only: a gradient whose index is not a cell of its row still reaches that
         * element, as in the reference. Forward makes such indices for a dilated window that misses
         * the input (see {@link #emptyWindowIndex}); a caller's own indices may be anything in the volume.
         */
        private final int[] strayIndex;
        private final double[] strayGrad;
        /** Where the gathered volume starts in the input, and its position stride. */
        private int base;
        private int step;

        Matrix(NdPoolGeometry g) {
            this.g = g;
            this.plan = new WindowPlan(g);
            long cells = 1;
            StringBuilder kernel = new StringBuilder();
            for (int a = 0; a < 3; a++) {
                taps[a] = g.kernel(a);
                cells *= taps[a];
                if (a >= 3 - g.spec().dims()) {
                    kernel.append(kernel.length() == 0 ? "" : "x").append(taps[a]);
                }
            }
            if (cells > Shape.MAX_ELEMENTS) {
                throw new IllegalArgumentException("kernel " + kernel + " has more cells than an im2col row can hold");
            }
            this.cols = (int) cells;
            int outVolume = g.output().volume();
            this.maxRows = Math.max(1, Math.min(outVolume, COLUMN_BUDGET / cols));
            this.index = new int[maxRows * cols];
            this.value = new double[maxRows * cols];
            this.strayIndex = new int[maxRows];
            this.strayGrad = new double[maxRows];
        }

        private int od(int position) {
            return position / (g.out(1) * g.out(2));
        }

        private int oh(int position) {
            return position / g.out(2) % g.out(1);
        }

        private int ow(int position) {
            return position % g.out(2);
        }

        /** Unfolds the windows of output positions {@code first .. first + rows - 1} (raster order). */
        void im2col(int first, int rows) {
            int cell = 0;
            for (int r = 0; r < rows; r++) {
                int p = first + r;
                int d0 = g.first(0, od(p));
                int h0 = g.first(1, oh(p));
                int w0 = g.first(2, ow(p));
                for (int i = 0; i < taps[0]; i++) {
                    int d = d0 + i * g.step(0);
                    for (int j = 0; j < taps[1]; j++) {
                        int h = h0 + j * g.step(1);
                        boolean inside = d >= 0 && d < g.in(0) && h >= 0 && h < g.in(1);
                        for (int k = 0; k < taps[2]; k++) {
                            int w = w0 + k * g.step(2);
                            index[cell++] = inside && w >= 0 && w < g.in(2) ? g.index(d, h, w) : PADDING;
                        }
                    }
                }
            }
        }

        /** Reads the input under every cell; padding cells get -inf, a value that never wins a max. */
        void gather(ValueArray x, int base, int step, int rows) {
            this.base = base;
            this.step = step;
            for (int k = 0; k < rows * cols; k++) {
                value[k] = index[k] == PADDING ? Double.NEGATIVE_INFINITY : x.get(base + index[k] * step);
            }
        }

        /**
         * PyTorch's rule: from -inf at the first in-bounds cell, take a value when it is strictly
         * greater (ties keep the first in raster order) or NaN (NaN wins; the last NaN's index is
         * kept). An all -inf window therefore reports its first in-bounds element. The output is
         * the chosen input element, bits included.
         */
        void rowMax(int r, int position, ValueArray x, ValueArray y, int[] indices, int o) {
            double max = Double.NEGATIVE_INFINITY;
            int arg = PADDING;
            for (int k = r * cols; k < (r + 1) * cols; k++) {
                if (index[k] == PADDING) {
                    continue;
                }
                if (arg == PADDING) {
                    arg = index[k];
                }
                if (value[k] > max || Double.isNaN(value[k])) {
                    max = value[k];
                    arg = index[k];
                }
            }
            if (arg == PADDING) {
                y.set(o, Double.NEGATIVE_INFINITY);
            } else {
                y.copy(o, x, base + arg * step);
            }
            if (indices != null) {
                indices[o] = arg == PADDING ? emptyWindowIndex(position) : arg;
            }
        }

        /**
         * A dilated window can miss a small input altogether. PyTorch then reports -inf at the
         * index of the cell where its loop would have started: the window's first position at or
         * past 0 along each axis, although that lies outside the input. Kept so that every
         * implementation answers as the reference does.
         */
        private int emptyWindowIndex(int position) {
            return plan.origin(od(position), oh(position), ow(position));
        }

        /** Sum of the in-bounds cells over the divisor; a window wholly in the padding averages nothing. */
        double rowMean(int r, int position, ValueArray y) {
            double sum = 0;
            boolean any = false;
            for (int k = r * cols; k < (r + 1) * cols; k++) {
                if (index[k] != PADDING) {
                    sum = y.round(sum + value[k]);
                    any = true;
                }
            }
            return any ? y.round(sum / y.round(plan.divisor(od(position), oh(position), ow(position)))) : 0;
        }

        /** Max backward: the row's gradient sits in the cell its forward pass chose. */
        void oneHotRow(int r, double grad, int argmax) {
            java.util.Arrays.fill(value, r * cols, (r + 1) * cols, 0);
            strayIndex[r] = argmax;
            strayGrad[r] = grad;
            for (int k = r * cols; k < (r + 1) * cols; k++) {
                if (index[k] == argmax) {
                    value[k] = grad;
                    strayIndex[r] = PADDING;
                    return;
                }
            }
        }

        /** Avg backward: every in-bounds cell gets the same share of the row's gradient. */
        void spreadRow(int r, int position, double grad, ValueArray gx) {
            boolean any = false;
            for (int k = r * cols; k < (r + 1) * cols; k++) {
                any |= index[k] != PADDING;
            }
            // The divisor of a window wholly in the padding may be 0; no cell then takes a share.
            double share = any ? gx.round(grad / gx.round(plan.divisor(od(position), oh(position), ow(position)))) : 0;
            for (int k = r * cols; k < (r + 1) * cols; k++) {
                value[k] = index[k] == PADDING ? 0 : share;
            }
            strayIndex[r] = PADDING;
        }

        /**
         * Adds every cell's gradient into the input element under it. Accumulating, not assigning:
         * overlapping windows share elements. Adding the zero cells of a max row changes no bits
         * (a sum that starts at +0 never becomes -0), so the result equals the reference's.
         */
        void col2im(ValueArray gx, int base, int step, int rows) {
            for (int r = 0; r < rows; r++) {
                for (int k = r * cols; k < (r + 1) * cols; k++) {
                    if (index[k] != PADDING) {
                        int at = base + index[k] * step;
                        gx.set(at, gx.round(gx.get(at) + value[k]));
                    }
                }
                if (strayIndex[r] != PADDING) {
                    int at = base + strayIndex[r] * step;
                    gx.set(at, gx.round(gx.get(at) + strayGrad[r]));
                }
            }
        }
    }
}
