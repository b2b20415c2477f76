package org.sparkpooling.spark.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolOp;

/**
 * The SQL functions, one list: each entry's name, documentation (what {@code DESCRIBE FUNCTION}
 * shows) and builder, which reads the constant arguments after the column into a {@link PoolCall}.
 * {@code PoolingSparkExtensions} injects every entry and {@code PoolingFunctions} builds through the
 * same entries; nothing else registers functions.
 *
 * <p>PyTorch's functional names and argument order, in one, two and three dimensions:
 * {@code max_pool}, {@code avg_pool}, {@code lp_pool}, {@code adaptive_max_pool},
 * {@code adaptive_avg_pool}, {@code max_unpool}, max and adaptive max also {@code _with_indices}
 * (PyTorch's {@code return_indices=True}), plus {@code pool2d(input, mode, kernel[, stride[, padding]])};
 * each with a {@code try_} twin that gives NULL for a malformed row. Sizes ({@code kernel},
 * {@code stride}, {@code padding}, {@code dilation}, {@code output_size}) are an int for every
 * dimension or an array of one int per dimension, outermost first; a NULL or absent stride is the
 * kernel (PyTorch's {@code stride=None}).
 */
public final class PoolingSqlFunctions {

    /** One SQL function: its name, its documentation and how its arguments become a call. */
    public record Function(String name, String usage, String arguments, String examples, Signature signature,
            int dims, boolean withIndices, boolean nullOnMalformed) {

        /** What {@code DESCRIBE FUNCTION EXTENDED} shows. */
        public ExpressionInfo info() {
            return new ExpressionInfo(PoolExpression.class.getName(), null, name, usage, arguments, examples, "",
                    "misc_funcs", "", "", "");
        }

        /** The expression for {@code name(args...)}: the column (and unpool's indices) first, then constants. */
        public Expression build(List<Expression> args) {
            int columns = signature == Signature.UNPOOL ? 2 : 1;
            if (args.size() < columns) {
                throw new IllegalArgumentException(name + ": the first argument" + (columns == 2 ? "s" : "")
                        + " must be the column to pool" + (columns == 2 ? " and its indices" : ""));
            }
            Args a = new Args(name, args, columns);
            PoolCall call = new PoolCall(name, signature.spec(a, dims), withIndices, nullOnMalformed,
                    PoolCall.DEFAULT_IMPLEMENTATION, a.sql());
            return new PoolExpression(args.get(0), columns == 2 ? args.get(1) : null, call);
        }
    }

