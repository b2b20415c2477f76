package org.sparkpooling.pool;

import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * One implementation of the pooling family ({@link PoolOp}): 1-D, 2-D and 3-D, float32 and float64,
 * channels-first and channels-last, forward and backward, with PyTorch's semantics.
 *
 * <p>The four buffer-taking methods are what implementations write: they check their arguments
 * once ({@link NdPoolGeometry#forForward}, {@link NdPoolGeometry#forBackward}) and fill the caller's
 * arrays, which have the input's layout. Indices, one int per element of the tensor they belong to
 * and in its layout:
 * <ul>
 * <li>max, adaptive-max: forward writes the argmax of each output (or, given {@code null}, only the
 * values); backward reads them;
 * <li>unpool: forward and backward read them, one per input element, each a position inside the
 * output's {@code (n, c)} volume;
 * <li>avg, adaptive-avg, lp: ignored, may be {@code null}.
 * </ul>
 * Backward takes the forward's input: lp's gradient depends on its values, the other ops' only on
 * its shape. One thread per call; parallelism comes from the caller.
 */
public interface NdPoolKernel {

    /** The name used on the command line and in reports: {@code loops}, {@code im2col}, {@code fast}. */
    String name();

    /** Whether this implementation computes {@code op}; calling it for another op is refused. */
    boolean supports(PoolOp op);

    void forward(NdPoolSpec spec, FloatTensor input, float[] output, int[] indices);

    void forward(NdPoolSpec spec, DoubleTensor input, double[] output, int[] indices);

    /**
     * Writes the gradient with respect to {@code input} into {@code gradInput}, overwriting all of
     * it; contributions of overlapping windows are summed.
     */
    void backward(NdPoolSpec spec, FloatTensor input, float[] gradOutput, int[] indices, float[] gradInput);

    void backward(NdPoolSpec spec, DoubleTensor input, double[] gradOutput, int[] indices, double[] gradInput);

    /** Forward into freshly allocated arrays, for every op but unpool (which reads indices: see below). */
    default NdPooled forward(NdPoolSpec spec, NdTensor input) {
        return forward(spec, input, null);
    }

    /**
     * Forward into freshly allocated arrays; {@code indices} are unpool's (one per input element),
     * and must be {@code null} for the other ops, which write their own or have none.
     */
    default NdPooled forward(NdPoolSpec spec, NdTensor input, int[] indices) {
        if (input == null) {
            throw new IllegalArgumentException("input must not be null");
        }
        NdPoolGeometry g = NdPoolGeometry.of(spec, input.shape());
        TensorShape out = g.output();
        int[] ind = switch (spec.op().indices()) {
            case WRITTEN -> {
                if (indices != null) {
                    throw new IllegalArgumentException("indices are read by unpool only; " + spec.op().label()
                            + " writes its own");
                }
                yield new int[out.size()];
            }
            case READ -> indices;
            case NONE -> {
                if (indices != null) {
                    throw new IllegalArgumentException("indices are read by unpool only; " + spec.op().label()
                            + " has none");
                }
                yield null;
            }
        };
        NdTensor output = switch (input.dtype()) {
            case FLOAT32 -> {
                float[] y = new float[out.size()];
                forward(spec, (FloatTensor) input, y, ind);
                yield new FloatTensor(out, y);
            }
            case FLOAT64 -> {
                double[] y = new double[out.size()];
                forward(spec, (DoubleTensor) input, y, ind);
                yield new DoubleTensor(out, y);
            }
        };
        return new NdPooled(output, ind);
    }

    /** Backward into a freshly allocated gradient of {@code input}'s shape and dtype. */
    default NdTensor backward(NdPoolSpec spec, NdTensor input, NdPooled forward, NdTensor gradOutput) {
        if (input == null) {
            throw new IllegalArgumentException("input must not be null");
        }
        if (gradOutput == null) {
            throw new IllegalArgumentException("gradOutput must not be null");
        }
        if (gradOutput.dtype() != input.dtype()) {
            throw new IllegalArgumentException("gradOutput dtype (" + gradOutput.dtype().label()
                    + ") does not match the input's (" + input.dtype().label() + ")");
        }
        if (forward != null && !gradOutput.shape().equals(forward.output().shape())) {
            throw new IllegalArgumentException("gradOutput shape " + gradOutput.shape()
                    + " does not match the output shape " + forward.output().shape());
        }
        int[] indices = forward == null ? null : forward.indices();
        return switch (input.dtype()) {
            case FLOAT32 -> {
                float[] gx = new float[input.shape().size()];
                backward(spec, (FloatTensor) input, ((FloatTensor) gradOutput).data(), indices, gx);
                yield new FloatTensor(input.shape(), gx);
            }
            case FLOAT64 -> {
                double[] gx = new double[input.shape().size()];
                backward(spec, (DoubleTensor) input, ((DoubleTensor) gradOutput).data(), indices, gx);
                yield new DoubleTensor(input.shape(), gx);
            }
        };
    }
}
