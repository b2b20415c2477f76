package org.sparkpooling.pool;

import java.util.Arrays;

/**
 * The family's fast loops for channels-first tensors: one {@code (n, c)} volume after another.
 * Each output row's windows that no border clips go to {@link PoolVectorSupport}'s channels-first
 * rows of any rank (SIMD where the JVM has them, lanes along the row); the clipped ones, dilated
 * rows and adaptive bins run one window at a time over the plan's clipped ranges. Global average
 * pooling (one window holding the whole volume) is one sum per volume. The tuned 2-D float paths
 * stay in {@link FastKernel}; the double methods are the float ones with the type changed, kept as
 * twins because Java has no generics over primitive arrays, and reading elements through an
 * interface would put a virtual call in every innermost loop.
 */
final class ChannelsFirstBodies implements LayoutBodies {

    private final PoolVectorSupport v;
    /** For the rows without lane rearranges (stride-1 max, global sums): SIMD from Java 17 ({@link PoolVectorization#channelsLastSupport}). */
    private final PoolVectorSupport rows;

    ChannelsFirstBodies(PoolVectorSupport v, PoolVectorSupport rows) {
        this.v = v;
        this.rows = rows;
    }

    /** What of a call's windows the row bodies can take; computed once per call. */
    private static final class Interior {
        /** Whether rows of unclipped windows go to the SIMD support: windowed op, column stride 1 or 2. */
        final boolean simd;
        final int sw;
        /** The outputs along the width whose windows are unclipped: {@code [owLo, owHi)}. */
        final int owLo;
        final int owHi;
        /** One window holds the whole volume (global pooling). */
        final boolean global;
        /** No input lies in two windows; every input lies in one. */
        final boolean disjoint;
        final boolean covering;
        /** Windows two columns wide at stride 2 that tile the volume, undilated and unclipped: max backward writes each input once. */
        final boolean pairTiles;
        /** Stride 2 and the taps rows of two neighbouring columns (c3d's 2x2x2, 2x2, 1x2). */
        final boolean pairRows;
        /** {@link #pairRows}, each row at an even offset: what the double rows need. */
        final boolean evenPairRows;

        Interior(WindowPlan q) {
            int lo = 0;
            while (lo < q.outW && !q.full(2, lo)) {
                lo++;
            }
            int hi = lo;
            while (hi < q.outW && q.full(2, hi)) {
                hi++;
            }
            owLo = lo;
            owHi = hi;
            sw = q.g.spec().op().windowed() ? q.g.stride(2) : 0;
            simd = q.g.spec().op().windowed() && (sw == 1 || sw == 2) && hi > lo;
            global = q.d0 != null && q.outVolume == 1 && q.d0[0] == 0 && q.d1[0] == q.inD && q.h0[0] == 0
                    && q.h1[0] == q.inH && q.w0[0] == 0 && q.w1[0] == q.inW && q.stepD == 1 && q.stepH == 1
                    && q.stepW == 1;
            boolean disjoint = q.d0 != null;
            boolean covering = q.d0 != null;
            for (int a = 0; a < 3 && q.d0 != null; a++) {
                WindowPlan.Cover c = q.cover(a);
                disjoint &= c.most <= 1;
                covering &= c.list.length == c.from.length - 1; // with at most one each: every coordinate has one
            }
            this.disjoint = disjoint;
            this.covering = covering;
            boolean unclipped = true;
            for (int a = 0; a < 3 && q.d0 != null; a++) {
                for (int o = 0; o < q.g.out(a); o++) {
                    unclipped &= q.full(a, o);
                }
            }
            pairTiles = disjoint && covering && unclipped && q.stepW == 1 && q.g.kernel(2) == 2 && sw == 2
                    && q.stepD == 1 && q.stepH == 1;
            int[] taps = q.interiorTaps();
            pairRows = sw == 2 && pairRows(taps, false);
            evenPairRows = sw == 2 && pairRows(taps, true);
        }

