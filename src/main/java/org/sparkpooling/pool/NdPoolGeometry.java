package org.sparkpooling.pool;

import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * A family spec applied to one input shape: the output shape, and the window arithmetic every
 * implementation shares, with PyTorch's rules. Made by {@link #of} (or the buffer checks
 * {@link #forForward} / {@link #forBackward}), which validate it.
 *
 * <p>Inside, every rank is seen as three spatial axes (depth, height, width; a 1-D input is
 * {@code 1 x 1 x L}, a 2-D one {@code 1 x H x W}), the missing outer axes of size 1 with a kernel,
 * stride and dilation of 1 and no padding. A position's flat index {@code (d * H + h) * W + w} is
 * then the same number PyTorch reports for every rank, and each kernel is written once.
 */
public final class NdPoolGeometry {

    private final NdPoolSpec spec;
    private final TensorShape input;
    private final TensorShape output;
    /** Normalised per-axis sizes and parameters, axis 0 outermost. */
    private final int[] in = new int[3];
    private final int[] out = {1, 1, 1};
    private final int[] kernel = {1, 1, 1};
    private final int[] stride = {1, 1, 1};
    private final int[] padding = new int[3];
    private final int[] dilation = {1, 1, 1};

    private NdPoolGeometry(NdPoolSpec spec, TensorShape input) {
        this.spec = spec;
        this.input = input;
        int lead = 3 - spec.dims();
        for (int a = 0; a < 3; a++) {
            in[a] = a < lead ? 1 : input.spatial(a - lead);
        }
        if (spec.op().windowed()) {
            for (int a = lead; a < 3; a++) {
                kernel[a] = spec.kernel(a - lead);
                stride[a] = spec.stride(a - lead);
                padding[a] = spec.padding(a - lead);
                dilation[a] = spec.dilation(a - lead);
                out[a] = PoolSpec.outputSize(in[a], kernel[a], stride[a], padding[a], dilation[a], spec.ceilMode());
            }
        } else {
            for (int a = lead; a < 3; a++) {
                out[a] = spec.outputSize(a - lead);
            }
        }
        int[] sizes = new int[spec.dims()];
        for (int a = 0; a < sizes.length; a++) {
            sizes[a] = out[a + lead];
            if (sizes[a] < 1) {
                throw new IllegalArgumentException("output size " + join(out, lead) + " is too small for input "
                        + input.spatialString() + " with " + spec);
            }
        }
        this.output = input.withSpatial(sizes);
    }

    /**
     * The geometry of {@code spec} on inputs of {@code input}'s shape.
     *
     * @throws IllegalArgumentException when the ranks differ or the output would be empty
     */
    public static NdPoolGeometry of(NdPoolSpec spec, TensorShape input) {
        requireNonNull("spec", spec);
        requireNonNull("input shape", input);
        if (spec.dims() != input.spatialRank()) {
            throw new IllegalArgumentException("spec (" + spec + ") has " + spec.dims()
                    + " spatial dimensions but input " + input + " has " + input.spatialRank());
        }
        return new NdPoolGeometry(spec, input);
    }

    public NdPoolSpec spec() {
        return spec;
    }

    public TensorShape input() {
        return input;
    }

    /** The output's shape: the input's batch, channels and layout, the op's spatial size. */
    public TensorShape output() {
        return output;
    }

    // ------------------------------------------------------------------ window arithmetic

    /** Input size along normalised axis {@code a} (0 depth, 1 height, 2 width). */
    int in(int a) {
        return in[a];
    }

    int out(int a) {
        return out[a];
    }

    int kernel(int a) {
        return kernel[a];
    }

    int stride(int a) {
        return stride[a];
    }

    int padding(int a) {
        return padding[a];
    }

    int dilation(int a) {
        return dilation[a];
    }

    /** Window {@code o}'s first cell along axis {@code a} before any clipping: {@code o * stride - padding}. */
    int first(int a, int o) {
        return o * stride[a] - padding[a];
    }

    /** The flat index of input position {@code (d, h, w)} inside its volume. */
    int index(int d, int h, int w) {
        return (d * in[1] + h) * in[2] + w;
    }

    /**
     * The first input position along axis {@code a} that window {@code o} reads. For max, the
     * window's first cell at or past 0 on the dilation grid, which lies at or past {@link #end}
     * when a dilated window misses the input (PyTorch then reports -inf at the index of this
     * position); for avg and lp the window clipped to the input; for the adaptive ops bin
     * {@code o}'s start, {@code floor(o * in / out)}.
     */
    int start(int a, int o) {
        return switch (spec.op()) {
            case MAX -> {
                int s = first(a, o);
                yield s >= 0 ? s : s + ceilDiv(-s, dilation[a]) * dilation[a];
            }
            case AVG, LP -> Math.max(first(a, o), 0);
            case ADAPTIVE_MAX, ADAPTIVE_AVG -> (int) ((long) o * in[a] / out[a]);
            case UNPOOL -> throw new IllegalStateException("unpool has no windows");
        };
    }

    /** One past the last input position along axis {@code a} of window {@code o}, clipped to the input. */
    int end(int a, int o) {
        return switch (spec.op()) {
            case MAX -> Math.min(first(a, o) + dilation[a] * (kernel[a] - 1) + 1, in[a]);
            case AVG, LP -> Math.min(first(a, o) + kernel[a], in[a]);
            // ceil((o + 1) * in / out): bins of a non-divisible size overlap by one
            case ADAPTIVE_MAX, ADAPTIVE_AVG -> (int) (((long) (o + 1) * in[a] + out[a] - 1) / out[a]);
            case UNPOOL -> throw new IllegalStateException("unpool has no windows");
        };
    }

    /** Distance between a window's cells along axis {@code a}: the dilation for max, else 1. */
    int step(int a) {
        return switch (spec.op()) {
            case MAX -> dilation[a];
            case AVG, LP, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> 1;
        };
    }

    /**
     * Window {@code o}'s share of the divisor along axis {@code a}. Avg: its length clipped to the
     * padded input (never counting the ceil-mode overhang), counting padding only with
     * {@code countIncludePad}; lp takes avg's rule with no padding; adaptive avg the bin's length.
     */
    int divisorFactor(int a, int o) {
        return switch (spec.op()) {
            case AVG, LP -> spec.countIncludePad() ? Math.min(first(a, o) + kernel[a], in[a] + padding[a]) - first(a, o)
                    : end(a, o) - start(a, o);
            case ADAPTIVE_AVG -> end(a, o) - start(a, o);
            case MAX, ADAPTIVE_MAX, UNPOOL -> throw new IllegalStateException(spec.op().label() + " has no divisor");
        };
    }

    /** The divisor of output {@code (od, oh, ow)}: {@code divisorOverride}, else the product of the axes' factors. */
    long divisor(int od, int oh, int ow) {
        if (spec.divisorOverride() != null) {
            return spec.divisorOverride();
        }
        // In long: a padded 3-D window of a large kernel may count more cells than an int holds.
        return (long) divisorFactor(0, od) * divisorFactor(1, oh) * divisorFactor(2, ow);
    }

    /** The kernel's cell count, which lp multiplies its average by (PyTorch's {@code kw * kh}). */
    long kernelCells() {
        return (long) kernel[0] * kernel[1] * kernel[2];
    }

    // ------------------------------------------------------------------ buffer checks at the entry points

    /** Checks a forward call's arguments; returns the geometry. */
    public static NdPoolGeometry forForward(NdPoolSpec spec, FloatTensor input, float[] output, int[] indices) {
        requireNonNull("input", input);
        requireNonNull("output", output);
        return forForward(spec, input, output.length, indices);
    }

    public static NdPoolGeometry forForward(NdPoolSpec spec, DoubleTensor input, double[] output, int[] indices) {
        requireNonNull("input", input);
        requireNonNull("output", output);
        return forForward(spec, input, output.length, indices);
    }

    /** Checks a backward call's arguments; returns the geometry. */
    public static NdPoolGeometry forBackward(NdPoolSpec spec, FloatTensor input, float[] gradOutput, int[] indices,
            float[] gradInput) {
        requireNonNull("input", input);
        requireNonNull("gradOutput", gradOutput);
        requireNonNull("gradInput", gradInput);
        return forBackward(spec, input, gradOutput.length, indices, gradInput.length);
    }

    public static NdPoolGeometry forBackward(NdPoolSpec spec, DoubleTensor input, double[] gradOutput, int[] indices,
            double[] gradInput) {
        requireNonNull("input", input);
        requireNonNull("gradOutput", gradOutput);
        requireNonNull("gradInput", gradInput);
        return forBackward(spec, input, gradOutput.length, indices, gradInput.length);
    }

    /**
     * {@link #forBackward} for a kernel whose loops check each max and adaptive-max index as they
     * use it, and throw {@link #indexOutside} at the first that is not inside the input: the
     * lengths are checked here, the indices' values are not, so they are read once, not twice (a
     * pass over large-max's 26 MB of indices before its backward). A refused call may then have
     * written part of gradInput.
     */
    public static NdPoolGeometry forBackwardCheckingIndicesInLoops(NdPoolSpec spec, FloatTensor input,
            float[] gradOutput, int[] indices, float[] gradInput) {
        requireNonNull("input", input);
        requireNonNull("gradOutput", gradOutput);
        requireNonNull("gradInput", gradInput);
        return forBackward(spec, input, gradOutput.length, indices, gradInput.length, false);
    }

    public static NdPoolGeometry forBackwardCheckingIndicesInLoops(NdPoolSpec spec, DoubleTensor input,
            double[] gradOutput, int[] indices, double[] gradInput) {
        requireNonNull("input", input);
        requireNonNull("gradOutput", gradOutput);
        requireNonNull("gradInput", gradInput);
        return forBackward(spec, input, gradOutput.length, indices, gradInput.length, false);
    }

    /**
     * The error {@link #forBackward} gives for max or adaptive-max indices of which some lie outside
     * the input, naming the first: for the loops of {@link #forBackwardCheckingIndicesInLoops}, once
     * they have met one.
     */
    public IllegalArgumentException indexOutside(int[] indices) {
        int i = firstOutside(indices, input.volume());
        if (i < 0) {
            throw new IllegalStateException("no index lies outside the input volume of " + input.spatialString());
        }
        return outside(indices, i, "output", "input", input);
    }

    private static NdPoolGeometry forForward(NdPoolSpec spec, NdTensor input, int outputLength, int[] indices) {
        NdPoolGeometry g = of(spec, input.shape());
        requireLength("output", outputLength, g.output);
        return switch (spec.op().indices()) {
            // null: the values alone (PyTorch's max_pool without return_indices)
            case WRITTEN -> indices == null ? g : g.requireOutputIndices(indices, false);
            case READ -> g.requireUnpoolIndices(indices);
            case NONE -> g; // ignored, as the 2-D API's avg ignores them
        };
    }

    private static NdPoolGeometry forBackward(NdPoolSpec spec, NdTensor input, int gradOutputLength, int[] indices,
            int gradInputLength) {
        return forBackward(spec, input, gradOutputLength, indices, gradInputLength, true);
    }

    private static NdPoolGeometry forBackward(NdPoolSpec spec, NdTensor input, int gradOutputLength, int[] indices,
            int gradInputLength, boolean checkIndices) {
        NdPoolGeometry g = of(spec, input.shape());
        requireLength("gradOutput", gradOutputLength, g.output);
        requireLength("gradInput", gradInputLength, g.input);
        return switch (spec.op().indices()) {
            case WRITTEN -> g.requireOutputIndices(indices, checkIndices);
            case READ -> g.requireUnpoolIndices(indices);
            case NONE -> g;
        };
    }

    /**
     * Max and adaptive-max: one index per output; backward scatters through them, so they must lie
     * in the input ({@code inside}: checked here).
     */
    private NdPoolGeometry requireOutputIndices(int[] indices, boolean inside) {
        if (indices == null) {
            throw new IllegalArgumentException("indices must not be null for " + spec.op().description() + " backward");
        }
        requireLength("indices", indices.length, output);
        if (inside) {
            requireInside(indices, input.volume(), "output", "input", input);
        }
        return this;
    }

    /** Unpool reads one index per input element, each a position inside the output's volume. */
    private NdPoolGeometry requireUnpoolIndices(int[] indices) {
        if (indices == null) {
            throw new IllegalArgumentException("indices must not be null for unpool: it puts each input at its index");
        }
        requireLength("indices", indices.length, input);
        requireInside(indices, output.volume(), "input", "output", output);
        return this;
    }

    private static void requireInside(int[] indices, int volume, String at, String target, TensorShape shape) {
        int i = firstOutside(indices, volume);
        if (i >= 0) {
            throw outside(indices, i, at, target, shape);
        }
    }

    private static IllegalArgumentException outside(int[] indices, int i, String at, String target, TensorShape shape) {
        return new IllegalArgumentException("index (" + indices[i] + ") at " + at + " " + i
                + " is outside the " + target + " volume of " + shape.spatialString());
    }

    /** The position of the first index {@code < 0} or {@code >= volume}, or -1 when all lie inside. */
    static int firstOutside(int[] indices, int volume) {
        // A branch-free OR over every index, which the JIT vectorises: negative exactly when some
        // index is < 0 or >= volume. Only then search for the first culprit to name it.
        int sign = 0;
        for (int index : indices) {
            sign |= index | (volume - 1 - index);
        }
        if (sign < 0) {
            for (int i = 0; i < indices.length; i++) {
                if (indices[i] < 0 || indices[i] >= volume) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static void requireLength(String role, int length, TensorShape shape) {
        if (length != shape.size()) {
            throw new IllegalArgumentException(role + " length (" + length + ") does not match shape " + shape
                    + " (" + shape.size() + " elements)");
        }
    }

    private static void requireNonNull(String role, Object value) {
        if (value == null) {
            throw new IllegalArgumentException(role + " must not be null");
        }
    }

    private static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }

    private static String join(int[] values, int from) {
        StringBuilder b = new StringBuilder();
        for (int a = from; a < values.length; a++) {
            b.append(a == from ? "" : "x").append(values[a]);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return spec + " on " + input + " -> " + output;
    }
}
