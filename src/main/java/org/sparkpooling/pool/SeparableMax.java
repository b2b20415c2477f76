package org.sparkpooling.pool;

import java.util.Arrays;

/**
 * Max pooling forward of windows of three or more cells a side in two passes, either layout, any
 * rank: per output row, the column maxima of the window's input rows ({@code kd x kh} of them),
 * then along the row the max of each window's {@code kw} neighbouring columns. A 3x3 window costs
 * 3 + 3 taps instead of 9, and every tap is a plain vector load of contiguous memory, no lane
 * rearranged: across the columns channels-first, across the columns and their channels
 * channels-last.
 *
 * <p>Exact: among equal values the reference keeps the first in raster order, which is the
 * smallest flat index, and each pass keeps that ({@link PoolVectorSupport#columnMax},
 * {@link PoolVectorSupport#maxAlong}). Border windows read padding columns of {@code -inf} whose
 * index is larger than any cell's, so a cell of the input, even {@code -inf}, always beats them, and
 * the window's first cell wins an all {@code -inf} window as in the reference. The one rule
 * separability breaks is NaN's (the reference keeps the last NaN of a window): an output row whose
 * windows read a NaN is redone window by window in raster order.
 *
 * <p>Used where {@link #applies} says it pays.
 */
final class SeparableMax {

    private final WindowPlan q;
    private final boolean channelsLast;
    /** Both passes: plain loads, no lane rearranged. */
    private final PoolVectorSupport rows;
    private final int c;
    private final int kw;
    private final int sw;
    private final int pw;
    /** Elements per input row: inW channels-first, inW x C channels-last. */
    private final int rowLength;
    /** Per element of an input row, its column: itself channels-first, {@code j / C} channels-last. */
    private final float[] colOf;

    SeparableMax(WindowPlan q, PoolVectorSupport rows) {
        this.q = q;
        this.channelsLast = switch (q.g.input().layout()) {
            case CHANNELS_FIRST -> false;
            case CHANNELS_LAST -> true;
        };
        this.rows = rows;
        c = channelsLast ? q.channels : 1;
        kw = q.g.kernel(2);
        sw = q.g.stride(2);
        pw = q.g.padding(2);
        rowLength = q.inW * c;
        colOf = new float[rowLength];
        for (int j = 0; j < rowLength; j++) {
            colOf[j] = j / c;
        }
    }

    /** The index of a padding column: above every cell's, and like them exact as a float. */
    private static final float PADDING_INDEX = 0x1p25f;

    /**
     * Whether this class computes {@code g}'s max forward ({@link #computes}) and pays, with
     * {@code rows} the SIMD support of Java 21 and later (on Java 17 C2 kept these passes' vectors
     * boxed: inception-max channels-last forward took 36 ms this way against 6.8 ms for the rows
     * of {@link ChannelsLastBodies}):
     * <ul>
     * <li>windows of at least 3 rows by 3 columns at column stride 1 (channels-first, its stride-2
     * row pass would rearrange lanes, and the padded plane's taps measured as fast). Measured
     * forward, Java 25, alternated with the build before: inception-max 7.8 against 8.8-14.1 ms
     * channels-first, 5.9-6.2 against 7.3-10.5 channels-last; c3d-max's 2x2x2 channels-last was
     * slower this way (19 against 10-12 ms), so 2-wide windows stay out. Channels-last stride 2
     * went this way too until the channels-last rows got faster: on 2026-12-02 stem-max
     * channels-last forward took 15.6-16.6 ms this way against 21.6-22.3 for those rows, on
     * 2026-12-04 (another machine, the rows changed since) 20.7-23.8 against 14.1-17.7, forward +
     * backward 36.8-44.8 against 29.3-31.0 (JMH, alternated), while inception-max channels-last
     * measured the same either way (9.1-9.4 ms against 9.2-10.3), so it stays;
     * <li>channels-last tensors of fewer channels than a vector has lanes go to the gathering rows of
     * {@link ChannelsLastBodies} instead, which measured as fast on the textbook case.
     * </ul>
     */
    static boolean applies(NdPoolGeometry g, PoolVectorSupport rows) {
        if (rows.lanes() <= 1 || !computes(g)) {
            return false;
        }
        boolean channelsLast = switch (g.input().layout()) {
            case CHANNELS_FIRST -> false;
            case CHANNELS_LAST -> true;
        };
        int windowRows = g.kernel(0) * g.kernel(1);
        return windowRows >= 3 && g.kernel(2) >= 3 && g.stride(2) == 1
                && !(channelsLast && g.input().c() < rows.lanes());
    }

    /**
     * Whether this class gives the reference's result for {@code g}: max pooling with undilated
     * columns, every window holding a cell (no dilated miss, no ceil-mode window past the input),
     * and volumes below 2^24 cells (indices travel as floats).
     */
    static boolean computes(NdPoolGeometry g) {
        boolean max = switch (g.spec().op()) {
            case MAX -> true;
            case AVG, ADAPTIVE_MAX, ADAPTIVE_AVG, LP, UNPOOL -> false;
        };
        boolean small = (long) g.in(0) * g.in(1) * g.in(2) <= 1 << 24;
        if (!max || !small || g.dilation(2) != 1) {
            return false;
        }
        for (int a = 0; a < 3; a++) {
            for (int o = 0; o < g.out(a); o++) {
                if (g.start(a, o) >= g.end(a, o)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Values into {@code y}, indices into {@code ind} (never null), in the plan's layout. */
    void max(float[] x, float[] y, int[] ind) {
        float[] col = new float[Math.max(pw + q.inW, q.outW * sw + kw) * c];
        float[] idx = new float[col.length];
        Arrays.fill(col, Float.NEGATIVE_INFINITY);
        Arrays.fill(idx, PADDING_INDEX);
        int[] rowAt = new int[q.maxRows()];
        int[] rowCell = new int[rowAt.length];
        int[] cell = new int[Math.max(1, q.maxCells())];
        int volumes = channelsLast ? q.batch : q.batch * q.channels;
        int inStride = channelsLast ? q.inVolume * q.channels : q.inVolume;
        int outRow = q.outW * c;
        for (int v = 0, o = 0; v < volumes; v++) {
            int base = v * inStride;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += outRow) {
                    int n = q.rows(od, oh, base, c, rowAt, rowCell);
                    if (rows.columnMax(x, rowAt, rowCell, n, colOf, rowLength, col, idx, pw * c)) {
                        alongRow(col, idx, y, ind, o);
                    } else {
                        exactRow(x, base, od, oh, cell, y, ind, o);
                    }
                }
            }
        }
    }

    /** The row pass over one output row's column maxima. */
    private void alongRow(float[] col, float[] idx, float[] y, int[] ind, int o) {
        if (sw == 1) {
            // channels-last, output element j = ow * C + k reads column element j + t * C: one flat row
            rows.maxAlong(col, idx, 0, q.outW * c, kw, c, y, ind, o);
        } else {
            for (int ow = 0; ow < q.outW; ow++) {
                rows.maxAlong(col, idx, ow * sw * c, c, kw, c, y, ind, o + ow * c);
            }
        }
    }

    /** One output row that read a NaN: each window's cells in raster order by the reference's rule ({@link PoolVectorSupport#maxCells}). */
    private void exactRow(float[] x, int base, int od, int oh, int[] cell, float[] y, int[] ind, int o) {
        for (int ow = 0; ow < q.outW; ow++) {
            rows.maxCells(x, base, cell, q.cells(od, oh, ow, cell), c, y, ind, o + ow * c);
        }
    }
}
