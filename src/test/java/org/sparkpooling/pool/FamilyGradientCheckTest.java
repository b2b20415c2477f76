package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.TensorShape;

/**
 * Each implementation's family backward is the derivative of its forward, in float64 and both
 * layouts: for {@code f(x) = sum(forward(x) * gradOutput)} the central difference of every input
 * element must match {@code gradInput}. This checks lp's chain rule, the adaptive bins' divisors
 * and the 3-D scatters without PyTorch.
 *
 * <p>Max, avg, adaptive and unpool are linear around the inputs chosen (distinct integers for the
 * maxima, so no argmax moves under a step of 1/4; unpool indices without repeats, where PyTorch's
 * gather is the derivative), so the difference is exact up to rounding: tolerance 1e-9. lp is
 * smooth on positive inputs: a step of 1e-5 leaves a truncation error near 1e-10; tolerance 1e-6.
 * A wrong factor in the chain rule is off by far more.
 */
class FamilyGradientCheckTest {

    private record Check(String name, NdPoolSpec spec, TensorShape shape) {
    }

    @TestFactory
    Stream<DynamicTest> backwardIsTheDerivativeOfForward() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Check c : checks()) {
            for (Layout layout : Layout.values()) {
                TensorShape shape = c.shape().withLayout(layout);
                for (PoolKernel k : PoolKernels.all()) {
                    if (k.supports(c.spec().op())) {
                        tests.add(DynamicTest.dynamicTest(c.name() + " " + layout.label() + " [" + k.name() + "]",
                                () -> check(k, c.spec(), shape)));
                    }
                }
            }
        }
        return tests.stream();
    }

    private static List<Check> checks() {
        return List.of(
                new Check("avg1d ceil excludePad", NdPoolSpec.avg(3).stride(2).padding(1).ceilMode(true)
                        .countIncludePad(false).build(), TensorShape.channelsFirst(2, 3, 8)),
                new Check("avg3d overlapping ceil", NdPoolSpec.avg(2, 3, 2).stride(1, 2, 2).padding(1, 1, 0)
                        .ceilMode(true).build(), TensorShape.channelsFirst(1, 2, 3, 5, 4)),
                new Check("avg3d divisorOverride", NdPoolSpec.avg(2, 2, 2).stride(1, 1, 1).divisorOverride(-3).build(),
                        TensorShape.channelsFirst(1, 2, 3, 3, 4)),
                new Check("adaptive-avg1d", NdPoolSpec.adaptiveAvg(3), TensorShape.channelsFirst(2, 2, 7)),
                new Check("adaptive-avg2d", NdPoolSpec.adaptiveAvg(3, 4), TensorShape.channelsFirst(1, 3, 5, 7)),
                new Check("adaptive-avg3d larger", NdPoolSpec.adaptiveAvg(2, 3, 7), TensorShape.channelsFirst(1, 2, 3, 4, 5)),
                new Check("max1d dilated", NdPoolSpec.max(3).stride(1).padding(1).dilation(2).build(),
                        TensorShape.channelsFirst(2, 2, 9)),
                new Check("max3d overlapping", NdPoolSpec.max(2, 2, 2).stride(1, 1, 1).build(),
                        TensorShape.channelsFirst(1, 2, 3, 4, 4)),
                new Check("adaptive-max2d", NdPoolSpec.adaptiveMax(3, 2), TensorShape.channelsFirst(1, 3, 7, 5)),
                new Check("lp1 1d ceil", NdPoolSpec.lp(1, 3).stride(2).ceilMode(true).build(), TensorShape.channelsFirst(2, 2, 8)),
                new Check("lp2 2d ceil", NdPoolSpec.lp(2, 2, 3).stride(1, 2).ceilMode(true).build(),
                        TensorShape.channelsFirst(1, 3, 5, 6)),
                new Check("lp3 2d", NdPoolSpec.lp(3, 2, 2).build(), TensorShape.channelsFirst(1, 2, 4, 4)),
                new Check("lp1.5 3d", NdPoolSpec.lp(1.5, 2, 2, 2).stride(1, 1, 1).build(),
                        TensorShape.channelsFirst(1, 2, 3, 3, 3)),
                new Check("unpool1d", NdPoolSpec.unpool(11), TensorShape.channelsFirst(2, 2, 5)),
                new Check("unpool3d", NdPoolSpec.unpool(4, 5, 5), TensorShape.channelsFirst(1, 2, 2, 2, 3)));
    }

    static void check(NdPoolKernel kernel, NdPoolSpec spec, TensorShape shape) {
        Random rnd = new Random(7);
        boolean smooth = switch (spec.op()) {
            case LP -> true;
            case MAX, AVG, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
        double step = smooth ? 1e-5 : 0.25;
        double tolerance = smooth ? 1e-6 : 1e-9;
        double[] x = smooth ? positive(rnd, shape.size()) : distinctIntegers(rnd, shape.size());
        int[] indices = spec.op() == PoolOp.UNPOOL ? distinctPositions(rnd, shape, spec) : null;
        DoubleTensor input = new DoubleTensor(shape, x);
        NdPooled at = kernel.forward(spec, input, indices);
        double[] gy = new double[at.output().shape().size()];
        for (int i = 0; i < gy.length; i++) {
            gy[i] = rnd.nextGaussian();
        }
        double[] analytic = ((DoubleTensor) kernel.backward(spec, input, at, new DoubleTensor(at.output().shape(), gy))).data();
        boolean anyNonZero = false;
        for (int i = 0; i < x.length; i++) {
            double saved = x[i];
            x[i] = saved + step;
            double up = objective(kernel, spec, input, indices, gy);
            x[i] = saved - step;
            double down = objective(kernel, spec, input, indices, gy);
            x[i] = saved;
            double numeric = (up - down) / (2 * step);
            if (Math.abs(numeric - analytic[i]) > tolerance * Math.max(1, Math.abs(numeric))) {
                fail(spec + " on " + shape + " [" + kernel.name() + "]: gradInput[" + i + "] = " + analytic[i]
                        + ", finite difference " + numeric);
            }
            anyNonZero |= numeric != 0;
        }
        assertTrue(anyNonZero, spec + " [" + kernel.name() + "]: the finite differences are all zero: the check proved nothing");
    }

    private static double objective(NdPoolKernel kernel, NdPoolSpec spec, DoubleTensor input, int[] indices, double[] gy) {
        double[] y = ((DoubleTensor) kernel.forward(spec, input, indices).output()).data();
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += y[i] * gy[i];
        }
        return sum;
    }

    /** In [0.5, 2]: lp is smooth there, and far from the kinks at 0. */
    private static double[] positive(Random rnd, int size) {
        double[] x = new double[size];
        for (int i = 0; i < size; i++) {
            x[i] = 0.5 + 1.5 * rnd.nextDouble();
        }
        return x;
    }

    /** {@link GradientCheckTest}'s shuffled integers: every window has one clear maximum. */
    private static double[] distinctIntegers(Random rnd, int size) {
        float[] f = GradientCheckTest.distinctIntegers(rnd, size);
        double[] x = new double[size];
        for (int i = 0; i < size; i++) {
            x[i] = f[i];
        }
        return x;
    }

    /** For each volume, distinct positions of the unpooled volume, in the input's layout. */
    private static int[] distinctPositions(Random rnd, TensorShape shape, NdPoolSpec spec) {
        int outVolume = NdPoolGeometry.of(spec, shape).output().volume();
        int[] indices = new int[shape.size()];
        for (int n = 0; n < shape.n(); n++) {
            for (int c = 0; c < shape.c(); c++) {
                List<Integer> positions = new ArrayList<>();
                for (int p = 0; p < outVolume; p++) {
                    positions.add(p);
                }
                Collections.shuffle(positions, rnd);
                for (int s = 0; s < shape.volume(); s++) {
                    indices[shape.offset(n, c, s)] = positions.get(s);
                }
            }
        }
        return indices;
    }
}
