package org.sparkpooling.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sparkpooling.pool.NdPoolGeometry;
import org.sparkpooling.pool.NdPoolKernel;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.TensorShape;

/**
 * The benchmarked cases of issues 2 and 12, by the label JMH's {@code @Param} uses; each runs in
 * either layout and either dtype ({@link #buffers(Layout, Dtype)}). The shapes are those of
 * {@code ../shared/peers/case_peers.py}, so PyTorch can be run on the same case beside them.
 */
public enum KernelCase {
    TEXTBOOK_MAX("textbook-max", new int[] {64, 3, 28, 28}, NdPoolSpec.max(2, 2).build()),
    TEXTBOOK_AVG("textbook-avg", new int[] {64, 3, 28, 28}, NdPoolSpec.avg(2, 2).build()),
    STEM_MAX("stem-max", new int[] {32, 64, 112, 112}, NdPoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build()),
    STEM_AVG("stem-avg", new int[] {32, 64, 112, 112}, NdPoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).build()),
    OVERLAP_MAX("overlap-max", new int[] {16, 64, 56, 56}, NdPoolSpec.max(2, 2).stride(1, 1).build()),
    INCEPTION_MAX("inception-max", new int[] {32, 192, 28, 28}, NdPoolSpec.max(3, 3).stride(1, 1).padding(1, 1).build()),
    LARGE_MAX("large-max", new int[] {32, 64, 112, 112}, NdPoolSpec.max(2, 2).build()),
    LARGE_AVG("large-avg", new int[] {32, 64, 112, 112}, NdPoolSpec.avg(2, 2).build()),
    GLOBAL_AVG("global-avg", new int[] {32, 2048, 7, 7}, NdPoolSpec.adaptiveAvg(1, 1)),
    C3D_MAX("c3d-max", new int[] {8, 64, 16, 56, 56}, NdPoolSpec.max(2, 2, 2).build()),
    C3D_AVG("c3d-avg", new int[] {8, 64, 16, 56, 56}, NdPoolSpec.avg(2, 2, 2).build());

    public final String label;
    /** N, C, then the spatial sizes. */
    private final int[] dims;
    public final NdPoolSpec spec;

    KernelCase(String label, int[] dims, NdPoolSpec spec) {
        this.label = label;
        this.dims = dims;
        this.spec = spec;
    }

    public static KernelCase byLabel(String label) {
        return Arrays.stream(values()).filter(c -> c.label.equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("case (" + label + ") must be one of "
                        + Arrays.toString(Arrays.stream(values()).map(c -> c.label).toArray())));
    }

    public TensorShape shape(Layout layout) {
        return new TensorShape(dims[0], dims[1], Arrays.copyOfRange(dims, 2, dims.length), layout);
    }

    /** The buffers of one forward+backward iteration, reused across iterations. */
    public final class Buffers {
        public final TensorShape shape;
        public final Dtype dtype;
        public final int[] indices;
        /** Exactly one of each pair is non-null, by dtype. */
        public final FloatTensor floatInput;
        public final DoubleTensor doubleInput;
        public final float[] floatOutput;
        public final double[] doubleOutput;
        public final float[] floatGradOutput;
        public final double[] doubleGradOutput;
        public final float[] floatGradInput;
        public final double[] doubleGradInput;

        Buffers(Layout layout, Dtype dtype, long seed) {
            this.shape = shape(layout);
            this.dtype = dtype;
            SplittableRandom rnd = new SplittableRandom(seed);
            int outSize = NdPoolGeometry.of(spec, shape).output().size();
            indices = spec.op().indices() == PoolOp.Indices.WRITTEN ? new int[outSize] : null;
            boolean single = dtype == Dtype.FLOAT32;
            floatInput = single ? new FloatTensor(shape, floats(rnd, shape.size())) : null;
            doubleInput = single ? null : new DoubleTensor(shape, doubles(rnd, shape.size()));
            floatOutput = single ? new float[outSize] : null;
            doubleOutput = single ? null : new double[outSize];
            floatGradOutput = single ? floats(rnd, outSize) : null;
            doubleGradOutput = single ? null : doubles(rnd, outSize);
            floatGradInput = single ? new float[shape.size()] : null;
            doubleGradInput = single ? null : new double[shape.size()];
        }

        /** One training step's pooling work: forward, then backward from the fresh indices. */
        public void forwardBackward(NdPoolKernel kernel) {
            forward(kernel);
            backward(kernel);
        }

        /** The forward alone: output and indices. */
        public void forward(NdPoolKernel kernel) {
            if (floatInput != null) {
                kernel.forward(spec, floatInput, floatOutput, indices);
            } else {
                kernel.forward(spec, doubleInput, doubleOutput, indices);
            }
        }

        /** The backward alone, from the indices the last {@link #forward} wrote: all of gradInput. */
        public void backward(NdPoolKernel kernel) {
            if (floatInput != null) {
                kernel.backward(spec, floatInput, floatGradOutput, indices, floatGradInput);
            } else {
                kernel.backward(spec, doubleInput, doubleGradOutput, indices, doubleGradInput);
            }
        }

        /** The output array, for a Blackhole. */
        public Object output() {
            return floatOutput != null ? floatOutput : doubleOutput;
        }

        /** The gradInput array, for a Blackhole and the unit test. */
        public Object gradInput() {
            return floatGradInput != null ? floatGradInput : doubleGradInput;
        }
    }

    private static float[] floats(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = uniform(rnd);
        }
        return x;
    }

    private static double[] doubles(SplittableRandom rnd, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextDouble() * 2 - 1;
        }
        return x;
    }

    /** Uniform in [-1, 1) on a 2^-23 grid: cheap to draw for 100 MB tensors, and ties are rare. */
    private static float uniform(SplittableRandom rnd) {
        return rnd.nextInt(1 << 24) * 0x1p-23f - 1f;
    }

    public Buffers buffers(Layout layout, Dtype dtype) {
        return new Buffers(layout, dtype, 42L);
    }

    /** The layout as JMH's {@code @Param} names it: {@code nchw} (channels-first) or {@code nhwc}. */
    public static Layout layout(String label) {
        return Arrays.stream(Layout.values()).filter(l -> l.label().equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("layout (" + label + ") must be nchw or nhwc"));
    }
}
