package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * {@code fast} against the reference {@code loops}: every specialised path (2x2 stride 2 floor and
 * ceil, 3x3 stride 2 padding 1, 3x3 stride 1, 2x2 stride 1), the tiled backward, and random specs,
 * over awkward sizes (1, odd, prime, just past a vector width) and awkward values (NaN, infinities,
 * ties, 1e30). Max output, indices and gradInput must agree bit for bit; avg within
 * {@code 1e-5 * max(1, |x|)}.
 */
class FastKernelTest {

    private static final PoolKernel LOOPS = PoolKernels.reference();
    private static final PoolKernel FAST = PoolKernels.byName("fast");
    /** The same kernel without SIMD rows: its unrolled scalar bodies then do the interior. */
    private static final PoolKernel FAST_SCALAR = new FastKernel(new ScalarPoolSupport());
    /** With SIMD rows whenever the module is there, even where the default kernel would not use them. */
    private static final PoolKernel FAST_SIMD = PoolVectorization.panama().map(FastKernel::new).orElse(null);
    private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 8, 13, 16, 17, 31, 33, 65};

    enum Values { NORMAL, TIES, SPECIAL, HUGE, ALL_NEG_INF, INFINITE, RARE_NAN }

    @Test
    void specialisedPathsAgreeWithLoops() {
        SplittableRandom rnd = new SplittableRandom(20261126L);
        List<PoolSpec.Builder> specs = new ArrayList<>();
        for (PoolMode mode : PoolMode.values()) {
            specs.add(PoolSpec.builder(mode, 2, 2));                                 // textbook, floor
            specs.add(PoolSpec.builder(mode, 2, 2).ceilMode(true));                  // textbook, ceil
            specs.add(PoolSpec.builder(mode, 3, 3).stride(2, 2).padding(1, 1));      // ResNet stem
            specs.add(PoolSpec.builder(mode, 3, 3).stride(2, 2).padding(1, 1).ceilMode(true));
            specs.add(PoolSpec.builder(mode, 3, 3).stride(1, 1));                    // 3x3 stride 1
            specs.add(PoolSpec.builder(mode, 3, 3).stride(1, 1).padding(1, 1));
            specs.add(PoolSpec.builder(mode, 2, 2).stride(1, 1));                    // overlapping
            specs.add(PoolSpec.builder(mode, 2, 2).stride(1, 1).padding(1, 1).ceilMode(true));
            specs.add(PoolSpec.builder(mode, 2, 2).padding(1, 1));                   // tiles with padding
            specs.add(PoolSpec.builder(mode, 3, 3));                                 // tiles, 3x3
        }
        specs.add(PoolSpec.avg(2, 2).countIncludePad(false).padding(1, 1));
        specs.add(PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).countIncludePad(false).ceilMode(true));
        specs.add(PoolSpec.avg(2, 2).divisorOverride(3));
        specs.add(PoolSpec.avg(3, 3).stride(1, 1).divisorOverride(-7));
        int checked = 0;
        for (PoolSpec.Builder b : specs) {
            PoolSpec spec = b.build();
            for (int h : new int[] {1, 2, 3, 5, 8, 17}) {
                for (int w : SIZES) {
                    Values values = Values.values()[rnd.nextInt(Values.values().length)];
                    checked += compare(spec, new Shape(1 + rnd.nextInt(2), 1 + rnd.nextInt(3), h, w), values, rnd);
                }
            }
        }
        assertTrue(checked > 1000, "only " + checked + " spec x shape pairs had a valid output");
    }

    @Test
    void randomSpecsAgreeWithLoops() {
        SplittableRandom rnd = new SplittableRandom(7L);
        int checked = 0;
        while (checked < 600) {
            PoolMode mode = rnd.nextBoolean() ? PoolMode.MAX : PoolMode.AVG;
            int kh = 1 + rnd.nextInt(5);
            int kw = 1 + rnd.nextInt(5);
            int dh = mode == PoolMode.MAX ? 1 + rnd.nextInt(3) : 1;
            int dw = mode == PoolMode.MAX ? 1 + rnd.nextInt(3) : 1;
            PoolSpec.Builder b = PoolSpec.builder(mode, kh, kw)
                    .stride(1 + rnd.nextInt(4), 1 + rnd.nextInt(4))
                    .padding(rnd.nextInt((dh * (kh - 1) + 1) / 2 + 1), rnd.nextInt((dw * (kw - 1) + 1) / 2 + 1))
                    .dilation(dh, dw)
                    .ceilMode(rnd.nextBoolean());
            if (mode == PoolMode.AVG) {
                b.countIncludePad(rnd.nextBoolean());
                if (rnd.nextInt(4) == 0) {
                    b.divisorOverride(rnd.nextBoolean() ? 1 + rnd.nextInt(9) : -1 - rnd.nextInt(9));
                }
            }
            Shape shape = new Shape(1 + rnd.nextInt(3), 1 + rnd.nextInt(3), SIZES[rnd.nextInt(SIZES.length)],
                    SIZES[rnd.nextInt(SIZES.length)]);
            checked += compare(b.build(), shape, Values.values()[rnd.nextInt(Values.values().length)], rnd);
        }
    }

    /**
     * Max without indices where windows tile the input from its corner goes row by row where no SIMD
     * row runs (the image pipeline's shape on Java 17): the reference's values bit for bit, NaN
     * payloads included, where ties of signed zeros and NaN depend on raster order.
     */
    @Test
    void tiledMaxWithoutIndicesIsTheReferenceBitForBit() {
        SplittableRandom rnd = new SplittableRandom(11L);
        int checked = 0;
        for (int kh = 1; kh <= 5; kh++) {
            for (int kw = 1; kw <= 5; kw++) {
                for (boolean ceil : new boolean[] {false, true}) {
                    PoolSpec spec = PoolSpec.max(kh, kw).ceilMode(ceil).build();
                    for (Values kind : Values.values()) {
                        for (int sample = 0; sample < 2; sample++) {
                            Shape shape = new Shape(1 + rnd.nextInt(2), 1 + rnd.nextInt(3),
                                    SIZES[rnd.nextInt(SIZES.length)], SIZES[rnd.nextInt(SIZES.length)]);
                            if (shape.h() < kh || shape.w() < kw) {
                                continue;
                            }
                            Tensor x = new Tensor(shape, values(shape.size(), kind, rnd));
                            float[] expected = LOOPS.forward(spec, x).output().data();
                            String what = spec + " on " + shape + " with " + kind + " values";
                            float[] out = new float[expected.length];
                            Arrays.fill(out, Float.NaN); // every output must be written
                            FAST_SCALAR.forward(spec, x, out, null);
                            Tolerance.assertRawBitEqual(expected, out, what + " (" + FAST_SCALAR + ")");
                            if (FAST_SIMD != null) {
                                // SIMD rows where a row holds a vector, tiled rows where not; the SIMD
                                // rows of Java 17's incubating API may canonicalise a NaN's payload
                                Arrays.fill(out, Float.NaN);
                                FAST_SIMD.forward(spec, x, out, null);
                                Tolerance.assertBitEqual(expected, out, what + " (" + FAST_SIMD + ")");
                            }
                            checked++;
                        }
                    }
                }
            }
        }
        assertTrue(checked > 300, "only " + checked + " cases");
    }

    /** Indices that did not come from a forward pass still go where they point, as in the reference. */
    @Test
    void tiledBackwardWithIndicesOutsideTheirWindowsMatchesLoops() {
        SplittableRandom rnd = new SplittableRandom(3L);
        for (PoolSpec spec : List.of(PoolSpec.max(2, 2).build(), PoolSpec.max(3, 3).build(),
                PoolSpec.max(2, 2).ceilMode(true).build())) {
            Shape in = new Shape(2, 3, 9, 17);
            Shape out = spec.geometry(in.h(), in.w()).outputShape(in);
            int[] indices = new int[out.size()];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = rnd.nextInt(in.planeSize());
            }
            float[] gradOut = values(out.size(), Values.TIES, rnd);
            float[] expected = new float[in.size()];
            float[] actual = new float[in.size()];
            LOOPS.backward(spec, in, gradOut, indices, expected);
            for (PoolKernel fast : FAST_SIMD == null ? List.of(FAST) : List.of(FAST, FAST_SIMD)) {
                Arrays.fill(actual, Float.NaN); // stale contents must not survive
                fast.backward(spec, in, gradOut, indices, actual);
                Tolerance.assertBitEqual(expected, actual, spec + " gradInput (" + fast + ")");
            }
        }
    }

    /**
     * One index out of its window in the last row: the SIMD tile rows have written the rows before it
     * when they find it, and the plane must still end up as the reference's.
     */
    @Test
    void oneStrayIndexLateInThePlaneMatchesLoops() {
        PoolSpec spec = PoolSpec.max(2, 2).build();
        Shape in = new Shape(1, 2, 10, 40);
        SplittableRandom rnd = new SplittableRandom(5L);
        Tensor x = new Tensor(in, values(in.size(), Values.NORMAL, rnd));
        Pooled pooled = LOOPS.forward(spec, x);
        int[] indices = pooled.indices().clone();
        int last = indices.length - 3;
        indices[last] += 2; // the same tap of the next window in the row
        float[] gradOut = values(indices.length, Values.NORMAL, rnd);
        float[] expected = new float[in.size()];
        LOOPS.backward(spec, in, gradOut, indices, expected);
        for (PoolKernel fast : FAST_SIMD == null ? List.of(FAST, FAST_SCALAR) : List.of(FAST, FAST_SCALAR, FAST_SIMD)) {
            float[] actual = new float[in.size()];
            Arrays.fill(actual, Float.NaN);
            fast.backward(spec, in, gradOut, indices, actual);
            Tolerance.assertBitEqual(expected, actual, "gradInput (" + fast + ")");
        }
    }

    @Test
    void rejectsAnIndexOutsideThePlane() {
        PoolSpec spec = PoolSpec.max(2, 2).build();
        Shape in = new Shape(1, 2, 4, 4);
        int[] indices = new int[8];
        indices[5] = 16;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FAST.backward(spec, in, new float[8], indices, new float[in.size()]));
        assertTrue(e.getMessage().contains("index (16) at output 5"), e.getMessage());
        indices[5] = -1;
        e = assertThrows(IllegalArgumentException.class,
                () -> FAST.backward(spec, in, new float[8], indices, new float[in.size()]));
        assertTrue(e.getMessage().contains("index (-1) at output 5"), e.getMessage());
    }

    /**
     * Runs loops and both variants of fast (SIMD where the JVM has it, and scalar) forward and
     * backward; returns 1 if the spec fits the shape, else 0.
     */
    private static int compare(PoolSpec spec, Shape shape, Values kind, SplittableRandom rnd) {
        long seed = rnd.nextLong();
        int fits = compare(FAST, spec, shape, kind, new SplittableRandom(seed));
        compare(FAST_SCALAR, spec, shape, kind, new SplittableRandom(seed));
        if (FAST_SIMD != null) {
            compare(FAST_SIMD, spec, shape, kind, new SplittableRandom(seed));
        }
        return fits;
    }

    private static int compare(PoolKernel fast, PoolSpec spec, Shape shape, Values kind, SplittableRandom rnd) {
        PoolGeometry g;
        try {
            g = spec.geometry(shape.h(), shape.w());
        } catch (IllegalArgumentException tooSmall) {
            return 0;
        }
        String what = spec + " on " + shape + " with " + kind + " values (" + fast + ")";
        Tensor x = new Tensor(shape, values(shape.size(), kind, rnd));
        Shape outShape = g.outputShape(shape);
        Pooled expected = LOOPS.forward(spec, x);
        float[] out = new float[outShape.size()];
        int[] ind = spec.mode() == PoolMode.MAX ? new int[outShape.size()] : null;
        Arrays.fill(out, Float.NaN); // every output must be written
        fast.forward(spec, x, out, ind);
        float[] gradOut = values(outShape.size(), rnd.nextBoolean() ? Values.TIES : Values.NORMAL, rnd);
        float[] gradExpected = new float[shape.size()];
        float[] gradActual = new float[shape.size()];
        Arrays.fill(gradActual, Float.NaN); // gradInput must be fully overwritten
        if (spec.mode() == PoolMode.MAX) {
            Tolerance.assertBitEqual(expected.output().data(), out, what + ": output");
            assertArrayEquals(expected.indices(), ind, what + ": indices");
            if (Arrays.stream(ind).anyMatch(i -> i >= shape.planeSize())) {
                // Dilation stepped every tap of some window past the input (PyTorch then reports
                // an index outside the plane, and so does the reference): no backward to compare.
                return 1;
            }
            LOOPS.backward(spec, shape, gradOut, expected.indices(), gradExpected);
            fast.backward(spec, shape, gradOut, ind, gradActual);
            Tolerance.assertBitEqual(gradExpected, gradActual, what + ": gradInput");
        } else {
            Tolerance.assertClose(expected.output().data(), out, what + ": output");
            LOOPS.backward(spec, shape, gradOut, null, gradExpected);
            fast.backward(spec, shape, gradOut, null, gradActual);
            Tolerance.assertClose(gradExpected, gradActual, what + ": gradInput");
        }
        return 1;
    }

    static float[] values(int n, Values kind, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (kind) {
                case NORMAL -> (float) rnd.nextGaussian();
                // Small integers and signed zeros: ties everywhere, and -0.0 gradients.
                case TIES -> rnd.nextInt(8) == 0 ? -0.0f : rnd.nextInt(-2, 3);
                case SPECIAL -> switch (rnd.nextInt(8)) {
                    case 0 -> Float.NaN;
                    case 1 -> Float.POSITIVE_INFINITY;
                    case 2, 3 -> Float.NEGATIVE_INFINITY;
                    default -> rnd.nextInt(-2, 3);
                };
                case HUGE -> (rnd.nextBoolean() ? 1e30f : -1e30f) * (1 + rnd.nextInt(3)) + rnd.nextInt(3);
                case ALL_NEG_INF -> rnd.nextInt(16) == 0 ? (float) rnd.nextGaussian() : Float.NEGATIVE_INFINITY;
                // Infinities of both signs and no NaN: the int-key bodies must order them, no NaN fallback.
                case INFINITE -> switch (rnd.nextInt(4)) {
                    case 0 -> Float.POSITIVE_INFINITY;
                    case 1 -> Float.NEGATIVE_INFINITY;
                    default -> rnd.nextInt(-2, 3) * 0.5f;
                };
                // Few NaNs, of either sign and any payload, so most rows run the key bodies and some
                // rows fall back; the output must keep each NaN's own bits.
                case RARE_NAN -> rnd.nextInt(256) == 0
                        ? Float.intBitsToFloat(0x7f800001 + rnd.nextInt(0x7fffff) | (rnd.nextBoolean() ? 0x80000000 : 0))
                        : (float) rnd.nextGaussian();
            };
        }
        return v;
    }
}
