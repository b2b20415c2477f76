package org.sparkpooling.tensor;

import java.util.Arrays;

/**
 * An NCHW float32 tensor: a shape and one flat row-major array.
 *
 * <p>The array is shared, not copied: kernels write into tensors they are given, and a tensor of a
 * million elements is not duplicated on its way in. {@link #equals} compares contents bit for bit
 * (NaN equals NaN, -0.0 differs from 0.0), which is what the verification of kernels needs.
 */
public record Tensor(Shape shape, float[] data) implements java.io.Serializable {

    public Tensor {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (data.length != shape.size()) {
            throw new IllegalArgumentException(
                    "data length (" + data.length + ") does not match shape " + shape + " (" + shape.size() + " elements)");
        }
    }

    /** A tensor of zeros. */
    public static Tensor zeros(Shape shape) {
        return new Tensor(shape, new float[shape.size()]);
    }

    public float get(int n, int c, int h, int w) {
        return data[((n * shape.c() + c) * shape.h() + h) * shape.w() + w];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor[" + shape + "]";
    }
}
