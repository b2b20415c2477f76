package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of a PyTorch golden file (system property {@code golden}, default
 * {@code ../shared/golden/pytorch-pool2d.json}) on every implementation, one test per case and
 * implementation. Max output and indices exact, and a max call without indices writes the same
 * values bit for bit; everything else within {@code 1e-5 * max(1, |expected|)}.
 */
class PytorchGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyCaseOnEveryImplementation() throws IOException {
        List<GoldenCase> cases = GoldenCase.load(GoldenCase.defaultFile());
        assertFalse(cases.isEmpty(), "golden file holds no cases");
        return cases.stream().flatMap(c -> PoolKernels.all().stream()
                .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "]", () -> check(c, k))));
    }

    static void check(GoldenCase c, PoolKernel kernel) {
        Pooled fwd = kernel.forward(c.spec(), c.input());
        assertEquals(c.output().shape(), fwd.output().shape(), "output shape");
        if (c.spec().mode() == PoolMode.MAX) {
            Tolerance.assertBitEqual(c.output().data(), fwd.output().data(), "output");
            assertArrayEquals(c.indices(), fwd.indices(), "indices");
            Tolerance.assertRawBitEqual(fwd.output().data(), KernelAgreementTest.valuesAlone(kernel, c.spec(), c.input()),
                    "output without indices");
        } else {
            Tolerance.assertClose(c.output().data(), fwd.output().data(), "output");
        }
        float[] gradInput = kernel.backward(c.spec(), c.input().shape(), fwd, c.gradOutput()).data();
        Tolerance.assertClose(c.gradInput().data(), gradInput, "gradInput");
    }
}
