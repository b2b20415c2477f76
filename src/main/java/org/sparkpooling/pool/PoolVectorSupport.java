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

    /*
     * Channels-last rows: lanes are the c channels of one position, which lie side by side, so a
     * window is a few whole rows of c elements and every tap a plain load. The element of cell t,
     * channel k is x[base + cell[t] * c + k]; cells are flat indices inside one volume, in the
     * order the caller lists them (raster order for the window ops, output raster order for the
     * gathers). Any c >= 1: a vector body and a scalar tail.
     */

    /**
     * Max over {@code cells} cells per channel with PyTorch's rule (strictly greater or NaN
     * replaces, in list order, starting from the first cell): the value into {@code y[o + k]},
     * the cell into {@code ind[o + k]}. {@code cells >= 1}.
     */
    void maxCells(float[] x, int base, int[] cell, int cells, int c, float[] y, int[] ind, int o);

    void maxCells(double[] x, int base, int[] cell, int cells, int c, double[] y, int[] ind, int o);

    /** The cells' sum per channel, in list order, times {@code scale}, into {@code y[o + k]}. {@code cells >= 1}. */
    void sumCells(float[] x, int base, int[] cell, int cells, int c, float scale, float[] y, int o);

    void sumCells(double[] x, int base, int[] cell, int cells, int c, double scale, double[] y, int o);

    /**
     * Max backward of one input position, written once: per channel, {@code 0} plus, in list order,
     * {@code gy[out[t] + k]} for each output row {@code out[t]} whose index {@code ind[out[t] + k]}
     * is {@code cell}, and {@code +0} for the others; the reference's zero-then-scatter sum bit for
     * bit when the list holds the outputs whose windows hold the cell in output raster order (adding
     * {@code +0} to a sum that started at {@code +0} changes nothing). Returns how many indices
     * matched, so the caller can tell whether every index lay inside its own window.
     */
    int gatherMax(float[] gy, int[] ind, int[] out, int outs, int cell, int c, float[] gx, int g);

    int gatherMax(double[] gy, int[] ind, int[] out, int outs, int cell, int c, double[] gx, int g);

    /** Avg backward of one input position, written once: {@code sum over t of gy[out[t] + k] * scale[t]}, from 0. */
    void gatherSum(float[] gy, int[] out, float[] scale, int outs, int c, float[] gx, int g);

    void gatherSum(double[] gy, int[] out, double[] scale, int outs, int c, double[] gx, int g);

    /**
     * Max backward of one window that shares no input with another (stride = kernel): every cell's
     * row written once, {@code 0 + gy[o + k]} where the index {@code ind[o + k]} is that cell and
     * {@code 0} elsewhere, which is the reference's zero-then-add result. Returns how many indices
     * matched one of the cells.
     */
    int spreadMax(float[] gy, int[] ind, int o, int base, int[] cell, int cells, int c, float[] gx);

    int spreadMax(double[] gy, int[] ind, int o, int base, int[] cell, int cells, int c, double[] gx);

    /** Avg backward of one window that shares no input with another: {@code gy[o + k] * scale} into every cell's row. */
    void spreadSum(float[] gy, int o, float scale, int base, int[] cell, int cells, int c, float[] gx);

    void spreadSum(double[] gy, int o, double scale, int base, int[] cell, int cells, int c, double[] gx);

    /*
     * Channels-first rows of any rank: {@code count} neighbouring windows of one output row, each
     * with the same taps (a 3-D window is kd x kh rows of kw columns). Window j's tap t is
     * x[a + j * sw + tapAt[t]], its index first + j * sw + tapIndex[t]; sw is 1 or 2. Any count:
     * a vector body and a scalar tail (or, with a full vector, a last step shifted back).
     */

    /** Max in tap order with PyTorch's rule, starting from tap 0: values to {@code y[o + j]}, indices to {@code ind[o + j]}. */
    void maxTaps(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            float[] y, int[] ind, int o);

    void maxTaps(double[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            double[] y, int[] ind, int o);

    /** The sum in tap order, from tap 0, times {@code scale}. */
    void sumTaps(float[] x, int a, int[] tapAt, int taps, int sw, int count, float scale, float[] y, int o);

    void sumTaps(double[] x, int a, int[] tapAt, int taps, int sw, int count, double scale, double[] y, int o);

    /** The sum of {@code x[a .. a + n)}, in any order (global average pooling: within avg's tolerance, not bit for bit). */
    float sum(float[] x, int a, int n);

    double sum(double[] x, int a, int n);

    /**
     * Max backward of {@code count} windows two columns wide at stride 2 that share no input, one of
     * their input rows: window j's outputs sit at {@code o + j}, its two inputs of this row at
     * {@code gx[a + 2j]} and {@code gx[a + 2j + 1]} with flat indices {@code first + 2j} and
     * {@code first + 2j + 1}. Writes {@code 0 + gy} where the index points and 0 elsewhere (the
     * reference's zero-then-add result); returns how many indices pointed into this row.
     */
    int spreadMaxPairs(float[] gy, int[] ind, int o, int count, int first, float[] gx, int a);

    int spreadMaxPairs(double[] gy, int[] ind, int o, int count, int first, double[] gx, int a);

    /** {@code dst[d + i] += src[s + i]} for {@code i < n}. */
    void addInto(float[] src, int s, float[] dst, int d, int n);

    /**
     * Avg backward of one row of 2x2 stride-2 tiles: {@code gy[o + j] * scale} into the four cells
     * {@code gx[a + 2j]}, {@code gx[a + 2j + 1]} and the same one input row ({@code inW}) below, for
     * {@code j < count}.
     */
    void spreadTiles(float[] gy, int o, int count, float scale, float[] gx, int a, int inW);

    /**
     * Avg backward's row of shares: {@code r[b + w]} for {@code w < n}, from 0, plus the share of
     * each window holding column {@code w}, in output order. Window {@code ow} holds the columns
     * {@code ow * sw - pw + d} for taps {@code d < kw}; its share is {@code share[m + ow]}, and
     * {@code share} is zero around the windows' own, at least {@code kw + pw + 2 * lanes()} each
     * side, so a tap of a window that does not exist adds 0 (which changes no sum: one that starts
     * from +0 is never -0).
     */
    void shareRow(float[] share, int m, int kw, int sw, int pw, float[] r, int b, int n);

    /**
     * {@link #maxTaps} over a copy of the plane padded with {@code -inf}, so that border windows
     * run the same rows as interior ones: each window starts from {@code -inf} at index
     * {@code init[j] + initOffset} (its first cell inside the input, the reference's start) and
     * takes every tap by the rule; a padding tap, {@code -inf}, is never taken.
     */
    void maxTapsFrom(float[] x, int a, int[] tapAt, int[] tapIndex, int taps, int sw, int first, int count,
            int[] init, int initOffset, float[] y, int[] ind, int o);

    /**
     * One output row of 3x3 column-stride-2 max windows whose three rows lie in the plane, read from
     * the plane itself, no padded copy: window {@code j < count} reads the cells
     * {@code x[a + r * inW + 2 * j + d]}, {@code r, d < 3}, whose indices are {@code first} plus the
     * same offset; with {@code clipFirst} window 0's column {@code d = 0} lies left of the plane
     * (padding 1) and is not one of its cells. Each window starts from {@code -inf} at index
     * {@code init[j] + initOffset}, as in {@link #maxTapsFrom}. Reads up to
     * {@code x[a + 2 * inW + 2 * count + 1]}.
     */
    void max3x3s2Row(float[] x, int a, int inW, boolean clipFirst, int first, int count, int[] init, int initOffset,
            float[] y, int[] ind, int o);

    /*
     * Separable max ({@link SeparableMax}): the column maxima of a window's rows, then the max of
     * neighbouring columns. Row order is raster order and the flat index grows with it, so among
     * equal values the reference's first in raster order is the one with the smallest index: the
     * column pass keeps the first row (strictly greater replaces), the row pass the smaller index.
     * NaN breaks that (the reference keeps the last NaN): the column pass reports it, and the caller
     * redoes that output row exactly. The columns' indices are floats, exact below 2^24, so that
     * every compare and blend is in one lane type.
     */

    /**
     * For {@code j < n}: the max over rows {@code r < rows} of {@code x[rowAt[r] + j]}, in row order,
     * a later row replacing only when strictly greater, into {@code col[c + j]}, and its flat index
     * {@code rowCell[r] + colOf[j]} into {@code idx[c + j]}. Returns false if some element read was
     * NaN (then what was written is unspecified). {@code rows >= 1}, every index below 2^24.
     */
    boolean columnMax(float[] x, int[] rowAt, int[] rowCell, int rows, float[] colOf, int n, float[] col, float[] idx,
            int c);

    /**
     * For {@code j < n}: the max over taps {@code t < taps} of {@code col[a + j + t * step]} that
     * keeps, among equal values, the smallest {@code idx}; the value into {@code y[o + j]}, its
     * index into {@code ind[o + j]}. No NaN in what is read.
     */
    void maxAlong(float[] col, float[] idx, int a, int n, int taps, int step, float[] y, int[] ind, int o);

    /**
     * Max backward of one channels-last input row of disjoint windows, every element written once:
     * element {@code e} is {@code 0 + gy[o + outOf[e]]} where {@code ind[o + outOf[e]]} is its cell
     * {@code cellBase + cellOf[e]}, else {@code +0} (the reference's zero-then-add result). An
     * element that no window holds has a NaN {@code cellOf}, so it matches no index, not even one
     * outside the input. Returns how many elements matched, so the caller can tell whether every
     * index lay inside its own window. Cells below 2^24 (compared as floats).
     */
    int spreadMaxAt(float[] gy, int[] ind, int o, int[] outOf, float[] cellOf, int cellBase, int n, float[] gx, int g);

    /**
     * {@link #spreadMaxAt} of {@code rows} consecutive input rows whose windows are those of the
     * same output row: row {@code r}'s cells from {@code cellBase + r * rowCells}, its elements from
     * {@code gx[g + r * n]}. With {@code tiles} (null for none), elements {@code [from, to)} lie in
     * whole windows that tile the row as {@code tiles} was made for, starting at a window, and
     * {@code cellOf} has {@link #lanes} readable elements past {@code n}; an implementation may then
     * load whole vectors there instead of gathering. This one goes row by row through
     * {@link #spreadMaxAt}.
     */
    default int spreadMaxRowsAt(float[] gy, int[] ind, int o, int[] outOf, float[] cellOf, int cellBase, int rowCells,
            int rows, int n, float[] gx, int g, PixelBlocks tiles, int from, int to) {
        int matches = 0;
        for (int r = 0; r < rows; r++) {
            matches += spreadMaxAt(gy, ind, o, outOf, cellOf, cellBase + r * rowCells, n, gx, g + r * n);
        }
        return matches;
    }

    /**
     * Channels-last windows on few channels, gathered: for {@code j} in {@code [from, to)}, the sum
     * over rows {@code r < rows}, then taps {@code t < taps}, of {@code x[rowAt[r] + first[j] + t * step]}
     * (the reference's raster order, from the first cell), times {@code scale[j]}, into {@code y[o + j]}.
     * {@code blocks} as in {@link #maxAt}, with {@code scale} in place of {@code column}.
     */
    void sumAt(float[] x, int[] rowAt, int rows, int[] first, int from, int to, int taps, int step, PixelBlocks blocks,
            float[] scale, float[] y, int o);

    /**
     * Avg backward of one channels-last input row of disjoint windows, every element written once:
     * element {@code e} is {@code gy[o + outOf[e]] * rowScale[owOf[e]]} where {@code coveredOf[e] > 0},
     * else 0.
     */
    void spreadSumAt(float[] gy, int o, int[] outOf, int[] owOf, float[] rowScale, float[] coveredOf, int n,
            float[] gx, int g);

    /**
     * {@link #spreadSumAt} of {@code rows} consecutive input rows whose windows are those of the same
     * output row (row {@code r} from {@code gx[g + r * n]}), {@code tiles} as in
     * {@link #spreadMaxRowsAt}, with {@code rowScale} {@link #lanes} readable elements past the
     * output row. This one goes row by row through {@link #spreadSumAt}.
     */
    default void spreadSumRowsAt(float[] gy, int o, int[] outOf, int[] owOf, float[] rowScale, float[] coveredOf,
            int rows, int n, float[] gx, int g, PixelBlocks tiles, int from, int to) {
        for (int r = 0; r < rows; r++) {
            spreadSumAt(gy, o, outOf, owOf, rowScale, coveredOf, n, gx, g + r * n);
        }
    }

    /**
     * Channels-last max on few channels, gathered: for {@code j} in {@code [from, to)}, the max by
     * the reference's rule (strictly greater or NaN replaces) over rows {@code r < rows}, then taps
     * {@code t < taps}, of {@code x[rowAt[r] + first[j] + t * step]}; the value into {@code y[o + j]},
     * its cell {@code rowCell[r] + column[j] + t * stride} into {@code ind[o + j]}. Cells below 2^24.
     * With {@code blocks} (null for none), {@code [from, to)} starts at a pixel, its windows are
     * evenly spaced as {@code blocks} was made for, cells are below 2^23, and {@code column} has
     * {@link #lanes} readable elements past {@code to}; an implementation may then load whole
     * vectors instead of gathering.
     */
    void maxAt(float[] x, int[] rowAt, int[] rowCell, int rows, int[] first, float[] column, int from, int to, int taps,
            int step, int stride, PixelBlocks blocks, float[] y, int[] ind, int o);
}
