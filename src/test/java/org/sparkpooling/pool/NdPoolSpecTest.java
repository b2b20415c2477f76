package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.sparkpooling.pool.Rejections.assertRejected;

import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.TensorShape;

/**
 * NdPoolSpec's validation (each op's parameters, PyTorch's rules, messages naming role, dimension
 * and value) and NdPoolGeometry's output shapes and window rules.
 */
class NdPoolSpecTest {

    @Test
    void defaultsAreTorchs() {
        NdPoolSpec s = NdPoolSpec.avg(2, 3, 4).build();
        assertArrayEquals(new int[] {2, 3, 4}, s.stride());
        assertArrayEquals(new int[] {0, 0, 0}, s.padding());
        assertArrayEquals(new int[] {1, 1, 1}, s.dilation());
        assertEquals(true, s.countIncludePad());
        assertNull(s.divisorOverride());
        assertNull(s.outputSize());
        assertEquals(3, s.dims());
        assertEquals(1, NdPoolSpec.adaptiveAvg(5).dims());
        assertEquals("lp kernel 2 stride 2 padding 0 normType 2.0", NdPoolSpec.lp(2, 2).build().toString());
        assertEquals("adaptive-max outputSize 1x1", NdPoolSpec.adaptiveMax(1, 1).toString());
    }

    @Test
    void arraysAreCopiedInAndOut() {
        int[] k = {2, 2};
        NdPoolSpec s = NdPoolSpec.max(k).build();
        k[0] = 9;
        s.kernel()[1] = 9;
        assertArrayEquals(new int[] {2, 2}, s.kernel());
        assertEquals(NdPoolSpec.max(2, 2).build(), s);
        assertEquals(NdPoolSpec.max(2, 2).build().hashCode(), s.hashCode());
        assertNotEquals(NdPoolSpec.max(2, 2).ceilMode(true).build(), s);
    }

    @Test
    void bridgesTheTwoDimensionalSpec() {
        PoolSpec two = PoolSpec.avg(3, 2).stride(2, 1).padding(1, 1).countIncludePad(false).divisorOverride(-3).build();
        assertEquals(NdPoolSpec.avg(3, 2).stride(2, 1).padding(1, 1).countIncludePad(false).divisorOverride(-3).build(),
                NdPoolSpec.of(two));
        // The 2-D spec lets max carry countIncludePad = false, which means nothing there.
        PoolSpec max = PoolSpec.max(2, 2).dilation(2, 1).countIncludePad(false).build();
        assertEquals(NdPoolSpec.max(2, 2).dilation(2, 1).build(), NdPoolSpec.of(max));
    }

    // ---- windowed ops

    @Test
    void rejectsNonPositiveWindowParametersNamingTheDimension() {
        assertRejected(() -> NdPoolSpec.max(2, 0, 2).build(), "kernel height (0) must be > 0");
        assertRejected(() -> NdPoolSpec.avg(3).stride(-1).build(), "stride length (-1) must be > 0");
        assertRejected(() -> NdPoolSpec.max(2, 2, 2).dilation(0, 1, 1).build(), "dilation depth (0) must be > 0");
        assertRejected(() -> NdPoolSpec.max(2, 2).padding(0, -1).build(), "padding width (-1) must be >= 0");
        assertRejected(() -> NdPoolSpec.avg(3, 3).padding(2, 0).build(),
                "padding height (2) must be at most half the effective kernel size (3)");
        assertRejected(() -> NdPoolSpec.max(2).dilation(Integer.MAX_VALUE).build(), "kernel length (2) with dilation");
    }

    @Test
    void rejectsListsOfTheWrongLength() {
        assertRejected(() -> NdPoolSpec.max().build(), "kernel ()", "1, 2 or 3 entries");
        assertRejected(() -> NdPoolSpec.max(2, 2, 2, 2).build(), "kernel (2,2,2,2)", "1, 2 or 3 entries");
        assertRejected(() -> NdPoolSpec.max(2, 2).stride(2).build(), "stride (2) has 1 entry but kernel (2,2) has 2");
        assertRejected(() -> NdPoolSpec.avg(2).padding(0, 0).build(), "padding (0,0) has 2 entries");
        assertRejected(() -> NdPoolSpec.max((int[]) null).build(), "kernel must be given for max pooling");
    }

