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

    /**
     * Max forward of a whole plane of 2x2 stride-2 windows without padding, the plane's row loop
     * inside (one call per plane, not per row: the large tensor's rows are only 7 vector steps long).
     * Window {@code (oh, ow)} has top-left input {@code 2 * oh * inW + 2 * ow}; outputs go to
     * {@code out[o + oh * outW + ow]}. The caller guarantees {@code outW >= lanes()},
     * {@code 2 * outW <= inW} and {@code 2 * outH} rows in the plane.
     */
    void max2x2s2Plane(float[] x, int inBase, int inW, int outH, int outW, float[] out, int[] ind, int o);

    /**
     * Max backward of the same plane: writes both input rows of every window, {@code 0f + gradOutput}
     * where the window's index points and 0 at its three other inputs. That is the reference's
     * zero-then-add result bit for bit ({@code 0f + -0f} is {@code +0f}) when every index lies inside
     * its own window, so no input is written twice and the plane needs no zeroing first. Columns and
     * rows past the last window are not written. Returns false as soon as an index lies outside its
     * window, with the plane partly written; the caller then zeroes it and scatters, as the reference does.
     */
    boolean maxBackward2x2s2Plane(float[] gradOutput, int[] ind, int o, int inW, int outH, int outW,
            float[] gradInput, int inBase);
}
