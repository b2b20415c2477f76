package org.sparkpooling.tensor;

import java.util.Arrays;

/**
 * Pooling indices with their shape: each element is a flat position inside its {@code (n, c)}
 * volume ({@code (d * H + h) * W + w}), laid out as the tensor they index. What max pooling writes
 * and max unpooling reads; stored as int64 in {@code .npy} files, as PyTorch stores them.
 */
public record IndexTensor(TensorShape shape, int[] data) implements java.io.Serializable {

    public IndexTensor {
        NdTensor.requireMatch(shape, data, data == null ? 0 : data.length);
    }

    /** The same indices in {@code layout}: a copy, or this when it already has that layout. */
    public IndexTensor toLayout(Layout layout) {
        if (layout == shape.layout()) {
            return this;
        }
        TensorShape target = shape.withLayout(layout);
        int[] out = new int[data.length];
        NdTensor.permute(shape, target, (to, from) -> out[to] = data[from]);
        return new IndexTensor(target, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IndexTensor t && shape.equals(t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * shape.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "IndexTensor[" + shape + "]";
    }
}
