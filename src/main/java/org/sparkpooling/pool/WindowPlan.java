package org.sparkpooling.pool;

import java.util.function.IntUnaryOperator;

/**
 * The data-independent part of one call of the family's fast bodies: each output's window as
 * ranges clipped to the input, per axis ({@code [d0, d1) x [h0, h1) x [w0, w1)} on the step grid),
 * and the divisor's factors per axis. Two small arrays per axis, computed once per call, so no
 * body repeats the padding, ceil-mode or bin arithmetic of {@link NdPoolGeometry}.
 */
final class WindowPlan {
    final NdPoolGeometry g;
    final int batch;
    final int channels;
    final int inD;
    final int inH;
    final int inW;
    final int outD;
    final int outH;
    final int outW;
    final int inVolume;
    final int outVolume;
    final int stepD;
    final int stepH;
    final int stepW;
    /** First cell (on the step grid) and clipped end of each output's window, per axis; null for unpool. */
    final int[] d0;
    final int[] d1;
    final int[] h0;
    final int[] h1;
    final int[] w0;
    final int[] w1;
    /** The divisor's factor of each output along each axis (avg, adaptive avg, lp); null for the other ops. */
    private final int[] divD;
    private final int[] divH;
    private final int[] divW;
    /** Whether the op divides (avg, adaptive avg, lp): only then is {@link #divisor} defined. */
    final boolean divides;
    /** divisorOverride, or 0 for none (an override is never 0). */
    private final int override;
    /** {@link #interiorTaps}, and per axis whether each output's window is {@link #full}: what {@link #cells} fills unclipped windows from. */
    private final int[] taps;
    private final boolean[] fullD;
    private final boolean[] fullH;
    private final boolean[] fullW;

    WindowPlan(NdPoolGeometry g) {
        this.g = g;
        batch = g.input().n();
        channels = g.input().c();
        inD = g.in(0);
        inH = g.in(1);
        inW = g.in(2);
        outD = g.out(0);
        outH = g.out(1);
        outW = g.out(2);
        inVolume = inD * inH * inW;
        outVolume = outD * outH * outW;
        stepD = g.step(0);
        stepH = g.step(1);
        stepW = g.step(2);
        boolean windows = switch (g.spec().op()) {
            case MAX, AVG, LP, ADAPTIVE_MAX, ADAPTIVE_AVG -> true;
            case UNPOOL -> false;
        };
        divides = switch (g.spec().op()) {
            case AVG, ADAPTIVE_AVG, LP -> true;
            case MAX, ADAPTIVE_MAX, UNPOOL -> false;
        };
        int[] outputs = {outD, outH, outW};
        d0 = windows ? perOutput(outputs[0], o -> g.start(0, o)) : null;
        d1 = windows ? perOutput(outputs[0], o -> g.end(0, o)) : null;
        h0 = windows ? perOutput(outputs[1], o -> g.start(1, o)) : null;
        h1 = windows ? perOutput(outputs[1], o -> g.end(1, o)) : null;
        w0 = windows ? perOutput(outputs[2], o -> g.start(2, o)) : null;
        w1 = windows ? perOutput(outputs[2], o -> g.end(2, o)) : null;
        divD = divides ? perOutput(outputs[0], o -> g.divisorFactor(0, o)) : null;
        divH = divides ? perOutput(outputs[1], o -> g.divisorFactor(1, o)) : null;
        divW = divides ? perOutput(outputs[2], o -> g.divisorFactor(2, o)) : null;
        override = g.spec().divisorOverride() == null ? 0 : g.spec().divisorOverride();
        // Only where a whole window fits the input along every axis: otherwise none is full, and a
        // kernel of more cells than the input has (im2col's refusal test) needs no list of them
        boolean fits = g.spec().op().windowed();
        for (int a = 0; a < 3 && fits; a++) {
            fits = (long) g.step(a) * (g.kernel(a) - 1) < g.in(a);
        }
        taps = fits ? interiorTaps() : null;
        fullD = taps != null ? fullAlong(0, outD) : null;
        fullH = taps != null ? fullAlong(1, outH) : null;
        fullW = taps != null ? fullAlong(2, outW) : null;
    }

    private boolean[] fullAlong(int axis, int outputs) {
        boolean[] full = new boolean[outputs];
        for (int o = 0; o < outputs; o++) {
            full[o] = full(axis, o);
        }
        return full;
    }

    /** Whether output {@code (od, oh, ow)}'s window holds no input cell (a dilated miss, or ceil-mode padding). */
    boolean empty(int od, int oh, int ow) {
        return d0[od] >= d1[od] || h0[oh] >= h1[oh] || w0[ow] >= w1[ow];
    }

    /** The flat index of the window's first cell: the argmax of an all -inf window, PyTorch's index of a missed one. */
    int origin(int od, int oh, int ow) {
        return (d0[od] * inH + h0[oh]) * inW + w0[ow];
    }

    /**
     * The taps of a window that no border clips, as offsets from its first cell (element and
     * flat index alike, channels-first), in raster order; null for the ops whose windows vary in
     * size (adaptive) or have none (unpool).
     */
    int[] interiorTaps() {
        if (!g.spec().op().windowed()) {
            return null;
        }
        int[] taps = new int[g.kernel(0) * g.kernel(1) * g.kernel(2)];
        int n = 0;
        for (int d = 0; d < g.kernel(0); d++) {
            for (int h = 0; h < g.kernel(1); h++) {
                for (int w = 0; w < g.kernel(2); w++) {
                    taps[n++] = ((d * stepD) * inH + h * stepH) * inW + w * stepW;
                }
            }
        }
        return taps;
    }

