package org.sparkpooling.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** The benchmarked cases of issue 2, by the label JMH's {@code @Param} uses. */
public enum KernelCase {
    TEXTBOOK_MAX("textbook-max", new Shape(64, 3, 28, 28), PoolSpec.max(2, 2).build()),
    TEXTBOOK_AVG("textbook-avg", new Shape(64, 3, 28, 28), PoolSpec.avg(2, 2).build()),
    STEM_MAX("stem-max", new Shape(32, 64, 112, 112), PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build()),
    OVERLAP_MAX("overlap-max", new Shape(16, 64, 56, 56), PoolSpec.max(2, 2).stride(1, 1).build()),
    LARGE_MAX("large-max", new Shape(32, 64, 112, 112), PoolSpec.max(2, 2).build()),
    LARGE_AVG("large-avg", new Shape(32, 64, 112, 112), PoolSpec.avg(2, 2).build());

    public final String label;
    public final Shape shape;
    public final PoolSpec spec;

    KernelCase(String label, Shape shape, PoolSpec spec) {
        this.label = label;
        this.shape = shape;
        this.spec = spec;
    }

    public static KernelCase byLabel(String label) {
        return Arrays.stream(values()).filter(c -> c.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("case (" + label + ") must be one of "
                        + Arrays.toString(Arrays.stream(values()).map(c -> c.label).toArray())));
    }

    /** The buffers of one forward+backward iteration, reused across iterations. */
    public final class Buffers {
        public final Tensor input;
        public final float[] output;
        public final int[] indices;
        public final float[] gradOutput;
        public final float[] gradInput;

        Buffers(long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            float[] x = new float[shape.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = uniform(rnd);
            }
            input = new Tensor(shape, x);
            int outSize = spec.geometry(shape.h(), shape.w()).outputShape(shape).size();
            output = new float[outSize];
            indices = spec.mode() == PoolMode.MAX ? new int[outSize] : null;
            gradOutput = new float[outSize];
            for (int i = 0; i < outSize; i++) {
                gradOutput[i] = uniform(rnd);
            }
            gradInput = new float[shape.size()];
        }

        /** One training step's pooling work: forward, then backward from the fresh indices. */
        public void forwardBackward(PoolKernel kernel) {
            kernel.forward(spec, input, output, indices);
            kernel.backward(spec, shape, gradOutput, indices, gradInput);
        }
    }

    /** Uniform in [-1, 1) on a 2^-23 grid: cheap to draw for 100 MB tensors, and ties are rare. */
    private static float uniform(SplittableRandom rnd) {
        return rnd.nextInt(1 << 24) * 0x1p-23f - 1f;
    }

    public Buffers buffers() {
        return new Buffers(42L);
    }
}
