package org.sparkpooling.pool;

import java.util.Arrays;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The textbook's method 2: unfold the windows into a matrix (im2col), reduce each row, and for
 * the backward pass build a matrix of column gradients and fold it back (col2im).
 *
 * <p>A row of the matrix is one output position, its {@code kernelH * kernelW} columns the window's
 * cells in raster order. Each cell holds the input element's index inside its {@code (n, c)}
 * plane, or {@link #PADDING} for a cell in the padding or the ceil-mode overhang, so that no
 * reduction ever reads one. Forward gathers the values beside the indices and takes a row-wise
 * max (with argmax) or mean; backward puts each output's gradient into its row (one-hot at the
 * argmax for max, spread evenly for avg) and col2im adds every cell into the input gradient,
 * accumulating where windows overlap (the textbook assigns there, which loses gradient).
 *
 * <p>The matrix is built for one block of consecutive output positions of one plane at a time,
 * so the scratch memory is at most {@code max(COLUMN_BUDGET, kernelH * kernelW)} cells whatever
 * the tensor's size. Blocks and rows go in output raster order, and within a row the cells go in
 * raster order, which is the order {@link LoopsKernel} visits them: max results and all
 * gradients equal the reference's bit for bit.
 */
public final class Im2colKernel implements PoolKernel {

    /** Matrix cells per block: 64 Ki cells of a float and an int each, 512 KiB, stays in L2. */
    static final int COLUMN_BUDGET = 1 << 16;

    /** The index of a cell that lies in the padding or past the input: never read, never written. */
    static final int PADDING = -1;

    @Override
    public String name() {
        return "im2col";
    }