    /** Whether output {@code o}'s window along {@code axis} lies wholly inside the input (its full kernel, unclipped). */
    boolean full(int axis, int o) {
        int first = g.first(axis, o);
        return first >= 0 && first + g.step(axis) * (g.kernel(axis) - 1) < g.in(axis);
    }

    /** The most cells any window holds: the size of the scratch {@link #cells} fills. */
    int maxCells() {
        return maxSpan(d0, d1, stepD) * maxSpan(h0, h1, stepH) * maxSpan(w0, w1, stepW);
    }

    /**
     * Fills {@code cell} with the flat indices of output {@code (od, oh, ow)}'s window cells in
     * raster order (the order the reference visits them) and returns their number, 0 for an empty window.
     */
    int cells(int od, int oh, int ow, int[] cell) {
        if (taps != null && fullD[od] && fullH[oh] && fullW[ow]) {
            // The same cells as the walk below: the channels-last bodies ask for every window's,
            // and the walk's nested loops showed in c3d's 2x2x2 channels-last (forward + backward,
            // JMH, three pairs alternated: c3d-max 16.5-20.4 ms against 20.6-22.2, c3d-avg
            // 16.2-18.9 against 18.8-20.0)
            int origin = origin(od, oh, ow);
            for (int t = 0; t < taps.length; t++) {
                cell[t] = origin + taps[t];
            }
            return taps.length;
        }
        int n = 0;
        for (int d = d0[od]; d < d1[od]; d += stepD) {
            for (int h = h0[oh]; h < h1[oh]; h += stepH) {
                int row = (d * inH + h) * inW;
                for (int w = w0[ow]; w < w1[ow]; w += stepW) {
                    cell[n++] = row + w;
                }
            }
        }
        return n;
    }

    /**
     * The input rows of output row {@code (od, oh)}'s windows in raster order: each row's first
     * cell (flat index of column 0) into {@code rowCell}, and {@code base + rowCell * elements}, its
     * first element in the data, into {@code rowAt}; returns their number. {@code elements} is the
     * channel count channels-last, 1 channels-first.
     */
    int rows(int od, int oh, int base, int elements, int[] rowAt, int[] rowCell) {
        int n = 0;
        for (int d = d0[od]; d < d1[od]; d += stepD) {
            for (int h = h0[oh]; h < h1[oh]; h += stepH) {
                rowCell[n] = (d * inH + h) * inW;
                rowAt[n] = base + rowCell[n] * elements;
                n++;
            }
        }
        return n;
    }

    /** The most input rows a window holds: the size of the arrays {@link #rows} fills. */
    int maxRows() {
        return Math.max(1, maxSpan(d0, d1, stepD) * maxSpan(h0, h1, stepH));
    }

    private static int maxSpan(int[] start, int[] end, int step) {
        int most = 0;
        for (int o = 0; o < start.length; o++) {
            most = Math.max(most, end[o] > start[o] ? (end[o] - start[o] + step - 1) / step : 0);
        }
        return most;
    }

    /**
     * Per axis, the outputs whose windows hold each input coordinate, ascending: the outputs that
     * send gradient to an input, in the order the reference adds them. For backward passes that
     * write each input once.
     */
    Cover cover(int axis) {
        return switch (axis) {
            case 0 -> new Cover(d0, d1, stepD, inD);
            case 1 -> new Cover(h0, h1, stepH, inH);
            default -> new Cover(w0, w1, stepW, inW);
        };
    }

    /** Coordinate {@code i}'s outputs are {@code list[from[i]] .. list[from[i + 1] - 1]}. */
    static final class Cover {
        final int[] from;
        final int[] list;
        final int most;

        Cover(int[] start, int[] end, int step, int in) {
            from = new int[in + 1];
            for (int o = 0; o < start.length; o++) {
                for (int i = start[o]; i < end[o]; i += step) {
                    from[i + 1]++;
                }
            }
            int most = 0;
            for (int i = 0; i < in; i++) {
                most = Math.max(most, from[i + 1]);
                from[i + 1] += from[i];
            }
            this.most = most;
            list = new int[from[in]];
            int[] next = java.util.Arrays.copyOf(from, in);
            for (int o = 0; o < start.length; o++) {
                for (int i = start[o]; i < end[o]; i += step) {
                    list[next[i]++] = o;
                }
            }
        }
    }

    long divisor(int od, int oh, int ow) {
        return override != 0 ? override : (long) divD[od] * divH[oh] * divW[ow];
    }

    /**
     * What the divisors of output row {@code (od, oh)} depend on besides the column: two rows with the
     * same value have the same {@link #divisor} at every column.
     */
    long rowDivisor(int od, int oh) {
        return override != 0 ? override : (long) divD[od] * divH[oh];
    }

    private static int[] perOutput(int outputs, IntUnaryOperator value) {
        int[] v = new int[outputs];
        for (int o = 0; o < outputs; o++) {
            v[o] = value.applyAsInt(o);
        }
        return v;
    }
}
