package org.sparkpooling.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolMode;

/** Runs every benchmark body once, so a benchmark cannot rot unnoticed (Trino's BenchmarkBlockSerde habit). */
class KernelBenchTest {

    private static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    /** The reference takes seconds on the 25M-element cases; it runs on the small ones only. */
    private static final int LOOPS_LIMIT = 1 << 22;

    @Test
    void everyCaseRunsOnEveryImplementationAndAgreesWithLoops() {
        for (KernelCase c : KernelCase.values()) {
            KernelCase.Buffers shared = c.buffers();
            float[] expected = null;
            for (PoolKernel k : PoolKernels.all()) {
                boolean reference = k == PoolKernels.reference();
                if (reference && c.shape.size() > LOOPS_LIMIT) {
                    continue;
                }
                KernelBench bench = new KernelBench();
                bench.impl = k.name();
                bench.kernelCase = c.label;
                bench.setup(shared);
                bench.forwardBackward(BH);
                if (reference) {
                    expected = shared.gradInput.clone();
                } else if (expected != null && c.spec.mode() == PoolMode.MAX) {
                    assertArrayEquals(expected, shared.gradInput, c.label + " " + k.name());
                } else if (expected != null) {
                    assertArrayEquals(expected, shared.gradInput, 1e-5f, c.label + " " + k.name());
                }
            }
        }
    }

    @Test
    void copyBoundsRun() {
        CopyBench small = new CopyBench();
        small.kernelCase = KernelCase.TEXTBOOK_MAX.label;
        small.setup();
        small.copyTraffic(BH);
        assertArrayEquals(small.inputCopy(), KernelCase.TEXTBOOK_MAX.buffers().input.data());
        for (KernelCase c : KernelCase.values()) {
            CopyBench bench = new CopyBench();
            bench.kernelCase = c.label;
            bench.setup(c.shape.size() > LOOPS_LIMIT ? KernelCase.TEXTBOOK_MAX.buffers() : c.buffers());
            bench.copyInput(BH);
            bench.copyTraffic(BH);
        }
        assertEquals(KernelCase.LARGE_MAX, KernelCase.byLabel("large-max"));
    }
}
