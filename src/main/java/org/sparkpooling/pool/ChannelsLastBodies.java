package org.sparkpooling.pool;

import java.util.Arrays;

/**
 * The family's fast loops for channels-last tensors ({@code N, D, H, W, C}): the channels of one
 * position lie side by side, so each window is a few whole rows of {@code C} elements and its max
 * or sum is an elementwise max or add of those rows, vectorised across the channels
 * ({@link PoolVectorSupport}'s channels-last rows: the Vector API where the JVM has it, else the
 * scalar twin). No transpose: the layout's own order throughout. Backward writes each input row
 * once, gathering from the outputs whose windows hold it in the order the reference adds them, so
 * there is no zeroing pass and no read-modify-write; max backward falls back to zero and scatter
 * when some index lies outside its own window. The double methods are the float ones with the type
 * changed (see {@link ChannelsFirstBodies}).
 */
final class ChannelsLastBodies implements LayoutBodies {

    private final PoolVectorSupport v;
    /**
     * The gathering max rows ({@link PoolVectorSupport#maxAt} without {@link PixelBlocks}): SIMD
     * from Java 21 on, the scalar twin's keyed rows on Java 17, whose C2 kept the vector form's
     * running vectors boxed (textbook-max channels-last forward 15 ms against 0.46 ms for the
     * per-window rows; the keyed rows 0.27-0.28 ms).
     */
    private final PoolVectorSupport maxGathers;

    ChannelsLastBodies(PoolVectorSupport v, PoolVectorSupport simd) {
        this.v = v;
        this.maxGathers = simd;
    }

    /**
     * The outputs that send gradient to one input position, in the order the reference adds them
     * (output raster order), as element offsets of their rows ({@link #out}) and spatial offsets
     * ({@link #spatial}): the output rows {@code (od, oh)} holding the input row, once per input row,
     * then per column the output columns holding it.
     */
    private static final class Gathers {
        final WindowPlan q;
        final WindowPlan.Cover d;
        final WindowPlan.Cover h;
        final WindowPlan.Cover w;
        /** No input lies in two windows: backward can go window by window, each input written once. */
        final boolean disjoint;
        private final int[] row;
        private final int[] rowSpatial;
        final int[] out;
        final int[] spatial;

        Gathers(WindowPlan q) {
            this.q = q;
            d = q.cover(0);
            h = q.cover(1);
            w = q.cover(2);
            disjoint = d.most <= 1 && h.most <= 1 && w.most <= 1;
            row = new int[Math.max(1, d.most * h.most)];
            rowSpatial = new int[row.length];
            out = new int[Math.max(1, row.length * w.most)];
            spatial = new int[out.length];
        }

        /** The output rows holding input row {@code (n, id, ih)}; returns their number. */
        int rows(int n, int id, int ih) {
            int count = 0;
            for (int i = d.from[id]; i < d.from[id + 1]; i++) {
                int od = d.list[i];
                for (int j = h.from[ih]; j < h.from[ih + 1]; j++) {
                    int s = (od * q.outH + h.list[j]) * q.outW;
                    rowSpatial[count] = s;
                    row[count++] = (n * q.outVolume + s) * q.channels;
                }
            }
            return count;
        }

        /** The outputs holding column {@code iw} of the last {@link #rows} call's input row; returns their number. */
        int outputs(int rows, int iw) {
            int from = w.from[iw];
            int to = w.from[iw + 1];
            int count = 0;
            for (int r = 0; r < rows; r++) {
                for (int j = from; j < to; j++) {
                    int ow = w.list[j];
                    spatial[count] = rowSpatial[r] + ow;
                    out[count++] = row[r] + ow * q.channels;
                }
            }
            return count;
        }
    }

