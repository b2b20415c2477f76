package org.sparkpooling.pool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * Random cases of the whole family for the agreement tests: every op, rank, layout and dtype,
 * over awkward sizes (1, odd, prime, just past a vector width, in the spatial sizes and in the
 * channels that channels-last loops run across) and extreme values. Each case is made from a
 * fixed seed and named by its number, spec, shape and values, so a failure reproduces by name.
 */
final class FamilyCases {

    private FamilyCases() {
    }

    /** Spatial sides per rank: 1, odd, prime, and past 8 and 16 lanes where the volume stays small. */
    private static final int[][] SIDES = {
        {1, 2, 3, 5, 7, 8, 9, 13, 16, 17, 31, 33},
        {1, 2, 3, 4, 5, 7, 8, 9, 11, 17},
        {1, 2, 3, 4, 5, 7}};
    /** Channels: channels-last loops run across them, so vector widths matter here too. */
    private static final int[] CHANNELS = {1, 2, 3, 7, 8, 9, 17};

    /**
     * How a case's input is filled: {@link KernelAgreementTest.Values}'s kinds (noise, ties, NaN,
     * infinities, huge magnitudes, signed zeros), in either dtype and for every op; huge values near
     * the dtype's limit, and of one sign per tensor for the ops that sum, so no order of summation
     * overflows where another does not.
     */
    enum Values {
        NOISE, TIES, NAN, INFINITIES, HUGE, SIGNED_ZEROS;

        double[] fill(SplittableRandom rnd, int size, PoolOp op, Dtype dtype) {
            double[] x = new double[size];
            double big = switch (dtype) {
                case FLOAT32 -> 3e38;
                case FLOAT64 -> 1.7e308;
            };
            double large = switch (dtype) {
                case FLOAT32 -> 1e30;
                case FLOAT64 -> 1e300;
            };
            boolean sums = switch (op) {
                case AVG, ADAPTIVE_AVG, LP -> true;
                case MAX, ADAPTIVE_MAX, UNPOOL -> false;
            };
            double hugeSign = rnd.nextBoolean() ? 1 : -1;
            for (int i = 0; i < size; i++) {
                double noise = gaussian(rnd);
                int roll = rnd.nextInt(100);
                x[i] = switch (this) {
                    case NOISE -> noise;
                    case TIES -> rnd.nextInt(4) - 1;
                    // NaNs of both signs and many payloads: max keeps the reference's (the last of a
                    // window), which an ordering of NaN bits would not.
                    case NAN -> roll < 8 ? anyNaN(rnd) : noise;
                    case INFINITIES -> roll < 15 ? Double.POSITIVE_INFINITY : roll < 45 ? Double.NEGATIVE_INFINITY : noise;
                    case HUGE -> sums ? hugeSign * (roll < 10 ? big : (1 + rnd.nextDouble()) * large)
                            : roll < 20 ? -big : roll < 40 ? big : roll < 70 ? noise * large : noise;
                    case SIGNED_ZEROS -> roll < 50 ? 0.0 : -0.0;
                };
            }
            return x;
        }
    }

