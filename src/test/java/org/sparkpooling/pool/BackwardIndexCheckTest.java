package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.sparkpooling.pool.Rejections.assertRejectedAt;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * fast's max backward checks each index as its loops read it, not in a pass before them
 * ({@link NdPoolGeometry#forBackwardCheckingIndicesInLoops}), so every path that reads indices must
 * refuse one outside the input itself: the 2x2 stride-2 tile rows and the channels-last window rows
 * (which compare each index with its own window's cells and fall back to the scatter), the
 * scatters, the gathers of overlapping windows, the few-channel rows, in both dtypes and both
 * layouts. Each case takes real indices from forward, puts one bad index in the middle and expects
 * the error {@code forBackward} gives, naming that index and its position. The same indices left
 * as they are must give the gradient of {@code loops}, so the case does reach that path with
 * indices it accepts.
 */
class BackwardIndexCheckTest {

    private record Case(String name, NdPoolSpec spec, TensorShape shape) {
    }

    private static List<Case> cases() {
        NdPoolSpec tiles = NdPoolSpec.max(2, 2).build();
        NdPoolSpec overlap = NdPoolSpec.max(2, 2).stride(1, 1).build();
        NdPoolSpec stem = NdPoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build();
        NdPoolSpec cube = NdPoolSpec.max(2, 2, 2).build();
        NdPoolSpec adaptive = NdPoolSpec.adaptiveMax(5, 3);
        return List.of(
                // channels-first 2-D: whole tile planes by SIMD rows; the stride-1 and strided scatters
                new Case("2x2 stride 2 tiles, channels-first", tiles, TensorShape.channelsFirst(2, 3, 12, 40)),
                new Case("2x2 stride 1, channels-first", overlap, TensorShape.channelsFirst(2, 3, 9, 20)),
                new Case("3x3 stride 2 padding 1, channels-first", stem, TensorShape.channelsFirst(2, 3, 9, 20)),
                new Case("1-D, channels-first", NdPoolSpec.max(2).build(), TensorShape.channelsFirst(2, 3, 40)),
                // channels-first 3-D: pair tiles, else the scatter
                new Case("2x2x2 tiles, channels-first", cube, TensorShape.channelsFirst(2, 3, 4, 6, 20)),
                new Case("adaptive, channels-first", adaptive, TensorShape.channelsFirst(2, 3, 9, 20)),
                // channels-last: window rows of many channels and of few, the gather, the raster-order scatter
                new Case("2x2 stride 2, channels-last, 16 channels", tiles, TensorShape.channelsLast(2, 16, 6, 8)),
                new Case("2x2 stride 2, channels-last, 3 channels", tiles, TensorShape.channelsLast(2, 3, 6, 8)),
                new Case("2x2 stride 1, channels-last, 16 channels", overlap, TensorShape.channelsLast(2, 16, 5, 7)),
                new Case("3x3 stride 2 padding 1, channels-last", stem, TensorShape.channelsLast(2, 16, 7, 9)),
                new Case("2x2x2 tiles, channels-last", cube, TensorShape.channelsLast(2, 16, 4, 4, 6)),
                new Case("adaptive, channels-last", adaptive, TensorShape.channelsLast(2, 16, 9, 7)));
    }

    @TestFactory
    Stream<DynamicTest> everyBackwardPathRefusesAnIndexOutsideTheInput() {
        List<DynamicTest> tests = new ArrayList<>();
        for (PoolKernel k : kernels()) {
            for (Case c : cases()) {
                if (!k.supports(c.spec().op())) {
                    continue;
                }
                for (boolean single : new boolean[] {true, false}) {
                    String name = c.name() + (single ? ", float32" : ", float64") + " [" + k + "]";
                    tests.add(DynamicTest.dynamicTest(name, () -> check(name + ": ", k, c, single)));
                }
            }
        }
        return tests.stream();
    }

    private static List<PoolKernel> kernels() {
        List<PoolKernel> kernels = new ArrayList<>(PoolKernels.all());
        kernels.add(new FastKernel(new ScalarPoolSupport()));
        return kernels;
    }

    /** One backward with the given indices, held to loops' gradient. */
    private interface Backward {
        void check(int[] indices, String what);
    }

    private static void check(String where, PoolKernel k, Case c, boolean single) {
        SplittableRandom rnd = new SplittableRandom(c.name().hashCode());
        NdPoolGeometry g = NdPoolGeometry.of(c.spec(), c.shape());
        int outSize = g.output().size();
        int volume = c.shape().volume();
        int[] ind = new int[outSize];
        float[] x = new float[c.shape().size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(1 << 20) - (1 << 19);
        }
        float[] gy = new float[outSize];
        for (int i = 0; i < gy.length; i++) {
            gy[i] = rnd.nextInt(64) + 1;
        }
        double[] xd = new double[x.length];
        double[] gyd = new double[gy.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        for (int i = 0; i < gy.length; i++) {
            gyd[i] = gy[i];
        }
        FloatTensor input = new FloatTensor(c.shape(), x);
        DoubleTensor inputD = new DoubleTensor(c.shape(), xd);
        if (single) {
            k.forward(c.spec(), input, new float[outSize], ind);
        } else {
            k.forward(c.spec(), inputD, new double[outSize], ind);
        }
        // the valid indices first: the same gradient as loops, so the path accepts what it should
        Backward asLoops = (indices, what) -> {
            PoolKernel loops = PoolKernels.byName("loops");
            if (single) {
                float[] expected = new float[x.length];
                loops.backward(c.spec(), input, gy, indices, expected);
                float[] actual = new float[x.length];
                k.backward(c.spec(), input, gy, indices, actual);
                assertArrayEquals(expected, actual, where + what);
            } else {
                double[] expected = new double[x.length];
                loops.backward(c.spec(), inputD, gyd, indices, expected);
                double[] actual = new double[x.length];
                k.backward(c.spec(), inputD, gyd, indices, actual);
                assertArrayEquals(expected, actual, where + what);
            }
        };
        asLoops.check(ind, "valid indices");
        int at = outSize / 2 + 1;
        // In the volume but outside their windows (the last cell, past every window of the first
        // output rows; the middle one): the paths that read windows fall back, and it is still loops'
        int[] elsewhere = ind.clone();
        elsewhere[0] = volume - 1;
        elsewhere[at] = volume / 2;
        asLoops.check(elsewhere, "indices outside their windows");
        for (int bad : new int[] {volume, -1, Integer.MIN_VALUE, volume + (1 << 24)}) {
            int[] broken = ind.clone();
            broken[at] = bad;
            String fragment = "index (" + bad + ") at output " + at;
            if (single) {
                assertRejectedAt(where, () -> k.backward(c.spec(), input, gy, broken, new float[x.length]),
                        fragment, "input volume of " + c.shape().spatialString());
            } else {
                assertRejectedAt(where, () -> k.backward(c.spec(), inputD, gyd, broken, new double[x.length]),
                        fragment, "input volume of " + c.shape().spatialString());
            }
        }
    }
}
