package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.sparkpooling.tensor.IndexTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;

/**
 * Channels-last against channels-first on every implementation: the same random case pooled in
 * both layouts gives the same results once transposed back. Max, adaptive max and unpool bit for
 * bit (values, indices, gradients); the ops that sum within the dtype's tolerance. Each
 * implementation is held to its own channels-first answer, so a layout bug cannot hide behind
 * agreement with the reference's.
 */
class ChannelsLastTest {

    private static final long SEED = 41L;

    @TestFactory
    Stream<DynamicTest> everyImplementationGivesTheSameAnswerInBothLayouts() {
        return FamilyCases.cases(SEED, 3).stream()
                .filter(c -> c.input().shape().layout() == Layout.CHANNELS_FIRST)
                .flatMap(c -> PoolKernels.all().stream().filter(k -> k.supports(c.spec().op()))
                        .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "]", () -> check(c, k))));
    }

    private static void check(FamilyCases.Case first, NdPoolKernel kernel) {
        String at = first.name() + " [" + kernel.name() + "]: ";
        Layout last = Layout.CHANNELS_LAST;
        NdTensor lastInput = first.input().toLayout(last);
        int[] lastIndices = first.indices() == null ? null
                : new IndexTensor(first.input().shape(), first.indices()).toLayout(last).data();
        NdPooled f = kernel.forward(first.spec(), first.input(), first.indices());
        NdPooled l = kernel.forward(first.spec(), lastInput, lastIndices);
        assertEquals(last, l.output().shape().layout(), at + "output layout");
        NdTensor lastBack = l.output().toLayout(Layout.CHANNELS_FIRST);
        boolean exact = switch (first.spec().op()) {
            case MAX, ADAPTIVE_MAX, UNPOOL -> true;
            case AVG, ADAPTIVE_AVG, LP -> false;
        };
        if (exact) {
            Tolerance.assertBitEqual(f.output(), lastBack, at + "output");
        } else {
            Tolerance.assertClose(f.output(), lastBack, at + "output");
        }
        boolean written = switch (first.spec().op().indices()) {
            case WRITTEN -> true;
            case READ, NONE -> false;
        };
        if (written) {
            assertArrayEquals(f.indices(), new IndexTensor(l.output().shape(), l.indices())
                    .toLayout(Layout.CHANNELS_FIRST).data(), at + "indices");
        }
        NdTensor gradFirst;
        try {
            gradFirst = kernel.backward(first.spec(), first.input(), f, first.gradOutput());
        } catch (IllegalArgumentException indexOutsideVolume) {
            assertThrows(IllegalArgumentException.class,
                    () -> kernel.backward(first.spec(), lastInput, l, first.gradOutput().toLayout(last)), at + "backward");
            return;
        }
        NdTensor gradLast = kernel.backward(first.spec(), lastInput, l, first.gradOutput().toLayout(last))
                .toLayout(Layout.CHANNELS_FIRST);
        if (exact) {
            Tolerance.assertBitEqual(gradFirst, gradLast, at + "gradInput");
        } else {
            Tolerance.assertClose(gradFirst, gradLast, at + "gradInput");
        }
    }
}
