package org.sparkpooling.pool;

/**
 * The rows of interior windows that {@link FastKernel} hands to SIMD code: kernel {@code kh x kw}
 * without dilation, column stride 1 or 2. Two implementations with identical results:
 * {@link ScalarPoolSupport} (the twin, always there) and {@code PanamaPoolSupport} (the incubating
 * Vector API, loaded by {@link PoolVectorization} only when the JVM has the module).
 *
 * <p>Each method fills outputs {@code [owFrom, owTo)} of one output row starting at {@code out[o]};
 * window {@code ow}'s top-left input is {@code origin + ow * sw} (plane-relative, so it is also the
 * index), and its first row is read from {@code x[inBase + origin + ow * sw]}. The caller guarantees
 * {@code owTo - owFrom >= lanes()}, every window inside the plane, and for stride 2 one readable
 * element past the last window's right edge (the vector loads come in pairs).
 */
interface PoolVectorSupport {

    /** Outputs per vector step. */
    int lanes();

    /** Max with PyTorch's rule (strictly greater or NaN replaces), raster order over the taps. */
    void maxRow(float[] x, int inBase, int origin, int inW, int kh, int kw, int sw,
            int owFrom, int owTo, float[] out, int[] ind, int o);

    /** The window's sum in raster order, times {@code reciprocal}. */
    void avgRow(float[] x, int inBase, int origin, int inW, int kh, int kw, int sw, float reciprocal,
            int owFrom, int owTo, float[] out, int o);
}
