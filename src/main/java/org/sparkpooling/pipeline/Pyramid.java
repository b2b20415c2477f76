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
        Shape in = new Shape(1, level.channels(), level.height(), level.width());
        Shape out = poolSpec.geometry(level.height(), level.width()).outputShape(in);
        float[] y = new float[out.size()];
        int[] indices = spec.mode() == PoolMode.MAX ? new int[out.size()] : null;
        kernel.forward(poolSpec, new Tensor(in, level.samples()), y, indices);
        if (spec.mode() == PoolMode.AVG) {
            float max = level.maxValue();
            for (int i = 0; i < y.length; i++) {
                // rint: half to even, like NumPy's round and TensorStore's integer downsampling
                y[i] = Math.min(max, Math.max(0f, (float) Math.rint(y[i])));
            }
        }
        return new Planes(level.channels(), out.h(), out.w(), level.bitDepth(), y);
    }
}
