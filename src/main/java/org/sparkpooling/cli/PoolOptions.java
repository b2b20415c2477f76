package org.sparkpooling.cli;

import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The pooling parameters as command-line options, PyTorch's names spelled the command-line way:
 * {@code --mode --kernel --stride --padding --dilation --ceil-mode --count-include-pad
 * --divisor-override}. A picocli mixin, shared by every command that pools
 * ({@code @Mixin PoolOptions pooling;} then {@link #toSpec()}).
 *
 * <p>Sizes are {@code H,W} or one value for both. Values that cannot be right on their own
 * (a kernel of 0, a padding of -1, "a,b") fail while parsing, as a {@link ParameterException}
 * naming the option; options that contradict the mode ({@code --dilation} with avg,
 * {@code --count-include-pad} or {@code --divisor-override} with max) fail in {@link #toSpec}
 * the same way. What only the combination decides (padding at most half the kernel) is
 * {@link PoolSpec}'s check, an {@link IllegalArgumentException}.
 *
 * <p>No option is {@code required} in picocli's sense, so a command may supply defaults
 * ({@link #toSpec(PoolSpec)}); {@link #toSpec()} demands {@code --mode} and {@code --kernel}.
 */
public final class PoolOptions {

    /** A size per spatial dimension, height then width. */
    public record HW(int h, int w) {
        @Override
        public String toString() {
            return h == w ? Integer.toString(h) : h + "," + w;
        }
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--mode", paramLabel = "max|avg", converter = ModeConverter.class,
            description = "Pooling mode: max or avg.")
    PoolMode mode;

    @Option(names = "--kernel", paramLabel = "KH[,KW]", converter = KernelConverter.class,
            description = "Window size, > 0.")
    HW kernel;

    @Option(names = "--stride", paramLabel = "SH[,SW]", converter = StrideConverter.class,
            description = "Step between windows, > 0 (default: the kernel).")
    HW stride;

    @Option(names = "--padding", paramLabel = "PH[,PW]", converter = PaddingConverter.class,
            description = "Implicit padding on each side, >= 0 and at most half the effective kernel (default: 0).")
    HW padding;

    @Option(names = "--dilation", paramLabel = "DH[,DW]", converter = DilationConverter.class,
            description = "Spacing of window elements, > 0; max only (default: 1).")
    HW dilation;

    @Option(names = "--ceil-mode",
            description = "Round the output size up, as PyTorch's ceil_mode (a last window may hang over).")
    boolean ceilMode;

    @Option(names = "--count-include-pad", arity = "1", paramLabel = "true|false",
            description = "avg only: count padding in the divisor (default: true).")
    Boolean countIncludePad;

    @Option(names = "--divisor-override", paramLabel = "N",
            description = "avg only: divide every window's sum by N (non-zero) instead.")
    Integer divisorOverride;

    /** The spec; {@code --mode} and {@code --kernel} are required. */
    public PoolSpec toSpec() {
        return toSpec(null);
    }

    /**
     * The spec, with {@code defaults} (may be {@code null}) filling in what is not given. A given
     * {@code --kernel} without {@code --stride} strides by the given kernel, as in PyTorch.
     */
    public PoolSpec toSpec(PoolSpec defaults) {
        if (mode == null && defaults == null) {
            throw parameterError("Missing required option: '--mode=max|avg'");
        }
        if (kernel == null && defaults == null) {
            throw parameterError("Missing required option: '--kernel=KH[,KW]'");
        }
        PoolMode m = mode != null ? mode : defaults.mode();
        HW k = kernel != null ? kernel : new HW(defaults.kernelH(), defaults.kernelW());
        HW s = stride != null ? stride
                : kernel != null || defaults == null ? k : new HW(defaults.strideH(), defaults.strideW());
        HW p = padding != null ? padding : defaults == null ? new HW(0, 0) : new HW(defaults.padH(), defaults.padW());
        // Which of PyTorch's parameters the mode has: dilation for max; the divisor rules for avg.
        boolean max = switch (m) {
            case MAX -> true;
            case AVG -> false;
        };
        if (!max && dilation != null && (dilation.h() != 1 || dilation.w() != 1)) {
            throw parameterError("--dilation (" + dilation + ") applies to max pooling only, not avg");
        }
        if (max && countIncludePad != null) {
            throw parameterError("--count-include-pad (" + countIncludePad + ") applies to avg pooling only, not max");
        }
        if (max && divisorOverride != null) {
            throw parameterError("--divisor-override (" + divisorOverride + ") applies to avg pooling only, not max");
        }
        if (divisorOverride != null && divisorOverride == 0) {
            throw parameterError("--divisor-override (0) must not be zero");
        }
        HW d = dilation != null ? dilation
                : defaults == null || !max ? new HW(1, 1) : new HW(defaults.dilationH(), defaults.dilationW());
        boolean ceil = ceilMode || defaults != null && defaults.ceilMode();
        boolean includePad = countIncludePad != null ? countIncludePad : defaults == null || defaults.countIncludePad();
        Integer divisor = max ? null : divisorOverride != null ? divisorOverride
                : defaults == null ? null : defaults.divisorOverride();
        return PoolSpec.builder(m, k.h(), k.w()).stride(s.h(), s.w()).padding(p.h(), p.w()).dilation(d.h(), d.w())
                .ceilMode(ceil).countIncludePad(max || includePad).divisorOverride(divisor).build();
    }

    private RuntimeException parameterError(String message) {
        if (mixee == null) {
            return new IllegalArgumentException(message); // used outside picocli, e.g. in a test
        }
        return new ParameterException(mixee.commandLine(), message);
    }

    // ------------------------------------------------------------------ converters

    static final class ModeConverter implements CommandLine.ITypeConverter<PoolMode> {
        @Override
        public PoolMode convert(String value) {
            try {
                return PoolMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be max or avg");
            }
        }
    }

    /** Parses {@code "3"} or {@code "3,2"} and checks each size against {@code min}. */
    abstract static class HWConverter implements CommandLine.ITypeConverter<HW> {
        private final String role;
        private final int min;

        HWConverter(String role, int min) {
            this.role = role;
            this.min = min;
        }

        @Override
        public HW convert(String value) {
            String[] parts = value.split(",", -1);
            if (parts.length > 2) {
                throw new CommandLine.TypeConversionException(
                        role + " (" + value + ") must be one integer or two separated by a comma (H,W)");
            }
            int[] v = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    v[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new CommandLine.TypeConversionException(
                            role + " (" + value + ") must be one integer or two separated by a comma (H,W)");
                }
                if (v[i] < min) {
                    throw new CommandLine.TypeConversionException(
                            role + " (" + value + ") must be " + (min == 0 ? ">= 0" : "> " + (min - 1)));
                }
            }
            return new HW(v[0], v[v.length - 1]);
        }
    }

    static final class KernelConverter extends HWConverter {
        KernelConverter() {
            super("kernel", 1);
        }
    }

    static final class StrideConverter extends HWConverter {
        StrideConverter() {
            super("stride", 1);
        }
    }

    static final class PaddingConverter extends HWConverter {
        PaddingConverter() {
            super("padding", 0);
        }
    }

    static final class DilationConverter extends HWConverter {
        DilationConverter() {
            super("dilation", 1);
        }
    }
}
