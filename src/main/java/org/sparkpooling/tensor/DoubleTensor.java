package org.sparkpooling.tensor;

import java.util.Arrays;

/** A float64 tensor of the pooling family. */
public record DoubleTensor(TensorShape shape, double[] data) implements NdTensor {

    public DoubleTensor {
        NdTensor.requireMatch(shape, data, data == null ? 0 : data.length);
    }

    public static DoubleTensor zeros(TensorShape shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        return new DoubleTensor(shape, new double[shape.size()]);
    }

    @Override
    public Dtype dtype() {
        return Dtype.FLOAT64;
    }

    @Override
    public DoubleTensor toLayout(Layout layout) {
        if (layout == shape.layout()) {
            return this;
        }
        TensorShape target = shape.withLayout(layout);
        double[] out = new double[data.length];
        NdTensor.permute(shape, target, (to, from) -> out[to] = data[from]);
        return new DoubleTensor(target, out);
    }

    /** Element {@code s} (flat inside its volume) of volume {@code (n, c)}. */
    public double get(int n, int c, int s) {
        return data[shape.offset(n, c, s)];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DoubleTensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "DoubleTensor[" + shape + "]";
    }
}
