package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sparkpooling.pool.Rejections.assertRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.Shape;

/**
 * PoolSpec's validation (PyTorch's rules, one test per invalid parameter, messages naming role and
 * value) and its output size, including the ceil-mode rule.
 */
class PoolSpecTest {

    @Test
    void defaultsAreTorchs() {
        PoolSpec s = PoolSpec.avg(3, 2).build();
        assertEquals(3, s.strideH());
        assertEquals(2, s.strideW());
        assertEquals(0, s.padH());
        assertEquals(1, s.dilationH());
        assertEquals(true, s.countIncludePad());
        assertEquals(false, s.ceilMode());
        assertNull(s.divisorOverride());
    }

    // ---- parameters that must be positive

    @Test
    void rejectsKernelHeightZero() {
        assertRejected(() -> PoolSpec.max(0, 2).stride(1, 1).build(), "kernel height (0) must be > 0");
    }

    @Test
    void rejectsKernelWidthNegative() {
        assertRejected(() -> PoolSpec.avg(2, -1).stride(1, 1).build(), "kernel width (-1) must be > 0");
    }

    @Test
    void rejectsStrideHeightZero() {
        assertRejected(() -> PoolSpec.max(2, 2).stride(0, 1).build(), "stride height (0) must be > 0");
    }

    @Test
    void rejectsStrideWidthNegative() {
        assertRejected(() -> PoolSpec.avg(2, 2).stride(1, -2).build(), "stride width (-2) must be > 0");
    }

    @Test
    void rejectsDilationHeightZero() {
        assertRejected(() -> PoolSpec.max(2, 2).dilation(0, 1).build(), "dilation height (0) must be > 0");
    }

    @Test
    void rejectsDilationWidthNegative() {
        assertRejected(() -> PoolSpec.max(2, 2).dilation(1, -3).build(), "dilation width (-3) must be > 0");
    }

    @Test
    void rejectsADilatedSpanPastInt() {
        assertRejected(() -> PoolSpec.max(1 << 30, 2).dilation(4, 1).build(),
                "kernel height (" + (1 << 30) + ") with dilation (4)");
    }

    @Test
    void rejectsNullMode() {
        assertRejected(() -> PoolSpec.builder(null, 2, 2).build(), "mode", "null");
    }

    // ---- padding

    @Test
    void rejectsNegativePaddingHeight() {
        assertRejected(() -> PoolSpec.max(3, 3).padding(-1, 0).build(), "padding height (-1) must be >= 0");
    }

    @Test
    void rejectsNegativePaddingWidth() {
        assertRejected(() -> PoolSpec.avg(3, 3).padding(0, -1).build(), "padding width (-1) must be >= 0");
    }

    @Test
    void rejectsPaddingHeightPastHalfTheKernel() {
        assertRejected(() -> PoolSpec.max(5, 5).padding(3, 2).build(),
                "padding height (3) must be at most half the effective kernel size (5)");
    }

    @Test
    void rejectsPaddingWidthPastHalfTheKernel() {
        assertRejected(() -> PoolSpec.avg(2, 2).padding(1, 2).build(),
                "padding width (2) must be at most half the effective kernel size (2)");
    }

    @Test
    void paddingIsBoundedByTheDilatedKernel() {
        // kernel 2 dilated by 3 spans 4 elements: padding 2 is fine, 3 is not.
        PoolSpec.max(2, 2).dilation(3, 1).padding(2, 1).build();
        assertRejected(() -> PoolSpec.max(2, 2).dilation(3, 1).padding(3, 1).build(),
                "padding height (3) must be at most half the effective kernel size (4)");
    }

    // ---- mode-specific parameters

    @Test
    void rejectsDilationWithAvg() {
        assertRejected(() -> PoolSpec.avg(2, 2).dilation(2, 1).build(), "dilation (2,1)", "avg");
    }

    @Test
    void rejectsDivisorOverrideZero() {
        assertRejected(() -> PoolSpec.avg(2, 2).divisorOverride(0).build(), "divisorOverride (0)", "zero");
    }