    /** The argument lists, PyTorch's order; each reads its constants into a spec of {@code dims} dimensions. */
    public enum Signature {
        POOL2D("input, mode, kernel[, stride[, padding]]") {
            @Override
            NdPoolSpec spec(Args a, int dims) {
                a.requireCount(3, 5);
                PoolOp op = a.mode(1);
                int[] k = a.sizes(2, "kernel", dims, null);
                int[] s = a.sizes(3, "stride", dims, k);
                int[] p = a.sizes(4, "padding", dims, new int[dims]);
                return a.spec(() -> (op == PoolOp.MAX ? NdPoolSpec.max(k) : NdPoolSpec.avg(k)).stride(s).padding(p)
                        .build());
            }
        },
        MAX("input, kernel[, stride[, padding[, dilation[, ceil_mode]]]]") {
            @Override
            NdPoolSpec spec(Args a, int dims) {
                a.requireCount(2, 6);
                int[] k = a.sizes(1, "kernel", dims, null);
                int[] s = a.sizes(2, "stride", dims, k);
                int[] p = a.sizes(3, "padding", dims, new int[dims]);
                int[] d = a.sizes(4, "dilation", dims, ones(dims));
                boolean ceil = a.bool(5, "ceil_mode", false);
                return a.spec(() -> NdPoolSpec.max(k).stride(s).padding(p).dilation(d).ceilMode(ceil).build());
            }
        },
        AVG("input, kernel[, stride[, padding[, ceil_mode[, count_include_pad[, divisor_override]]]]]") {
            @Override
            NdPoolSpec spec(Args a, int dims) {
                a.requireCount(2, 7);
                int[] k = a.sizes(1, "kernel", dims, null);
                int[] s = a.sizes(2, "stride", dims, k);
                int[] p = a.sizes(3, "padding", dims, new int[dims]);
                boolean ceil = a.bool(4, "ceil_mode", false);
                boolean countPad = a.bool(5, "count_include_pad", true);
                Integer divisor = a.optionalInt(6, "divisor_override");
                return a.spec(() -> NdPoolSpec.avg(k).stride(s).padding(p).ceilMode(ceil).countIncludePad(countPad)
                        .divisorOverride(divisor).build());
            }
        },
        LP("input, norm_type, kernel[, stride[, ceil_mode]]") {
            @Override
            NdPoolSpec spec(Args a, int dims) {
                a.requireCount(3, 5);
                double norm = a.number(1, "norm_type");
                int[] k = a.sizes(2, "kernel", dims, null);
                int[] s = a.sizes(3, "stride", dims, k);
                boolean ceil = a.bool(4, "ceil_mode", false);
                return a.spec(() -> NdPoolSpec.lp(norm, k).stride(s).ceilMode(ceil).build());
            }
        },
        ADAPTIVE_MAX("input, output_size") {
            @Override
            NdPoolSpec spec(Args a, int dims) {
                a.requireCount(2, 2);
                int[] o = a.sizes(1, "output_size", dims, null);
                return a.spec(() -> NdPoolSpec.adaptiveMax(o));
            }
        },
        ADAPTIVE_AVG("input, output_size") {
            @Override
            NdPoolSpec spec(Args a, int dims) {
                a.requireCount(2, 2);
                int[] o = a.sizes(1, "output_size", dims, null);
                return a.spec(() -> NdPoolSpec.adaptiveAvg(o));
            }
        },
        UNPOOL("input, indices, output_size") {
            @Override
            NdPoolSpec spec(Args a, int dims) {
                a.requireCount(3, 3);
                int[] o = a.sizes(2, "output_size", dims, null);
                return a.spec(() -> NdPoolSpec.unpool(o));
            }
        };

        private final String parameters;

        Signature(String parameters) {
            this.parameters = parameters;
        }

        abstract NdPoolSpec spec(Args a, int dims);

        private static int[] ones(int dims) {
            int[] a = new int[dims];
            Arrays.fill(a, 1);
            return a;
        }
    }

    private static final String SIZES = """
                  kernel   - the window: an int for every dimension, or an array of one per dimension
                  stride   - the step between windows, int or array; NULL or absent: the kernel
            """;

    private static final List<Function> ALL = make();

    private PoolingSqlFunctions() {
    }

    /** Every SQL function, in registration order: each function, then its try_ twin. */
    public static List<Function> all() {
        return ALL;
    }

    /** The function called {@code name}. */
    public static Function byName(String name) {
        for (Function f : ALL) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no pooling function is called " + name);
    }