    @Override
    public void max(WindowPlan q, float[] x, float[] y, int[] ind) {
        if (q.channels < v.lanes() && q.g.spec().op().windowed()
                && (long) q.inVolume < 1 << 24) {
            maxFewChannels(q, x, y, ind);
            return;
        }
        int c = q.channels;
        int[] cell = new int[Math.max(1, q.maxCells())];
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int base = n * q.inVolume * c;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        int cells = q.cells(od, oh, ow, cell);
                        if (cells == 0) {
                            Arrays.fill(y, yRow, yRow + c, Float.NEGATIVE_INFINITY);
                            Arrays.fill(ind, yRow, yRow + c, q.origin(od, oh, ow));
                        } else {
                            v.maxCells(x, base, cell, cells, c, y, ind, yRow);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void mean(WindowPlan q, float[] x, float[] y) {
        if (q.channels < v.lanes() && q.g.spec().op().windowed()) {
            meanFewChannels(q, x, y);
            return;
        }
        int c = q.channels;
        int[] cell = new int[Math.max(1, q.maxCells())];
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int base = n * q.inVolume * c;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        int cells = q.cells(od, oh, ow, cell);
                        if (cells == 0) {
                            Arrays.fill(y, yRow, yRow + c, 0f);
                        } else {
                            v.sumCells(x, base, cell, cells, c, 1f / q.divisor(od, oh, ow), y, yRow);
                        }
                    }
                }
            }
        }
    }

    /**
     * Max of windows of a fixed size on fewer channels than a vector has lanes: each output row's
     * whole windows in one gathering call ({@link PoolVectorSupport#maxAt}), taps in raster order by
     * the reference's rule as {@link PoolVectorSupport#maxCells}, which takes the clipped ones.
     */
    private void maxFewChannels(WindowPlan q, float[] x, float[] y, int[] ind) {
        int c = q.channels;
        int outRow = q.outW * c;
        WholeWindows whole = new WholeWindows(q, v.lanes());
        int lo = whole.lo;
        int hi = whole.hi;
        // Two pixels a vector where the shape has that form (cells below 2^23 for its index
        // conversion), on any JVM's vector rows, Java 17's too (loads, blends and compares only);
        // else the gathering rows.
        PixelBlocks blocks = (long) q.inVolume < 1 << 23
                ? PixelBlocks.forward(v.lanes(), c, whole.windowStep, q.g.kernel(2), q.stepW * c) : null;
        PoolVectorSupport rowsBy = blocks != null ? v : maxGathers;
        int[] rowAt = new int[q.maxRows()];
        int[] rowCell = new int[rowAt.length];
        int[] cell = new int[Math.max(1, q.maxCells())];
        int o = 0;
        for (int b = 0; b < q.batch; b++) {
            int base = b * q.inVolume * c;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += outRow) {
                    int rows = q.rows(od, oh, base, c, rowAt, rowCell);
                    if (rows > 0 && hi > lo) {
                        rowsBy.maxAt(x, rowAt, rowCell, rows, whole.first, whole.column, lo * c, hi * c,
                                q.g.kernel(2), q.stepW * c, q.stepW, blocks, y, ind, o);
                    }
                    int gathered = rows > 0 && hi > lo ? lo : -1; // where the gathered windows start
                    for (int ow = 0; ow < q.outW; ow++) {
                        if (ow == gathered) {
                            ow = hi - 1; // past them
                            continue;
                        }
                        int cells = q.cells(od, oh, ow, cell);
                        if (cells == 0) {
                            Arrays.fill(y, o + ow * c, o + ow * c + c, Float.NEGATIVE_INFINITY);
                            Arrays.fill(ind, o + ow * c, o + ow * c + c, q.origin(od, oh, ow));
                        } else {
                            v.maxCells(x, base, cell, cells, c, y, ind, o + ow * c);
                        }
                    }
                }
            }
        }
    }

    /**
     * The few-channel rows' view of an output row: each output element's first element in its input
     * row ({@link #first}: {@code w0 * C + k}) and column ({@link #column}, with {@code lanes} zeros
     * past the row for a block's last vector), the range {@code [lo, hi)} of output columns whose
     * windows hold all {@code kw} of their columns, which the gathering calls take, and how many
     * elements apart those windows start ({@link #windowStep}); the others, clipped by padding or the
     * ceil-mode overhang, go window by window.
     */
    private static final class WholeWindows {
        final int[] first;
        final float[] column;
        final int lo;
        final int hi;
        final int windowStep;

        WholeWindows(WindowPlan q, int lanes) {
            int c = q.channels;
            first = new int[q.outW * c];
            column = new float[first.length + lanes];
            for (int j = 0; j < first.length; j++) {
                first[j] = q.w0[j / c] * c + j % c;
                column[j] = q.w0[j / c];
            }
            int kw = q.g.kernel(2);
            int from = 0;
            while (from < q.outW && !whole(q, from, kw)) {
                from++;
            }
            int to = from;
            while (to < q.outW && whole(q, to, kw)) {
                to++;
            }
            lo = from;
            hi = to;
            windowStep = hi - lo > 1 ? (q.w0[lo + 1] - q.w0[lo]) * c : c;
        }

        private static boolean whole(WindowPlan q, int ow, int kw) {
            return q.w1[ow] > q.w0[ow] && (q.w1[ow] - q.w0[ow] + q.stepW - 1) / q.stepW == kw;
        }
    }

    /**
     * Mean of windows of a fixed size on fewer channels than a vector has lanes: each output row's
     * whole windows in one gathering call ({@link PoolVectorSupport#sumAt}), in the same order of
     * additions as {@link PoolVectorSupport#sumCells}, which takes the clipped ones.
     */
    private void meanFewChannels(WindowPlan q, float[] x, float[] y) {
        int c = q.channels;
        int outRow = q.outW * c;
        WholeWindows whole = new WholeWindows(q, v.lanes());
        int lo = whole.lo;
        int hi = whole.hi;
        PixelBlocks blocks = PixelBlocks.forward(v.lanes(), c, whole.windowStep, q.g.kernel(2), c);
        float[] scale = new float[outRow + v.lanes()];
        long scaled = -1; // the rowDivisor that scale holds
        int[] rowAt = new int[q.maxRows()];
        int[] rowCell = new int[rowAt.length];
        int[] cell = new int[Math.max(1, q.maxCells())];
        int o = 0;
        for (int b = 0; b < q.batch; b++) {
            int base = b * q.inVolume * c;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++, o += outRow) {
                    int rows = q.rows(od, oh, base, c, rowAt, rowCell);
                    if (q.rowDivisor(od, oh) != scaled) {
                        scaled = q.rowDivisor(od, oh);
                        for (int ow = 0; ow < q.outW; ow++) {
                            Arrays.fill(scale, ow * c, ow * c + c, 1f / q.divisor(od, oh, ow));
                        }
                    }
                    if (rows > 0 && hi > lo) {
                        v.sumAt(x, rowAt, rows, whole.first, lo * c, hi * c, q.g.kernel(2), c, blocks, scale, y, o);
                    }
                    int gathered = rows > 0 && hi > lo ? lo : -1; // where the gathered windows start
                    for (int ow = 0; ow < q.outW; ow++) {
                        if (ow == gathered) {
                            ow = hi - 1; // past them
                            continue;
                        }
                        int cells = q.cells(od, oh, ow, cell);
                        if (cells == 0) {
                            Arrays.fill(y, o + ow * c, o + ow * c + c, 0f);
                        } else {
                            v.sumCells(x, base, cell, cells, c, scale[ow * c], y, o + ow * c);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void scatter(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        Gathers t = new Gathers(q);
        int c = q.channels;
        long matches = 0;
        if (t.disjoint && c < v.lanes() && (long) q.inVolume < 1 << 24) {
            matches = scatterFewChannels(t, gy, ind, gx);
        } else if (!t.disjoint && scatterPays(q)) {
            scatterInRasterOrder(q, gy, ind, gx);
            return;
        } else if (t.disjoint) {
            int[] cell = new int[Math.max(1, q.maxCells())];
            zeroUncovered(t, gx);
            int o = 0;
            for (int n = 0; n < q.batch; n++) {
                int base = n * q.inVolume * c;
                for (int od = 0; od < q.outD; od++) {
                    for (int oh = 0; oh < q.outH; oh++) {
                        for (int ow = 0; ow < q.outW; ow++, o += c) {
                            matches += v.spreadMax(gy, ind, o, base, cell, q.cells(od, oh, ow, cell), c, gx);
                        }
                    }
                }
            }
        } else {
            for (int n = 0; n < q.batch; n++) {
                for (int d = 0; d < q.inD; d++) {
                    for (int h = 0; h < q.inH; h++) {
                        int rows = t.rows(n, d, h);
                        for (int w = 0; w < q.inW; w++) {
                            int cell = (d * q.inH + h) * q.inW + w;
                            int g = (n * q.inVolume + cell) * c;
                            int outs = t.outputs(rows, w);
                            if (outs == 0) {
                                Arrays.fill(gx, g, g + c, 0f);
                            } else {
                                matches += v.gatherMax(gy, ind, t.out, outs, cell, c, gx, g);
                            }
                        }
                    }
                }
            }
        }
        if (matches != gy.length) {
            scatterInRasterOrder(q, gy, ind, gx); // some index lay outside its own window
        }
    }

    /**
     * Max backward of disjoint windows on fewer channels than a vector has lanes, the input rows of
     * one output row per call ({@link PoolVectorSupport#spreadMaxRowsAt}): window by window, each
     * call would write a few channels of one cell, in the vector rows' scalar tails. Returns how many
     * indices matched.
     */
    private long scatterFewChannels(Gathers t, float[] gy, int[] ind, float[] gx) {
        WindowPlan q = t.q;
        int c = q.channels;
        int n = q.inW * c;
        int[] outOf = new int[n];
        float[] cellOf = new float[n + v.lanes()];
        for (int e = 0; e < n; e++) {
            int w = e / c;
            boolean covered = t.w.from[w] < t.w.from[w + 1];
            outOf[e] = covered ? t.w.list[t.w.from[w]] * c + e % c : 0;
            cellOf[e] = covered ? w : Float.NaN; // equal to no index, even one outside the input
        }
        TiledRow tiled = new TiledRow(q, v.lanes());
        long matches = 0;
        for (int b = 0; b < q.batch; b++) {
            for (int d = 0; d < q.inD; d++) {
                for (int h = 0, rows; h < q.inH; h += rows) {
                    int cell = (d * q.inH + h) * q.inW;
                    int g = (b * q.inVolume + cell) * c;
                    rows = 1;
                    if (t.d.from[d] == t.d.from[d + 1] || t.h.from[h] == t.h.from[h + 1]) {
                        Arrays.fill(gx, g, g + n, 0f);
                        continue;
                    }
                    int od = t.d.list[t.d.from[d]];
                    int oh = t.h.list[t.h.from[h]];
                    rows = rowsOf(t, h, oh);
                    int o = (b * q.outVolume + (od * q.outH + oh) * q.outW) * c;
                    matches += v.spreadMaxRowsAt(gy, ind, o, outOf, cellOf, cell, q.inW, rows, n, gx, g, tiled.tiles,
                            tiled.from, tiled.to);
                }
            }
        }
        return matches;
    }

    /** How many input rows from {@code h} on send their gradient to output row {@code oh} (disjoint windows). */
    private static int rowsOf(Gathers t, int h, int oh) {
        int rows = 1;
        while (h + rows < t.q.inH && t.h.from[h + rows] < t.h.from[h + rows + 1]
                && t.h.list[t.h.from[h + rows]] == oh) {
            rows++;
        }
        return rows;
    }

    /**
     * The elements {@code [from, to)} of an input row that lie in whole windows tiling it (stride =
     * kernel, no dilation), which the few-channel backward rows take block by block ({@link #tiles},
     * null where there are none or a window is wider than a vector).
     */
    private static final class TiledRow {
        final PixelBlocks tiles;
        final int from;
        final int to;

        TiledRow(WindowPlan q, int lanes) {
            int c = q.channels;
            int kw = q.g.kernel(2);
            WholeWindows whole = new WholeWindows(q, lanes);
            tiles = whole.hi > whole.lo && q.stepW == 1 && whole.windowStep == kw * c ? PixelBlocks.tiles(lanes, c, kw)
                    : null;
            from = tiles == null ? 0 : q.w0[whole.lo] * c;
            to = tiles == null ? 0 : (q.w0[whole.hi - 1] + kw) * c;
        }
    }

    /**
     * Mean backward of disjoint windows on fewer channels than a vector has lanes, the input rows of
     * one output row per call ({@link PoolVectorSupport#spreadSumRowsAt}).
     */
    private void spreadFewChannels(Gathers t, float[] gy, float[] gx) {
        WindowPlan q = t.q;
        int c = q.channels;
        int n = q.inW * c;
        int[] outOf = new int[n];
        int[] owOf = new int[n];
        float[] coveredOf = new float[n];
        for (int e = 0; e < n; e++) {
            int w = e / c;
            boolean covered = t.w.from[w] < t.w.from[w + 1];
            owOf[e] = covered ? t.w.list[t.w.from[w]] : 0;
            outOf[e] = owOf[e] * c + (covered ? e % c : 0);
            coveredOf[e] = covered ? 1f : 0f;
        }
        TiledRow tiled = new TiledRow(q, v.lanes());
        float[] rowScale = new float[q.outW + v.lanes()];
        long scaled = -1; // the rowDivisor that rowScale holds
        for (int b = 0; b < q.batch; b++) {
            for (int d = 0; d < q.inD; d++) {
                for (int h = 0, rows; h < q.inH; h += rows) {
                    int g = (b * q.inVolume + (d * q.inH + h) * q.inW) * c;
                    rows = 1;
                    if (t.d.from[d] == t.d.from[d + 1] || t.h.from[h] == t.h.from[h + 1]) {
                        Arrays.fill(gx, g, g + n, 0f);
                        continue;
                    }
                    int od = t.d.list[t.d.from[d]];
                    int oh = t.h.list[t.h.from[h]];
                    rows = rowsOf(t, h, oh);
                    if (q.rowDivisor(od, oh) != scaled) {
                        scaled = q.rowDivisor(od, oh);
                        for (int ow = 0; ow < q.outW; ow++) {
                            rowScale[ow] = 1f / q.divisor(od, oh, ow);
                        }
                    }
                    int o = (b * q.outVolume + (od * q.outH + oh) * q.outW) * c;
                    v.spreadSumRowsAt(gy, o, outOf, owOf, rowScale, coveredOf, rows, n, gx, g, tiled.tiles, tiled.from,
                            tiled.to);
                }
            }
        }
    }

    /** Zero rows of the input that no window holds (past the last window, or between windows that leave gaps). */
    private static void zeroUncovered(Gathers t, float[] gx) {
        WindowPlan q = t.q;
        int c = q.channels;
        for (int n = 0; n < q.batch; n++) {
            for (int d = 0; d < q.inD; d++) {
                for (int h = 0; h < q.inH; h++) {
                    boolean rowCovered = t.d.from[d] < t.d.from[d + 1] && t.h.from[h] < t.h.from[h + 1];
                    for (int w = 0; w < q.inW; w++) {
                        if (!rowCovered || t.w.from[w] == t.w.from[w + 1]) {
                            int g = (n * q.inVolume + (d * q.inH + h) * q.inW + w) * c;
                            Arrays.fill(gx, g, g + c, 0f);
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether overlapping windows' max backward goes output by output, zeroing each image and adding
     * every gradient at its index in raster order, rather than gathering per input cell: where the
     * windows are strided, at most one output per two inputs, the gather visits each cell's few
     * windows for nothing (stem-max channels-last backward 13.3 ms against 22.0 this way), and where
     * a cell lies in so many windows that the gather's compares (window cells per input) reach eight
     * per output: inception-max's 3x3 stride 1 channels-last backward 8.3-9.0 ms against 9.9-11.1
     * (JMH, Java 25, alternated, four runs each, 2026-12-04), while overlap-max's 2x2 stride 1, four
     * per output, took 6.0-7.2 against 4.5-4.7 and keeps the gather.
     */
    private static boolean scatterPays(WindowPlan q) {
        long windowCells = (long) q.g.kernel(0) * q.g.kernel(1) * q.g.kernel(2);
        return 2L * q.outVolume <= q.inVolume || windowCells * q.inVolume >= 8L * q.outVolume;
    }

    /**
     * The reference's way: for indices that do not all lie inside their own windows, and for strided
     * overlapping windows ({@link #scatterPays}).
     */
    private static void scatterInRasterOrder(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        int c = q.channels;
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            // The image's cells zeroed just ahead of the first output row whose windows reach them,
            // so they are still in cache when the scatter lands in them (a whole image of 64
            // channels is 3 MB); an index past the zeroed cells, outside its own window, zeroes the
            // rest of the image first. Either way each cell is zeroed before its first addition.
            int zeroed = 0;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    int reach = reach(q, od, oh);
                    if (reach > zeroed) {
                        Arrays.fill(gx, (xb + zeroed) * c, (xb + reach) * c, 0f);
                        zeroed = reach;
                    }
                    for (int end = yRow + q.outW * c; yRow < end; yRow += c) {
                        for (int k = 0; k < c; k++) {
                            int cell = ind[yRow + k];
                            if (Integer.compareUnsigned(cell, zeroed) >= 0) {
                                zeroed = zeroRest(q, ind, cell, gx, xb, zeroed);
                            }
                            gx[(xb + cell) * c + k] += gy[yRow + k];
                        }
                    }
                }
            }
            Arrays.fill(gx, (xb + zeroed) * c, (xb + q.inVolume) * c, 0f);
        }
    }

    /**
     * The cells before which every cell the windows of output row {@code (od, oh)} hold lies: up to
     * the end of their last row. The whole volume where the plan has no window ranges.
     */
    private static int reach(WindowPlan q, int od, int oh) {
        if (q.d1 == null) {
            return q.inVolume;
        }
        int d = q.d1[od] - 1;
        int h = q.h1[oh];
        return d < 0 || h <= 0 ? 0 : (d * q.inH + h) * q.inW;
    }

    /** An index past the zeroed cells: refused outside the volume, else the rest of the image zeroed; the new bound. */
    private static int zeroRest(WindowPlan q, int[] ind, int cell, float[] gx, int xb, int zeroed) {
        if (Integer.compareUnsigned(cell, q.inVolume) >= 0) {
            throw q.g.indexOutside(ind);
        }
        Arrays.fill(gx, (xb + zeroed) * q.channels, (xb + q.inVolume) * q.channels, 0f);
        return q.inVolume;
    }

    private static int zeroRest(WindowPlan q, int[] ind, int cell, double[] gx, int xb, int zeroed) {
        if (Integer.compareUnsigned(cell, q.inVolume) >= 0) {
            throw q.g.indexOutside(ind);
        }
        Arrays.fill(gx, (xb + zeroed) * q.channels, (xb + q.inVolume) * q.channels, 0.0);
        return q.inVolume;
    }

    @Override
    public void spread(WindowPlan q, float[] gy, float[] gx) {
        Gathers t = new Gathers(q);
        int c = q.channels;
        if (t.disjoint && c < v.lanes()) {
            spreadFewChannels(t, gy, gx);
            return;
        }
        if (t.disjoint) {
            int[] cell = new int[Math.max(1, q.maxCells())];
            zeroUncovered(t, gx);
            int o = 0;
            for (int n = 0; n < q.batch; n++) {
                int base = n * q.inVolume * c;
                for (int od = 0; od < q.outD; od++) {
                    for (int oh = 0; oh < q.outH; oh++) {
                        for (int ow = 0; ow < q.outW; ow++, o += c) {
                            int cells = q.cells(od, oh, ow, cell);
                            if (cells > 0) {
                                v.spreadSum(gy, o, 1f / q.divisor(od, oh, ow), base, cell, cells, c, gx);
                            }
                        }
                    }
                }
            }
            return;
        }
        float[] scale = new float[q.outVolume];
        for (int od = 0, o = 0; od < q.outD; od++) {
            for (int oh = 0; oh < q.outH; oh++) {
                for (int ow = 0; ow < q.outW; ow++, o++) {
                    scale[o] = 1f / q.divisor(od, oh, ow);
                }
            }
        }
        float[] scales = new float[t.out.length];
        for (int n = 0; n < q.batch; n++) {
            for (int d = 0; d < q.inD; d++) {
                for (int h = 0; h < q.inH; h++) {
                    int rows = t.rows(n, d, h);
                    for (int w = 0; w < q.inW; w++) {
                        int g = (n * q.inVolume + (d * q.inH + h) * q.inW + w) * c;
                        int outs = t.outputs(rows, w);
                        if (outs == 0) {
                            Arrays.fill(gx, g, g + c, 0f);
                        } else {
                            for (int i = 0; i < outs; i++) {
                                scales[i] = scale[t.spatial[i]];
                            }
                            v.gatherSum(gy, t.out, scales, outs, c, gx, g);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void unpool(WindowPlan q, float[] x, int[] ind, float[] y) {
        Arrays.fill(y, 0f);
        int c = q.channels;
        int xRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int yb = n * q.outVolume;
            for (int end = xRow + q.inVolume * c; xRow < end; xRow += c) {
                for (int k = 0; k < c; k++) {
                    y[(yb + ind[xRow + k]) * c + k] = x[xRow + k];
                }
            }
        }
    }

    @Override
    public void unpoolBackward(WindowPlan q, float[] gy, int[] ind, float[] gx) {
        int c = q.channels;
        int xRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int yb = n * q.outVolume;
            for (int end = xRow + q.inVolume * c; xRow < end; xRow += c) {
                for (int k = 0; k < c; k++) {
                    gx[xRow + k] = gy[(yb + ind[xRow + k]) * c + k];
                }
            }
        }
    }

    @Override
    public void max(WindowPlan q, double[] x, double[] y, int[] ind) {
        int c = q.channels;
        int[] cell = new int[Math.max(1, q.maxCells())];
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int base = n * q.inVolume * c;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        int cells = q.cells(od, oh, ow, cell);
                        if (cells == 0) {
                            Arrays.fill(y, yRow, yRow + c, Double.NEGATIVE_INFINITY);
                            Arrays.fill(ind, yRow, yRow + c, q.origin(od, oh, ow));
                        } else {
                            v.maxCells(x, base, cell, cells, c, y, ind, yRow);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void mean(WindowPlan q, double[] x, double[] y) {
        int c = q.channels;
        int[] cell = new int[Math.max(1, q.maxCells())];
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int base = n * q.inVolume * c;
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    for (int ow = 0; ow < q.outW; ow++, yRow += c) {
                        int cells = q.cells(od, oh, ow, cell);
                        if (cells == 0) {
                            Arrays.fill(y, yRow, yRow + c, 0.0);
                        } else {
                            v.sumCells(x, base, cell, cells, c, 1.0 / q.divisor(od, oh, ow), y, yRow);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void scatter(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        Gathers t = new Gathers(q);
        int c = q.channels;
        long matches = 0;
        if (!t.disjoint && scatterPays(q)) {
            scatterInRasterOrder(q, gy, ind, gx);
            return;
        }
        if (t.disjoint) {
            int[] cell = new int[Math.max(1, q.maxCells())];
            zeroUncovered(t, gx);
            int o = 0;
            for (int n = 0; n < q.batch; n++) {
                int base = n * q.inVolume * c;
                for (int od = 0; od < q.outD; od++) {
                    for (int oh = 0; oh < q.outH; oh++) {
                        for (int ow = 0; ow < q.outW; ow++, o += c) {
                            matches += v.spreadMax(gy, ind, o, base, cell, q.cells(od, oh, ow, cell), c, gx);
                        }
                    }
                }
            }
        } else {
            for (int n = 0; n < q.batch; n++) {
                for (int d = 0; d < q.inD; d++) {
                    for (int h = 0; h < q.inH; h++) {
                        int rows = t.rows(n, d, h);
                        for (int w = 0; w < q.inW; w++) {
                            int cell = (d * q.inH + h) * q.inW + w;
                            int g = (n * q.inVolume + cell) * c;
                            int outs = t.outputs(rows, w);
                            if (outs == 0) {
                                Arrays.fill(gx, g, g + c, 0.0);
                            } else {
                                matches += v.gatherMax(gy, ind, t.out, outs, cell, c, gx, g);
                            }
                        }
                    }
                }
            }
        }
        if (matches != gy.length) {
            scatterInRasterOrder(q, gy, ind, gx); // some index lay outside its own window
        }
    }

    /** Zero rows of the input that no window holds (past the last window, or between windows that leave gaps). */
    private static void zeroUncovered(Gathers t, double[] gx) {
        WindowPlan q = t.q;
        int c = q.channels;
        for (int n = 0; n < q.batch; n++) {
            for (int d = 0; d < q.inD; d++) {
                for (int h = 0; h < q.inH; h++) {
                    boolean rowCovered = t.d.from[d] < t.d.from[d + 1] && t.h.from[h] < t.h.from[h + 1];
                    for (int w = 0; w < q.inW; w++) {
                        if (!rowCovered || t.w.from[w] == t.w.from[w + 1]) {
                            int g = (n * q.inVolume + (d * q.inH + h) * q.inW + w) * c;
                            Arrays.fill(gx, g, g + c, 0.0);
                        }
                    }
                }
            }
        }
    }

    /** {@link #scatterInRasterOrder(WindowPlan, float[], int[], float[])} in double. */
    private static void scatterInRasterOrder(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        int c = q.channels;
        int yRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int xb = n * q.inVolume;
            int zeroed = 0; // as the float one
            for (int od = 0; od < q.outD; od++) {
                for (int oh = 0; oh < q.outH; oh++) {
                    int reach = reach(q, od, oh);
                    if (reach > zeroed) {
                        Arrays.fill(gx, (xb + zeroed) * c, (xb + reach) * c, 0.0);
                        zeroed = reach;
                    }
                    for (int end = yRow + q.outW * c; yRow < end; yRow += c) {
                        for (int k = 0; k < c; k++) {
                            int cell = ind[yRow + k];
                            if (Integer.compareUnsigned(cell, zeroed) >= 0) {
                                zeroed = zeroRest(q, ind, cell, gx, xb, zeroed);
                            }
                            gx[(xb + cell) * c + k] += gy[yRow + k];
                        }
                    }
                }
            }
            Arrays.fill(gx, (xb + zeroed) * c, (xb + q.inVolume) * c, 0.0);
        }
    }

    @Override
    public void spread(WindowPlan q, double[] gy, double[] gx) {
        Gathers t = new Gathers(q);
        int c = q.channels;
        if (t.disjoint) {
            int[] cell = new int[Math.max(1, q.maxCells())];
            zeroUncovered(t, gx);
            int o = 0;
            for (int n = 0; n < q.batch; n++) {
                int base = n * q.inVolume * c;
                for (int od = 0; od < q.outD; od++) {
                    for (int oh = 0; oh < q.outH; oh++) {
                        for (int ow = 0; ow < q.outW; ow++, o += c) {
                            int cells = q.cells(od, oh, ow, cell);
                            if (cells > 0) {
                                v.spreadSum(gy, o, 1.0 / q.divisor(od, oh, ow), base, cell, cells, c, gx);
                            }
                        }
                    }
                }
            }
            return;
        }
        double[] scale = new double[q.outVolume];
        for (int od = 0, o = 0; od < q.outD; od++) {
            for (int oh = 0; oh < q.outH; oh++) {
                for (int ow = 0; ow < q.outW; ow++, o++) {
                    scale[o] = 1.0 / q.divisor(od, oh, ow);
                }
            }
        }
        double[] scales = new double[t.out.length];
        for (int n = 0; n < q.batch; n++) {
            for (int d = 0; d < q.inD; d++) {
                for (int h = 0; h < q.inH; h++) {
                    int rows = t.rows(n, d, h);
                    for (int w = 0; w < q.inW; w++) {
                        int g = (n * q.inVolume + (d * q.inH + h) * q.inW + w) * c;
                        int outs = t.outputs(rows, w);
                        if (outs == 0) {
                            Arrays.fill(gx, g, g + c, 0.0);
                        } else {
                            for (int i = 0; i < outs; i++) {
                                scales[i] = scale[t.spatial[i]];
                            }
                            v.gatherSum(gy, t.out, scales, outs, c, gx, g);
                        }
                    }
                }
            }
        }
    }

    @Override
    public void unpool(WindowPlan q, double[] x, int[] ind, double[] y) {
        Arrays.fill(y, 0.0);
        int c = q.channels;
        int xRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int yb = n * q.outVolume;
            for (int end = xRow + q.inVolume * c; xRow < end; xRow += c) {
                for (int k = 0; k < c; k++) {
                    y[(yb + ind[xRow + k]) * c + k] = x[xRow + k];
                }
            }
        }
    }

    @Override
    public void unpoolBackward(WindowPlan q, double[] gy, int[] ind, double[] gx) {
        int c = q.channels;
        int xRow = 0;
        for (int n = 0; n < q.batch; n++) {
            int yb = n * q.outVolume;
            for (int end = xRow + q.inVolume * c; xRow < end; xRow += c) {
                for (int k = 0; k < c; k++) {
                    gx[xRow + k] = gy[(yb + ind[xRow + k]) * c + k];
                }
            }
        }
    }
}