    /** One call to run on every implementation; {@code indices} are unpool's input indices, else null. */
    record Case(String name, NdPoolSpec spec, NdTensor input, int[] indices, NdTensor gradOutput) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code perCombination} cases of every op x rank x layout x dtype, the values kinds in turn. */
    static List<Case> cases(long seed, int perCombination) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Case> cases = new ArrayList<>();
        for (PoolOp op : PoolOp.values()) {
            for (int dims = 1; dims <= 3; dims++) {
                for (Layout layout : Layout.values()) {
                    for (Dtype dtype : Dtype.values()) {
                        for (int i = 0; i < perCombination; i++) {
                            Values values = Values.values()[(cases.size() + i) % Values.values().length];
                            cases.add(make(String.format(Locale.ROOT, "#%04d", cases.size()), rnd, op, dims, layout,
                                    dtype, values));
                        }
                    }
                }
            }
        }
        return cases;
    }

    /** A random case of {@code op}; retries until the spec accepts the shape. */
    static Case make(String id, SplittableRandom rnd, PoolOp op, int dims, Layout layout, Dtype dtype, Values values) {
        while (true) {
            int[] spatial = new int[dims];
            for (int a = 0; a < dims; a++) {
                spatial[a] = SIDES[dims - 1][rnd.nextInt(SIDES[dims - 1].length)];
            }
            TensorShape shape = new TensorShape(1 + rnd.nextInt(2), CHANNELS[rnd.nextInt(CHANNELS.length)], spatial, layout);
            NdPoolSpec spec = randomSpec(rnd, op, spatial);
            NdPoolGeometry g;
            try {
                g = NdPoolGeometry.of(spec, shape);
            } catch (IllegalArgumentException outputTooSmall) {
                continue;
            }
            NdTensor input = tensor(shape, dtype, values.fill(rnd, shape.size(), op, dtype));
            int[] indices = null;
            if (op.indices() == PoolOp.Indices.READ) {
                // Any position of the output, repeats included: of two inputs with one index the later one stays.
                indices = new int[shape.size()];
                for (int i = 0; i < indices.length; i++) {
                    indices[i] = rnd.nextInt(g.output().volume());
                }
            }
            double[] gy = new double[g.output().size()];
            for (int i = 0; i < gy.length; i++) {
                gy[i] = gaussian(rnd);
            }
            String name = id + " " + spec + " on " + shape + " " + dtype.label() + " "
                    + values.name().toLowerCase(Locale.ROOT);
            return new Case(name, spec, input, indices, tensor(g.output(), dtype, gy));
        }
    }

    private static NdPoolSpec randomSpec(SplittableRandom rnd, PoolOp op, int[] spatial) {
        int dims = spatial.length;
        int[] kernel = new int[dims];
        int[] stride = new int[dims];
        int[] padding = new int[dims];
        int[] dilation = new int[dims];
        int[] outputSize = new int[dims];
        boolean dilate = op == PoolOp.MAX && rnd.nextInt(3) == 0;
        for (int a = 0; a < dims; a++) {
            kernel[a] = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 6 : 3);
            // Below the kernel windows overlap, above it they leave gaps.
            stride[a] = 1 + rnd.nextInt(3);
            dilation[a] = dilate ? 1 + rnd.nextInt(3) : 1;
            int span = dilation[a] * (kernel[a] - 1) + 1;
            padding[a] = rnd.nextBoolean() ? rnd.nextInt(span / 2 + 1) : 0;
            // Adaptive: smaller, equal and larger than the input; unpool: any output size.
            outputSize[a] = 1 + rnd.nextInt(spatial[a] + 3);
        }
        boolean ceil = rnd.nextBoolean();
        return switch (op) {
            case MAX -> NdPoolSpec.max(kernel).stride(stride).padding(padding).dilation(dilation).ceilMode(ceil).build();
            case AVG -> {
                Integer divisor = rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? 1 : -1) * (1 + rnd.nextInt(9)) : null;
                yield NdPoolSpec.avg(kernel).stride(stride).padding(padding).ceilMode(ceil)
                        .countIncludePad(rnd.nextBoolean()).divisorOverride(divisor).build();
            }
            case LP -> NdPoolSpec.lp(new double[] {1, 2, 3, 0.5, 1.5}[rnd.nextInt(5)], kernel).stride(stride)
                    .ceilMode(ceil).build();
            case ADAPTIVE_MAX -> NdPoolSpec.adaptiveMax(outputSize);
            case ADAPTIVE_AVG -> NdPoolSpec.adaptiveAvg(outputSize);
            case UNPOOL -> NdPoolSpec.unpool(outputSize);
        };
    }

    /** A quiet NaN of either sign and a random payload. */
    static double anyNaN(SplittableRandom rnd) {
        return Double.longBitsToDouble(0x7ff8000000000000L | rnd.nextLong() & 0x0007ffffffffffffL
                | (rnd.nextBoolean() ? Long.MIN_VALUE : 0));
    }

    private static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        return Math.sqrt(-2 * Math.log(1 - rnd.nextDouble())) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    static NdTensor tensor(TensorShape shape, Dtype dtype, double[] values) {
        return switch (dtype) {
            case FLOAT32 -> {
                float[] f = new float[values.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) values[i];
                }
                yield new FloatTensor(shape, f);
            }
            case FLOAT64 -> new DoubleTensor(shape, values.clone());
        };
    }

    /** A tensor whose every element is a NaN with a payload no kernel makes: an unwritten element shows. */
    static NdTensor unwritten(TensorShape shape, Dtype dtype) {
        return switch (dtype) {
            case FLOAT32 -> {
                float[] f = new float[shape.size()];
                Arrays.fill(f, Float.intBitsToFloat(0x7fc0dead));
                yield new FloatTensor(shape, f);
            }
            case FLOAT64 -> {
                double[] d = new double[shape.size()];
                Arrays.fill(d, Double.longBitsToDouble(0x7ff8_0000_dead_beefL));
                yield new DoubleTensor(shape, d);
            }
        };
    }

    /** The buffer-taking forward of {@code input}'s dtype, into {@code output}. */
    static void forwardInto(NdPoolKernel kernel, NdPoolSpec spec, NdTensor input, NdTensor output, int[] indices) {
        if (input instanceof FloatTensor f) {
            kernel.forward(spec, f, ((FloatTensor) output).data(), indices);
        } else {
            kernel.forward(spec, (DoubleTensor) input, ((DoubleTensor) output).data(), indices);
        }
    }
}