    private static List<Function> make() {
        List<Function> out = new ArrayList<>();
        add(out, "pool2d", Signature.POOL2D, 2, false,
                "Pools a tensor, image or downsample-level struct with PyTorch's 2-D max or avg pooling (floor mode,"
                        + " padding counted in averages) and returns the same kind of struct.",
                "          mode     - 'max' or 'avg'\n" + SIZES
                        + "          padding  - implicit padding on both sides, int or array; default 0\n",
                "pool2d(image, 'max', 2, 2)");
        for (int d = 1; d <= 3; d++) {
            String what = d == 2 ? "a tensor, image or downsample-level struct" : "a " + d + "-D tensor struct";
            String example = d == 2 ? "image" : "tensor";
            String windowed = SIZES + "          padding  - implicit padding on both sides, int or array; default 0\n";
            String maxArgs = windowed + "          dilation - spacing of the window's taps, int or array; default 1\n"
                    + "          ceil_mode - ceil instead of floor for the output size; default false\n";
            add(out, "max_pool" + d + "d", Signature.MAX, d, false,
                    "PyTorch's max_pool" + d + "d on " + what + "; the same kind of struct.", maxArgs,
                    "max_pool" + d + "d(" + example + ", 3, 2, 1)");
            add(out, "max_pool" + d + "d_with_indices", Signature.MAX, d, true,
                    "max_pool" + d + "d with the argmax of each output (return_indices=True): struct<output, indices>,"
                            + " indices little-endian int32, one per output sample in its order, each the flat position"
                            + " inside its (n, c) plane or volume.", maxArgs,
                    "max_pool" + d + "d_with_indices(" + example + ", 2)");
            add(out, "avg_pool" + d + "d", Signature.AVG, d, false,
                    "PyTorch's avg_pool" + d + "d on " + what + "; the same kind of struct (integer samples: the exact"
                            + " mean rounded half to even, clamped to the sample range).",
                    windowed + "          ceil_mode - ceil instead of floor for the output size; default false\n"
                            + "          count_include_pad - count the padding in the divisor; default true\n"
                            + "          divisor_override - divide by this instead; NULL or absent: none\n",
                    "avg_pool" + d + "d(" + example + ", 2)");
            add(out, "lp_pool" + d + "d", Signature.LP, d, false,
                    "PyTorch's lp_pool" + d + "d (power-average, (sum x^p)^(1/p)) on " + what + "; the same kind of"
                            + " struct (integer samples: rounded half to even, clamped).",
                    "          norm_type - p, a finite number > 0\n" + SIZES
                            + "          ceil_mode - ceil instead of floor for the output size; default false\n",
                    "lp_pool" + d + "d(" + example + ", 2, 3)");
            String sizes = "          output_size - an int for every dimension, or an array of one per dimension\n";
            add(out, "adaptive_max_pool" + d + "d", Signature.ADAPTIVE_MAX, d, false,
                    "PyTorch's adaptive_max_pool" + d + "d on " + what + ": the max of each of output_size bins.",
                    sizes, "adaptive_max_pool" + d + "d(" + example + ", 7)");
            add(out, "adaptive_max_pool" + d + "d_with_indices", Signature.ADAPTIVE_MAX, d, true,
                    "adaptive_max_pool" + d + "d with the argmax of each output: struct<output, indices>, as"
                            + " max_pool" + d + "d_with_indices.", sizes,
                    "adaptive_max_pool" + d + "d_with_indices(" + example + ", 7)");
            add(out, "adaptive_avg_pool" + d + "d", Signature.ADAPTIVE_AVG, d, false,
                    "PyTorch's adaptive_avg_pool" + d + "d on " + what + ": the mean of each of output_size bins"
                            + " (integer samples: exact, rounded half to even).",
                    sizes, "adaptive_avg_pool" + d + "d(" + example + ", 1)");
            add(out, "max_unpool" + d + "d", Signature.UNPOOL, d, false,
                    "PyTorch's max_unpool" + d + "d on a " + d + "-D tensor struct and the indices max_pool" + d
                            + "d_with_indices gave it: a tensor struct of output_size, zero where no index points.",
                    "          indices  - binary, little-endian int32, one per input element\n" + sizes,
                    "max_unpool" + d + "d(q.output, q.indices, 8)");
        }
        return List.copyOf(out);
    }

    private static void add(List<Function> out, String name, Signature signature, int dims, boolean withIndices,
            String what, String arguments, String example) {
        String columns = signature == Signature.UNPOOL ? "          input    - the tensor struct column\n"
                : "          input    - the struct column\n";
        for (boolean tryMode : new boolean[] {false, true}) {
            String n = tryMode ? "try_" + name : name;
            String usage = "_FUNC_(" + signature.parameters + ") - " + (tryMode ? "Like " + name
                    + ", but a malformed row gives NULL instead of failing the query. " : "") + what;
            String args = "\n    Arguments:\n" + columns + arguments;
            String examples = "\n    Examples:\n      > SELECT _FUNC_" + example.substring(example.indexOf('('))
                    + " FROM t;\n";
            out.add(new Function(n, usage, args, examples, signature, dims, withIndices, tryMode));
        }
    }

