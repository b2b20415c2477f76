package org.sparkpooling.spark;

import java.util.SplittableRandom;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Deterministic synthetic data: a block is a function of (seed, block id, shape) only, so any
 * executor can make any block and the same seed gives the same data whatever the partitioning.
 */
public final class SyntheticBlocks {

    /** Distinguishes the gradient stream from the input stream of the same block. */
    private static final long GRADIENT_SALT = 0x6a09e667f3bcc909L;

    private SyntheticBlocks() {
    }

    /** The input block: roughly standard normal floats. */
    public static Tensor block(long seed, long blockId, Shape shape) {
        return new Tensor(shape, normalish(new SplittableRandom(seed ^ mix(blockId)), shape.size()));
    }

    /** The gradient fed to backward for this block (any input source): roughly standard normal. */
    public static float[] gradOutput(long seed, long blockId, int size) {
        return normalish(new SplittableRandom(seed ^ mix(blockId ^ GRADIENT_SALT)), size);
    }

    /**
     * Sum of four uniforms, centred and scaled to unit variance: close enough to a normal for
     * pooling data, with no transcendental functions, so it is cheap and the same on every JVM.
     */
    private static float[] normalish(SplittableRandom r, int size) {
        float[] x = new float[size];
        final double scale = Math.sqrt(3.0);
        for (int i = 0; i < size; i++) {
            x[i] = (float) ((r.nextDouble() + r.nextDouble() + r.nextDouble() + r.nextDouble() - 2.0) * scale);
        }
        return x;
    }

    /** SplitMix64's finalizer: neighbouring block ids give unrelated seeds. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
