package org.sparkpooling.spark.sql;

/**
 * Arrays of exact sizes, kept for the next row: a {@link org.sparkpooling.tensor.Tensor} wants an
 * array of exactly its size, and the sizes repeat (every block of a tensor dataset, every full band
 * of an image, the last band of images of one size). A few per type, the least recently used one
 * replaced, so a full band, a last band and an output of each never push each other out.
 */
final class Buffers {

    private static final int SLOTS = 4;

    private final float[][] floats = new float[SLOTS][];
    private final byte[][] bytes = new byte[SLOTS][];
    private final int[][] ints = new int[SLOTS][];
    private final long[] floatUse = new long[SLOTS];
    private final long[] byteUse = new long[SLOTS];
    private final long[] intUse = new long[SLOTS];
    private long clock;

    float[] floats(int size) {
        int slot = slot(floats, floatUse, size, f -> f.length);
        if (floats[slot] == null || floats[slot].length != size) {
            floats[slot] = new float[size];
        }
        return floats[slot];
    }

    byte[] bytes(int size) {
        int slot = slot(bytes, byteUse, size, b -> b.length);
        if (bytes[slot] == null || bytes[slot].length != size) {
            bytes[slot] = new byte[size];
        }
        return bytes[slot];
    }

    int[] ints(int size) {
        int slot = slot(ints, intUse, size, i -> i.length);
        if (ints[slot] == null || ints[slot].length != size) {
            ints[slot] = new int[size];
        }
        return ints[slot];
    }

    /** The slot holding an array of {@code size}, else the least recently used one; marks it used. */
    private <T> int slot(T[] arrays, long[] use, int size, java.util.function.ToIntFunction<T> length) {
        int lru = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (arrays[i] != null && length.applyAsInt(arrays[i]) == size) {
                use[i] = ++clock;
                return i;
            }
            if (use[i] < use[lru]) {
                lru = i;
            }
        }
        use[lru] = ++clock;
        return lru;
    }
}
