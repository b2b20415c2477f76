package org.sparkpooling.pipeline;

import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Makes one pyramid level from the one before: the kernel pools the integer samples as floats,
 * then averages are rounded half to even ({@link Math#rint}) and clamped to the bit depth, so each
 * stored level is an integer image of the input's depth and the next level is pooled from exactly
 * what was stored (as TensorStore and igneous do).
 */
public final class Pyramid {

    private final DownsampleSpec spec;
    private final PoolSpec poolSpec;
    private final PoolKernel kernel;
    /** One row of vertical sums or maxima, reused: a Pyramid lives in one task, one level at a time. */
    private float[] row = new float[0];

    public Pyramid(DownsampleSpec spec, PoolKernel kernel) {
        if (spec == null || kernel == null) {
            throw new IllegalArgumentException("spec and kernel must not be null");
        }
        this.spec = spec;
        this.poolSpec = spec.poolSpec();
        this.kernel = kernel;
    }

    /** The fast kernel when it is built in, else the reference. */
    public static PoolKernel defaultKernel() {
        return PoolKernels.names().contains("fast") ? PoolKernels.byName("fast") : PoolKernels.reference();
    }

    public PoolKernel kernel() {
        return kernel;
    }

    /** The level after {@code level}. */
    public Planes next(Planes level) {
        if (level.bitDepth() != Planes.FLOAT_DEPTH && exactSums(level)) {
            return nextInteger(level);
        }
        return nextThroughKernel(level);
    }

    /** Through the pool kernel: float planes, and integer sums that float cannot hold exactly. */
    Planes nextThroughKernel(Planes level) {
        Shape in = new Shape(1, level.channels(), level.height(), level.width());
        Shape out = poolSpec.geometry(level.height(), level.width()).outputShape(in);
        float[] y = new float[out.size()];
        int[] indices = spec.mode() == PoolMode.MAX ? new int[out.size()] : null;
        kernel.forward(poolSpec, new Tensor(in, level.samples()), y, indices);
        if (spec.mode() == PoolMode.AVG && level.bitDepth() != Planes.FLOAT_DEPTH) {
            float max = level.maxValue();
            for (int i = 0; i < y.length; i++) {
                // rint: half to even, like NumPy's round and TensorStore's integer downsampling
                y[i] = Math.min(max, Math.max(0f, (float) Math.rint(y[i])));
            }
        }
        return new Planes(level.channels(), out.h(), out.w(), level.bitDepth(), y);
    }

    /**
     * Whether a window's sum of integer samples is exact in float (below 2^24), so summing in any
     * order gives the kernel's value and the direct loops below give its result bit for bit.
     */
    private boolean exactSums(Planes level) {
        return spec.mode() == PoolMode.MAX || (long) spec.factor() * spec.factor() * level.maxValue() < (1L << 24);
    }

    /**
     * F x F, stride F, no padding, on integer samples, straight from the planes: per output row the
     * F input rows are summed (or maxed) into one row buffer, then each F-wide run of it makes one
     * output sample, divided by the window's in-bounds size and rounded half to even. No tensor,
     * index array or rounding pass; the mean of in-range integers is in range, so no clamp. The
     * same numbers as {@link #kernel}'s path (sums are exact, the division is the reference's).
     */
    private Planes nextInteger(Planes level) {
        int f = spec.factor();
        int h = level.height();
        int w = level.width();
        int oh = spec.next(h);
        int ow = spec.next(w);
        int plane = h * w;
        float[] x = level.samples();
        float[] y = new float[level.channels() * oh * ow];
        if (row.length < w) {
            row = new float[w];
        }
        float[] r = row;
        boolean avg = spec.mode() == PoolMode.AVG;
        int fullW = Math.min(ow, w / f);
        // One small method per row step: each is called once per output row, so the JIT compiles it
        // whole after a few images instead of relying on on-stack replacement of one long loop nest.
        for (int c = 0, o = 0; c < level.channels(); c++) {
            int base = c * plane;
            for (int i = 0; i < oh; i++, o += ow) {
                int y0 = i * f;
                int rows = Math.min(f, h - y0);
                int src = base + y0 * w;
                System.arraycopy(x, src, r, 0, w);
                for (int k = 1; k < rows; k++) {
                    if (avg) {
                        addRow(x, src + k * w, r, w);
                    } else {
                        maxRow(x, src + k * w, r, w);
                    }
                }
                if (!avg) {
                    maxRuns(r, w, f, ow, y, o);
                } else if (f == 2) {
                    // the divisor is 2 or 4: multiplying by its reciprocal is exact, the same as dividing
                    avgPairs(r, fullW, 1f / (rows * 2), y, o);
                } else {
                    avgRuns(r, fullW, f, rows * f, y, o);
                }
                if (avg && fullW < ow) { // the partial window at the right edge
                    float s = 0f;
                    for (int k = fullW * f; k < w; k++) {
                        s += r[k];
                    }
                    y[o + fullW] = rint(s / (float) (rows * (w - fullW * f)));
                }
            }
        }
        return new Planes(level.channels(), oh, ow, level.bitDepth(), y);
    }

    private static void addRow(float[] x, int from, float[] r, int w) {
        for (int j = 0; j < w; j++) {
            r[j] += x[from + j];
        }
    }

    private static void maxRow(float[] x, int from, float[] r, int w) {
        for (int j = 0; j < w; j++) {
            float v = x[from + j];
            r[j] = v > r[j] ? v : r[j];
        }
    }

    private static void avgPairs(float[] r, int n, float inv, float[] y, int o) {
        for (int j = 0; j < n; j++) {
            y[o + j] = rint((r[2 * j] + r[2 * j + 1]) * inv);
        }
    }

    private static void avgRuns(float[] r, int n, int f, float d, float[] y, int o) {
        for (int j = 0; j < n; j++) {
            float s = 0f;
            for (int k = j * f, e = k + f; k < e; k++) {
                s += r[k];
            }
            y[o + j] = rint(s / d);
        }
    }

    /** Max of each F-wide run of the row, the last one cut at the edge. */
    private static void maxRuns(float[] r, int w, int f, int ow, float[] y, int o) {
        for (int j = 0; j < ow; j++) {
            int k = j * f;
            int e = Math.min(k + f, w);
            float m = r[k];
            for (k++; k < e; k++) {
                m = r[k] > m ? r[k] : m;
            }
            y[o + j] = m;
        }
    }

    /** 2^23: from here on a float's spacing is 1. */
    private static final float TWO_23 = 8_388_608f;

    /**
     * {@link Math#rint} for {@code 0 <= v < 2^23}: adding 2^23 leaves no fraction bits, so the
     * addition itself rounds to the nearest integer, ties to even (2^23 is even, so the parity is
     * v's), and subtracting it back is exact. Float only, no conversion to double and back.
     */
    static float rint(float v) {
        return (v + TWO_23) - TWO_23;
    }
}
