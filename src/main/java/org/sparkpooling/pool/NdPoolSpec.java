package org.sparkpooling.pool;

import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The parameters of one operation of the pooling family, in one to three spatial dimensions, as
 * PyTorch names them. Validated on construction, with messages that name the parameter, the
 * dimension and the value.
 *
 * <p>Per-dimension lists go outermost first ({@code [d, h, w]}, {@code [h, w]} or {@code [l]}) and
 * all have one entry per spatial dimension. Which parameters an op takes:
 * <ul>
 * <li>{@code max}: kernel, stride, padding, dilation, ceilMode;
 * <li>{@code avg}: kernel, stride, padding, ceilMode, countIncludePad, divisorOverride (null when absent);
 * <li>{@code lp}: kernel, stride, ceilMode, normType (PyTorch's {@code lp_pool} has no padding); in
 * three dimensions by the same formula, although PyTorch 1.13, which wrote the golden cases, has
 * {@code lp_pool1d} and {@code lp_pool2d} only;
 * <li>{@code adaptive-max}, {@code adaptive-avg}: outputSize;
 * <li>{@code unpool}: outputSize, the spatial size of the unpooled output, always explicit
 * (PyTorch's kernel, stride and padding only choose a default for it).
 * </ul>
 * Every other parameter must be absent ({@code null}) or at its default (ceilMode false,
 * countIncludePad true), so that a parameter an op would ignore is refused rather than dropped.
 * Arrays are copied in and out.
 */
public record NdPoolSpec(
        PoolOp op,
        int[] kernel,
        int[] stride,
        int[] padding,
        int[] dilation,
        boolean ceilMode,
        boolean countIncludePad,
        Integer divisorOverride,
        int[] outputSize,
        Double normType) implements java.io.Serializable {

    private static final String[][] AXES = {{"length"}, {"height", "width"}, {"depth", "height", "width"}};

    public NdPoolSpec {
        if (op == null) {
            throw new IllegalArgumentException("op must be one of max, avg, adaptive-max, adaptive-avg, lp, unpool, not null");
        }
        kernel = copy(kernel);
        stride = copy(stride);
        padding = copy(padding);
        dilation = copy(dilation);
        outputSize = copy(outputSize);
        if (op.windowed()) {
            requireWindow(op, kernel, stride, padding, dilation);
            requireAbsent(op, "outputSize", outputSize);
        } else {
            int dims = requireDims("outputSize", outputSize, op);
            for (int a = 0; a < dims; a++) {
                requirePositive("outputSize " + AXES[dims - 1][a], outputSize[a]);
            }
            requireAbsent(op, "kernel", kernel);
            requireAbsent(op, "stride", stride);
            requireAbsent(op, "padding", padding);
            requireAbsent(op, "dilation", dilation);
            if (ceilMode) {
                throw new IllegalArgumentException("ceilMode (true) applies to max, avg and lp pooling, not " + op.label());
            }
        }
        // Each op's own rules; a new op must say which of the optional parameters it takes.
        boolean takesDilation = switch (op) {
            case MAX -> true;
            case AVG, LP, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
        boolean takesAvgOptions = switch (op) {
            case AVG -> true;
            case MAX, LP, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
        boolean takesNorm = switch (op) {
            case LP -> true;
            case MAX, AVG, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
        if (!takesDilation && dilation != null && !allOnes(dilation)) {
            throw new IllegalArgumentException("dilation (" + join(dilation) + ") must be 1 for " + op.description());
        }
        if (takesAvgOptions) {
            if (divisorOverride != null && divisorOverride == 0) {
                throw new IllegalArgumentException("divisorOverride (0) must not be zero");
            }
        } else {
            if (divisorOverride != null) {
                throw new IllegalArgumentException("divisorOverride (" + divisorOverride + ") applies to avg pooling only");
            }
            if (!countIncludePad) {
                throw new IllegalArgumentException("countIncludePad (false) applies to avg pooling only");
            }
        }
        if (takesNorm) {
            // Written so that NaN fails too: NaN > 0 is false.
            if (normType == null || !(normType > 0) || normType.isInfinite()) {
                throw new IllegalArgumentException("normType (" + normType + ") must be a finite number > 0");
            }
            if (!allZeros(padding)) {
                throw new IllegalArgumentException("padding (" + join(padding)
                        + ") must be 0 for lp pooling, which has no padding in PyTorch");
            }
        } else if (normType != null) {
            throw new IllegalArgumentException("normType (" + normType + ") applies to lp pooling only");
        }
    }

    // ------------------------------------------------------------------ construction

    /** Max pooling with the given kernel, stride equal to the kernel, no padding, no dilation. */
    public static Builder max(int... kernel) {
        return new Builder(PoolOp.MAX, kernel);
    }

    /** Average pooling with the given kernel, stride equal to the kernel, no padding. */
    public static Builder avg(int... kernel) {
        return new Builder(PoolOp.AVG, kernel);
    }

    /** Power-average pooling of norm {@code p} with the given kernel, stride equal to the kernel. */
    public static Builder lp(double p, int... kernel) {
        return new Builder(PoolOp.LP, kernel).normType(p);
    }

    public static NdPoolSpec adaptiveMax(int... outputSize) {
        return new NdPoolSpec(PoolOp.ADAPTIVE_MAX, null, null, null, null, false, true, null, outputSize, null);
    }

    public static NdPoolSpec adaptiveAvg(int... outputSize) {
        return new NdPoolSpec(PoolOp.ADAPTIVE_AVG, null, null, null, null, false, true, null, outputSize, null);
    }

    /** Max unpooling into outputs of spatial size {@code outputSize}. */
    public static NdPoolSpec unpool(int... outputSize) {
        return new NdPoolSpec(PoolOp.UNPOOL, null, null, null, null, false, true, null, outputSize, null);
    }

    /** The 2-D API's spec as a spec of the family. */
    public static NdPoolSpec of(PoolSpec s) {
        if (s == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        PoolOp op = s.mode().op();
        boolean avg = switch (s.mode()) {
            case MAX -> false;
            case AVG -> true;
        };
        // The 2-D spec keeps countIncludePad for max too, where it means nothing.
        return new NdPoolSpec(op, new int[] {s.kernelH(), s.kernelW()}, new int[] {s.strideH(), s.strideW()},
                new int[] {s.padH(), s.padW()}, new int[] {s.dilationH(), s.dilationW()}, s.ceilMode(),
                !avg || s.countIncludePad(), s.divisorOverride(), null, null);
    }

    // ------------------------------------------------------------------ accessors

    /** Number of spatial dimensions: 1, 2 or 3. */
    public int dims() {
        return op.windowed() ? kernel.length : outputSize.length;
    }

    @Override
    public int[] kernel() {
        return copy(kernel);
    }

    @Override
    public int[] stride() {
        return copy(stride);
    }

    @Override
    public int[] padding() {
        return copy(padding);
    }

    @Override
    public int[] dilation() {
        return copy(dilation);
    }

    @Override
    public int[] outputSize() {
        return copy(outputSize);
    }

    /** Kernel size along {@code axis} (outermost first); the kernel's arrays are not copied. */
    int kernel(int axis) {
        return kernel[axis];
    }

    int stride(int axis) {
        return stride[axis];
    }

    int padding(int axis) {
        return padding[axis];
    }

    int dilation(int axis) {
        return dilation[axis];
    }

    int outputSize(int axis) {
        return outputSize[axis];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NdPoolSpec s && op == s.op && Arrays.equals(kernel, s.kernel)
                && Arrays.equals(stride, s.stride) && Arrays.equals(padding, s.padding)
                && Arrays.equals(dilation, s.dilation) && ceilMode == s.ceilMode
                && countIncludePad == s.countIncludePad && Objects.equals(divisorOverride, s.divisorOverride)
                && Arrays.equals(outputSize, s.outputSize) && Objects.equals(normType, s.normType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(op, Arrays.hashCode(kernel), Arrays.hashCode(stride), Arrays.hashCode(padding),
                Arrays.hashCode(dilation), ceilMode, countIncludePad, divisorOverride, Arrays.hashCode(outputSize),
                normType);
    }

    /** E.g. {@code max kernel 2x2x2 stride 2x2x2 padding 0x0x0}, {@code adaptive-avg outputSize 1x1}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(op.label());
        if (!op.windowed()) {
            return b.append(" outputSize ").append(join(outputSize, "x")).toString();
        }
        b.append(" kernel ").append(join(kernel, "x")).append(" stride ").append(join(stride, "x"))
                .append(" padding ").append(join(padding, "x"));
        if (!allOnes(dilation)) {
            b.append(" dilation ").append(join(dilation, "x"));
        }
        if (ceilMode) {
            b.append(" ceilMode");
        }
        if (normType != null) {
            b.append(" normType ").append(normType);
        }
        boolean avg = switch (op) {
            case AVG -> true;
            case MAX, LP, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
        if (avg) {
            b.append(countIncludePad ? " countIncludePad" : " excludePad");
            if (divisorOverride != null) {
                b.append(" divisorOverride ").append(divisorOverride);
            }
        }
        return b.toString();
    }

    // ------------------------------------------------------------------ validation

    private static void requireWindow(PoolOp op, int[] kernel, int[] stride, int[] padding, int[] dilation) {
        int dims = requireDims("kernel", kernel, op);
        requireSameDims("stride", stride, kernel);
        requireSameDims("padding", padding, kernel);
        requireSameDims("dilation", dilation, kernel);
        String[] axes = AXES[dims - 1];
        for (int a = 0; a < dims; a++) {
            requirePositive("kernel " + axes[a], kernel[a]);
            requirePositive("stride " + axes[a], stride[a]);
            requirePositive("dilation " + axes[a], dilation[a]);
            long span = (long) dilation[a] * (kernel[a] - 1) + 1;
            // A dilated span past int would wrap around in every window computation.
            if (span > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("kernel " + axes[a] + " (" + kernel[a] + ") with dilation ("
                        + dilation[a] + ") spans more than " + Integer.MAX_VALUE + " elements");
            }
            if (padding[a] < 0) {
                throw new IllegalArgumentException("padding " + axes[a] + " (" + padding[a] + ") must be >= 0");
            }
            if (padding[a] > span / 2) {
                throw new IllegalArgumentException("padding " + axes[a] + " (" + padding[a]
                        + ") must be at most half the effective kernel size (" + span + ")");
            }
        }
    }

    private static int requireDims(String role, int[] values, PoolOp op) {
        if (values == null) {
            throw new IllegalArgumentException(role + " must be given for " + op.description());
        }
        if (values.length < 1 || values.length > 3) {
            throw new IllegalArgumentException(role + " (" + join(values) + ") must have 1, 2 or 3 entries, one per"
                    + " spatial dimension");
        }
        return values.length;
    }

    private static void requireSameDims(String role, int[] values, int[] kernel) {
        if (values == null) {
            throw new IllegalArgumentException(role + " must not be null");
        }
        if (values.length != kernel.length) {
            throw new IllegalArgumentException(role + " (" + join(values) + ") has " + entries(values.length)
                    + " but kernel (" + join(kernel) + ") has " + kernel.length);
        }
    }

    private static String entries(int count) {
        return count + (count == 1 ? " entry" : " entries");
    }

    private static void requireAbsent(PoolOp op, String role, int[] values) {
        if (values != null) {
            throw new IllegalArgumentException(role + " (" + join(values) + ") does not apply to " + op.description());
        }
    }

    private static void requirePositive(String role, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(role + " (" + value + ") must be > 0");
        }
    }

    private static boolean allOnes(int[] values) {
        return values == null || Arrays.stream(values).allMatch(v -> v == 1);
    }

    private static boolean allZeros(int[] values) {
        return values == null || Arrays.stream(values).allMatch(v -> v == 0);
    }

    private static int[] copy(int[] values) {
        return values == null ? null : values.clone();
    }

    private static String join(int[] values) {
        return join(values, ",");
    }

    private static String join(int[] values, String separator) {
        StringJoiner j = new StringJoiner(separator);
        for (int v : values) {
            j.add(Integer.toString(v));
        }
        return j.toString();
    }

    /** Fluent construction with PyTorch's defaults: stride = kernel, padding 0, dilation 1. */
    public static final class Builder {
        private final PoolOp op;
        private final int[] kernel;
        private int[] stride;
        private int[] padding;
        private int[] dilation;
        private boolean ceilMode;
        private boolean countIncludePad = true;
        private Integer divisorOverride;
        private Double normType;

        private Builder(PoolOp op, int[] kernel) {
            this.op = op;
            this.kernel = copy(kernel);
        }

        public Builder stride(int... values) {
            stride = copy(values);
            return this;
        }

        public Builder padding(int... values) {
            padding = copy(values);
            return this;
        }

        public Builder dilation(int... values) {
            dilation = copy(values);
            return this;
        }

        public Builder ceilMode(boolean value) {
            ceilMode = value;
            return this;
        }

        public Builder countIncludePad(boolean value) {
            countIncludePad = value;
            return this;
        }

        public Builder divisorOverride(Integer value) {
            divisorOverride = value;
            return this;
        }

        public Builder normType(double p) {
            normType = p;
            return this;
        }

        public NdPoolSpec build() {
            int dims = kernel == null ? 0 : kernel.length;
            return new NdPoolSpec(op, kernel, stride == null ? copy(kernel) : stride,
                    padding == null ? new int[dims] : padding, dilation == null ? filled(dims, 1) : dilation,
                    ceilMode, countIncludePad, divisorOverride, null, normType);
        }

        private static int[] filled(int length, int value) {
            int[] a = new int[length];
            Arrays.fill(a, value);
            return a;
        }
    }
}
