package org.sparkpooling.pool;

/**
 * The loops of {@link FastKernel}'s family paths for one memory layout: window max and mean,
 * their backward passes, and unpooling, in float and in double. {@link ChannelsFirstBodies} walks
 * one {@code (n, c)} volume at a time; {@link ChannelsLastBodies} walks positions with the channels
 * innermost, so the window loops run over contiguous memory. Both give the reference's results:
 * max values, indices and all scatters bit for bit (the same comparisons and the same order of
 * additions per element); means summed in the reference's raster order.
 *
 * <p>Each method overwrites all of its output array. Indices are never null here: the caller
 * passes scratch when the values alone were asked for.
 */
interface LayoutBodies {

    /**
     * The bodies of {@code layout}: {@code simd} for rows that rearrange lanes (SIMD from Java 21),
     * {@code rows} for those that do not (SIMD from Java 17); either may be the scalar twin.
     */
    static LayoutBodies of(org.sparkpooling.tensor.Layout layout, PoolVectorSupport simd, PoolVectorSupport rows) {
        return switch (layout) {
            case CHANNELS_FIRST -> new ChannelsFirstBodies(simd, rows);
            case CHANNELS_LAST -> new ChannelsLastBodies(rows, simd);
        };
    }

    void max(WindowPlan q, float[] x, float[] y, int[] ind);

    void max(WindowPlan q, double[] x, double[] y, int[] ind);

    void mean(WindowPlan q, float[] x, float[] y);

    void mean(WindowPlan q, double[] x, double[] y);

    /** Max backward: {@code gx} zeroed, then each output's gradient added at its index, in output raster order. */
    void scatter(WindowPlan q, float[] gy, int[] ind, float[] gx);

    void scatter(WindowPlan q, double[] gy, int[] ind, double[] gx);

    /** Mean backward: {@code gx} zeroed, then each output's gradient over its divisor added to each cell. */
    void spread(WindowPlan q, float[] gy, float[] gx);

    void spread(WindowPlan q, double[] gy, double[] gx);

    /** {@code y} zeroed, then each input element stored at its index (in input order: the last one wins). */
    void unpool(WindowPlan q, float[] x, int[] ind, float[] y);

    void unpool(WindowPlan q, double[] x, int[] ind, double[] y);

    /** Each input's gradient read from the output gradient at its index. */
    void unpoolBackward(WindowPlan q, float[] gy, int[] ind, float[] gx);

    void unpoolBackward(WindowPlan q, double[] gy, int[] ind, double[] gx);
}