    @Test
    void rejectsDivisorOverrideWithMax() {
        assertRejected(() -> PoolSpec.max(2, 2).divisorOverride(4).build(), "divisorOverride (4)", "avg pooling only");
    }

    @Test
    void acceptsANegativeDivisorOverride() {
        assertEquals(-3, PoolSpec.avg(2, 2).divisorOverride(-3).build().divisorOverride());
    }

    // ---- output size

    @Test
    void rejectsAnOutputSmallerThanOneByOne() {
        PoolSpec spec = PoolSpec.max(3, 3).stride(2, 2).build();
        assertRejected(() -> spec.geometry(2, 7),
                "output size 0x3 is too small for input 2x7 with max kernel 3x3 stride 2x2 padding 0x0");
    }

    @Test
    void rejectsAnOutputWidthOfZero() {
        PoolSpec spec = PoolSpec.avg(1, 4).build();
        assertRejected(() -> spec.geometry(5, 3), "output size 5x0", "input 5x3", "kernel 1x4");
    }

    @Test
    void floorModeCountsWholeWindows() {
        assertEquals(14, PoolSpec.outputSize(28, 2, 2, 0, 1, false));
        assertEquals(56, PoolSpec.outputSize(112, 3, 2, 1, 1, false));
        assertEquals(6, PoolSpec.outputSize(10, 3, 1, 0, 2, false)); // dilated span 5
        assertEquals(2, PoolSpec.outputSize(7, 2, 3, 0, 1, false));
    }

    @Test
    void ceilModeAddsAPartialWindow() {
        assertEquals(3, PoolSpec.outputSize(7, 2, 3, 0, 1, true)); // last window overhangs by one
        assertEquals(4, PoolSpec.outputSize(7, 1, 2, 0, 1, true));
    }

    @Test
    void ceilModeDropsALastWindowStartingPastTheInputAndItsLeftPadding() {
        // Input 6, kernel 1, stride 2: ceil((6 - 1) / 2) + 1 = 4, but the fourth window would start
        // at 6, past the input, so PyTorch keeps 3.
        assertEquals(3, PoolSpec.outputSize(6, 1, 2, 0, 1, true));
        // Input 5, kernel 2, stride 2, padding 1: the fourth window would start at 6 - 1 = 5 = the input's end.
        assertEquals(3, PoolSpec.outputSize(5, 2, 2, 1, 1, true));
        // ... while with input 6 it starts inside, at 5, and stays.
        assertEquals(4, PoolSpec.outputSize(6, 2, 2, 1, 1, true));
    }

    @Test
    void theCeilRuleAgreesWithThePytorchGoldenCase() throws IOException {
        assumeTrue(Files.isRegularFile(GoldenCase.defaultFile()), "no golden file at " + GoldenCase.defaultFile());
        Optional<GoldenCase> c = GoldenCase.load(GoldenCase.defaultFile()).stream()
                .filter(g -> g.name().equals("ceil-last-window-rule")).findFirst();
        assumeTrue(c.isPresent(), "the golden file has no case ceil-last-window-rule");
        Shape in = c.get().input().shape();
        assertEquals(new Shape(1, 1, 6, 7), in);
        assertEquals(PoolSpec.max(1, 1).stride(2, 2).ceilMode(true).build(), c.get().spec());
        // 6 -> 3 by the rule above; 7 -> 4 (the fourth window starts at 6, inside).
        assertEquals(new Shape(1, 1, 3, 4), c.get().output().shape());
        assertEquals(c.get().output().shape(), c.get().spec().geometry(in.h(), in.w()).outputShape(in));
    }

    /**
     * Against a count of windows written from the definition rather than the formula: floor mode
     * keeps the windows that fit in the padded input; ceil mode keeps, besides, windows that
     * overhang its end, if they start inside the input (one starting in the right padding would
     * read padding only) and the window a stride earlier did not already reach the end.
     */
    private static int countWindows(int in, int span, int s, int p, boolean ceil) {
        int count = 0;
        for (int start = -p; start < in; start += s) {
            boolean fits = start + span <= in + p;
            boolean partial = ceil && !fits && start - s + span < in + p;
            if (fits || partial) {
                count++;
            }
        }
        return count;
    }
}
