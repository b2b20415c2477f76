package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The SIMD rows against their scalar twin, lane for lane and bit for bit (the same operations in
 * the same order), and the pure decision whether SIMD is worth it. The SIMD test is skipped, not
 * failed, on a JVM started without {@code --add-modules jdk.incubator.vector}.
 */
class PoolVectorSupportTest {

    private static final PoolVectorSupport SCALAR = new ScalarPoolSupport();
    /** What a row method must leave where it does not write. */
    private static final float UNTOUCHED = 7f;

    /** {@code n} values of a kind drawn at random ({@link FastKernelTest.Values}: ties, NaN, infinities...). */
    private static float[] anyKind(int n, SplittableRandom rnd) {
        FastKernelTest.Values kind = FastKernelTest.Values.values()[rnd.nextInt(FastKernelTest.Values.values().length)];
        return FastKernelTest.values(n, kind, rnd);
    }

    /** The SIMD support, or the test skipped on a JVM started without the vector module. */
    private static PoolVectorSupport panamaOrSkip() {
        Optional<PoolVectorSupport> panama = PoolVectorization.panama();
        assumeTrue(panama.isPresent(), "JVM started without --add-modules jdk.incubator.vector");
        return panama.get();
    }

    /** An output buffer of {@link #UNTOUCHED}. */
    private static float[] untouched(int n) {
        float[] a = new float[n];
        Arrays.fill(a, UNTOUCHED);
        return a;
    }

    @Test
    void simdOnlyWhenAllowedPresentWideEnoughAndOnAFastEnoughJava() {
        assertTrue(PoolVectorization.channelsLastSimdWorthIt(true, true, 256), "channels-last rows, any Java");
        assertFalse(PoolVectorization.channelsLastSimdWorthIt(true, true, 128), "channels-last rows, SSE only");
        assertFalse(PoolVectorization.channelsLastSimdWorthIt(false, true, 512), "channels-last rows, -Dpooling.simd=false");
        assertTrue(PoolVectorization.simdWorthIt(true, true, 512, 25));
        assertTrue(PoolVectorization.simdWorthIt(true, true, 256, 21));
        assertFalse(PoolVectorization.simdWorthIt(true, true, 512, 17), "Java 17's Vector API");
        assertFalse(PoolVectorization.simdWorthIt(true, true, 128, 25), "SSE-only hardware");
        assertFalse(PoolVectorization.simdWorthIt(true, false, 512, 25), "module absent");
        assertFalse(PoolVectorization.simdWorthIt(false, true, 512, 25), "-Dpooling.simd=false");
    }

    @Test
    void panamaRowsEqualTheScalarTwin() {
        PoolVectorSupport simd = panamaOrSkip();
        SplittableRandom rnd = new SplittableRandom(11L);
        int lanes = simd.lanes();
        for (int round = 0; round < 3000; round++) {
            int kh = 1 + rnd.nextInt(4);
            int kw = 1 + rnd.nextInt(4);
            int sw = 1 + rnd.nextInt(2);
            int windows = lanes + rnd.nextInt(3 * lanes + 2); // one vector, just past it, several
            // One readable column past the last window: the paired stride-2 loads may touch it.
            int inW = (windows - 1) * sw + kw + 1 + rnd.nextInt(3);
            int inH = kh + rnd.nextInt(2);
            int inBase = rnd.nextInt(5);
            float[] x = anyKind(inBase + inH * inW, rnd);
            int origin = rnd.nextInt(inW - ((windows - 1) * sw + kw)); // windows start anywhere in the row
            int owFrom = rnd.nextInt(3);
            int owTo = owFrom + windows;
            origin -= owFrom * sw;
            String what = kh + "x" + kw + " stride " + sw + ", " + windows + " windows in a row of " + inW;

            float[] expected = new float[owTo + 2];
            int[] expectedIdx = new int[owTo + 2];
            float[] actual = new float[owTo + 2];
            int[] actualIdx = new int[owTo + 2];
            SCALAR.maxRow(x, inBase, origin, inW, kh, kw, sw, owFrom, owTo, expected, expectedIdx, 1);
            simd.maxRow(x, inBase, origin, inW, kh, kw, sw, owFrom, owTo, actual, actualIdx, 1);
            Tolerance.assertBitEqual(expected, actual, "max " + what);
            assertArrayEquals(expectedIdx, actualIdx, "max indices " + what);

            float reciprocal = 1f / (kh * kw);
            SCALAR.avgRow(x, inBase, origin, inW, kh, kw, sw, reciprocal, owFrom, owTo, expected, 1);
            simd.avgRow(x, inBase, origin, inW, kh, kw, sw, reciprocal, owFrom, owTo, actual, 1);
            Tolerance.assertBitEqual(expected, actual, "avg " + what);
        }
    }

