package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sparkpooling.tensor.NdTensor;

/**
 * Every case of PyTorch's pooling-family golden file (system property {@code goldenOps}, default
 * {@code ../shared/golden/pytorch-pool-ops.json}) on every implementation that supports its op,
 * one test per case and implementation; a missing file fails. The 2-D and 3-D cases run again
 * channels-last, transposed on the way in and out, against the same PyTorch values.
 *
 * <p>Agreement (the golden README): max and adaptive-max outputs and indices, and unpool outputs,
 * exact (NaN matches NaN), and a max call without indices writes the same values bit for bit;
 * everything else within {@code 1e-5 * max(1, |expected|)} for float32, {@code 1e-10 *} for float64.
 */
class PytorchOpsGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseOnEveryImplementationThatSupportsItsOp() throws IOException {
        List<GoldenOpsCase> cases = GoldenOpsCase.load(GoldenOpsCase.defaultFile());
        return cases.stream()
                .flatMap(c -> c.spec().dims() == 1 ? Stream.of(c) : Stream.of(c, c.channelsLast()))
                .flatMap(c -> PoolKernels.all().stream().filter(k -> k.supports(c.spec().op()))
                        .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "]", () -> check(c, k))));
    }

    /** Without this, a file holding only some ops, or a filter that drops them, would pass unnoticed. */
    @Test
    void theFileCoversEveryOpAndBothDtypes() throws IOException {
        List<GoldenOpsCase> cases = GoldenOpsCase.load(GoldenOpsCase.defaultFile());
        Set<PoolOp> ops = EnumSet.noneOf(PoolOp.class);
        cases.forEach(c -> ops.add(c.spec().op()));
        assertEquals(EnumSet.allOf(PoolOp.class), ops);
        assertTrue(cases.stream().anyMatch(c -> c.input().dtype() == org.sparkpooling.tensor.Dtype.FLOAT64));
        assertEquals(114, cases.size(), "cases in " + GoldenOpsCase.defaultFile());
        for (PoolOp op : PoolOp.values()) {
            assertTrue(PoolKernels.reference().supports(op) && PoolKernels.byName("fast").supports(op), op.label());
        }
    }

    static void check(GoldenOpsCase c, NdPoolKernel kernel) {
        String at = c.name() + " [" + kernel.name() + "]: ";
        NdPooled fwd = kernel.forward(c.spec(), c.input(), readIndices(c));
        boolean exact = switch (c.spec().op()) {
            case MAX, ADAPTIVE_MAX, UNPOOL -> true;
            case AVG, ADAPTIVE_AVG, LP -> false;
        };
        if (exact) {
            Tolerance.assertBitEqual(c.output(), fwd.output(), at + "output");
        } else {
            Tolerance.assertClose(c.output(), fwd.output(), at + "output");
        }
        switch (c.spec().op().indices()) {
            case WRITTEN -> {
                assertArrayEquals(c.indices(), fwd.indices(), at + "indices");
                NdTensor alone = valuesAlone(kernel, c);
                Tolerance.assertRawBitEqual(fwd.output(), alone, at + "output without indices");
            }
            case READ, NONE -> { }
        }
        NdTensor gradInput = kernel.backward(c.spec(), c.input(), fwd, c.gradOutput());
        Tolerance.assertClose(c.gradInput(), gradInput, at + "gradInput");
    }

    private static int[] readIndices(GoldenOpsCase c) {
        return switch (c.spec().op().indices()) {
            case READ -> c.indices();
            case WRITTEN, NONE -> null;
        };
    }

    /** Forward with {@code indices == null}, into an output filled with a NaN no case produces. */
    static NdTensor valuesAlone(NdPoolKernel kernel, GoldenOpsCase c) {
        NdTensor out = FamilyCases.unwritten(c.output().shape(), c.input().dtype());
        FamilyCases.forwardInto(kernel, c.spec(), c.input(), out, null);
        return out;
    }
}
