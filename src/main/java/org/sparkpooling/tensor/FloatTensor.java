package org.sparkpooling.tensor;

import java.util.Arrays;

/** A float32 tensor of the pooling family. */
public record FloatTensor(TensorShape shape, float[] data) implements NdTensor {

    public FloatTensor {
        NdTensor.requireMatch(shape, data, data == null ? 0 : data.length);
    }

    public static FloatTensor zeros(TensorShape shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        return new FloatTensor(shape, new float[shape.size()]);
    }

    /** The 2-D API's tensor seen as a rank-4 channels-first one, sharing its array. */
    public static FloatTensor of(Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException("tensor must not be null");
        }
        return new FloatTensor(TensorShape.of(tensor.shape()), tensor.data());
    }

    /** This tensor as the 2-D API's, sharing its array; it must be rank 4 and channels-first. */
    public Tensor toTensor() {
        return new Tensor(shape.toShape(), data);
    }

    @Override
    public Dtype dtype() {
        return Dtype.FLOAT32;
    }

    @Override
    public FloatTensor toLayout(Layout layout) {
        if (layout == shape.layout()) {
            return this;
        }
        TensorShape target = shape.withLayout(layout);
        float[] out = new float[data.length];
        NdTensor.permute(shape, target, (to, from) -> out[to] = data[from]);
        return new FloatTensor(target, out);
    }

    /** Element {@code s} (flat inside its volume) of volume {@code (n, c)}. */
    public float get(int n, int c, int s) {
        return data[shape.offset(n, c, s)];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor[" + shape + "]";
    }
}