    @Override
    public void forward(PoolSpec spec, Tensor input, float[] output, int[] indices) {
        PoolGeometry g = PoolGeometry.forForward(spec, input, output, indices);
        Shape s = input.shape();
        float[] x = input.data();
        Matrix m = new Matrix(g);
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < s.planes(); p++) {
            int inBase = p * s.planeSize();
            int outBase = p * outPlane;
            for (int first = 0; first < outPlane; first += m.maxRows) {
                int rows = Math.min(m.maxRows, outPlane - first);
                m.im2col(first, rows);
                m.gather(x, inBase, rows);
                for (int r = 0; r < rows; r++) {
                    int o = outBase + first + r;
                    if (spec.mode() == PoolMode.MAX) {
                        m.rowMax(r, first + r, output, indices, o);
                    } else {
                        output[o] = m.rowMean(r, first + r);
                    }
                }
            }
        }
    }

    @Override
    public void backward(PoolSpec spec, Shape inputShape, float[] gradOutput, int[] indices, float[] gradInput) {
        PoolGeometry g = PoolGeometry.forBackward(spec, inputShape, gradOutput, indices, gradInput);
        Arrays.fill(gradInput, 0f);
        Matrix m = new Matrix(g);
        int outPlane = g.outH() * g.outW();
        for (int p = 0; p < inputShape.planes(); p++) {
            int inBase = p * inputShape.planeSize();
            int outBase = p * outPlane;
            for (int first = 0; first < outPlane; first += m.maxRows) {
                int rows = Math.min(m.maxRows, outPlane - first);
                m.im2col(first, rows);
                for (int r = 0; r < rows; r++) {
                    int o = outBase + first + r;
                    if (spec.mode() == PoolMode.MAX) {
                        m.oneHotRow(r, gradOutput[o], indices[o]);
                    } else {
                        m.spreadRow(r, first + r, gradOutput[o]);
                    }
                }
                m.col2im(gradInput, inBase, rows);
            }
        }
    }

    /** The scratch of one call: a block of the window matrix, its cells' indices and values. */
    private static final class Matrix {
        private final PoolSpec spec;
        private final PoolGeometry g;
        /** Columns: the window's cells. */
        private final int cols;
        /** Rows per block: output positions unfolded at once. */
        final int maxRows;
        /** {@code index[r * cols + c]}: the input element under cell c of row r, or PADDING. */
        private final int[] index;
        /** The cells' values in forward, their gradients in backward. */
        private final float[] value;
        /**
         * Max backward only: a gradient whose index is not a cell of its row still reaches that
         * element, as in the reference. Forward makes such indices for a dilated window that misses
         * the input (see {@link #emptyWindowIndex}); a caller's own indices may be anything in the plane.
         */
        private final int[] strayIndex;
        private final float[] strayGrad;

        Matrix(PoolGeometry g) {
            this.spec = g.spec();
            this.g = g;
            long cells = (long) spec.kernelH() * spec.kernelW();
            if (cells > Shape.MAX_ELEMENTS) {
                throw new IllegalArgumentException("kernel " + spec.kernelH() + "x" + spec.kernelW()
                        + " has more cells than an im2col row can hold");
            }
            this.cols = (int) cells;
            this.maxRows = Math.max(1, Math.min(g.outH() * g.outW(), COLUMN_BUDGET / cols));
            this.index = new int[maxRows * cols];
            this.value = new float[maxRows * cols];
            this.strayIndex = new int[maxRows];
            this.strayGrad = new float[maxRows];
        }

        /** Unfolds the windows of output positions {@code first .. first + rows - 1} (raster order). */
        void im2col(int first, int rows) {
            for (int r = 0; r < rows; r++) {
                int oh = (first + r) / g.outW();
                int ow = (first + r) % g.outW();
                int h0 = oh * spec.strideH() - spec.padH();
                int w0 = ow * spec.strideW() - spec.padW();
                int cell = r * cols;
                for (int i = 0; i < spec.kernelH(); i++) {
                    int h = h0 + i * spec.dilationH();
                    boolean rowInside = h >= 0 && h < g.inH();
                    for (int j = 0; j < spec.kernelW(); j++) {
                        int w = w0 + j * spec.dilationW();
                        index[cell++] = rowInside && w >= 0 && w < g.inW() ? h * g.inW() + w : PADDING;
                    }
                }
            }
        }

        /** Reads the input under every cell; padding cells get -inf, a value that never wins a max. */
        void gather(float[] x, int base, int rows) {
            for (int k = 0; k < rows * cols; k++) {
                value[k] = index[k] == PADDING ? Float.NEGATIVE_INFINITY : x[base + index[k]];
            }
        }

        /**
         * PyTorch's rule: from -inf at the first in-bounds cell, take a value when it is strictly
         * greater (ties keep the first in raster order) or NaN (NaN wins; the last NaN's index is
         * kept). An all -inf window therefore reports its first in-bounds element.
         */
        void rowMax(int r, int position, float[] output, int[] indices, int o) {
            float max = Float.NEGATIVE_INFINITY;
            int arg = PADDING;
            for (int k = r * cols; k < (r + 1) * cols; k++) {
                if (index[k] == PADDING) {
                    continue;
                }
                if (arg == PADDING) {
                    arg = index[k];
                }
                if (value[k] > max || Float.isNaN(value[k])) {
                    max = value[k];
                    arg = index[k];
                }
            }
            output[o] = max;
            if (indices != null) {
                indices[o] = arg == PADDING ? emptyWindowIndex(position) : arg;
            }
        }

        /**
         * A dilated window can miss a small input altogether. PyTorch then reports -inf at the
         * index of the cell where its loop would have started: the window's first row and column
         * at or past 0, although that lies outside the input. Kept so that every implementation
         * answers as the reference does.
         */
        private int emptyWindowIndex(int position) {
            int h = (position / g.outW()) * spec.strideH() - spec.padH();
            int w = (position % g.outW()) * spec.strideW() - spec.padW();
            while (h < 0) {
                h += spec.dilationH();
            }
            while (w < 0) {
                w += spec.dilationW();
            }
            return h * g.inW() + w;
        }

        /** Sum of the in-bounds cells over the divisor; a window wholly in the padding averages nothing. */
        float rowMean(int r, int position) {
            float sum = 0f;
            boolean any = false;
            for (int k = r * cols; k < (r + 1) * cols; k++) {
                if (index[k] != PADDING) {
                    sum += value[k];
                    any = true;
                }
            }
            return any ? sum / g.avgDivisor(position / g.outW(), position % g.outW()) : 0f;
        }

        /** Max backward: the row's gradient sits in the cell its forward pass chose. */
        void oneHotRow(int r, float grad, int argmax) {
            Arrays.fill(value, r * cols, (r + 1) * cols, 0f);
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
        void spreadRow(int r, int position, float grad) {
            float share = grad / g.avgDivisor(position / g.outW(), position % g.outW());
            for (int k = r * cols; k < (r + 1) * cols; k++) {
                value[k] = index[k] == PADDING ? 0f : share;
            }
            strayIndex[r] = PADDING;
        }

        /**
         * Adds every cell's gradient into the input element under it. Accumulating, not assigning:
         * overlapping windows share elements. Adding the zero cells of a max row changes no bits
         * (a sum that starts at +0 never becomes -0), so the result equals the reference's.
         */
        void col2im(float[] gradInput, int base, int rows) {
            for (int r = 0; r < rows; r++) {
                for (int k = r * cols; k < (r + 1) * cols; k++) {
                    if (index[k] != PADDING) {
                        gradInput[base + index[k]] += value[k];
                    }
                }
                if (strayIndex[r] != PADDING) {
                    gradInput[base + strayIndex[r]] += strayGrad[r];
                }
            }
        }
    }
}
