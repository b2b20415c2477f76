package org.sparkpooling.pool;

import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * One implementation of 2-D pooling, forward and backward, with PyTorch's semantics: the API the
 * jobs and the pipeline were written against, kept as it was. Every implementation is also one of
 * the whole family ({@link NdPoolKernel}), and a 2-D call gives the same results as the family's
 * call on the same rank-4 channels-first float tensor.
 *
 * <p>The two buffer-taking methods are what implementations write: they check their arguments
 * once (through {@link PoolGeometry#forForward} / {@link PoolGeometry#forBackward}) and fill the
 * caller's arrays, so a benchmark or an executor can reuse buffers across iterations. One thread
 * per call: parallelism comes from the caller (Spark runs one call per task).
 */
public interface PoolKernel extends NdPoolKernel {

    /**
     * Pools {@code input} into {@code output} (N x C x outH x outW); for max pooling also writes the
     * argmax of each output into {@code indices}. {@code indices} may be {@code null}: avg ignores
     * it, and max then writes the values alone (PyTorch's {@code max_pool2d} without
     * {@code return_indices}), the same values as with indices, so a caller that will not run
     * backward skips the index work. Backward of max needs the indices.
     */
    void forward(PoolSpec spec, Tensor input, float[] output, int[] indices);

    /**
     * Writes the gradient with respect to the input into {@code gradInput}, overwriting all of it;
     * contributions of overlapping windows are summed. {@code indices} comes from the max forward
     * pass and is ignored for avg.
     */
    void backward(PoolSpec spec, Shape inputShape, float[] gradOutput, int[] indices, float[] gradInput);

    /** Forward into freshly allocated arrays. */
    default Pooled forward(PoolSpec spec, Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException("input must not be null");
        }
        Shape out = spec.geometry(input.shape().h(), input.shape().w()).outputShape(input.shape());
        float[] output = new float[out.size()];
        int[] indices = switch (spec.mode()) {
            case MAX -> new int[out.size()];
            case AVG -> null;
        };
        forward(spec, input, output, indices);
        return new Pooled(new Tensor(out, output), indices);
    }

    /** Backward into a freshly allocated gradient of {@code inputShape}. */
    default Tensor backward(PoolSpec spec, Shape inputShape, Pooled forward, Tensor gradOutput) {
        if (gradOutput == null) {
            throw new IllegalArgumentException("gradOutput must not be null");
        }
        if (forward != null && !gradOutput.shape().equals(forward.output().shape())) {
            throw new IllegalArgumentException("gradOutput shape " + gradOutput.shape()
                    + " does not match the output shape " + forward.output().shape());
        }
        float[] gradInput = new float[inputShape.size()];
        backward(spec, inputShape, gradOutput.data(), forward == null ? null : forward.indices(), gradInput);
        return new Tensor(inputShape, gradInput);
    }
}
