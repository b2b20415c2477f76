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
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Each implementation's backward is the derivative of its forward: for
 * {@code f(x) = sum(forward(x) * gradOutput)}, the central difference {@code (f(x + e) - f(x - e)) / 2e}
 * of every input element, summed in double, must match {@code gradInput}.
 *
 * <p>Inputs and the step (1/4) are chosen so the check is sharp rather than loose: both modes are
 * linear around these inputs, so the step adds no truncation error. For avg, inputs are multiples
 * of 2^-10, so {@code x +- e} and the window sums are exact in float and only the division by the
 * divisor rounds (about 1e-7 of each output, 1e-6 after dividing by 2e); for max, inputs are
 * distinct integers, so no argmax moves under the step and the difference is exact. A backward
 * that assigns instead of accumulating where windows overlap, or uses a wrong divisor, is off by a
 * whole gradient term (order 0.1), far outside the tolerance of 1e-3.
 */
class GradientCheckTest {

    private static final long SEED = 7L;

    @TestFactory
    Stream<DynamicTest> backwardIsTheDerivativeOfForward() {
        List<DynamicTest> tests = new ArrayList<>();
        for (PoolSpec spec : specs()) {
            Shape shape = new Shape(1, 2, 7, 9);
            for (PoolKernel kernel : PoolKernels.all()) {
                tests.add(DynamicTest.dynamicTest(spec + " on " + shape + " [" + kernel.name() + "]",
                        () -> check(kernel, spec, shape)));
            }
        }
        return tests.stream();
    }

    private static List<PoolSpec> specs() {
        return List.of(
                PoolSpec.avg(2, 2).build(),
                PoolSpec.avg(3, 3).stride(1, 1).build(),
                PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).build(),
                PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).countIncludePad(false).build(),
                PoolSpec.avg(2, 3).stride(1, 2).padding(1, 0).ceilMode(true).build(),
                PoolSpec.avg(3, 2).stride(2, 3).ceilMode(true).countIncludePad(false).build(),
                PoolSpec.avg(2, 2).stride(1, 1).divisorOverride(3).build(),
                PoolSpec.avg(3, 3).stride(2, 1).padding(1, 1).divisorOverride(-2).build(),
                PoolSpec.max(2, 2).build(),
                PoolSpec.max(2, 2).stride(1, 1).build(),
                PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build(),
                PoolSpec.max(3, 3).stride(1, 1).padding(1, 1).build(),
                PoolSpec.max(2, 3).stride(1, 2).dilation(2, 2).padding(1, 2).build(),
                PoolSpec.max(3, 2).stride(2, 2).padding(1, 1).ceilMode(true).build());
    }

    static void check(PoolKernel kernel, PoolSpec spec, Shape shape) {
        Random rnd = new Random(SEED);
        float[] x = spec.mode() == PoolMode.MAX ? distinctIntegers(rnd, shape.size()) : dyadic(rnd, shape.size());
        float step = 0.25f;
        Pooled at = kernel.forward(spec, new Tensor(shape, x));
        float[] gradOutput = new float[at.output().data().length];
        for (int i = 0; i < gradOutput.length; i++) {
            gradOutput[i] = (float) rnd.nextGaussian();
        }
        float[] analytic = kernel.backward(spec, shape, at, new Tensor(at.output().shape(), gradOutput)).data();

        boolean anyNonZero = false;
        for (int i = 0; i < x.length; i++) {
            float saved = x[i];
            x[i] = saved + step;
            double up = objective(kernel, spec, shape, x, gradOutput);
            x[i] = saved - step;
            double down = objective(kernel, spec, shape, x, gradOutput);
            x[i] = saved;
            double numeric = (up - down) / (2.0 * step);
            if (Math.abs(numeric - analytic[i]) > 1e-3 * Math.max(1.0, Math.abs(numeric))) {
                fail(spec + " on " + shape + " [" + kernel.name() + "]: gradInput[" + i + "] = " + analytic[i] + ", finite difference " + numeric);
            }
            anyNonZero |= numeric != 0.0;
        }
        assertTrue(anyNonZero, spec + " [" + kernel.name() + "]: the finite differences are all zero: the check proved nothing");
    }

    private static double objective(PoolKernel kernel, PoolSpec spec, Shape shape, float[] x, float[] gradOutput) {
        float[] y = kernel.forward(spec, new Tensor(shape, x)).output().data();
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            sum += (double) y[i] * gradOutput[i];
        }
        return sum;
    }

    /** Multiples of 2^-10 in [-4, 4): exact under the step, and so are their window sums. */
    private static float[] dyadic(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (rnd.nextInt(8192) - 4096) * 0x1p-10f;
        }
        return x;
    }

    /** A shuffled run of integers centred on zero: every window has one clear maximum. */
    static float[] distinctIntegers(Random rnd, int size) {
        List<Float> values = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            values.add((float) (i - size / 2));
        }
        Collections.shuffle(values, rnd);
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = values.get(i);
        }
        return x;
    }
}
