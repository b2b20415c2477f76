package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;
import org.sparkpooling.pipeline.Planes;

/**
 * Every implementation other than the reference against {@code loops}, over random specs, awkward
 * shapes and extreme values: max output, indices and gradInput bit for bit; avg within
 * {@code 1e-5 * max(1, |x|)}. New implementations registered in {@link PoolKernels} are picked up
 * by themselves. Each case is named by its number, spec, shape and values, and is made from a
 * fixed seed, so a failure reproduces by name.
 */
class KernelAgreementTest {

    private static final long SEED = 20261126L;
    private static final int RANDOM_CASES = 400;

    /** Plane sides: 1, odd, prime, and just past vector widths of 8, 16, 32 and 64 lanes. */
    private static final int[] SIDES = {1, 2, 3, 4, 5, 7, 8, 9, 11, 13, 16, 17, 31, 33, 65};

    /** How a case's input is filled; each covers a way a kernel can go wrong. */
    enum Values {
        /** Gaussian noise: the common case. */
        NOISE,
        /** Small integers: many ties inside a window, which raster order must break. */
        TIES,
        /** Noise with NaN sprinkled in: NaN wins a max, its last index is kept, it poisons a mean. */
        NAN,
        /** Noise with both infinities, and some windows that are entirely -inf. */
        INFINITIES,
        /** Magnitudes near float's limit (1e30, -3e38). For avg one sign per tensor, so no order of summation overflows where another does not. */
        HUGE,
        /** Zeros of both signs: a max must keep the first of 0 and -0. */
        SIGNED_ZEROS;

        float[] fill(Random rnd, int size, PoolMode mode) {
            float[] x = new float[size];
            float hugeSign = rnd.nextBoolean() ? 1f : -1f;
            for (int i = 0; i < size; i++) {
                float noise = (float) rnd.nextGaussian();
                int roll = rnd.nextInt(100);
                x[i] = switch (this) {
                    case NOISE -> noise;
                    case TIES -> rnd.nextInt(4) - 1;
                    // NaNs of both signs and many payloads (see FamilyCases.Values)
                    case NAN -> roll < 8 ? Float.intBitsToFloat(0x7fc00000 | rnd.nextInt(0x400000)
                            | (rnd.nextBoolean() ? 0x80000000 : 0)) : noise;
                    case INFINITIES -> roll < 15 ? Float.POSITIVE_INFINITY
                            : roll < 45 ? Float.NEGATIVE_INFINITY : noise;
                    case HUGE -> mode == PoolMode.AVG
                            ? hugeSign * (roll < 10 ? 3e38f : (1 + rnd.nextFloat()) * 1e30f)
                            : roll < 20 ? -3e38f : roll < 40 ? 3e38f : roll < 70 ? noise * 1e30f : noise;
                    case SIGNED_ZEROS -> roll < 50 ? 0f : -0f;
                };
            }
            return x;
        }
    }

    /** One input and spec to run on every implementation. */
    record Case(String name, PoolSpec spec, Tensor input, float[] gradOutput) {
    }

