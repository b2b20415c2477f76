package org.sparkpooling.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.Layout;

/** Runs every benchmark body once, so a benchmark cannot rot unnoticed (Trino's BenchmarkBlockSerde habit). */
class KernelBenchTest {

    private static final Blackhole BH = new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    /** The reference takes seconds on the 25M-element cases; it runs on the small ones only. */
    private static final int LOOPS_LIMIT = 1 << 22;

    @Test
    void everyCaseRunsOnEveryImplementationAndAgreesWithLoops() {
        for (KernelCase c : KernelCase.values()) {
            for (Layout layout : Layout.values()) {
                for (Dtype dtype : Dtype.values()) {
                    run(c, layout, dtype);
                }
            }
        }
    }

    private static void run(KernelCase c, Layout layout, Dtype dtype) {
        KernelCase.Buffers shared = c.buffers(layout, dtype);
        Object expected = null;
        for (PoolKernel k : PoolKernels.all()) {
            boolean reference = k == PoolKernels.reference();
            if (!k.supports(c.spec.op()) || reference && shared.shape.size() > LOOPS_LIMIT) {
                continue;
            }
            KernelBench bench = new KernelBench();
            bench.impl = k.name();
            bench.kernelCase = c.label;
            bench.layout = layout.label();
            bench.dtype = dtype.label();
            bench.setup(shared);
            String at = c.label + " " + layout.label() + " " + dtype.label() + " " + k.name();
            if (k.name().equals("fast")) {
                // The halves alone, from a gradInput of garbage, give what the whole step gives
                fillGradInput(shared, 7);
                bench.forward(BH);
                bench.backward(BH);
                Object halves = gradInputCopy(shared);
                fillGradInput(shared, -3);
                bench.forwardBackward(BH);
                if (halves instanceof float[] h) {
                    assertArrayEquals(h, shared.floatGradInput, at + ": forward then backward");
                } else {
                    assertArrayEquals((double[]) halves, shared.doubleGradInput, at + ": forward then backward");
                }
            } else {
                bench.forwardBackward(BH);
            }
            boolean exact = c.spec.op() == PoolOp.MAX;
            if (reference) {
                expected = gradInputCopy(shared);
            } else if (expected instanceof float[] e) {
                assertArrayEquals(e, shared.floatGradInput, exact ? 0f : 1e-5f, at);
            } else if (expected instanceof double[] e) {
                assertArrayEquals(e, shared.doubleGradInput, exact ? 0 : 1e-10, at);
            }
        }
    }

    private static Object gradInputCopy(KernelCase.Buffers b) {
        return b.floatGradInput != null ? b.floatGradInput.clone() : b.doubleGradInput.clone();
    }

    private static void fillGradInput(KernelCase.Buffers b, int value) {
        if (b.floatGradInput != null) {
            Arrays.fill(b.floatGradInput, value);
        } else {
            Arrays.fill(b.doubleGradInput, value);
        }
    }

    @Test
    void copyBoundsRun() {
        CopyBench small = new CopyBench();
        small.kernelCase = KernelCase.TEXTBOOK_MAX.label;
        small.dtype = "float32";
        small.setup();
        small.copyTraffic(BH);
        assertArrayEquals((float[]) small.inputCopy(),
                KernelCase.TEXTBOOK_MAX.buffers(Layout.CHANNELS_FIRST, Dtype.FLOAT32).floatInput.data());
        KernelCase.Buffers smallBuffers = KernelCase.TEXTBOOK_MAX.buffers(Layout.CHANNELS_FIRST, Dtype.FLOAT64);
        for (KernelCase c : KernelCase.values()) {
            for (Dtype dtype : Dtype.values()) {
                CopyBench bench = new CopyBench();
                bench.kernelCase = c.label;
                bench.dtype = dtype.label();
                boolean big = c.shape(Layout.CHANNELS_FIRST).size() > LOOPS_LIMIT;
                bench.setup(big ? (dtype == Dtype.FLOAT32 ? KernelCase.TEXTBOOK_MAX.buffers(Layout.CHANNELS_FIRST,
                        Dtype.FLOAT32) : smallBuffers) : c.buffers(Layout.CHANNELS_FIRST, dtype));
                bench.copyInput(BH);
                bench.copyTraffic(BH);
            }
        }
        assertEquals(KernelCase.LARGE_MAX, KernelCase.byLabel("large-max"));
        assertEquals(Layout.CHANNELS_LAST, KernelCase.layout("nhwc"));
    }
}