    /** Whole 2x2 stride-2 planes, forward and backward: the twin's results, and the same refusal of a stray index. */
    @Test
    void panamaTilePlanesEqualTheScalarTwin() {
        PoolVectorSupport simd = panamaOrSkip();
        SplittableRandom rnd = new SplittableRandom(12L);
        int lanes = simd.lanes();
        int refused = 0;
        for (int round = 0; round < 2000; round++) {
            int outW = lanes + rnd.nextInt(3 * lanes + 2);
            int outH = 1 + rnd.nextInt(4);
            int inW = 2 * outW + rnd.nextInt(3); // the plane may hold columns past the last window
            int inH = 2 * outH + rnd.nextInt(2);
            int inBase = rnd.nextInt(5);
            int o = rnd.nextInt(3);
            String what = outH + "x" + outW + " windows in a plane of " + inH + "x" + inW;
            float[] x = anyKind(inBase + inH * inW, rnd);
            float[] expectedOut = new float[o + outH * outW];
            int[] expectedInd = new int[o + outH * outW];
            float[] actualOut = new float[o + outH * outW];
            int[] actualInd = new int[o + outH * outW];
            SCALAR.max2x2s2Plane(x, inBase, inW, outH, outW, expectedOut, expectedInd, o);
            simd.max2x2s2Plane(x, inBase, inW, outH, outW, actualOut, actualInd, o);
            Tolerance.assertBitEqual(expectedOut, actualOut, "forward " + what);
            assertArrayEquals(expectedInd, actualInd, "forward indices " + what);

            float[] gradOut = anyKind(o + outH * outW, rnd);
            int[] ind = expectedInd.clone();
            boolean stray = rnd.nextInt(4) == 0;
            if (stray) { // one index moved to the same tap of the next window in its row
                ind[o + rnd.nextInt(outH * outW)] += 2;
                what += ", one stray index";
            }
            float[] expected = new float[inBase + inH * inW];
            float[] actual = new float[inBase + inH * inW];
            boolean scalarDone = SCALAR.maxBackward2x2s2Plane(gradOut, ind, o, inW, outH, outW, expected, inBase);
            boolean simdDone = simd.maxBackward2x2s2Plane(gradOut, ind, o, inW, outH, outW, actual, inBase);
            assertEquals(!stray, scalarDone, "scalar backward " + what);
            assertEquals(!stray, simdDone, "simd backward " + what);
            if (stray) {
                refused++;
            } else {
                Tolerance.assertBitEqual(expected, actual, "backward " + what);
            }
        }
        assertTrue(refused > 100 && refused < 1900, refused + " planes with a stray index");
    }

