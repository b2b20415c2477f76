package org.sparkpooling.pool;

import java.util.Arrays;
import org.sparkpooling.tensor.IntImage;

/**
 * {@link DownsampleMode#MODE} and {@link DownsampleMode#MEDIAN} for {@link ImagePooling}: the modes
 * that do not fold row by row. Samples are read as {@link ImagePooling#orderedRow} gives them, so one
 * signed {@code int} comparison orders 8-, 16- and 32-bit samples alike and a 32-bit label id is
 * compared, never rounded.
 *
 * <p>Full 2 x 2 windows, the pipeline's common case, take a branch-free path on their four samples
 * (a min/max sorting network, the mode read from its neighbours; sparse, counts from the six pairwise
 * comparisons), because label data makes a branch on sample values unpredictable. Every other window (larger factors,
 * partial edges) is gathered into one reused buffer and sorted, unless its samples are all equal:
 * the mode is then the longest run, the median the middle element. Nothing is allocated per window;
 * the buffers are the window's rows as {@code int}s and one output row.
 */
final class WindowRanks {

    /** {@link #majority}'s "none": every {@code int} is a sample at 32 bits, so it answers in a long. */
    private static final long NONE = Long.MIN_VALUE;

    /** The largest window {@link #sort} sorts with a network: factor 4's 16 samples. */
    static final int NETWORK_LIMIT = 16;

    private final IntImage in;
    private final IntImage out;
    private final int f;
    private final int c;
    private final boolean sparse;
    private final int zero;
    /** The window's rows, as {@link ImagePooling#orderedRow} gives them. */
    private final int[][] rows;
    private final int[] window;
    private final int[] outRow;
    /** {@link #sortingNetwork}{@code (n)} for each window size {@code n} up to {@link #NETWORK_LIMIT} it can hold. */
    private final int[][] networks;

    private WindowRanks(IntImage in, IntImage out, int f, boolean sparse) {
        this.in = in;
        this.out = out;
        this.f = f;
        this.c = in.channels();
        this.sparse = sparse;
        this.zero = ImagePooling.orderedZero(in);
        int rowCount = Math.min(f, in.height());
        this.rows = new int[rowCount][in.width() * c];
        this.window = new int[rowCount * Math.min(f, in.width())];
        this.outRow = new int[out.width() * c];
        this.networks = new int[Math.min(NETWORK_LIMIT, window.length) + 1][];
        for (int n = 0; n < networks.length; n++) {
            networks[n] = sortingNetwork(n);
        }
    }

    static IntImage mode(IntImage in, IntImage out, int f, boolean sparse) {
        new WindowRanks(in, out, f, sparse).run(true);
        return out;
    }

    static IntImage median(IntImage in, IntImage out, int f, boolean sparse) {
        new WindowRanks(in, out, f, sparse).run(false);
        return out;
    }

    private void run(boolean mode) {
        int ow = out.width();
        for (int oy = 0; oy < out.height(); oy++) {
            int y0 = oy * f;
            int n = Math.min(f, in.height() - y0);
            for (int r = 0; r < n; r++) {
                ImagePooling.orderedRow(in, y0 + r, rows[r]);
            }
            int fast = f == 2 && n == 2 ? Math.min(ow, in.width() / 2) : 0;
            int[] r0 = rows[0];
            int[] r1 = rows[n - 1];
            for (int ox = 0; ox < fast; ox++) {
                for (int ch = 0; ch < c; ch++) {
                    int i = 2 * ox * c + ch;
                    outRow[ox * c + ch] = mode ? mode4(r0[i], r0[i + c], r1[i], r1[i + c])
                            : median4(r0[i], r0[i + c], r1[i], r1[i + c]);
                }
            }
            for (int ox = fast; ox < ow; ox++) {
                int x0 = ox * f;
                int x1 = Math.min(x0 + f, in.width());
                for (int ch = 0; ch < c; ch++) {
                    outRow[ox * c + ch] = rank(mode, n, x0, x1, ch);
                }
            }
            ImagePooling.fromOrdered(outRow, out, oy);
        }
    }

