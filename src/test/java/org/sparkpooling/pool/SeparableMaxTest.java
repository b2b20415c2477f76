package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * {@link SeparableMax} against {@code loops}, values and indices bit for bit, with the scalar twin
 * and, where this JVM has the Vector API, the SIMD support: random windows of 1 to 5 rows by 2 to 5
 * columns in both layouts, 2-D and 3-D, padded,
 * strided and in ceil mode, on every kind of value (ties, NaN, infinities, signed zeros, huge
 * magnitudes), channels across the vector widths.
 */
class SeparableMaxTest {

    private static final int CASES = 600;

    @Test
    void bothSupportsGiveTheReferencesValuesAndIndices() {
        List<PoolVectorSupport> supports = new ArrayList<>(List.of(new ScalarPoolSupport()));
        PoolVectorization.panama().ifPresent(supports::add);
        SplittableRandom rnd = new SplittableRandom(20261202L);
        int checked = 0;
        int withNan = 0;
        for (int i = 0; i < CASES; i++) {
            FamilyCases.Values values = FamilyCases.Values.values()[i % FamilyCases.Values.values().length];
            Layout layout = Layout.values()[i % 2];
            int dims = 2 + (i / 2) % 2;
            NdPoolSpec spec = randomSpec(rnd, dims);
            int[] spatial = new int[dims];
            for (int a = 0; a < dims; a++) {
                spatial[a] = 3 + rnd.nextInt(a == dims - 1 ? 30 : 8);
            }
            TensorShape shape = new TensorShape(1 + rnd.nextInt(2), new int[] {1, 3, 8, 9, 17}[rnd.nextInt(5)], spatial,
                    layout);
            NdPoolGeometry g;
            try {
                g = NdPoolGeometry.of(spec, shape);
            } catch (IllegalArgumentException outputTooSmall) {
                continue;
            }
            if (!SeparableMax.computes(g)) {
                continue;
            }
            NdTensor input = FamilyCases.tensor(shape, Dtype.FLOAT32, values.fill(rnd, shape.size(), PoolOp.MAX, Dtype.FLOAT32));
            NdPooled expected = PoolKernels.reference().forward(spec, input, null);
            for (PoolVectorSupport support : supports) {
                String at = String.format(Locale.ROOT, "%s on %s %s [%s]", spec, shape, values, support.getClass().getSimpleName());
                float[] y = new float[g.output().size()];
                int[] ind = new int[y.length];
                new SeparableMax(new WindowPlan(g), support).max(((FloatTensor) input).data(), y, ind);
                Tolerance.assertRawBitEqual(expected.output(), new FloatTensor(g.output(), y), at + ": output");
                assertArrayEquals(expected.indices(), ind, at + ": indices");
            }
            checked++;
            withNan += values == FamilyCases.Values.NAN ? 1 : 0;
        }
        assertTrue(checked >= CASES / 3, "only " + checked + " random cases had windows the class computes");
        assertTrue(withNan > 10, "only " + withNan + " cases held NaN");
    }

    @Test
    void takesWindowsOfThreeByThreeAndUpAtColumnStride1() {
        TensorShape first = new TensorShape(2, 8, new int[] {28, 28}, Layout.CHANNELS_FIRST);
        TensorShape last = new TensorShape(2, 8, new int[] {28, 28}, Layout.CHANNELS_LAST);
        PoolVectorSupport simd = reportingLanes(8);
        PoolVectorSupport scalar = new ScalarPoolSupport();
        NdPoolSpec inception = NdPoolSpec.max(3, 3).stride(1, 1).padding(1, 1).build();
        NdPoolSpec stem = NdPoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build();
        NdPoolSpec textbook = NdPoolSpec.max(2, 2).build();
        assertTrue(SeparableMax.applies(NdPoolGeometry.of(inception, first), simd));
        assertTrue(SeparableMax.applies(NdPoolGeometry.of(inception, last), simd));
        assertFalse(SeparableMax.applies(NdPoolGeometry.of(stem, last), simd), "channels-last column stride 2");
        assertFalse(SeparableMax.applies(NdPoolGeometry.of(stem, first), simd));
        assertTrue(SeparableMax.computes(NdPoolGeometry.of(stem, last)), "strided windows: computed, not chosen");
        assertFalse(SeparableMax.applies(NdPoolGeometry.of(inception, first), scalar));
        assertFalse(SeparableMax.applies(NdPoolGeometry.of(textbook, first), simd));
        assertFalse(SeparableMax.applies(NdPoolGeometry.of(textbook, last), simd));
        assertTrue(SeparableMax.computes(NdPoolGeometry.of(textbook, last)));
        assertFalse(SeparableMax.computes(NdPoolGeometry.of(NdPoolSpec.max(3, 3).dilation(1, 2).build(), last)));
        assertFalse(SeparableMax.computes(NdPoolGeometry.of(NdPoolSpec.avg(3, 3).build(), last)));
    }

    /** A support that only answers {@code lanes()}: all that {@link SeparableMax#applies} asks of one. */
    private static PoolVectorSupport reportingLanes(int lanes) {
        return (PoolVectorSupport) java.lang.reflect.Proxy.newProxyInstance(PoolVectorSupport.class.getClassLoader(),
                new Class<?>[] {PoolVectorSupport.class}, (proxy, method, args) -> {
                    if (method.getName().equals("lanes")) {
                        return lanes;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    private static NdPoolSpec randomSpec(SplittableRandom rnd, int dims) {
        int[] kernel = new int[dims];
        int[] stride = new int[dims];
        int[] padding = new int[dims];
        int[] dilation = new int[dims];
        for (int a = 0; a < dims; a++) {
            kernel[a] = a == dims - 1 ? 2 + rnd.nextInt(4) : 1 + rnd.nextInt(5);
            stride[a] = 1 + rnd.nextInt(3);
            // rows may be dilated (the column pass lists them), columns not
            dilation[a] = a < dims - 1 && rnd.nextInt(4) == 0 ? 2 : 1;
            padding[a] = rnd.nextBoolean() ? rnd.nextInt((dilation[a] * (kernel[a] - 1) + 1) / 2 + 1) : 0;
        }
        return NdPoolSpec.max(kernel).stride(stride).padding(padding).dilation(dilation).ceilMode(rnd.nextBoolean()).build();
    }
}