    /**
     * The channels-last rows, float and double: random channel counts (1, below, at and past a
     * vector), random cell lists with repeats and every kind of values, each list once with its
     * true indices and once with some indices that match none of the cells.
     */
    @Test
    void panamaChannelsLastRowsEqualTheScalarTwin() {
        PoolVectorSupport simd = panamaOrSkip();
        SplittableRandom rnd = new SplittableRandom(13L);
        for (int round = 0; round < 3000; round++) {
            // Now and then past the wide-row threshold (global-avg's 2048 channels go row after row).
            int c = round % 50 == 0 ? 1020 + rnd.nextInt(12) : 1 + rnd.nextInt(3 * simd.lanes() + 3);
            int positions = 1 + rnd.nextInt(12);
            int cells = 1 + rnd.nextInt(9);
            int base = rnd.nextInt(3) * c;
            int[] cell = new int[cells];
            for (int t = 0; t < cells; t++) {
                cell[t] = rnd.nextInt(positions);
            }
            int o = rnd.nextInt(3) * c;
            float[] x = anyKind(base + positions * c, rnd);
            double[] xd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xd[i] = x[i] * (1 + 1e-9 * i); // values no float holds
            }
            String what = cells + " cells of " + c + " channels";
            float[] ye = new float[o + c];
            float[] ya = new float[o + c];
            int[] ie = new int[o + c];
            int[] ia = new int[o + c];
            SCALAR.maxCells(x, base, cell, cells, c, ye, ie, o);
            simd.maxCells(x, base, cell, cells, c, ya, ia, o);
            Tolerance.assertBitEqual(ye, ya, "maxCells " + what);
            assertArrayEquals(ie, ia, "maxCells indices " + what);
            SCALAR.sumCells(x, base, cell, cells, c, 0.25f, ye, o);
            simd.sumCells(x, base, cell, cells, c, 0.25f, ya, o);
            Tolerance.assertBitEqual(ye, ya, "sumCells " + what);
            double[] de = new double[o + c];
            double[] da = new double[o + c];
            SCALAR.maxCells(xd, base, cell, cells, c, de, ie, o);
            simd.maxCells(xd, base, cell, cells, c, da, ia, o);
            assertArrayEquals(de, da, "maxCells double " + what);
            assertArrayEquals(ie, ia, "maxCells double indices " + what);
            SCALAR.sumCells(xd, base, cell, cells, c, 0.125, de, o);
            simd.sumCells(xd, base, cell, cells, c, 0.125, da, o);
            assertArrayEquals(de, da, "sumCells double " + what);

            // Backward: the cells' outputs are rows of one output array; indices partly stray.
            int[] ind = new int[positions * c];
            for (int i = 0; i < ind.length; i++) {
                ind[i] = rnd.nextInt(4) == 0 ? positions + 1 : cell[rnd.nextInt(cells)];
            }
            float[] gy = FastKernelTest.values(positions * c, FastKernelTest.Values.TIES, rnd);
            double[] gyd = new double[gy.length];
            for (int i = 0; i < gy.length; i++) {
                gyd[i] = gy[i];
            }
            int[] out = new int[cells];
            float[] scale = new float[cells];
            double[] scaled = new double[cells];
            for (int t = 0; t < cells; t++) {
                out[t] = cell[t] * c;
                scale[t] = 1f / (1 + t);
                scaled[t] = 1.0 / (1 + t);
            }
            int probe = cell[rnd.nextInt(cells)];
            float[] ge = new float[base + positions * c];
            float[] ga = new float[ge.length];
            assertEquals(SCALAR.gatherMax(gy, ind, out, cells, probe, c, ge, base),
                    simd.gatherMax(gy, ind, out, cells, probe, c, ga, base), "gatherMax matches " + what);
            Tolerance.assertBitEqual(ge, ga, "gatherMax " + what);
            SCALAR.gatherSum(gy, out, scale, cells, c, ge, base);
            simd.gatherSum(gy, out, scale, cells, c, ga, base);
            Tolerance.assertBitEqual(ge, ga, "gatherSum " + what);
            double[] gde = new double[ge.length];
            double[] gda = new double[ge.length];
            assertEquals(SCALAR.gatherMax(gyd, ind, out, cells, probe, c, gde, base),
                    simd.gatherMax(gyd, ind, out, cells, probe, c, gda, base), "gatherMax double matches " + what);
            assertArrayEquals(gde, gda, "gatherMax double " + what);
            SCALAR.gatherSum(gyd, out, scaled, cells, c, gde, base);
            simd.gatherSum(gyd, out, scaled, cells, c, gda, base);
            assertArrayEquals(gde, gda, "gatherSum double " + what);

            // One window's spread: distinct cells, as windows that share no input have.
            int[] distinct = java.util.stream.IntStream.of(cell).distinct().toArray();
            int oy = rnd.nextInt(positions) * c;
            float[] se = new float[ge.length];
            float[] sa = new float[ge.length];
            assertEquals(SCALAR.spreadMax(gy, ind, oy, base, distinct, distinct.length, c, se),
                    simd.spreadMax(gy, ind, oy, base, distinct, distinct.length, c, sa), "spreadMax matches " + what);
            Tolerance.assertBitEqual(se, sa, "spreadMax " + what);
            SCALAR.spreadSum(gy, oy, 0.25f, base, distinct, distinct.length, c, se);
            simd.spreadSum(gy, oy, 0.25f, base, distinct, distinct.length, c, sa);
            Tolerance.assertBitEqual(se, sa, "spreadSum " + what);
            double[] sde = new double[ge.length];
            double[] sda = new double[ge.length];
            assertEquals(SCALAR.spreadMax(gyd, ind, oy, base, distinct, distinct.length, c, sde),
                    simd.spreadMax(gyd, ind, oy, base, distinct, distinct.length, c, sda), "spreadMax double " + what);
            assertArrayEquals(sde, sda, "spreadMax double " + what);
            SCALAR.spreadSum(gyd, oy, 0.25, base, distinct, distinct.length, c, sde);
            simd.spreadSum(gyd, oy, 0.25, base, distinct, distinct.length, c, sda);
            assertArrayEquals(sde, sda, "spreadSum double " + what);
        }
    }

    /**
     * The channels-first rows of any rank, float and double: random tap lists (rows and planes
     * apart, raster order), strides 1 and 2, counts below, at and past a vector, windows that end
     * at the array's end (stride 2 must not read past it), and the pair spread with stray indices.
     */
    @Test
    void panamaChannelsFirstRowsEqualTheScalarTwin() {
        PoolVectorSupport simd = panamaOrSkip();
        SplittableRandom rnd = new SplittableRandom(14L);
        for (int round = 0; round < 3000; round++) {
            // Every fourth round windows two columns wide at stride 2, of one to four rows an even
            // distance apart (1-D, 2-D 2x2, 3-D 2x2x2): the double rows' own path.
            boolean pairs = round % 4 == 0;
            int sw = pairs ? 2 : 1 + rnd.nextInt(2);
            int count = 1 + rnd.nextInt(4 * simd.lanes());
            int kw = pairs ? 2 : 1 + rnd.nextInt(3);
            int rows = pairs ? 1 + rnd.nextInt(4) : 1 + rnd.nextInt(3);
            int inW = (count - 1) * sw + kw + rnd.nextInt(3);
            inW += pairs ? inW % 2 : 0;
            int[] tap = new int[rows * kw];
            for (int r = 0, t = 0; r < rows; r++) {
                for (int d = 0; d < kw; d++) {
                    tap[t++] = r * inW + d;
                }
            }
            int a = rnd.nextInt(3);
            // Often the windows end exactly at the array's end.
            int length = a + tap[tap.length - 1] + (count - 1) * sw + 1 + (rnd.nextBoolean() ? 0 : rnd.nextInt(3));
            float[] x = anyKind(length, rnd);
            double[] xd = new double[length];
            for (int i = 0; i < length; i++) {
                xd[i] = x[i] * (1 + 1e-9 * i);
            }
            int first = rnd.nextInt(100);
            int o = rnd.nextInt(3);
            String what = count + " windows of " + tap.length + " taps, stride " + sw + ", array of " + length;
            float[] ye = new float[o + count];
            float[] ya = new float[o + count];
            int[] ie = new int[o + count];
            int[] ia = new int[o + count];
            SCALAR.maxTaps(x, a, tap, tap, tap.length, sw, first, count, ye, ie, o);
            simd.maxTaps(x, a, tap, tap, tap.length, sw, first, count, ya, ia, o);
            Tolerance.assertBitEqual(ye, ya, "maxTaps " + what);
            assertArrayEquals(ie, ia, "maxTaps indices " + what);
            int[] init = new int[count];
            for (int j = 0; j < count; j++) {
                init[j] = rnd.nextInt(50);
            }
            SCALAR.maxTapsFrom(x, a, tap, tap, tap.length, sw, first, count, init, 7, ye, ie, o);
            simd.maxTapsFrom(x, a, tap, tap, tap.length, sw, first, count, init, 7, ya, ia, o);
            Tolerance.assertBitEqual(ye, ya, "maxTapsFrom " + what);
            assertArrayEquals(ie, ia, "maxTapsFrom indices " + what);
            SCALAR.sumTaps(x, a, tap, tap.length, sw, count, 0.5f, ye, o);
            simd.sumTaps(x, a, tap, tap.length, sw, count, 0.5f, ya, o);
            Tolerance.assertBitEqual(ye, ya, "sumTaps " + what);
            double[] de = new double[o + count];
            double[] da = new double[o + count];
            SCALAR.maxTaps(xd, a, tap, tap, tap.length, sw, first, count, de, ie, o);
            simd.maxTaps(xd, a, tap, tap, tap.length, sw, first, count, da, ia, o);
            assertArrayEquals(de, da, "maxTaps double " + what);
            assertArrayEquals(ie, ia, "maxTaps double indices " + what);
            SCALAR.sumTaps(xd, a, tap, tap.length, sw, count, 0.5, de, o);
            simd.sumTaps(xd, a, tap, tap.length, sw, count, 0.5, da, o);
            assertArrayEquals(de, da, "sumTaps double " + what);
            // A reduction in another order: within avg's tolerance, on values whose order of summation cannot overflow.
            float[] normal = FastKernelTest.values(length, FastKernelTest.Values.NORMAL, rnd);
            assertTrue(Tolerance.close(SCALAR.sum(normal, a, length - a), simd.sum(normal, a, length - a)), "sum " + what);

            int[] ind = new int[o + count];
            for (int j = 0; j < count; j++) {
                ind[o + j] = first + 2 * j + (rnd.nextInt(5) == 0 ? 2 + rnd.nextInt(3) : rnd.nextInt(2));
            }
            float[] gy = FastKernelTest.values(o + count, FastKernelTest.Values.TIES, rnd);
            double[] gyd = new double[gy.length];
            for (int i = 0; i < gy.length; i++) {
                gyd[i] = gy[i];
            }
            float[] ge = new float[a + 2 * count + 1];
            float[] ga = new float[ge.length];
            assertEquals(SCALAR.spreadMaxPairs(gy, ind, o, count, first, ge, a),
                    simd.spreadMaxPairs(gy, ind, o, count, first, ga, a), "spreadMaxPairs matches " + what);
            Tolerance.assertBitEqual(ge, ga, "spreadMaxPairs " + what);
            double[] gde = new double[ge.length];
            double[] gda = new double[ge.length];
            assertEquals(SCALAR.spreadMaxPairs(gyd, ind, o, count, first, gde, a),
                    simd.spreadMaxPairs(gyd, ind, o, count, first, gda, a), "spreadMaxPairs double matches " + what);
            assertArrayEquals(gde, gda, "spreadMaxPairs double " + what);
        }
    }

    /**
     * The stem's rows read from the plane itself ({@code max3x3s2Row}): SIMD and scalar twin bit for
     * bit with their indices, and both equal to {@code maxTapsFrom} over a copy of the same rows
     * padded with {@code -inf} (the definition the padded planes use): padding 0 or 1 on the left,
     * rows from shorter than a vector to several, values of every kind.
     */
    @Test
    void panamaStemRowsEqualTheScalarTwinAndThePaddedTaps() {
        PoolVectorSupport simd = panamaOrSkip();
        SplittableRandom rnd = new SplittableRandom(18L);
        int lanes = simd.lanes();
        for (int round = 0; round < 3000; round++) {
            int pw = rnd.nextInt(2);
            int count = 1 + rnd.nextInt(4 * lanes);
            int inW = 2 * (count - 1) - pw + 3 + rnd.nextInt(3); // the last window inside the row
            int margin = rnd.nextInt(3);
            // Three plane rows and the one cell past them that the paired loads may read.
            float[] x = anyKind(margin + 3 * inW + 1 + rnd.nextInt(3), rnd);
            int a = margin - pw;
            String what = count + " windows, padding " + pw + ", rows of " + inW;

            int width = inW + pw + 2;
            float[] padded = new float[3 * width + 2 * lanes + 2];
            Arrays.fill(padded, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < 3; r++) {
                System.arraycopy(x, margin + r * inW, padded, r * width + pw, inW);
            }
            int[] tapAt = new int[9];
            int[] tapIndex = new int[9];
            for (int t = 0; t < 9; t++) {
                tapAt[t] = t / 3 * width + t % 3;
                tapIndex[t] = t / 3 * inW + t % 3;
            }
            int[] init = new int[count];
            for (int j = 0; j < count; j++) {
                init[j] = rnd.nextInt(50);
            }
            int first = rnd.nextInt(100);
            int o = rnd.nextInt(3);
            float[] ye = untouched(o + count + 1);
            float[] ya = untouched(ye.length);
            float[] ys = untouched(ye.length);
            int[] ie = new int[ye.length];
            int[] ia = new int[ye.length];
            int[] is = new int[ye.length];
            SCALAR.maxTapsFrom(padded, 0, tapAt, tapIndex, 9, 2, first, count, init, 7, ye, ie, o);
            simd.max3x3s2Row(x, a, inW, pw == 1, first, count, init, 7, ya, ia, o);
            SCALAR.max3x3s2Row(x, a, inW, pw == 1, first, count, init, 7, ys, is, o);
            Tolerance.assertBitEqual(ye, ya, "max3x3s2Row " + what);
            assertArrayEquals(ie, ia, "max3x3s2Row indices " + what);
            Tolerance.assertBitEqual(ye, ys, "scalar max3x3s2Row " + what);
            assertArrayEquals(ie, is, "scalar max3x3s2Row indices " + what);
        }
    }

    /**
     * Avg backward's rows of shares: SIMD and scalar twin bit for bit, and both equal to adding each
     * window's share into its columns in output order from 0, the plain definition. Windows 1 to 5
     * columns wide (the SIMD rows take up to 4), column strides 1 to 3 (SIMD: 1 and 2), padding, and
     * rows from shorter than a step to several steps; every kind of value, signed zeros included.
     */
    @Test
    void panamaShareRowsEqualTheScalarTwinAndTheDefinition() {
        PoolVectorSupport simd = panamaOrSkip();
        SplittableRandom rnd = new SplittableRandom(15L);
        for (int round = 0; round < 3000; round++) {
            int kw = 1 + rnd.nextInt(5);
            int sw = 1 + rnd.nextInt(3);
            int pw = rnd.nextInt(kw / 2 + 1);
            int inW = 1 + rnd.nextInt(5 * simd.lanes());
            int span = inW + 2 * pw - kw;
            if (span < 0) {
                continue;
            }
            // floor or ceil mode: the last window may run past the padded row
            int outW = span / sw + 1 + (rnd.nextBoolean() ? 1 : 0);
            int m = kw + pw + 2 * simd.lanes();
            float[] share = new float[m + outW + m];
            float[] values = anyKind(outW, rnd);
            System.arraycopy(values, 0, share, m, outW);
            if (rnd.nextInt(4) == 0) {
                share[m + rnd.nextInt(outW)] = -0f;
            }
            int b = rnd.nextInt(3);
            String what = outW + " windows of " + kw + ", stride " + sw + ", padding " + pw + ", row of " + inW;

            float[] expected = new float[b + inW + 2];
            for (int ow = 0; ow < outW; ow++) {
                for (int d = 0; d < kw; d++) {
                    int w = ow * sw - pw + d;
                    if (w >= 0 && w < inW) {
                        expected[b + w] += share[m + ow];
                    }
                }
            }
            float[] scalar = untouched(expected.length);
            float[] vector = untouched(expected.length);
            Arrays.fill(expected, 0, b, UNTOUCHED);
            Arrays.fill(expected, b + inW, expected.length, UNTOUCHED);
            SCALAR.shareRow(share, m, kw, sw, pw, scalar, b, inW);
            simd.shareRow(share, m, kw, sw, pw, vector, b, inW);
            Tolerance.assertBitEqual(expected, scalar, "shareRow scalar " + what);
            Tolerance.assertBitEqual(expected, vector, "shareRow SIMD " + what);
        }
    }

    /** Avg backward's rows of 2x2 stride-2 tiles: every cell of both rows its window's share, nothing else written. */
    @Test
    void panamaTileSpreadsEqualTheScalarTwinAndTheDefinition() {
        PoolVectorSupport simd = panamaOrSkip();
        SplittableRandom rnd = new SplittableRandom(16L);
        for (int round = 0; round < 2000; round++) {
            int count = 1 + rnd.nextInt(4 * simd.lanes());
            int inW = 2 * count + rnd.nextInt(3);
            int a = rnd.nextInt(3);
            int o = rnd.nextInt(3);
            float scale = 0.25f;
            float[] gy = anyKind(o + count, rnd);
            float[] expected = untouched(a + 2 * inW + 1);
            for (int w = 0; w < 2 * count; w++) {
                expected[a + w] = gy[o + w / 2] * scale;
                expected[a + inW + w] = gy[o + w / 2] * scale;
            }
            float[] scalar = untouched(expected.length);
            float[] vector = untouched(expected.length);
            SCALAR.spreadTiles(gy, o, count, scale, scalar, a, inW);
            simd.spreadTiles(gy, o, count, scale, vector, a, inW);
            String what = count + " tiles in a row of " + inW;
            Tolerance.assertBitEqual(expected, scalar, "spreadTiles scalar " + what);
            Tolerance.assertBitEqual(expected, vector, "spreadTiles SIMD " + what);
        }
    }
}