    /**
     * The mode of four samples. Sorted ({@code s0 <= s1 <= s2 <= s3}, five comparators), equal
     * samples are neighbours: {@code s1 == s2} makes {@code s1} at least a pair that no other value
     * outnumbers; otherwise {@code s0 == s1} is the smallest pair, then {@code s2 == s3}; with no
     * pair the smallest of four singles, {@code s0}. Sparse: each sample's count is one plus its
     * matches among the other three, a zero counting 0 (so it loses to any nonzero sample and, four
     * zeros, still yields zero); the winner is the largest key {@code count * 2^33 - value} (a
     * 33-bit gap holds any value's 2^32 range): a higher count wins, and of equal counts the smaller.
     */
    private int mode4(int a, int b, int d, int e) {
        if (!sparse) {
            int lo1 = Math.min(a, b);
            int hi1 = Math.max(a, b);
            int lo2 = Math.min(d, e);
            int hi2 = Math.max(d, e);
            int s0 = Math.min(lo1, lo2);
            int s3 = Math.max(hi1, hi2);
            int m1 = Math.max(lo1, lo2);
            int m2 = Math.min(hi1, hi2);
            int s1 = Math.min(m1, m2);
            int s2 = Math.max(m1, m2);
            return s1 == s2 ? s1 : s2 == s3 && s0 != s1 ? s2 : s0;
        }
        int ab = a == b ? 1 : 0;
        int ad = a == d ? 1 : 0;
        int ae = a == e ? 1 : 0;
        int bd = b == d ? 1 : 0;
        int be = b == e ? 1 : 0;
        int de = d == e ? 1 : 0;
        long best = Math.max(Math.max(key(a, 1 + ab + ad + ae), key(b, 1 + ab + bd + be)),
                Math.max(key(d, 1 + ad + bd + de), key(e, 1 + ae + be + de)));
        return (int) -best;
    }

    /** {@code count * 2^33 - v}, with count 0 for a zero (sparse). */
    private long key(int v, int count) {
        int counted = v == zero ? 0 : count;
        return ((long) counted << 33) - v;
    }

    /**
     * The lower median of four samples: the second smallest, the larger of the pairs' minima unless
     * the smaller of their maxima is below it. Sparse: the middle two of a sorting network, and with
     * {@code z} zeros the lower median of the other {@code 4 - z} is sorted element
     * {@code z + (3 - z) / 2}: 1, 2, 2, 3 (and 3, zero, for four).
     */
    private int median4(int a, int b, int d, int e) {
        int lo1 = Math.min(a, b);
        int hi1 = Math.max(a, b);
        int lo2 = Math.min(d, e);
        int hi2 = Math.max(d, e);
        int m1 = Math.max(lo1, lo2);
        int m2 = Math.min(hi1, hi2);
        if (!sparse) {
            return Math.min(m1, m2);
        }
        int zeros = (a == zero ? 1 : 0) + (b == zero ? 1 : 0) + (d == zero ? 1 : 0) + (e == zero ? 1 : 0);
        return zeros == 0 ? Math.min(m1, m2) : zeros <= 2 ? Math.max(m1, m2) : Math.max(hi1, hi2);
    }

    /**
     * The mode or median of channel {@code ch} of the window over the first {@code n} rows and
     * columns {@code x0..x1}: gathered into {@code window} (sparse leaves zeros out) and sorted,
     * unless all its samples are equal, as most of a label image's windows are.
     */
    private int rank(boolean mode, int n, int x0, int x1, int ch) {
        int first = rows[0][x0 * c + ch];
        int differ = 0;
        int k = 0;
        for (int r = 0; r < n; r++) {
            int[] row = rows[r];
            for (int i = x0 * c + ch; i < x1 * c; i += c) {
                int v = row[i];
                window[k] = v;
                k += sparse && v == zero ? 0 : 1;
                differ |= v ^ first;
            }
        }
        if (differ == 0 || k == 0) {
            return differ == 0 ? first : zero;
        }
        long major = majority(k);
        if (major != NONE) {
            return (int) major;
        }
        sort(window, k);
        return mode ? sortedMode(k) : window[(k - 1) / 2];
    }