    @TestFactory
    Stream<DynamicTest> everyImplementationAgreesWithLoops() {
        List<PoolKernel> others = others();
        return cases().stream().flatMap(c -> others.stream()
                .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "]", () -> check(c, k))));
    }

    /**
     * Max without indices, on every implementation (the reference too): the values of the same
     * implementation's call with indices, bit for bit, NaN payloads included.
     */
    @TestFactory
    Stream<DynamicTest> maxValuesAloneEqualTheValuesWithIndices() {
        return cases().stream().filter(c -> c.spec().mode() == PoolMode.MAX).flatMap(c -> PoolKernels.all().stream()
                .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "] without indices", () -> {
                    float[] withIndices = k.forward(c.spec(), c.input()).output().data();
                    Tolerance.assertRawBitEqual(withIndices, valuesAlone(k, c.spec(), c.input()),
                            c.name() + " [" + k.name() + "]: output without indices");
                })));
    }

    /** Forward with {@code indices == null}, into an output filled with a value no case produces. */
    static float[] valuesAlone(PoolKernel kernel, PoolSpec spec, Tensor input) {
        float[] out = new float[spec.geometry(input.shape().h(), input.shape().w()).outputShape(input.shape()).size()];
        Arrays.fill(out, Float.intBitsToFloat(0x7fc0dead)); // a NaN with a payload: an unwritten output shows
        kernel.forward(spec, input, out, null);
        return out;
    }

    @Test
    void thereIsSomethingToCompare() {
        // Without a second implementation the factory above would pass vacuously.
        assertFalse(others().isEmpty(), "no implementation besides loops is registered");
    }

    private static List<PoolKernel> others() {
        return PoolKernels.all().stream().filter(k -> k != PoolKernels.reference()).toList();
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        Random rnd = new Random(SEED);
        while (cases.size() < RANDOM_CASES) {
            PoolSpec spec = randomSpec(rnd);
            Shape shape = randomShape(rnd, spec);
            if (shape != null) {
                Values values = Values.values()[cases.size() % Values.values().length];
                cases.add(make(String.format("#%03d", cases.size()), spec, shape, values, rnd));
            }
        }
        // Planes whose window matrix exceeds im2col's block budget, and a kernel larger than it.
        cases.add(make("blocks", PoolSpec.max(3, 3).stride(1, 1).padding(1, 1).build(),
                new Shape(2, 2, 131, 97), Values.NOISE, rnd));
        cases.add(make("blocks", PoolSpec.avg(3, 3).stride(1, 1).padding(1, 1).build(),
                new Shape(2, 2, 131, 97), Values.NOISE, rnd));
        cases.add(make("kernel-past-block-budget", PoolSpec.max(300, 300).stride(1, 1).build(),
                new Shape(1, 2, 301, 302), Values.TIES, rnd));
        cases.add(make("kernel-past-block-budget", PoolSpec.avg(300, 300).stride(1, 1).build(),
                new Shape(1, 2, 301, 302), Values.NOISE, rnd));
        // The textbook's and the ResNet stem's layers on a small batch.
        cases.add(make("textbook", PoolSpec.max(2, 2).build(), new Shape(4, 3, 28, 28), Values.NOISE, rnd));
        cases.add(make("resnet-stem", PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build(),
                new Shape(2, 4, 56, 56), Values.TIES, rnd));
        // Dilated windows that miss a one-row input: PyTorch reports -inf at an index outside the plane.
        cases.add(make("dilated-window-misses-input", PoolSpec.max(2, 2).dilation(3, 1).padding(2, 0)
                .stride(1, 1).build(), new Shape(1, 2, 1, 9), Values.NOISE, rnd));
        // ... and windows that miss a one-column input, whose indices then land on the next row:
        // inside the plane, so backward takes them, and must send their gradient where loops does.
        cases.add(make("dilated-window-misses-column", PoolSpec.max(1, 2).dilation(1, 3).padding(0, 2)
                .stride(2, 2).build(), new Shape(2, 1, 6, 1), Values.NOISE, rnd));
        // Windows that tile the input from its corner (the image pipeline's shape), which fast pools
        // row by row: every kernel up to 5x5 is square or not, floor and ceil mode, every kind of values.
        for (int i = 0; i < 96; i++) {
            PoolMode mode = i % 2 == 0 ? PoolMode.MAX : PoolMode.AVG;
            int kh = 1 + rnd.nextInt(5);
            int kw = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(5) : kh;
            PoolSpec.Builder b = PoolSpec.builder(mode, kh, kw).ceilMode(rnd.nextBoolean());
            if (mode == PoolMode.AVG && rnd.nextInt(4) == 0) {
                b.divisorOverride(1 + rnd.nextInt(9));
            }
            PoolSpec spec = b.build();
            Shape shape = randomShape(rnd, spec);
            if (shape != null) {
                cases.add(make(String.format("tiled-%02d", i), spec, shape, Values.values()[i / 2 % Values.values().length], rnd));
            }
        }
        return cases;
    }

    private static Case make(String id, PoolSpec spec, Shape shape, Values values, Random rnd) {
        Tensor input = new Tensor(shape, values.fill(rnd, shape.size(), spec.mode()));
        Shape out = spec.geometry(shape.h(), shape.w()).outputShape(shape);
        float[] gradOutput = new float[out.size()];
        for (int i = 0; i < gradOutput.length; i++) {
            gradOutput[i] = (float) rnd.nextGaussian();
        }
        String name = id + " " + spec + " on " + shape + " " + values.name().toLowerCase(Locale.ROOT);
        return new Case(name, spec, input, gradOutput);
    }

    private static PoolSpec randomSpec(Random rnd) {
        PoolMode mode = rnd.nextBoolean() ? PoolMode.MAX : PoolMode.AVG;
        int kh = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 7 : 4);
        int kw = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 7 : 4);
        PoolSpec.Builder b = PoolSpec.builder(mode, kh, kw);
        int dh = 1;
        int dw = 1;
        if (mode == PoolMode.MAX && rnd.nextInt(3) == 0) {
            dh = 1 + rnd.nextInt(3);
            dw = 1 + rnd.nextInt(3);
            b.dilation(dh, dw);
        }
        if (rnd.nextInt(4) != 0) {
            // Stride below the kernel makes windows overlap, above it leaves gaps.
            b.stride(1 + rnd.nextInt(4), 1 + rnd.nextInt(4));
        }
        if (rnd.nextBoolean()) {
            b.padding(rnd.nextInt((dh * (kh - 1) + 1) / 2 + 1), rnd.nextInt((dw * (kw - 1) + 1) / 2 + 1));
        }
        b.ceilMode(rnd.nextBoolean());
        if (mode == PoolMode.AVG) {
            b.countIncludePad(rnd.nextBoolean());
            if (rnd.nextInt(3) == 0) {
                int d = 1 + rnd.nextInt(9);
                b.divisorOverride(rnd.nextBoolean() ? d : -d);
            }
        }
        return b.build();
    }

    /** A shape the spec accepts, with N*C > 1 in most cases; null if twenty tries find none. */
    private static Shape randomShape(Random rnd, PoolSpec spec) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int h = SIDES[rnd.nextInt(SIDES.length)];
            int w = SIDES[rnd.nextInt(SIDES.length)];
            try {
                spec.geometry(h, w);
            } catch (IllegalArgumentException tooSmall) {
                continue;
            }
            return new Shape(1 + rnd.nextInt(3), 1 + rnd.nextInt(3), h, w);
        }
        return null;
    }

    static void check(Case c, PoolKernel kernel) {
        // Surefire's console names dynamic tests by number only: every message names the case.
        String at = c.name() + " [" + kernel.name() + "]: ";
        PoolKernel loops = PoolKernels.reference();
        Pooled expected = loops.forward(c.spec(), c.input());
        Pooled actual = kernel.forward(c.spec(), c.input());
        assertEquals(expected.output().shape(), actual.output().shape(), at + "output shape");
        boolean max = c.spec().mode() == PoolMode.MAX;
        if (max) {
            Tolerance.assertBitEqual(expected.output().data(), actual.output().data(), at + "output");
            assertArrayEquals(expected.indices(), actual.indices(), at + "indices");
        } else {
            Tolerance.assertClose(expected.output().data(), actual.output().data(), at + "output");
        }

        Tensor gradOutput = new Tensor(expected.output().shape(), c.gradOutput());
        Tensor expectedGrad;
        try {
            expectedGrad = loops.backward(c.spec(), c.input().shape(), expected, gradOutput);
        } catch (IllegalArgumentException indexOutsidePlane) {
            // Only a window that misses the input gets here; every implementation must refuse it too.
            assertThrows(IllegalArgumentException.class,
                    () -> kernel.backward(c.spec(), c.input().shape(), actual, gradOutput), at + "backward");
            return;
        }
        Tensor actualGrad = kernel.backward(c.spec(), c.input().shape(), actual, gradOutput);
        if (max) {
            Tolerance.assertBitEqual(expectedGrad.data(), actualGrad.data(), at + "gradInput");
        } else {
            Tolerance.assertClose(expectedGrad.data(), actualGrad.data(), at + "gradInput");
        }
    }
}
