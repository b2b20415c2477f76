package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    @Test
    void simdOnlyWhenAllowedPresentWideEnoughAndOnAFastEnoughJava() {
        assertTrue(PoolVectorization.simdWorthIt(true, true, 512, 25));
        assertTrue(PoolVectorization.simdWorthIt(true, true, 256, 21));
        assertFalse(PoolVectorization.simdWorthIt(true, true, 512, 17), "Java 17's Vector API");
        assertFalse(PoolVectorization.simdWorthIt(true, true, 128, 25), "SSE-only hardware");
        assertFalse(PoolVectorization.simdWorthIt(true, false, 512, 25), "module absent");
        assertFalse(PoolVectorization.simdWorthIt(false, true, 512, 25), "-Dpooling.simd=false");
    }

    @Test
    void panamaRowsEqualTheScalarTwin() {
        Optional<PoolVectorSupport> panama = PoolVectorization.panama();
        assumeTrue(panama.isPresent(), "JVM started without --add-modules jdk.incubator.vector");
        PoolVectorSupport simd = panama.get();
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
            float[] x = FastKernelTest.values(inBase + inH * inW,
                    FastKernelTest.Values.values()[rnd.nextInt(FastKernelTest.Values.values().length)], rnd);
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
        Optional<PoolVectorSupport> panama = PoolVectorization.panama();
        assumeTrue(panama.isPresent(), "JVM started without --add-modules jdk.incubator.vector");
        PoolVectorSupport simd = panama.get();
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
            float[] x = FastKernelTest.values(inBase + inH * inW,
                    FastKernelTest.Values.values()[rnd.nextInt(FastKernelTest.Values.values().length)], rnd);
            float[] expectedOut = new float[o + outH * outW];
            int[] expectedInd = new int[o + outH * outW];
            float[] actualOut = new float[o + outH * outW];
            int[] actualInd = new int[o + outH * outW];
            SCALAR.max2x2s2Plane(x, inBase, inW, outH, outW, expectedOut, expectedInd, o);
            simd.max2x2s2Plane(x, inBase, inW, outH, outW, actualOut, actualInd, o);
            Tolerance.assertBitEqual(expectedOut, actualOut, "forward " + what);
            assertArrayEquals(expectedInd, actualInd, "forward indices " + what);

            float[] gradOut = FastKernelTest.values(o + outH * outW,
                    FastKernelTest.Values.values()[rnd.nextInt(FastKernelTest.Values.values().length)], rnd);
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
}
