package org.sparkpooling.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.Literal;
import org.apache.spark.sql.classic.ExpressionUtils;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.sql.PoolCall;
import org.sparkpooling.spark.sql.PoolExpression;
import org.sparkpooling.spark.sql.PoolingSqlFunctions;

/**
 * Pooling as DataFrame column functions, for Java and Scala: each takes a struct column (a tensor
 * struct such as a row of the project's tensor dataset, Spark's image struct, or a downsample level)
 * and returns the same kind of struct, pooled; {@code docs/spark-api.md} has the types and examples.
 * They are the SQL functions {@link PoolingSparkExtensions} registers, built directly, so they need
 * no extension in the session.
 *
 * <pre>{@code
 * Dataset<Row> images = spark.read().format("image").load("photos/");
 * images.select(PoolingFunctions.pool2d(col("image"), "avg", 2).alias("half"));
 * images.select(PoolingFunctions.pool2d(col("image"), PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build()));
 * }</pre>
 *
 * <p>Null rows give null; a malformed row (a null field, a byte count that does not match its
 * shape, a shape too small for the kernel) fails the query naming the row and the value, or gives
 * null with the {@code try} variants. Classic Spark only: under Spark Connect, call the SQL names
 * ({@code call_function("pool2d", ...)}) on a server that has the extension.
 */
public final class PoolingFunctions {

    private PoolingFunctions() {
    }

    /** {@code pool2d(input, mode, kernel)}: {@code mode} max or avg, stride = kernel, no padding (PyTorch's defaults). */
    public static Column pool2d(Column input, String mode, int kernel) {
        return sql("pool2d", input, string(mode), integer(kernel));
    }

    /** {@code pool2d(input, mode, kernel, stride)}. */
    public static Column pool2d(Column input, String mode, int kernel, int stride) {
        return sql("pool2d", input, string(mode), integer(kernel), integer(stride));
    }

    /** {@code pool2d(input, mode, kernel, stride, padding)}. */
    public static Column pool2d(Column input, String mode, int kernel, int stride, int padding) {
        return sql("pool2d", input, string(mode), integer(kernel), integer(stride), integer(padding));
    }

    /** Any 2-D max or avg layer: every parameter of {@link PoolSpec} (dilation, ceil mode, count_include_pad, divisor override). */
    public static Column pool2d(Column input, PoolSpec spec) {
        return pool(input, nd(spec));
    }

    /** {@link #pool2d(Column, PoolSpec)}, but a malformed row gives null instead of failing the query. */
    public static Column tryPool2d(Column input, PoolSpec spec) {
        return tryPool(input, nd(spec));
    }

    /**
     * Max pooling with the argmax of each output: {@code struct<output, indices>}, {@code output} the
     * pooled struct, {@code indices} little-endian int32, one per output sample in its order, each
     * {@code h * W + w} inside its {@code (n, c)} plane (PyTorch's {@code return_indices=True}).
     */
    public static Column maxPool2dWithIndices(Column input, PoolSpec spec) {
        return poolWithIndices(input, nd(spec));
    }

    /** {@link #maxPool2dWithIndices}, but a malformed row gives null instead of failing the query. */
    public static Column tryMaxPool2dWithIndices(Column input, PoolSpec spec) {
        return tryPoolWithIndices(input, nd(spec));
    }

    /**
     * Any operation of the family but unpool, in the column's dimensions: max, avg, lp, adaptive max,
     * adaptive avg in 1-D (tensor structs {@code n, c, l}), 2-D (tensors, images, levels) or 3-D
     * (tensor structs {@code n, c, d, h, w}), e.g. {@code NdPoolSpec.adaptiveAvg(7, 7)} or
     * {@code NdPoolSpec.max(2, 2, 2).build()}.
     */
    public static Column pool(Column input, NdPoolSpec spec) {
        return column(input, null, PoolCall.of(spec, false, false));
    }

    /** {@link #pool}, but a malformed row gives null instead of failing the query. */
    public static Column tryPool(Column input, NdPoolSpec spec) {
        return column(input, null, PoolCall.of(spec, false, true));
    }

    /** Max or adaptive max with the argmax of each output: {@code struct<output, indices>}, as {@link #maxPool2dWithIndices}. */
    public static Column poolWithIndices(Column input, NdPoolSpec spec) {
        return column(input, null, PoolCall.of(spec, true, false));
    }

    /** {@link #poolWithIndices}, but a malformed row gives null instead of failing the query. */
    public static Column tryPoolWithIndices(Column input, NdPoolSpec spec) {
        return column(input, null, PoolCall.of(spec, true, true));
    }

    /**
     * Max unpooling of a tensor struct with the indices max pooling gave it (the {@code indices} of
     * {@link #poolWithIndices}), into a tensor of spatial size {@code outputSize} (one entry per
     * dimension), zero where no index points.
     */
    public static Column maxUnpool(Column input, Column indices, int... outputSize) {
        return column(input, indices, PoolCall.of(unpool(outputSize), false, false));
    }

    /** {@link #maxUnpool}, but a malformed row (an index outside the output) gives null instead of failing the query. */
    public static Column tryMaxUnpool(Column input, Column indices, int... outputSize) {
        return column(input, indices, PoolCall.of(unpool(outputSize), false, true));
    }

    private static NdPoolSpec unpool(int[] outputSize) {
        return NdPoolSpec.unpool(outputSize);
    }

    private static NdPoolSpec nd(PoolSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        return NdPoolSpec.of(spec);
    }

    private static Column column(Column input, Column indices, PoolCall call) {
        if (input == null || (call.readsIndices() && indices == null)) {
            throw new IllegalArgumentException(call.function() + ": input column" + (call.readsIndices()
                    ? " and indices" : "") + " must not be null");
        }
        return ExpressionUtils.column(new PoolExpression(ExpressionUtils.expression(input),
                indices == null ? null : ExpressionUtils.expression(indices), call));
    }

    /** The SQL function {@code name} on {@code input} and constants, through the same builder SQL uses. */
    private static Column sql(String name, Column input, Expression... constants) {
        if (input == null) {
            throw new IllegalArgumentException(name + ": input column must not be null");
        }
        List<Expression> args = new ArrayList<>();
        args.add(ExpressionUtils.expression(input));
        args.addAll(List.of(constants));
        return ExpressionUtils.column(PoolingSqlFunctions.byName(name).build(args));
    }

    private static Expression string(String s) {
        return Literal.create(s == null ? null : UTF8String.fromString(s), DataTypes.StringType);
    }

    private static Expression integer(int v) {
        return Literal.create(v, DataTypes.IntegerType);
    }
}
