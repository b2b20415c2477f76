package org.sparkpooling.pool;

import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * A spec applied to one input plane size: the output plane size, and the window arithmetic every
 * implementation shares. Made by {@link PoolSpec#geometry}, which has validated it.
 */
public record PoolGeometry(PoolSpec spec, int inH, int inW, int outH, int outW) {

    public Shape outputShape(Shape input) {
        return new Shape(input.n(), input.c(), outH, outW);
    }

    /**
     * The average divisor of output {@code (oh, ow)}: {@code divisorOverride}, else the window's
     * size clipped to the padded input (never counting the ceil-mode overhang), counting padding
     * only with {@code countIncludePad}. PyTorch's {@code avg_pool2d} rule.
     */
    public int avgDivisor(int oh, int ow) {
        if (spec.divisorOverride() != null) {
            return spec.divisorOverride();
        }
        int h0 = oh * spec.strideH() - spec.padH();
        int w0 = ow * spec.strideW() - spec.padW();
        int h1 = Math.min(h0 + spec.kernelH(), inH + spec.padH());
        int w1 = Math.min(w0 + spec.kernelW(), inW + spec.padW());
        if (spec.countIncludePad()) {
            return (h1 - h0) * (w1 - w0);
        }
        return (Math.min(h1, inH) - Math.max(h0, 0)) * (Math.min(w1, inW) - Math.max(w0, 0));
    }

    /** Checks the input and buffers of a forward call; returns the geometry. */
    public static PoolGeometry forForward(PoolSpec spec, Tensor input, float[] output, int[] indices) {
        requireNonNull("input", input);
        return forForward(spec, input.shape(), output, indices);
    }

    /** Checks buffers for a forward call on {@code input}; returns the geometry. */
    public static PoolGeometry forForward(PoolSpec spec, Shape input, float[] output, int[] indices) {
        requireNonNull("spec", spec);
        requireNonNull("input shape", input);
        PoolGeometry g = spec.geometry(input.h(), input.w());
        int outSize = g.outputShape(input).size();
        requireLength("output", output, outSize);
        // null indices: max pooling of the values alone (PyTorch's max_pool2d without return_indices)
        boolean checkIndices = switch (spec.mode()) {
            case MAX -> indices != null;
            case AVG -> false;
        };
        if (checkIndices) {
            if (indices.length != outSize) {
                throw new IllegalArgumentException("indices length (" + indices.length
                        + ") does not match output shape " + g.outputShape(input));
            }
        }
        return g;
    }

    /** Checks buffers for a backward call; returns the geometry. */
    public static PoolGeometry forBackward(PoolSpec spec, Shape input, float[] gradOutput, int[] indices,
            float[] gradInput) {
        requireNonNull("spec", spec);
        requireNonNull("input shape", input);
        PoolGeometry g = spec.geometry(input.h(), input.w());
        Shape out = g.outputShape(input);
        if (gradOutput == null) {
            throw new IllegalArgumentException("gradOutput must not be null");
        }
        if (gradOutput.length != out.size()) {
            throw new IllegalArgumentException("gradOutput length (" + gradOutput.length
                    + ") does not match output shape " + out + " (" + out.size() + " elements)");
        }
        requireLength("gradInput", gradInput, input.size());
        boolean readsIndices = switch (spec.mode()) {
            case MAX -> true;
            case AVG -> false;
        };
        if (readsIndices) {
            if (indices == null) {
                throw new IllegalArgumentException("indices must not be null for max pooling backward");
            }
            if (indices.length != out.size()) {
                throw new IllegalArgumentException("indices length (" + indices.length
                        + ") does not match output shape " + out);
            }
            int i = NdPoolGeometry.firstOutside(indices, input.planeSize());
            if (i >= 0) {
                throw new IllegalArgumentException("index (" + indices[i] + ") at output " + i
                        + " is outside the input plane of " + input.h() + "x" + input.w());
            }
        }
        return g;
    }

    private static void requireNonNull(String role, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(role + " must not be null");
        }
    }

    private static void requireLength(String role, float[] array, int expected) {
        if (array == null) {
            throw new IllegalArgumentException(role + " must not be null");
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(role + " length (" + array.length + ") must be " + expected);
        }
    }
}
