package org.sparkpooling.cli;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.tensor.Layout;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The pooling family's parameters as command-line options, PyTorch's names spelled the
 * command-line way: {@code --op} (or {@code --mode}), {@code --kernel --stride --padding --dilation
 * --ceil-mode --count-include-pad --divisor-override --output-size --norm-type}, and the arrays'
 * {@code --layout}. A picocli mixin, shared by every command that pools
 * ({@code @Mixin PoolOptions pooling;} then {@link #toSpec}).
 *
 * <p>Sizes are one value for every spatial dimension or one per dimension, outermost first
 * ({@code L}, {@code H,W} or {@code D,H,W}); how many dimensions there are is the data's to say
 * (a file's rank, a block shape), so the spec is built only once that is known. Three kinds of
 * refusal, each a {@link ParameterException} naming the option and the value:
 * <ul>
 * <li>values that cannot be right on their own (a kernel of 0, "a,b", an lp norm of 0 or NaN), while parsing;
 * <li>an option the op does not take ({@code --output-size} with max, {@code --norm-type} with
 * avg, {@code --kernel} with adaptive-avg...) or a missing one it needs, in {@link #checkedOp};
 * <li>a list whose length is not the data's number of spatial dimensions, in {@link #toSpec}.
 * </ul>
 * What only the combination decides (padding at most half the kernel) is {@link NdPoolSpec}'s
 * check, an {@link IllegalArgumentException}.
 *
 * <p>No option is {@code required} in picocli's sense, so a command may supply defaults (the
 * bench's textbook layer); without them the op and, for windowed ops, the kernel must be given.
 */
public final class PoolOptions {

    /** Sizes per spatial dimension as given: one entry for all dimensions, or one per dimension. */
    public record Sizes(int[] values) {
        public Sizes {
            values = values.clone();
        }

        @Override
        public int[] values() {
            return values.clone();
        }

        /** One entry per dimension: the single value repeated, or the list as given. */
        int[] expand(int dims) {
            if (values.length == 1) {
                int[] all = new int[dims];
                Arrays.fill(all, values[0]);
                return all;
            }
            return values.clone();
        }

        boolean all(int value) {
            return Arrays.stream(values).allMatch(v -> v == value);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sizes s && Arrays.equals(values, s.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
        }
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--op", paramLabel = "max|avg|adaptive-max|adaptive-avg|lp|unpool", converter = OpConverter.class,
            description = "The operation (default: --mode's).")
    PoolOp op;

    @Option(names = "--mode", paramLabel = "max|avg", converter = ModeConverter.class,
            description = "Pooling mode: max or avg, the same as --op max or --op avg.")
    PoolMode mode;

    @Option(names = "--kernel", paramLabel = "K[,K[,K]]", converter = KernelConverter.class,
            description = "Window size, > 0; max, avg and lp.")
    Sizes kernel;

    @Option(names = "--stride", paramLabel = "S[,S[,S]]", converter = StrideConverter.class,
            description = "Step between windows, > 0 (default: the kernel); max, avg and lp.")
    Sizes stride;

    @Option(names = "--padding", paramLabel = "P[,P[,P]]", converter = PaddingConverter.class,
            description = "Implicit padding on each side, >= 0 and at most half the effective kernel (default: 0);"
                    + " max and avg.")
    Sizes padding;

    @Option(names = "--dilation", paramLabel = "D[,D[,D]]", converter = DilationConverter.class,
            description = "Spacing of window elements, > 0; max only (default: 1).")
    Sizes dilation;

    @Option(names = "--ceil-mode",
            description = "Round the output size up, as PyTorch's ceil_mode (a last window may hang over);"
                    + " max, avg and lp.")
    boolean ceilMode;

    @Option(names = "--count-include-pad", arity = "1", paramLabel = "true|false",
            description = "avg only: count padding in the divisor (default: true).")
    Boolean countIncludePad;

    @Option(names = "--divisor-override", paramLabel = "N",
            description = "avg only: divide every window's sum by N (non-zero) instead.")
    Integer divisorOverride;

    @Option(names = "--output-size", paramLabel = "O[,O[,O]]", converter = OutputSizeConverter.class,
            description = "adaptive-max, adaptive-avg: the output's spatial size, > 0 (larger than the input allowed);"
                    + " unpool: the spatial size of the unpooled output.")
    Sizes outputSize;

    @Option(names = "--norm-type", paramLabel = "P", converter = NormTypeConverter.class,
            description = "lp only: the power p of (sum of x^p)^(1/p), a finite number > 0.")
    Double normType;

    @Option(names = "--layout", paramLabel = "nchw|nhwc", converter = LayoutConverter.class,
            description = "Memory order of the arrays: channels-first N,C,[D,]H,W (default) or channels-last"
                    + " N,[D,]H,W,C; 1-D arrays (N,C,L) are channels-first only.")
    Layout layout;

    /**
     * The op (from {@code --op}, else {@code --mode}, else {@code defaults}, which may be
     * {@code null}), after checking that every option given applies to it and that what it needs
     * is given or defaulted.
     */
    public PoolOp checkedOp(NdPoolSpec defaults) {
        PoolOp o = resolveOp(defaults);
        boolean windowed = o.windowed();
        String label = o.label();
        if (windowed) {
            refuseGiven("--output-size", outputSize, "adaptive-max, adaptive-avg and unpool", label);
            if (kernel == null && (defaults == null || !defaults.op().windowed())) {
                throw parameterError("Missing required option: '--kernel=K[,K[,K]]' (" + o.description() + " needs it)");
            }
        } else {
            String windowOps = "max, avg and lp pooling";
            refuseGiven("--kernel", kernel, windowOps, label + ", which takes --output-size");
            refuseGiven("--stride", stride, windowOps, label);
            refuseGiven("--padding", padding, windowOps, label);
            refuseGiven("--dilation", dilation, "max pooling only", label);
            if (ceilMode) {
                throw parameterError("--ceil-mode applies to " + windowOps + ", not " + label);
            }
            if (outputSize == null) {
                throw parameterError("Missing required option: '--output-size=O[,O[,O]]' (" + o.description()
                        + " needs it)");
            }
        }
        // Which of the optional parameters each op takes; a new op must say.
        boolean takesDilation = switch (o) {
            case MAX -> true;
            case AVG, LP, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
        boolean takesAvgOptions = switch (o) {
            case AVG -> true;
            case MAX, LP, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
        boolean takesNorm = switch (o) {
            case LP -> true;
            case MAX, AVG, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
        // A neutral dilation or padding passes where the op has none, as a 1 or a 0 changes nothing.
        if (windowed && !takesDilation && dilation != null && !dilation.all(1)) {
            throw parameterError("--dilation (" + dilation + ") applies to max pooling only, not " + label);
        }
        if (takesNorm && padding != null && !padding.all(0)) {
            throw parameterError("--padding (" + padding + ") applies to max and avg pooling, not lp"
                    + " (PyTorch's lp_pool has no padding)");
        }
        if (!takesAvgOptions) {
            refuseGiven("--count-include-pad", countIncludePad, "avg pooling only", label);
            refuseGiven("--divisor-override", divisorOverride, "avg pooling only", label);
        } else if (divisorOverride != null && divisorOverride == 0) {
            throw parameterError("--divisor-override (0) must not be zero");
        }
        if (!takesNorm) {
            refuseGiven("--norm-type", normType, "lp pooling only", label);
        } else if (normType == null) {
            throw parameterError("Missing required option: '--norm-type=P' (lp pooling needs it)");
        }
        return o;
    }

    /**
     * The spec for data of {@code dims} spatial dimensions, described by {@code data} in messages
     * (a file, a shape option), with {@code defaults} (may be {@code null}, else of {@code dims}
     * dimensions) filling in what is not given. A given {@code --kernel} without {@code --stride}
     * strides by the given kernel, as in PyTorch.
     */
    public NdPoolSpec toSpec(int dims, String data, NdPoolSpec defaults) {
        PoolOp o = checkedOp(defaults);
        if (!o.windowed()) {
            int[] size = sized("--output-size", outputSize, dims, data);
            return switch (o) {
                case ADAPTIVE_MAX -> NdPoolSpec.adaptiveMax(size);
                case ADAPTIVE_AVG -> NdPoolSpec.adaptiveAvg(size);
                case UNPOOL -> NdPoolSpec.unpool(size);
                case MAX, AVG, LP -> throw new IllegalStateException(o.label() + " is windowed");
            };
        }
        boolean windowedDefaults = defaults != null && defaults.op().windowed();
        int[] k = kernel != null ? sized("--kernel", kernel, dims, data) : defaults.kernel();
        int[] s = stride != null ? sized("--stride", stride, dims, data)
                : kernel != null || !windowedDefaults ? k : defaults.stride();
        int[] p = padding != null ? sized("--padding", padding, dims, data)
                : windowedDefaults && o != PoolOp.LP ? defaults.padding() : new int[dims];
        boolean ceil = ceilMode || windowedDefaults && defaults.ceilMode();
        return switch (o) {
            case MAX -> {
                int[] d = dilation != null ? sized("--dilation", dilation, dims, data)
                        : defaults != null && defaults.op() == PoolOp.MAX ? defaults.dilation() : ones(dims);
                yield NdPoolSpec.max(k).stride(s).padding(p).dilation(d).ceilMode(ceil).build();
            }
            case AVG -> {
                boolean avgDefaults = defaults != null && defaults.op() == PoolOp.AVG;
                boolean includePad = countIncludePad != null ? countIncludePad : !avgDefaults || defaults.countIncludePad();
                Integer divisor = divisorOverride != null ? divisorOverride : avgDefaults ? defaults.divisorOverride() : null;
                yield NdPoolSpec.avg(k).stride(s).padding(p).ceilMode(ceil).countIncludePad(includePad)
                        .divisorOverride(divisor).build();
            }
            case LP -> NdPoolSpec.lp(normType, k).stride(s).ceilMode(ceil).build();
            case ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> throw new IllegalStateException(o.label() + " has no window");
        };
    }

    /** The layout asked for (default channels-first), before any data is seen; {@link #layout} checks it. */
    Layout requestedLayout() {
        return layout == null ? Layout.CHANNELS_FIRST : layout;
    }

    /**
     * The layout of the arrays (default channels-first) for data of {@code rank} dimensions,
     * described by {@code data}: channels-last is for 2-D and 3-D data, which PyTorch has memory
     * formats for; a rank-3 array is read N,C,L.
     */
    public Layout layout(int rank, String data) {
        Layout l = requestedLayout();
        boolean channelsLast = switch (l) {
            case CHANNELS_FIRST -> false;
            case CHANNELS_LAST -> true;
        };
        if (channelsLast && rank == 3) {
            throw parameterError("--layout (" + l.label() + ") applies to 2-D and 3-D data (rank 4 or 5), but "
                    + data + " is rank 3, which is read channels-first (N,C,L) only");
        }
        return l;
    }

    private PoolOp resolveOp(NdPoolSpec defaults) {
        if (op != null && mode != null && mode.op() != op) {
            throw parameterError("--mode (" + mode.label() + ") contradicts --op (" + op.label() + "); give one of them");
        }
        if (op != null) {
            return op;
        }
        if (mode != null) {
            return mode.op();
        }
        if (defaults == null) {
            throw parameterError("Missing required option: '--mode=max|avg' (or '--op="
                    + Arrays.stream(PoolOp.values()).map(PoolOp::label).collect(Collectors.joining("|")) + "')");
        }
        return defaults.op();
    }

    private void refuseGiven(String option, Object value, String appliesTo, String op) {
        if (value != null) {
            throw parameterError(option + " (" + value + ") applies to " + appliesTo + ", not " + op);
        }
    }

    /** The sizes with one entry per dimension; a list of another length is a rank mismatch. */
    private int[] sized(String option, Sizes sizes, int dims, String data) {
        int given = sizes.values.length;
        if (given != 1 && given != dims) {
            throw parameterError(option + " (" + sizes + ") has " + given + " entries, but " + data + " has " + dims
                    + " spatial dimension" + (dims == 1 ? "" : "s") + "; give one value or " + dims);
        }
        return sizes.expand(dims);
    }

    private static int[] ones(int dims) {
        int[] d = new int[dims];
        Arrays.fill(d, 1);
        return d;
    }

    private RuntimeException parameterError(String message) {
        if (mixee == null) {
            return new IllegalArgumentException(message); // used outside picocli, e.g. in a test
        }
        return new ParameterException(mixee.commandLine(), message);
    }

    // ------------------------------------------------------------------ converters

    static final class OpConverter implements CommandLine.ITypeConverter<PoolOp> {
        @Override
        public PoolOp convert(String value) {
            try {
                return PoolOp.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be one of "
                        + Arrays.stream(PoolOp.values()).map(PoolOp::label).collect(Collectors.joining(", ")));
            }
        }
    }

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

    /** A value parsed by its own type, whose refusal message (role and value) becomes picocli's. */
    abstract static class ParsedBy<T> implements CommandLine.ITypeConverter<T> {
        private final Function<String, T> parse;

        ParsedBy(Function<String, T> parse) {
            this.parse = parse;
        }

        @Override
        public T convert(String value) {
            try {
                return parse.apply(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LayoutConverter extends ParsedBy<Layout> {
        LayoutConverter() {
            super(Layout::parse);
        }
    }

    static final class NormTypeConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double p;
            try {
                p = Double.parseDouble(value.trim());
            } catch (NumberFormatException e) {
                p = Double.NaN;
            }
            // Written so that NaN fails too: NaN > 0 is false.
            if (!(p > 0) || Double.isInfinite(p)) {
                throw new CommandLine.TypeConversionException("norm type (" + value + ") must be a finite number > 0");
            }
            return p;
        }
    }

    /** Parses {@code "3"}, {@code "3,2"} or {@code "2,3,2"} and checks each size against {@code min}. */
    abstract static class SizesConverter implements CommandLine.ITypeConverter<Sizes> {
        private final String role;
        private final int min;

        SizesConverter(String role, int min) {
            this.role = role;
            this.min = min;
        }

        @Override
        public Sizes convert(String value) {
            String[] parts = value.split(",", -1);
            String shape = role + " (" + value + ") must be one integer or up to three separated by commas,"
                    + " one per spatial dimension (L; H,W; D,H,W)";
            if (parts.length > 3) {
                throw new CommandLine.TypeConversionException(shape);
            }
            int[] v = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    v[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    throw new CommandLine.TypeConversionException(shape);
                }
                if (v[i] < min) {
                    throw new CommandLine.TypeConversionException(
                            role + " (" + value + ") must be " + (min == 0 ? ">= 0" : "> " + (min - 1)));
                }
            }
            return new Sizes(v);
        }
    }

    static final class KernelConverter extends SizesConverter {
        KernelConverter() {
            super("kernel", 1);
        }
    }

    static final class StrideConverter extends SizesConverter {
        StrideConverter() {
            super("stride", 1);
        }
    }

    static final class PaddingConverter extends SizesConverter {
        PaddingConverter() {
            super("padding", 0);
        }
    }

    static final class DilationConverter extends SizesConverter {
        DilationConverter() {
            super("dilation", 1);
        }
    }

    static final class OutputSizeConverter extends SizesConverter {
        OutputSizeConverter() {
            super("output size", 1);
        }
    }
}