        private static boolean pairRows(int[] taps, boolean even) {
            if (taps.length % 2 != 0) {
                return false;
            }
            for (int t = 0; t < taps.length; t += 2) {
                if (even && taps[t] % 2 != 0 || taps[t + 1] != taps[t] + 1) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * The support for an interior row's forward. Rows that need no two-vector rearranges take
     * {@code rows}, SIMD from Java 17: plain loads at column stride 1, and stride-2 pair rows, which
     * split even and odd columns with one-vector rearranges (the double ones only at even offsets):
     * on Java 17 c3d-max channels-first forward + backward 36.1 against 59.6 ms, c3d-avg 28.6
     * against 35.6, float64 large-avg 65.2 against 78.4, float64 large-max 90.3 against 108.7. The
     * rest needs the two-vector rearranges Java 17 runs as library code.
     */
    private PoolVectorSupport forwardRows(Interior in, boolean float64) {
        if (in.sw == 1) {
            return rows;
        }
        return (float64 ? in.evenPairRows : in.pairRows) ? rows : v;
    }

    @Override
    public void max(WindowPlan q, float[] x, float[] y, int[] ind) {
        int[] taps = q.interiorTaps();
        Interior in = new Interior(q);
        PoolVectorSupport interior = forwardRows(in, false);
        int o = 0;
        for (int vol = 0; vol < q.batch * q.channels; vol++) {
            int xb = vol * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += q.outW) {
                    if (in.simd && q.full(0, od) && q.full(1, oh)) {
                        maxWindows(q, x, xb, od, oh, 0, in.owLo, y, ind, o);
                        int first = q.origin(od, oh, in.owLo);
                        interior.maxTaps(x, xb + first, taps, taps, taps.length, in.sw, first,
                                in.owHi - in.owLo, y, ind, o + in.owLo);
                        maxWindows(q, x, xb, od, oh, in.owHi, q.outW, y, ind, o);
                    } else {
                        maxWindows(q, x, xb, od, oh, 0, q.outW, y, ind, o);
                    }
                }
            }
        }
    }

    /** Outputs {@code [from, to)} of row {@code (od, oh)}, one window at a time over the plan's clipped ranges. */
    private static void maxWindows(WindowPlan q, float[] x, int xb, int od, int oh, int from, int to, float[] y,
            int[] ind, int o) {
        int inH = q.inH;
        int inW = q.inW;
        for (int ow = from; ow < to; ow++) {
            int arg = q.origin(od, oh, ow);
            if (q.empty(od, oh, ow)) {
                y[o + ow] = Float.NEGATIVE_INFINITY;
                ind[o + ow] = arg;
                continue;
            }
            float m = Float.NEGATIVE_INFINITY;
            for (int d = q.d0[od]; d < q.d1[od]; d += q.stepD) {
                for (int h = q.h0[oh]; h < q.h1[oh]; h += q.stepH) {
                    int row = (d * inH + h) * inW;
                    for (int w = q.w0[ow]; w < q.w1[ow]; w += q.stepW) {
                        float val = x[xb + row + w];
                        if (val > m || val != val) {
                            m = val;
                            arg = row + w;
                        }
                    }
                }
            }
            // The input's own element, so a NaN keeps its payload as in the reference.
            y[o + ow] = x[xb + arg];
            ind[o + ow] = arg;
        }
    }