    @Test
    void rejectsParametersAnOpDoesNotTake() {
        assertRejected(() -> NdPoolSpec.avg(2, 2).dilation(2, 1).build(), "dilation (2,1) must be 1 for avg pooling");
        assertRejected(() -> NdPoolSpec.lp(2, 2).dilation(3).build(), "dilation (3) must be 1 for lp pooling");
        assertRejected(() -> NdPoolSpec.max(2).divisorOverride(2).build(), "divisorOverride (2) applies to avg pooling only");
        assertRejected(() -> NdPoolSpec.max(2).countIncludePad(false).build(), "countIncludePad (false) applies to avg");
        assertRejected(() -> NdPoolSpec.avg(2).normType(2).build(), "normType (2.0) applies to lp pooling only");
        assertRejected(() -> NdPoolSpec.lp(2, 3).padding(1).build(), "padding (1) must be 0 for lp pooling");
        assertRejected(() -> NdPoolSpec.avg(2, 2, 2).divisorOverride(0).build(), "divisorOverride (0) must not be zero");
        assertRejected(() -> new NdPoolSpec(PoolOp.MAX, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1},
                false, true, null, new int[] {3}, null), "outputSize (3) does not apply to max pooling");
        assertRejected(() -> new NdPoolSpec(null, null, null, null, null, false, true, null, null, null), "op must be");
    }

    @Test
    void rejectsANormThatIsNotAPositiveFiniteNumber() {
        // NaN included: the check is written so that NaN fails it.
        for (double p : new double[] {0, -1, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertRejected(() -> NdPoolSpec.lp(p, 2).build(), "normType (" + p + ") must be a finite number > 0");
        }
        assertRejected(() -> new NdPoolSpec(PoolOp.LP, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1},
                false, true, null, null, null), "normType (null)");
    }

    // ---- ops with an output size

    @Test
    void rejectsAnOutputSizeOfZeroOrNone() {
        assertRejected(() -> NdPoolSpec.adaptiveAvg(0), "outputSize length (0) must be > 0");
        assertRejected(() -> NdPoolSpec.adaptiveMax(3, -2), "outputSize width (-2) must be > 0");
        assertRejected(() -> NdPoolSpec.unpool(4, 4, 0), "outputSize width (0) must be > 0");
        assertRejected(() -> NdPoolSpec.adaptiveMax(), "outputSize ()", "1, 2 or 3 entries");
        assertRejected(() -> NdPoolSpec.unpool((int[]) null), "outputSize must be given for unpool (max unpooling)");
        assertRejected(() -> new NdPoolSpec(PoolOp.ADAPTIVE_AVG, new int[] {2}, null, null, null, false, true, null,
                new int[] {2}, null), "kernel (2) does not apply to adaptive-avg pooling");
        assertRejected(() -> new NdPoolSpec(PoolOp.UNPOOL, null, null, null, null, true, true, null,
                new int[] {2}, null), "ceilMode (true) applies to max, avg and lp pooling, not unpool");
    }

    // ---- geometry

    @Test
    void outputShapesFollowEachOpsRule() {
        TensorShape in = TensorShape.channelsFirst(2, 3, 5, 6, 7);
        assertEquals(in.withSpatial(2, 3, 3), NdPoolGeometry.of(NdPoolSpec.max(2, 2, 2).build(), in).output());
        // ceil mode: the last window starts inside the input
        assertEquals(in.withSpatial(3, 3, 4), NdPoolGeometry.of(NdPoolSpec.avg(2, 2, 2).ceilMode(true).build(), in).output());
        assertEquals(in.withSpatial(9, 1, 2), NdPoolGeometry.of(NdPoolSpec.adaptiveMax(9, 1, 2), in).output());
        assertEquals(in.withSpatial(10, 12, 14), NdPoolGeometry.of(NdPoolSpec.unpool(10, 12, 14), in).output());
        TensorShape line = TensorShape.channelsLast(1, 4, 9);
        assertEquals(line.withSpatial(4), NdPoolGeometry.of(NdPoolSpec.lp(2, 3).stride(2).build(), line).output());
    }

    @Test
    void adaptiveBinsArePyTorchs() {
        // 10 split into 4: [0,3) [2,5) [5,8) [7,10): non-divisible bins overlap
        NdPoolGeometry g = NdPoolGeometry.of(NdPoolSpec.adaptiveAvg(4), TensorShape.channelsFirst(1, 1, 10));
        int[][] bins = {{0, 3}, {2, 5}, {5, 8}, {7, 10}};
        for (int o = 0; o < 4; o++) {
            assertEquals(bins[o][0], g.start(2, o));
            assertEquals(bins[o][1], g.end(2, o));
            assertEquals(3, g.divisor(0, 0, o));
        }
        // output larger than input: 3 into 5 repeats cells: [0,1) [0,2) [1,2) [1,3) [2,3)
        g = NdPoolGeometry.of(NdPoolSpec.adaptiveMax(5), TensorShape.channelsFirst(1, 1, 3));
        int[][] larger = {{0, 1}, {0, 2}, {1, 2}, {1, 3}, {2, 3}};
        for (int o = 0; o < 5; o++) {
            assertEquals(larger[o][0], g.start(2, o), "start " + o);
            assertEquals(larger[o][1], g.end(2, o), "end " + o);
        }
    }

    @Test
    void refusesARankMismatchAndAnEmptyOutput() {
        assertRejected(() -> NdPoolGeometry.of(NdPoolSpec.max(2, 2).build(), TensorShape.channelsFirst(1, 2, 3, 4, 5)),
                "has 2 spatial dimensions but input 1x2x3x4x5 (ncdhw) has 3");
        assertRejected(() -> NdPoolGeometry.of(NdPoolSpec.unpool(4), TensorShape.channelsLast(1, 2, 3, 3)),
                "has 1 spatial dimensions but input 1x3x3x2 (nhwc) has 2");
        assertRejected(() -> NdPoolGeometry.of(NdPoolSpec.max(3, 3, 3).build(), TensorShape.channelsFirst(1, 1, 2, 5, 5)),
                "output size 0x1x1 is too small for input 2x5x5");
        assertRejected(() -> NdPoolGeometry.of(null, TensorShape.channelsFirst(1, 1, 2)), "spec must not be null");
    }
}