    /** The arguments of one call; every one after the column(s) must be a constant. */
    public static final class Args {
        private final String function;
        private final List<Expression> args;
        private final int columns;

        Args(String function, List<Expression> args, int columns) {
            this.function = function;
            this.args = args;
            this.columns = columns;
        }

        void requireCount(int min, int max) {
            if (args.size() < min || args.size() > max) {
                throw new IllegalArgumentException(function + " takes " + (min == max ? "" + min : min + " to " + max)
                        + " arguments, not " + args.size());
            }
        }

        /** The SQL of the constant arguments, for the column name. */
        String sql() {
            StringBuilder b = new StringBuilder();
            for (int i = columns; i < args.size(); i++) {
                b.append(i == columns ? "" : ", ").append(args.get(i).sql());
            }
            return b.toString();
        }

        private Object value(int i, String role) {
            Expression e = args.get(i);
            if (!e.foldable()) {
                throw new IllegalArgumentException(function + ": " + role + " (" + e.sql() + ") must be a constant");
            }
            return e.eval(null);
        }

        PoolOp mode(int i) {
            Object v = value(i, "mode");
            if (!(v instanceof UTF8String s)) {
                throw new IllegalArgumentException(function + ": mode (" + args.get(i).sql()
                        + ") must be the string 'max' or 'avg'");
            }
            return switch (s.toString().trim().toLowerCase(Locale.ROOT)) {
                case "max" -> PoolOp.MAX;
                case "avg" -> PoolOp.AVG;
                default -> throw new IllegalArgumentException(function + ": mode (" + s + ") must be max or avg");
            };
        }

        /** An int for every dimension or an array of {@code dims} ints; {@code absent} when missing or NULL. */
        int[] sizes(int i, String role, int dims, int[] absent) {
            Object v = i < args.size() ? value(i, role) : null;
            if (v == null) {
                if (absent == null) {
                    throw new IllegalArgumentException(function + ": " + role + " must be given");
                }
                return absent;
            }
            String want = dims == 1 ? "an int" : "an int or an array of " + dims + " ints";
            if (v instanceof ArrayData a) {
                if (a.numElements() != dims) {
                    throw new IllegalArgumentException(function + ": " + role + " (" + args.get(i).sql() + ") must be "
                            + want);
                }
                DataType element = ((ArrayType) args.get(i).dataType()).elementType();
                int[] out = new int[dims];
                for (int d = 0; d < dims; d++) {
                    out[d] = toInt(a.isNullAt(d) ? null : a.get(d, element), role, i, want);
                }
                return out;
            }
            int n = toInt(v, role, i, want);
            int[] out = new int[dims];
            Arrays.fill(out, n);
            return out;
        }

        private int toInt(Object v, String role, int i, String want) {
            if (v instanceof Integer || v instanceof Short || v instanceof Byte
                    || (v instanceof Long l && l == (int) (long) l)) {
                return ((Number) v).intValue();
            }
            throw new IllegalArgumentException(function + ": " + role + " (" + args.get(i).sql() + ") must be " + want);
        }

        double number(int i, String role) {
            Object v = value(i, role);
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            if (v instanceof org.apache.spark.sql.types.Decimal d) {
                return d.toDouble();
            }
            throw new IllegalArgumentException(function + ": " + role + " (" + args.get(i).sql() + ") must be a number");
        }

        boolean bool(int i, String role, boolean absent) {
            Object v = i < args.size() ? value(i, role) : null;
            if (v == null) {
                return absent;
            }
            if (!(v instanceof Boolean b)) {
                throw new IllegalArgumentException(function + ": " + role + " (" + args.get(i).sql()
                        + ") must be true or false");
            }
            return b;
        }

        Integer optionalInt(int i, String role) {
            Object v = i < args.size() ? value(i, role) : null;
            return v == null ? null : toInt(v, role, i, "an int");
        }

        /** The spec, its own refusals named as this function's. */
        NdPoolSpec spec(Supplier<NdPoolSpec> make) {
            try {
                return make.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(function + ": " + e.getMessage());
            }
        }
    }
}
