package org.sparkpooling.pool;

/**
 * The parameters of one 2-D pooling layer, as PyTorch names them ({@code max_pool2d},
 * {@code avg_pool2d}). Validated on construction, with messages that name the parameter and value.
 *
 * <p>{@code dilation} applies to max pooling only (PyTorch's {@code avg_pool2d} has none);
 * {@code countIncludePad} and {@code divisorOverride} to average pooling only.
 * {@code divisorOverride} is {@code null} when absent.
 */
public record PoolSpec(
        PoolMode mode,
        int kernelH, int kernelW,
        int strideH, int strideW,
        int padH, int padW,
        int dilationH, int dilationW,
        boolean ceilMode,
        boolean countIncludePad,
        Integer divisorOverride) implements java.io.Serializable {

    public PoolSpec {
        if (mode == null) {
            throw new IllegalArgumentException("mode must be max or avg, not null");
        }
        requirePositive("kernel height", kernelH);
        requirePositive("kernel width", kernelW);
        requirePositive("stride height", strideH);
        requirePositive("stride width", strideW);
        requirePositive("dilation height", dilationH);
        requirePositive("dilation width", dilationW);
        requireSpan("kernel height", kernelH, dilationH);
        requireSpan("kernel width", kernelW, dilationW);
        boolean avg = switch (mode) {
            case MAX -> false;
            case AVG -> true;
        };
        if (avg && (dilationH != 1 || dilationW != 1)) {
            throw new IllegalArgumentException(
                    "dilation (" + dilationH + "," + dilationW + ") must be 1,1 for avg pooling");
        }
        requirePadding("padding height", padH, effective(kernelH, dilationH));
        requirePadding("padding width", padW, effective(kernelW, dilationW));
        if (divisorOverride != null) {
            if (!avg) {
                throw new IllegalArgumentException(
                        "divisorOverride (" + divisorOverride + ") applies to avg pooling only");
            }
            if (divisorOverride == 0) {
                throw new IllegalArgumentException("divisorOverride (0) must not be zero");
            }
        }
    }

    /** Max pooling with the given kernel, stride equal to the kernel, no padding. */
    public static Builder max(int kernelH, int kernelW) {
        return new Builder(PoolMode.MAX, kernelH, kernelW);
    }

    /** Average pooling with the given kernel, stride equal to the kernel, no padding. */
    public static Builder avg(int kernelH, int kernelW) {
        return new Builder(PoolMode.AVG, kernelH, kernelW);
    }

    public static Builder builder(PoolMode mode, int kernelH, int kernelW) {
        return new Builder(mode, kernelH, kernelW);
    }

    /** Span of a dilated kernel: {@code d * (k - 1) + 1}. */
    public int effectiveKernelH() {
        return effective(kernelH, dilationH);
    }

    public int effectiveKernelW() {
        return effective(kernelW, dilationW);
    }

    /**
     * Output geometry for an input of {@code height x width}, exactly as PyTorch computes it.
     *
     * @throws IllegalArgumentException when the output would be smaller than 1x1
     */
    public PoolGeometry geometry(int height, int width) {
        int outH = outputSize(height, kernelH, strideH, padH, dilationH, ceilMode);
        int outW = outputSize(width, kernelW, strideW, padW, dilationW, ceilMode);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("output size " + outH + "x" + outW + " is too small for input "
                    + height + "x" + width + " with " + this);
        }
        return new PoolGeometry(this, height, width, outH, outW);
    }

    /**
     * PyTorch's {@code pooling_output_shape}: floor (or ceil) of the window count, and in ceil mode
     * one less when the last window would start past the input and its left padding.
     */
    static int outputSize(int in, int k, int s, int pad, int d, boolean ceil) {
        long numerator = (long) in + 2L * pad - (long) d * (k - 1) - 1 + (ceil ? s - 1 : 0);
        long out = Math.floorDiv(numerator, s) + 1;
        if (ceil && (out - 1) * s >= (long) in + pad) {
            out--;
        }
        return (int) Math.max(Math.min(out, Integer.MAX_VALUE), Integer.MIN_VALUE);
    }

    private static int effective(int k, int d) {
        return d * (k - 1) + 1;
    }

    private static void requirePositive(String role, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(role + " (" + value + ") must be > 0");
        }
    }

    /** A dilated span past int would wrap around in every window computation. */
    private static void requireSpan(String role, int kernel, int dilation) {
        if ((long) dilation * (kernel - 1) + 1 > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(role + " (" + kernel + ") with dilation (" + dilation
                    + ") spans more than " + Integer.MAX_VALUE + " elements");
        }
    }

    private static void requirePadding(String role, int pad, int effectiveKernel) {
        if (pad < 0) {
            throw new IllegalArgumentException(role + " (" + pad + ") must be >= 0");
        }
        if (pad > effectiveKernel / 2) {
            throw new IllegalArgumentException(role + " (" + pad
                    + ") must be at most half the effective kernel size (" + effectiveKernel + ")");
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(mode.label()).append(" kernel ").append(kernelH).append('x').append(kernelW)
                .append(" stride ").append(strideH).append('x').append(strideW)
                .append(" padding ").append(padH).append('x').append(padW);
        if (dilationH != 1 || dilationW != 1) {
            b.append(" dilation ").append(dilationH).append('x').append(dilationW);
        }
        if (ceilMode) {
            b.append(" ceilMode");
        }
        boolean avg = switch (mode) {
            case MAX -> false;
            case AVG -> true;
        };
        if (avg) {
            b.append(countIncludePad ? " countIncludePad" : " excludePad");
            if (divisorOverride != null) {
                b.append(" divisorOverride ").append(divisorOverride);
            }
        }
        return b.toString();
    }

    /** Fluent construction with PyTorch's defaults: stride = kernel, padding 0, dilation 1. */
    public static final class Builder {
        private final PoolMode mode;
        private final int kernelH;
        private final int kernelW;
        private Integer strideH;
        private Integer strideW;
        private int padH;
        private int padW;
        private int dilationH = 1;
        private int dilationW = 1;
        private boolean ceilMode;
        private boolean countIncludePad = true;
        private Integer divisorOverride;

        private Builder(PoolMode mode, int kernelH, int kernelW) {
            this.mode = mode;
            this.kernelH = kernelH;
            this.kernelW = kernelW;
        }

        public Builder stride(int h, int w) {
            strideH = h;
            strideW = w;
            return this;
        }

        public Builder padding(int h, int w) {
            padH = h;
            padW = w;
            return this;
        }

        public Builder dilation(int h, int w) {
            dilationH = h;
            dilationW = w;
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

        public PoolSpec build() {
            return new PoolSpec(mode, kernelH, kernelW,
                    strideH == null ? kernelH : strideH, strideW == null ? kernelW : strideW,
                    padH, padW, dilationH, dilationW, ceilMode, countIncludePad, divisorOverride);
        }
    }
}
