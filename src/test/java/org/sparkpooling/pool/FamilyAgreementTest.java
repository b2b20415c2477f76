package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * Every implementation other than the reference against {@code loops} on random cases of the
 * whole family ({@link FamilyCases}: every op, rank, layout and dtype, awkward sizes, extreme
 * values). Max, adaptive max and unpool: output, indices and gradInput bit for bit; the ops that
 * sum within the dtype's tolerance. Implementations registered in {@link PoolKernels} are picked
 * up by themselves, each on the ops it supports.
 */
class FamilyAgreementTest {

    private static final long SEED = 20261201L;
    private static final int PER_COMBINATION = 7;

    @TestFactory
    Stream<DynamicTest> everyImplementationAgreesWithLoops() {
        List<FamilyCases.Case> cases = FamilyCases.cases(SEED, PER_COMBINATION);
        return cases.stream().flatMap(c -> others().stream().filter(k -> k.supports(c.spec().op()))
                .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "]", () -> check(c, k))));
    }

    /** Max and adaptive max without indices, on every implementation: the values of the call with indices, bit for bit. */
    @TestFactory
    Stream<DynamicTest> maxValuesAloneEqualTheValuesWithIndices() {
        return FamilyCases.cases(SEED, PER_COMBINATION).stream()
                .filter(c -> c.spec().op().indices() == PoolOp.Indices.WRITTEN)
                .flatMap(c -> PoolKernels.all().stream().filter(k -> k.supports(c.spec().op()))
                        .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "] without indices", () -> {
                            NdTensor withIndices = k.forward(c.spec(), c.input()).output();
                            NdTensor alone = FamilyCases.unwritten(withIndices.shape(), c.input().dtype());
                            FamilyCases.forwardInto(k, c.spec(), c.input(), alone, null);
                            Tolerance.assertRawBitEqual(withIndices, alone, c.name() + " [" + k.name() + "]: output");
                        })));
    }

    /**
     * Few channels, channels-last (fewer than a vector's lanes: the rows that take whole output rows
     * of windows at once), with NaNs of both signs and many payloads in a third of the cells, so
     * windows hold two or more: max keeps the last NaN of a window, as the reference does.
     */
    @TestFactory
    Stream<DynamicTest> fewChannelWindowsKeepTheReferencesNaN() {
        SplittableRandom rnd = new SplittableRandom(20261203L);
        List<NdPoolSpec> specs = List.of(NdPoolSpec.max(2, 2).build(), NdPoolSpec.max(2, 2).stride(1, 1).build(),
                NdPoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build(), NdPoolSpec.max(2, 2, 2).build());
        return specs.stream().flatMap(spec -> IntStream.of(1, 3, 7).boxed().flatMap(channels -> {
            int[] spatial = spec.dims() == 3 ? new int[] {4, 6, 10} : new int[] {9, 20};
            TensorShape shape = TensorShape.channelsLast(2, channels, spatial);
            double[] x = new double[shape.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = rnd.nextInt(3) == 0 ? FamilyCases.anyNaN(rnd) : rnd.nextDouble() - 0.5;
            }
            double[] gy = new double[NdPoolGeometry.of(spec, shape).output().size()];
            Arrays.setAll(gy, i -> rnd.nextDouble());
            return Stream.of(Dtype.values()).map(dtype -> new FamilyCases.Case(
                    spec + " on " + shape + " " + dtype.label() + " nan", spec, FamilyCases.tensor(shape, dtype, x), null,
                    FamilyCases.tensor(NdPoolGeometry.of(spec, shape).output(), dtype, gy)));
        })).flatMap(c -> others().stream().filter(k -> k.supports(PoolOp.MAX))
                .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "]", () -> check(c, k))));
    }

    /**
     * RGB and RGBA channels-last windows two pixels wide, the rows that load two pixels a vector and
     * spread a tile's gradient by one rearrange ({@code PixelBlocks}): strides that tile, overlap and
     * leave gaps, padding and ceil mode (windows clipped at the ends, taken one by one), dilation,
     * three kernel rows and 3-D (more input rows per output row), rows long enough for several
     * blocks and a short last one; noise, ties (the first of equals) and NaNs.
     */
    @TestFactory
    Stream<DynamicTest> rgbAndRgbaWindowsTwoPixelsWideAgreeWithLoops() {
        SplittableRandom rnd = new SplittableRandom(20261204L);
        List<NdPoolSpec> specs = List.of(NdPoolSpec.max(2, 2).build(), NdPoolSpec.avg(2, 2).build(),
                NdPoolSpec.max(2, 2).stride(1, 1).build(), NdPoolSpec.avg(2, 2).stride(1, 1).build(),
                NdPoolSpec.max(2, 2).stride(3, 3).build(), NdPoolSpec.avg(2, 2).stride(3, 3).build(),
                NdPoolSpec.max(3, 2).stride(2, 2).build(), NdPoolSpec.avg(3, 2).stride(2, 2).build(),
                NdPoolSpec.max(2, 2).padding(1, 1).build(), NdPoolSpec.avg(2, 2).padding(1, 1).countIncludePad(false).build(),
                NdPoolSpec.max(2, 2).ceilMode(true).build(), NdPoolSpec.avg(2, 2).ceilMode(true).build(),
                NdPoolSpec.max(2, 2).dilation(2, 2).build(), NdPoolSpec.max(2, 2, 2).build(),
                NdPoolSpec.avg(2, 2, 2).build());
        return specs.stream().flatMap(spec -> IntStream.of(3, 4).boxed().flatMap(channels -> IntStream.range(0, 3)
                .boxed().flatMap(kind -> {
                    int[] spatial = spec.dims() == 3 ? new int[] {3, 5, 27} : new int[] {7, kind == 0 ? 31 : 44};
                    TensorShape shape = TensorShape.channelsLast(2, channels, spatial);
                    double[] x = new double[shape.size()];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = switch (kind) {
                            case 0 -> rnd.nextDouble() - 0.5;
                            case 1 -> rnd.nextInt(3) - 1;
                            default -> rnd.nextInt(5) == 0 ? FamilyCases.anyNaN(rnd) : rnd.nextDouble() - 0.5;
                        };
                    }
                    double[] gy = new double[NdPoolGeometry.of(spec, shape).output().size()];
                    Arrays.setAll(gy, i -> rnd.nextDouble() - 0.5);
                    String values = List.of("noise", "ties", "nan").get(kind);
                    return Stream.of(Dtype.values()).map(dtype -> new FamilyCases.Case(
                            spec + " on " + shape + " " + dtype.label() + " " + values, spec,
                            FamilyCases.tensor(shape, dtype, x), null,
                            FamilyCases.tensor(NdPoolGeometry.of(spec, shape).output(), dtype, gy)));
                }))).flatMap(c -> others().stream().filter(k -> k.supports(c.spec().op()))
                .map(k -> DynamicTest.dynamicTest(c.name() + " [" + k.name() + "]", () -> check(c, k))));
    }

    @Test
    void everyOpHasAnImplementationToCompareAndTheCasesCoverIt() {
        for (PoolOp op : PoolOp.values()) {
            assertTrue(others().stream().anyMatch(k -> k.supports(op)), "nothing besides loops computes " + op.label());
        }
        assertTrue(PoolKernels.byName("im2col").supports(PoolOp.MAX) && PoolKernels.byName("im2col").supports(PoolOp.AVG));
    }

    private static List<PoolKernel> others() {
        return PoolKernels.all().stream().filter(k -> k != PoolKernels.reference()).toList();
    }

    static void check(FamilyCases.Case c, NdPoolKernel kernel) {
        // Surefire's console names dynamic tests by number only: every message names the case.
        String at = c.name() + " [" + kernel.name() + "]: ";
        NdPoolKernel loops = PoolKernels.reference();
        NdPooled expected = loops.forward(c.spec(), c.input(), c.indices());
        NdPooled actual = kernel.forward(c.spec(), c.input(), c.indices());
        boolean exact = switch (c.spec().op()) {
            case MAX, ADAPTIVE_MAX, UNPOOL -> true;
            case AVG, ADAPTIVE_AVG, LP -> false;
        };
        if (exact) {
            Tolerance.assertBitEqual(expected.output(), actual.output(), at + "output");
            assertArrayEquals(expected.indices(), actual.indices(), at + "indices");
        } else {
            Tolerance.assertClose(expected.output(), actual.output(), at + "output");
        }
        NdTensor expectedGrad;
        try {
            expectedGrad = loops.backward(c.spec(), c.input(), expected, c.gradOutput());
        } catch (IllegalArgumentException indexOutsideVolume) {
            // Only a dilated window that misses the input gets here; every implementation must refuse it too.
            assertThrows(IllegalArgumentException.class, () -> kernel.backward(c.spec(), c.input(), actual, c.gradOutput()),
                    at + "backward");
            return;
        }
        NdTensor actualGrad = kernel.backward(c.spec(), c.input(), actual, c.gradOutput());
        if (exact) {
            Tolerance.assertBitEqual(expectedGrad, actualGrad, at + "gradInput");
        } else {
            Tolerance.assertClose(expectedGrad, actualGrad, at + "gradInput");
        }
        // A training loop or a benchmark reuses its gradInput buffer: every element must be written.
        Tolerance.assertBitEqual(actualGrad, backwardIntoStaleBuffer(kernel, c, actual), at + "gradInput, reused buffer");
    }

    /** The array form of backward into a buffer of NaN, as a reused buffer's stale values. */
    private static NdTensor backwardIntoStaleBuffer(NdPoolKernel kernel, FamilyCases.Case c, NdPooled forward) {
        NdTensor in = c.input();
        return switch (in.dtype()) {
            case FLOAT32 -> {
                float[] gx = new float[in.shape().size()];
                Arrays.fill(gx, Float.NaN);
                kernel.backward(c.spec(), (FloatTensor) in, ((FloatTensor) c.gradOutput()).data(), forward.indices(), gx);
                yield new FloatTensor(in.shape(), gx);
            }
            case FLOAT64 -> {
                double[] gx = new double[in.shape().size()];
                Arrays.fill(gx, Double.NaN);
                kernel.backward(c.spec(), (DoubleTensor) in, ((DoubleTensor) c.gradOutput()).data(), forward.indices(),
                        gx);
                yield new DoubleTensor(in.shape(), gx);
            }
        };
    }
}
