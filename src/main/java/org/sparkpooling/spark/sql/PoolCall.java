package org.sparkpooling.spark.sql;

import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;

/**
 * One pooling function call as a query holds it: what to compute, what to do with a malformed row,
 * and how SQL spells it.
 *
 * @param function        the SQL name, as messages and column names give the call ({@code pool2d},
 *                        {@code try_max_pool2d}, ...)
 * @param spec            the layer
 * @param withIndices     max only: the result is {@code struct<output, indices>}, not the pooled struct alone
 * @param nullOnMalformed a malformed row gives null (the {@code try_} functions) instead of failing the query
 * @param implementation  the kernel, by {@link PoolKernels} name
 * @param sqlArguments    the arguments after the column as SQL, e.g. {@code 'max', 2, 2}
 */
public record PoolCall(String function, PoolSpec spec, boolean withIndices, boolean nullOnMalformed,
        String implementation, String sqlArguments) implements java.io.Serializable {

    /** The kernel the functions run. */
    public static final String DEFAULT_IMPLEMENTATION = "fast";

    public PoolCall {
        if (function == null || function.isBlank()) {
            throw new IllegalArgumentException("function name must be given");
        }
        if (spec == null) {
            throw new IllegalArgumentException(function + ": spec must not be null");
        }
        if (withIndices && spec.mode() != PoolMode.MAX) {
            throw new IllegalArgumentException(function + ": indices come with max pooling only, not "
                    + spec.mode().label());
        }
        PoolKernels.byName(implementation); // refuses an unknown name, listing the known ones
        if (sqlArguments == null) {
            throw new IllegalArgumentException(function + ": sqlArguments must not be null");
        }
    }

    /**
     * The call of a whole spec, named and spelled as the SQL function that takes every parameter:
     * {@code max_pool2d(x, array(kh, kw), array(sh, sw), array(ph, pw), array(dh, dw), ceil_mode)},
     * {@code avg_pool2d(x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)},
     * {@code max_pool2d_with_indices(...)}, each with a {@code try_} twin.
     */
    public static PoolCall of(PoolSpec spec, boolean withIndices, boolean nullOnMalformed) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        String base = switch (spec.mode()) {
            case MAX -> withIndices ? "max_pool2d_with_indices" : "max_pool2d";
            case AVG -> "avg_pool2d";
        };
        String pairs = pair(spec.kernelH(), spec.kernelW()) + ", " + pair(spec.strideH(), spec.strideW()) + ", "
                + pair(spec.padH(), spec.padW());
        String args = switch (spec.mode()) {
            case MAX -> pairs + ", " + pair(spec.dilationH(), spec.dilationW()) + ", " + spec.ceilMode();
            case AVG -> pairs + ", " + spec.ceilMode() + ", " + spec.countIncludePad() + ", "
                    + (spec.divisorOverride() == null ? "NULL" : spec.divisorOverride().toString());
        };
        return new PoolCall(nullOnMalformed ? "try_" + base : base, spec, withIndices, nullOnMalformed,
                DEFAULT_IMPLEMENTATION, args);
    }

    private static String pair(int h, int w) {
        return "array(" + h + ", " + w + ")";
    }

    /** The same call on another kernel implementation (benchmarks, tests). */
    public PoolCall withImplementation(String name) {
        return new PoolCall(function, spec, withIndices, nullOnMalformed, name, sqlArguments);
    }
}
