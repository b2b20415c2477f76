package org.sparkpooling.spark.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.ExpressionInfo;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.unsafe.types.UTF8String;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;

/**
 * The SQL functions, one list: each entry's name, documentation (what {@code DESCRIBE FUNCTION}
 * shows) and builder, which reads the constant arguments after the column into a {@link PoolCall}.
 * {@code PoolingSparkExtensions} injects every entry; nothing else registers functions.
 *
 * <p>Sizes ({@code kernel}, {@code stride}, {@code padding}, {@code dilation}) are an int for both
 * sides or {@code array(h, w)}; a NULL stride is the kernel (PyTorch's {@code stride=None}).
 */
public final class PoolingSqlFunctions {

    /** One SQL function: its name, its documentation and how its arguments become a call. */
    public record Function(String name, String usage, String arguments, String examples, Builder builder) {

        /** What {@code DESCRIBE FUNCTION EXTENDED} shows. */
        public ExpressionInfo info() {
            return new ExpressionInfo(PoolExpression.class.getName(), null, name, usage, arguments, examples, "",
                    "misc_funcs", "", "", "");
        }

        /** The expression for {@code name(args...)}: the column first, then constants. */
        public Expression build(List<Expression> args) {
            if (args.isEmpty()) {
                throw new IllegalArgumentException(name + ": the first argument must be the column to pool");
            }
            Args a = new Args(name, args);
            return new PoolExpression(args.get(0), builder.call(name, a));
        }
    }

    /** Reads a call's constant arguments. */
    @FunctionalInterface
    public interface Builder {
        PoolCall call(String name, Args args);
    }

    private static final String SIZES = """
                      kernel   - window size: an int for both sides, or array(h, w)
                      stride   - step between windows, int or array(h, w); NULL or absent: the kernel
                      padding  - implicit padding on both sides, int or array(h, w); default 0
            """;

    private static final List<Function> ALL = List.of(
            pooling("pool2d", "input, mode, kernel[, stride[, padding]]",
                    "Pools a tensor, image or downsample-level struct with PyTorch's 2-D max or avg pooling "
                            + "(floor mode, padding counted in averages) and returns the same kind of struct.",
                    "          mode     - 'max' or 'avg'\n" + SIZES,
                    "pool2d(image, 'max', 2, 2)"),
            pooling("max_pool2d", "input, kernel[, stride[, padding[, dilation[, ceil_mode]]]]",
                    "PyTorch's max_pool2d on a tensor, image or downsample-level struct; the same kind of struct.",
                    SIZES + "          dilation - spacing of the window's taps, int or array(h, w); default 1\n"
                            + "          ceil_mode - ceil instead of floor for the output size; default false\n",
                    "max_pool2d(tensor, 3, 2, 1)"),
            pooling("avg_pool2d",
                    "input, kernel[, stride[, padding[, ceil_mode[, count_include_pad[, divisor_override]]]]]",
                    "PyTorch's avg_pool2d on a tensor, image or downsample-level struct; the same kind of struct "
                            + "(integer samples: the mean rounded half to even, clamped to the sample range).",
                    SIZES + "          ceil_mode - ceil instead of floor for the output size; default false\n"
                            + "          count_include_pad - count the padding in the divisor; default true\n"
                            + "          divisor_override - divide by this instead; NULL or absent: none\n",
                    "avg_pool2d(image, 2)"),
            pooling("max_pool2d_with_indices", "input, kernel[, stride[, padding[, dilation[, ceil_mode]]]]",
                    "max_pool2d with the argmax of each output: struct<output, indices>, indices as "
                            + "little-endian int32, one per output sample and in its order, each h * W + w "
                            + "inside its (n, c) plane (PyTorch's return_indices=True).",
                    SIZES + "          dilation - spacing of the window's taps; default 1\n"
                            + "          ceil_mode - ceil instead of floor for the output size; default false\n",
                    "max_pool2d_with_indices(tensor, 2)"));

    /** Every function, then its try_ twin. */
    private static final List<Function> WITH_TRY = withTry();

    private PoolingSqlFunctions() {
    }

    /** Every SQL function, in registration order. */
    public static List<Function> all() {
        return WITH_TRY;
    }

    /** The function called {@code name}. */
    public static Function byName(String name) {
        for (Function f : WITH_TRY) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no pooling function is called " + name);
    }

    private static List<Function> withTry() {
        List<Function> out = new ArrayList<>(ALL);
        for (Function f : ALL) {
            out.add(new Function("try_" + f.name(), f.usage().replace(f.name() + "(", "try_" + f.name() + "(")
                    .replaceFirst(" - ", " - Like " + f.name() + ", but a malformed row gives NULL instead of failing"
                            + " the query. "), f.arguments(), f.examples().replace(f.name() + "(", "try_" + f.name() + "("),
                    f.builder()));
        }
        return List.copyOf(out);
    }

