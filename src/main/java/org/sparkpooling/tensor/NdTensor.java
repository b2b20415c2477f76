package org.sparkpooling.tensor;

/**
 * A tensor of the pooling family: a {@link TensorShape} (any rank 3 to 5, either layout) and one flat
 * array of its {@link Dtype}, {@link FloatTensor} or {@link DoubleTensor}. As with {@link Tensor},
 * the array is shared, not copied, and equality is bit for bit.
 */
public sealed interface NdTensor extends java.io.Serializable permits FloatTensor, DoubleTensor {

    TensorShape shape();

    Dtype dtype();

    /** The same values in {@code layout}: a copy, or this tensor when it already has that layout. */
    NdTensor toLayout(Layout layout);

    /** A tensor of zeros of the given shape and dtype. */
    static NdTensor zeros(TensorShape shape, Dtype dtype) {
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must be float32 or float64, not null");
        }
        return switch (dtype) {
            case FLOAT32 -> FloatTensor.zeros(shape);
            case FLOAT64 -> DoubleTensor.zeros(shape);
        };
    }

    /** Calls {@code move.copy(to, from)} for every element: its offset in {@code target} and in {@code source}. */
    static void permute(TensorShape source, TensorShape target, ElementMove move) {
        int volume = source.volume();
        int channels = source.c();
        for (int n = 0; n < source.n(); n++) {
            for (int c = 0; c < channels; c++) {
                for (int s = 0; s < volume; s++) {
                    move.copy(target.offset(n, c, s), source.offset(n, c, s));
                }
            }
        }
    }

    /** One element's move between two arrays, by offsets. */
    @FunctionalInterface
    interface ElementMove {
        void copy(int to, int from);
    }

    /** Data of {@code length} elements must fill {@code shape} exactly. */
    static void requireMatch(TensorShape shape, Object data, int length) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        if (data == null) {
            throw new IllegalArgumentException("data must not be null");
        }
        if (length != shape.size()) {
            throw new IllegalArgumentException(
                    "data length (" + length + ") does not match shape " + shape + " (" + shape.size() + " elements)");
        }
    }
}
