package org.sparkpooling.pipeline;

import org.sparkpooling.pool.ImagePooling;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.IntImage;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Makes one pyramid level from the one before. Images of integer samples ({@link IntLevel}) are
 * pooled in integers, channels-last, by {@link ImagePooling}: exact means rounded half to even, so
 * each stored level is an integer image of the input's depth and the next level is pooled from
 * exactly what was stored (as TensorStore and igneous do). Float planes ({@link Planes}: a float
 * tensor's images) go through {@link PoolKernel#forward}; max asks for no indices.
 *
 * <p>Integer planes through the kernel ({@link #next(Planes)} with 8 or 16 bits) are how images
 * were pooled before the integer path: the kernel pools the samples as floats, then averages are
 * rounded half to even ({@link Math#rint}) and clamped. It is kept as the reference the integer path
 * is tested against, sample for sample. While a window's sum of integer samples stays below 2^24 (F x F x max sample: every 8-bit
 * factor up to 256, 16-bit up to 15) every float sum on the way is exact, whatever the order, and
 * the kernel's mean is the exact one rounded once (it divides, or multiplies by 1/4, exact, for F = 2;
 * F = 3 multiplies by an inexact 1/9, but a mean k + m/9 lies at least 1/18 from any half, far beyond
 * that rounding), so the stored sample is the exact mean rounded half to even; past 2^24, sums round
 * as any float sum does.
 */
public final class Pyramid {

    private final DownsampleSpec spec;
    /** The float kernel's spec, made when the first float level comes: integer-only modes have none. */
    private PoolSpec poolSpec;
    private final PoolKernel kernel;

    public Pyramid(DownsampleSpec spec, PoolKernel kernel) {
        if (spec == null || kernel == null) {
            throw new IllegalArgumentException("spec and kernel must not be null");
        }
        this.spec = spec;
        this.kernel = kernel;
    }

    /** The fast kernel when it is built in, else the reference. */
    public static PoolKernel defaultKernel() {
        return PoolKernels.names().contains("fast") ? PoolKernels.byName("fast") : PoolKernels.reference();
    }

    public PoolKernel kernel() {
        return kernel;
    }

    /** The level after {@code level}, each kind pooled its own way. */
    public LevelImage next(LevelImage level) {
        if (level instanceof IntLevel i) {
            return new IntLevel(next(i.image()));
        }
        return next((Planes) level);
    }

    /** The level after an image of integer samples, in integers. */
    public IntImage next(IntImage level) {
        return spec.pool(level);
    }

    /** The level after {@code level}, through the kernel (see the class comment). */
    public Planes next(Planes level) {
        if (poolSpec == null) {
            poolSpec = spec.poolSpec();
        }
        Shape in = new Shape(1, level.channels(), level.height(), level.width());
        Shape out = poolSpec.geometry(level.height(), level.width()).outputShape(in);
        float[] y = new float[out.size()];
        kernel.forward(poolSpec, new Tensor(in, level.samples()), y, null);
        switch (poolSpec.mode()) {
            case AVG -> {
                if (level.bitDepth() != Planes.FLOAT_DEPTH) {
                    roundToDepth(y, level.maxValue()); // a max is one of the samples: nothing to round
                }
            }
            case MAX -> { }
        }
        return new Planes(level.channels(), out.h(), out.w(), level.bitDepth(), y);
    }

    /**
     * Rounds means of samples in {@code [0, max]} half to even, like NumPy's round and TensorStore's
     * integer downsampling. The clamp only matters past exact sums, where a rounded float sum can
     * exceed F x F x max by a few units.
     */
    private static void roundToDepth(float[] y, float max) {
        for (int i = 0; i < y.length; i++) {
            y[i] = Math.min(max, rint(y[i]));
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