    private static Function pooling(String name, String signature, String what, String arguments, String example) {
        String usage = "_FUNC_(" + signature + ") - " + what;
        String args = "\n    Arguments:\n          input    - the struct column\n" + arguments;
        String examples = "\n    Examples:\n      > SELECT _FUNC_" + example.substring(example.indexOf('(')) + " FROM t;\n";
        return new Function(name, usage, args, examples, PoolingSqlFunctions::parse);
    }

    /** The call {@code name(input, ...)} spells, by the name's signature. */
    private static PoolCall parse(String name, Args a) {
        boolean tryMode = name.startsWith("try_");
        String base = tryMode ? name.substring(4) : name;
        PoolSpec spec = switch (base) {
            case "pool2d" -> {
                a.requireCount(3, 5);
                PoolMode mode = a.mode(1);
                int[] k = a.pair(2, "kernel", null);
                int[] s = a.pair(3, "stride", k);
                int[] p = a.pair(4, "padding", new int[] {0, 0});
                yield a.spec(() -> PoolSpec.builder(mode, k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1]).build());
            }
            case "max_pool2d", "max_pool2d_with_indices" -> {
                a.requireCount(2, 6);
                int[] k = a.pair(1, "kernel", null);
                int[] s = a.pair(2, "stride", k);
                int[] p = a.pair(3, "padding", new int[] {0, 0});
                int[] d = a.pair(4, "dilation", new int[] {1, 1});
                boolean ceil = a.bool(5, "ceil_mode", false);
                yield a.spec(() -> PoolSpec.max(k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1])
                        .dilation(d[0], d[1]).ceilMode(ceil).build());
            }
            case "avg_pool2d" -> {
                a.requireCount(2, 7);
                int[] k = a.pair(1, "kernel", null);
                int[] s = a.pair(2, "stride", k);
                int[] p = a.pair(3, "padding", new int[] {0, 0});
                boolean ceil = a.bool(4, "ceil_mode", false);
                boolean countPad = a.bool(5, "count_include_pad", true);
                Integer divisor = a.optionalInt(6, "divisor_override");
                yield a.spec(() -> PoolSpec.avg(k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1]).ceilMode(ceil)
                        .countIncludePad(countPad).divisorOverride(divisor).build());
            }
            default -> throw new IllegalStateException("no signature for " + name);
        };
        return new PoolCall(name, spec, base.endsWith("_with_indices"), tryMode, PoolCall.DEFAULT_IMPLEMENTATION,
                a.sql());
    }

    /** The arguments of one call; every one after the column must be a constant. */
    public static final class Args {
        private final String function;
        private final List<Expression> args;

        Args(String function, List<Expression> args) {
            this.function = function;
            this.args = args;
        }

        void requireCount(int min, int max) {
            if (args.size() < min || args.size() > max) {
                throw new IllegalArgumentException(function + " takes " + min + " to " + max + " arguments, not "
                        + args.size());
            }
        }

        /** The SQL of the constant arguments, for the column name. */
        String sql() {
            StringBuilder b = new StringBuilder();
            for (int i = 1; i < args.size(); i++) {
                b.append(i == 1 ? "" : ", ").append(args.get(i).sql());
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

        PoolMode mode(int i) {
            Object v = value(i, "mode");
            if (!(v instanceof UTF8String s)) {
                throw new IllegalArgumentException(function + ": mode (" + args.get(i).sql()
                        + ") must be the string 'max' or 'avg'");
            }
            try {
                return PoolMode.parse(s.toString().toLowerCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(function + ": " + e.getMessage());
            }
        }

        /** An int for both sides or array(h, w); {@code absent} when the argument is missing or NULL. */
        int[] pair(int i, String role, int[] absent) {
            Object v = i < args.size() ? value(i, role) : null;
            if (v == null) {
                if (absent == null) {
                    throw new IllegalArgumentException(function + ": " + role + " must be given");
                }
                return absent;
            }
            if (v instanceof ArrayData a) {
                if (a.numElements() != 2 || a.isNullAt(0) || a.isNullAt(1)) {
                    throw new IllegalArgumentException(function + ": " + role + " (" + args.get(i).sql()
                            + ") must be an int or an array of two ints (h, w)");
                }
                DataType element = ((ArrayType) args.get(i).dataType()).elementType();
                return new int[] {toInt(a.get(0, element), role, i), toInt(a.get(1, element), role, i)};
            }
            int n = toInt(v, role, i);
            return new int[] {n, n};
        }

        private int toInt(Object v, String role, int i) {
            if (v instanceof Integer || v instanceof Short || v instanceof Byte
                    || (v instanceof Long l && l == (int) (long) l)) {
                return ((Number) v).intValue();
            }
            throw new IllegalArgumentException(function + ": " + role + " (" + args.get(i).sql()
                    + ") must be an int or an array of two ints (h, w)");
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
            return v == null ? null : toInt(v, role, i);
        }

        /** The spec, its own refusals named as this function's. */
        PoolSpec spec(java.util.function.Supplier<PoolSpec> make) {
            try {
                return make.get();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(function + ": " + e.getMessage());
            }
        }
    }
}