    /**
     * The value more than half of {@code window[0..n)} hold, if one does (Boyer and Moore's vote,
     * then a count), else {@code NONE}. Such a value is the mode, with no tie possible, and the
     * lower median: a run of more than {@code n / 2} sorted samples covers index {@code (n - 1) / 2}.
     * Most mixed windows of a label image (a region and a few pixels of another) have one, and this
     * is two predictable passes where a sort branches on every comparison.
     */
    private long majority(int n) {
        int candidate = window[0];
        int votes = 1;
        for (int i = 1; i < n; i++) {
            int v = window[i];
            if (votes == 0) {
                candidate = v;
            }
            votes += votes == 0 || v == candidate ? 1 : -1;
        }
        int held = 0;
        for (int i = 0; i < n; i++) {
            held += window[i] == candidate ? 1 : 0;
        }
        return 2 * held > n ? candidate : NONE;
    }

    /**
     * Sorts {@code a[0..n)}: a sorting network up to {@link #NETWORK_LIMIT} samples, insertion sort
     * up to 32 (factors up to 5), the JDK's sort beyond. The windows left to sort are the mixed ones,
     * where an insertion sort's branches go either way; a network's min/max pairs do not branch.
     */
    private void sort(int[] a, int n) {
        if (n <= NETWORK_LIMIT) {
            int[] net = networks[n];
            for (int q = 0; q < net.length; q += 2) {
                int i = net[q];
                int j = net[q + 1];
                int x = a[i];
                int y = a[j];
                a[i] = Math.min(x, y);
                a[j] = Math.max(x, y);
            }
        } else if (n <= 32) {
            for (int i = 1; i < n; i++) {
                int v = a[i];
                int j = i - 1;
                while (j >= 0 && a[j] > v) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
        } else {
            Arrays.sort(a, 0, n);
        }
    }

    /**
     * Batcher's odd-even merge sort for {@code n} elements as comparator pairs {@code (lo, hi)},
     * flattened: the network for the next power of two without the comparators that reach past
     * {@code n} (as if the missing elements were larger than all, which such a comparator leaves
     * where they are).
     */
    static int[] sortingNetwork(int n) {
        int size = Integer.highestOneBit(Math.max(1, n - 1)) << 1;
        int[] pairs = new int[0];
        int count = 0;
        for (int p = 1; p < size; p <<= 1) {
            for (int k = p; k >= 1; k >>= 1) {
                for (int j = k % p; j + k < size; j += 2 * k) {
                    for (int i = 0; i < Math.min(k, size - j - k); i++) {
                        int lo = i + j;
                        int hi = i + j + k;
                        if (lo / (2 * p) == hi / (2 * p) && hi < n) {
                            if (count + 2 > pairs.length) {
                                pairs = Arrays.copyOf(pairs, Math.max(16, 2 * pairs.length));
                            }
                            pairs[count++] = lo;
                            pairs[count++] = hi;
                        }
                    }
                }
            }
        }
        return Arrays.copyOf(pairs, count);
    }

    /** The longest run of {@code window[0..n)}, sorted; the first (smallest) of equally long ones. */
    private int sortedMode(int n) {
        int best = window[0];
        int bestRun = 1;
        int run = 1;
        for (int i = 1; i < n; i++) {
            run = window[i] == window[i - 1] ? run + 1 : 1;
            if (run > bestRun) {
                bestRun = run;
                best = window[i];
            }
        }
        return best;
    }

}