    @Override
    public void mean(WindowPlan q, float[] x, float[] y) {
        int[] taps = q.interiorTaps();
        Interior in = new Interior(q);
        PoolVectorSupport interior = forwardRows(in, false);
        int o = 0;
        for (int vol = 0; vol < q.batch * q.channels; vol++) {
            int xb = vol * q.inVolume;
            if (in.global) {
                y[o++] = rows.sum(x, xb, q.inVolume) / q.divisor(0, 0, 0);
                continue;
            }
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += q.outW) {
                    if (in.simd && q.full(0, od) && q.full(1, oh)) {
                        meanWindows(q, x, xb, od, oh, 0, in.owLo, y, o);
                        int first = q.origin(od, oh, in.owLo);
                        interior.sumTaps(x, xb + first, taps, taps.length, in.sw, in.owHi - in.owLo,
                                1f / q.divisor(od, oh, in.owLo), y, o + in.owLo);
                        meanWindows(q, x, xb, od, oh, in.owHi, q.outW, y, o);
                    } else {
                        meanWindows(q, x, xb, od, oh, 0, q.outW, y, o);
                    }
                }
            }
        }
    }

    private static void meanWindows(WindowPlan q, float[] x, int xb, int od, int oh, int from, int to, float[] y,
            int o) {
        int inH = q.inH;
        int inW = q.inW;
        for (int ow = from; ow < to; ow++) {
            if (q.empty(od, oh, ow)) {
                y[o + ow] = 0f;
                continue;
            }
            float s = 0f;
            for (int d = q.d0[od]; d < q.d1[od]; d++) {
                for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                    int row = xb + (d * inH + h) * inW;
                    for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                        s += x[row + w];
                    }
                }
            }
            y[o + ow] = s / q.divisor(od, oh, ow);
        }
    }

    @Override
    public void scatter(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        Interior in = new Interior(q);
        for (int vol = 0, o = 0; vol < q.batch * q.channels; vol++, o += q.outVolume) {
            int xb = vol * q.inVolume;
            // The pair spread writes with blends: without SIMD the zero-and-scatter is faster
            // (c3d-max's backward 63.6 against 14.4 ms on Java 17).
            if (!(in.pairTiles && v.lanes() > 1 && pairTiles(q, gy, ind, o, gx, xb))) {
                // One volume at a time, so the zeroed volume is still in cache when the scatter lands in it.
                Arrays.fill(gx, xb, xb + q.inVolume, 0f);
                for (int i = o; i < o + q.outVolume; i++) {
                    int k = ind[i];
                    if (Integer.compareUnsigned(k, q.inVolume) >= 0) {
                        throw q.g.indexOutside(ind);
                    }
                    gx[xb + k] += gy[i];
                }
            }
        }
    }

    /**
     * One volume of windows two columns wide at stride 2 that tile it: every input written once,
     * input row by input row; false (the volume partly written) when some index lay outside its window.
     */
    private boolean pairTiles(WindowPlan q, float[] gy, int[] ind, int o, float[] gx, int xb) {
        long matches = 0;
        for (int od = 0; od < q.outD; od++) {
            for (int oh = 0; oh < q.outH; oh++, o += q.outW) {
                for (int d = q.d0[od]; d < q.d1[od]; d++) {
                    for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                        int first = (d * q.inH + h) * q.inW;
                        matches += v.spreadMaxPairs(gy, ind, o, q.outW, first, gx, xb + first);
                    }
                }
            }
        }
        return matches == q.outVolume;
    }

    @Override
    public void spread(WindowPlan q, float[] gy, float[] gx) {
        Interior in = new Interior(q);
        int o = 0;
        for (int vol = 0; vol < q.batch * q.channels; vol++) {
            int xb = vol * q.inVolume;
            if (in.global) {
                Arrays.fill(gx, xb, xb + q.inVolume, gy[o++] / q.divisor(0, 0, 0));
                continue;
            }
            if (!in.disjoint || !in.covering) {
                // Overlapping windows add up; windows that share nothing write each of their inputs
                // once, but may leave some out (gaps, or past the last window).
                Arrays.fill(gx, xb, xb + q.inVolume, 0f);
            }
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += q.outW) {
                    if (in.simd && q.full(0, od) && q.full(1, oh)) {
                        spreadWindows(q, in, gy, xb, od, oh, 0, in.owLo, gx, o);
                        spreadRow(q, in, gy, xb, od, oh, gx, o);
                        spreadWindows(q, in, gy, xb, od, oh, in.owHi, q.outW, gx, o);
                    } else {
                        spreadWindows(q, in, gy, xb, od, oh, 0, q.outW, gx, o);
                    }
                }
            }
        }
    }

    /**
     * The unclipped windows of one output row, input row by input row with the windows innermost
     * (a tight loop of stores), each share computed once per window per input row in the same
     * rounding: the same numbers as window by window.
     */
    private static void spreadRow(WindowPlan q, Interior in, float[] gy, int xb, int od, int oh, float[] gx, int o) {
        float inv = 1f / q.divisor(od, oh, in.owLo);
        int kw = q.g.kernel(2);
        int sw = in.sw;
        for (int d = q.d0[od]; d < q.d1[od]; d++) {
            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                int row = xb + (d * q.inH + h) * q.inW;
                if (in.disjoint && kw == 2 && sw == 2) {
                    // 2x2 tiles: HotSpot vectorises this loop (two stores per window), the generic one not
                    for (int ow = in.owLo, a = row + q.w0[in.owLo]; ow < in.owHi; ow++, a += 2) {
                        float share = gy[o + ow] * inv;
                        gx[a] = share;
                        gx[a + 1] = share;
                    }
                    continue;
                }
                for (int ow = in.owLo; ow < in.owHi; ow++) {
                    float share = gy[o + ow] * inv;
                    int a = row + q.w0[ow];
                    if (in.disjoint) {
                        for (int w = 0; w < kw; w++) {
                            gx[a + w] = share;
                        }
                    } else {
                        for (int w = 0; w < kw; w++) {
                            gx[a + w] += share;
                        }
                    }
                }
            }
        }
    }

    private static void spreadWindows(WindowPlan q, Interior in, float[] gy, int xb, int od, int oh, int from, int to,
            float[] gx, int o) {
        for (int ow = from; ow < to; ow++) {
            if (q.empty(od, oh, ow)) {
                continue;
            }
            float share = gy[o + ow] / q.divisor(od, oh, ow);
            for (int d = q.d0[od]; d < q.d1[od]; d++) {
                for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                    int row = xb + (d * q.inH + h) * q.inW;
                    for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                        if (in.disjoint) {
                            gx[row + w] = share;
                        } else {
                            gx[row + w] += share;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void unpool(WindowPlan q, float[] x, int[] ind, float[] y) {
        Arrays.fill(y, 0f);
        int i = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int yb = v * q.outVolume;
            for (int end = i + q.inVolume; i < end; i++) {
                y[yb + ind[i]] = x[i];
            }
        }
    }

    @Override
    public void unpoolBackward(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        int i = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int yb = v * q.outVolume;
            for (int end = i + q.inVolume; i < end; i++) {
                gx[i] = gy[yb + ind[i]];
            }
        }
    }

    @Override
    public void max(WindowPlan q, double[] x, double[] y, int[] ind) {
        int[] taps = q.interiorTaps();
        Interior in = new Interior(q);
        PoolVectorSupport interior = forwardRows(in, true);
        int o = 0;
        for (int vol = 0; vol < q.batch * q.channels; vol++) {
            int xb = vol * q.inVolume;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += q.outW) {
                    if (in.simd && q.full(0, od) && q.full(1, oh)) {
                        maxWindows(q, x, xb, od, oh, 0, in.owLo, y, ind, o);
                        int first = q.origin(od, oh, in.owLo);
                        interior.maxTaps(x, xb + first, taps, taps, taps.length, in.sw, first,
                                in.owHi - in.owLo, y, ind, o + in.owLo);
                        maxWindows(q, x, xb, od, oh, in.owHi, q.outW, y, ind, o);
                    } else {
                        maxWindows(q, x, xb, od, oh, 0, q.outW, y, ind, o);
                    }
                }
            }
        }
    }

    /** Outputs {@code [from, to)} of row {@code (od, oh)}, one window at a time over the plan's clipped ranges. */
    private static void maxWindows(WindowPlan q, double[] x, int xb, int od, int oh, int from, int to, double[] y,
            int[] ind, int o) {
        int inH = q.inH;
        int inW = q.inW;
        for (int ow = from; ow < to; ow++) {
            int arg = q.origin(od, oh, ow);
            if (q.empty(od, oh, ow)) {
                y[o + ow] = Double.NEGATIVE_INFINITY;
                ind[o + ow] = arg;
                continue;
            }
            double m = Double.NEGATIVE_INFINITY;
            for (int d = q.d0[od]; d < q.d1[od]; d += q.stepD) {
                for (int h = q.h0[oh]; h < q.h1[oh]; h += q.stepH) {
                    int row = (d * inH + h) * inW;
                    for (int w = q.w0[ow]; w < q.w1[ow]; w += q.stepW) {
                        double val = x[xb + row + w];
                        if (val > m || val != val) {
                            m = val;
                            arg = row + w;
                        }
                    }
                }
            }
            // The input's own element, so a NaN keeps its payload as in the reference.
            y[o + ow] = x[xb + arg];
            ind[o + ow] = arg;
        }
    }

    @Override
    public void mean(WindowPlan q, double[] x, double[] y) {
        int[] taps = q.interiorTaps();
        Interior in = new Interior(q);
        PoolVectorSupport interior = forwardRows(in, true);
        int o = 0;
        for (int vol = 0; vol < q.batch * q.channels; vol++) {
            int xb = vol * q.inVolume;
            if (in.global) {
                y[o++] = rows.sum(x, xb, q.inVolume) / q.divisor(0, 0, 0);
                continue;
            }
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += q.outW) {
                    if (in.simd && q.full(0, od) && q.full(1, oh)) {
                        meanWindows(q, x, xb, od, oh, 0, in.owLo, y, o);
                        int first = q.origin(od, oh, in.owLo);
                        interior.sumTaps(x, xb + first, taps, taps.length, in.sw, in.owHi - in.owLo,
                                1.0 / q.divisor(od, oh, in.owLo), y, o + in.owLo);
                        meanWindows(q, x, xb, od, oh, in.owHi, q.outW, y, o);
                    } else {
                        meanWindows(q, x, xb, od, oh, 0, q.outW, y, o);
                    }
                }
            }
        }
    }

    private static void meanWindows(WindowPlan q, double[] x, int xb, int od, int oh, int from, int to, double[] y,
            int o) {
        int inH = q.inH;
        int inW = q.inW;
        for (int ow = from; ow < to; ow++) {
            if (q.empty(od, oh, ow)) {
                y[o + ow] = 0.0;
                continue;
            }
            double s = 0.0;
            for (int d = q.d0[od]; d < q.d1[od]; d++) {
                for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                    int row = xb + (d * inH + h) * inW;
                    for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                        s += x[row + w];
                    }
                }
            }
            y[o + ow] = s / q.divisor(od, oh, ow);
        }
    }

    @Override
    public void scatter(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        Interior in = new Interior(q);
        for (int vol = 0, o = 0; vol < q.batch * q.channels; vol++, o += q.outVolume) {
            int xb = vol * q.inVolume;
            // The pair spread writes with blends: without SIMD the zero-and-scatter is faster
            // (c3d-max's backward 63.6 against 14.4 ms on Java 17).
            if (!(in.pairTiles && v.lanes() > 1 && pairTiles(q, gy, ind, o, gx, xb))) {
                // One volume at a time, so the zeroed volume is still in cache when the scatter lands in it.
                Arrays.fill(gx, xb, xb + q.inVolume, 0.0);
                for (int i = o; i < o + q.outVolume; i++) {
                    int k = ind[i];
                    if (Integer.compareUnsigned(k, q.inVolume) >= 0) {
                        throw q.g.indexOutside(ind);
                    }
                    gx[xb + k] += gy[i];
                }
            }
        }
    }

    /**
     * One volume of windows two columns wide at stride 2 that tile it: every input written once,
     * input row by input row; false (the volume partly written) when some index lay outside its window.
     */
    private boolean pairTiles(WindowPlan q, double[] gy, int[] ind, int o, double[] gx, int xb) {
        long matches = 0;
        for (int od = 0; od < q.outD; od++) {
            for (int oh = 0; oh < q.outH; oh++, o += q.outW) {
                for (int d = q.d0[od]; d < q.d1[od]; d++) {
                    for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                        int first = (d * q.inH + h) * q.inW;
                        matches += v.spreadMaxPairs(gy, ind, o, q.outW, first, gx, xb + first);
                    }
                }
            }
        }
        return matches == q.outVolume;
    }

    @Override
    public void spread(WindowPlan q, double[] gy, double[] gx) {
        Interior in = new Interior(q);
        int o = 0;
        for (int vol = 0; vol < q.batch * q.channels; vol++) {
            int xb = vol * q.inVolume;
            if (in.global) {
                Arrays.fill(gx, xb, xb + q.inVolume, gy[o++] / q.divisor(0, 0, 0));
                continue;
            }
            if (!in.disjoint || !in.covering) {
                // Overlapping windows add up; windows that share nothing write each of their inputs
                // once, but may leave some out (gaps, or past the last window).
                Arrays.fill(gx, xb, xb + q.inVolume, 0.0);
            }
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += q.outW) {
                    if (in.simd && q.full(0, od) && q.full(1, oh)) {
                        spreadWindows(q, in, gy, xb, od, oh, 0, in.owLo, gx, o);
                        spreadRow(q, in, gy, xb, od, oh, gx, o);
                        spreadWindows(q, in, gy, xb, od, oh, in.owHi, q.outW, gx, o);
                    } else {
                        spreadWindows(q, in, gy, xb, od, oh, 0, q.outW, gx, o);
                    }
                }
            }
        }
    }

    /**
     * The unclipped windows of one output row, input row by input row with the windows innermost
     * (a tight loop of stores), each share computed once per window per input row in the same
     * rounding: the same numbers as window by window.
     */
    private static void spreadRow(WindowPlan q, Interior in, double[] gy, int xb, int od, int oh, double[] gx, int o) {
        double inv = 1.0 / q.divisor(od, oh, in.owLo);
        int kw = q.g.kernel(2);
        int sw = in.sw;
        for (int d = q.d0[od]; d < q.d1[od]; d++) {
            for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                int row = xb + (d * q.inH + h) * q.inW;
                if (in.disjoint && kw == 2 && sw == 2) {
                    // 2x2 tiles: HotSpot vectorises this loop (two stores per window), the generic one not
                    for (int ow = in.owLo, a = row + q.w0[in.owLo]; ow < in.owHi; ow++, a += 2) {
                        double share = gy[o + ow] * inv;
                        gx[a] = share;
                        gx[a + 1] = share;
                    }
                    continue;
                }
                for (int ow = in.owLo; ow < in.owHi; ow++) {
                    double share = gy[o + ow] * inv;
                    int a = row + q.w0[ow];
                    if (in.disjoint) {
                        for (int w = 0; w < kw; w++) {
                            gx[a + w] = share;
                        }
                    } else {
                        for (int w = 0; w < kw; w++) {
                            gx[a + w] += share;
                        }
                    }
                }
            }
        }
    }

    private static void spreadWindows(WindowPlan q, Interior in, double[] gy, int xb, int od, int oh, int from, int to,
            double[] gx, int o) {
        for (int ow = from; ow < to; ow++) {
            if (q.empty(od, oh, ow)) {
                continue;
            }
            double share = gy[o + ow] / q.divisor(od, oh, ow);
            for (int d = q.d0[od]; d < q.d1[od]; d++) {
                for (int h = q.h0[oh]; h < q.h1[oh]; h++) {
                    int row = xb + (d * q.inH + h) * q.inW;
                    for (int w = q.w0[ow]; w < q.w1[ow]; w++) {
                        if (in.disjoint) {
                            gx[row + w] = share;
                        } else {
                            gx[row + w] += share;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void unpool(WindowPlan q, double[] x, int[] ind, double[] y) {
        Arrays.fill(y, 0.0);
        int i = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int yb = v * q.outVolume;
            for (int end = i + q.inVolume; i < end; i++) {
                y[yb + ind[i]] = x[i];
            }
        }
    }

    @Override
    public void unpoolBackward(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        int i = 0;
        for (int v = 0; v < q.batch * q.channels; v++) {
            int yb = v * q.outVolume;
            for (int end = i + q.inVolume; i < end; i++) {
                gx[i] = gy[yb + ind[i]];
            }
        }
    }
}
