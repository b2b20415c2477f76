package org.sparkpooling.spark.sql;

import java.util.StringJoiner;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolOp;

/**
 * One pooling function call as a query holds it: what to compute, what to do with a malformed row,
 * and how SQL spells it.
 *
 * @param function        the SQL name, as messages and column names give the call ({@code pool2d},
 *                        {@code try_max_pool2d}, {@code adaptive_avg_pool3d}, ...)
 * @param spec            the operation, any of the family in 1 to 3 dimensions
 * @param withIndices     max and adaptive max only: the result is {@code struct<output, indices>}
 * @param nullOnMalformed a malformed row gives null (the {@code try_} functions) instead of failing the query
 * @param implementation  the kernel, by {@link PoolKernels} name
 * @param sqlArguments    the arguments after the column(s) as SQL, e.g. {@code 'max', 2, 2}
 */
public record PoolCall(String function, NdPoolSpec spec, boolean withIndices, boolean nullOnMalformed,
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
        if (withIndices && spec.op().indices() != PoolOp.Indices.WRITTEN) {
            throw new IllegalArgumentException(function + ": indices come with max and adaptive-max pooling only, not "
                    + spec.op().label());
        }
        PoolKernels.byName(implementation); // refuses an unknown name, listing the known ones
        if (sqlArguments == null) {
            throw new IllegalArgumentException(function + ": sqlArguments must not be null");
        }
    }

    /** Unpool reads a second column: the indices max pooling wrote. */
    public boolean readsIndices() {
        return spec.op().indices() == PoolOp.Indices.READ;
    }

    /**
     * The call of a whole spec, named and spelled as the SQL function that takes every parameter, e.g.
     * {@code max_pool2d(x, array(kh, kw), array(sh, sw), array(ph, pw), array(dh, dw), ceil_mode)} or
     * {@code adaptive_avg_pool3d(x, array(od, oh, ow))}, with a {@code try_} prefix when malformed
     * rows give null.
     */
    public static PoolCall of(NdPoolSpec spec, boolean withIndices, boolean nullOnMalformed) {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        int d = spec.dims();
        String name = switch (spec.op()) {
            case MAX -> "max_pool" + d + "d";
            case AVG -> "avg_pool" + d + "d";
            case LP -> "lp_pool" + d + "d";
            case ADAPTIVE_MAX -> "adaptive_max_pool" + d + "d";
            case ADAPTIVE_AVG -> "adaptive_avg_pool" + d + "d";
            case UNPOOL -> "max_unpool" + d + "d";
        };
        String args = switch (spec.op()) {
            case MAX -> sizes(spec.kernel()) + ", " + sizes(spec.stride()) + ", " + sizes(spec.padding()) + ", "
                    + sizes(spec.dilation()) + ", " + spec.ceilMode();
            case AVG -> sizes(spec.kernel()) + ", " + sizes(spec.stride()) + ", " + sizes(spec.padding()) + ", "
                    + spec.ceilMode() + ", " + spec.countIncludePad() + ", "
                    + (spec.divisorOverride() == null ? "NULL" : spec.divisorOverride().toString());
            case LP -> spec.normType() + ", " + sizes(spec.kernel()) + ", " + sizes(spec.stride()) + ", "
                    + spec.ceilMode();
            case ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> sizes(spec.outputSize());
        };
        if (withIndices) {
            if (spec.op().indices() != PoolOp.Indices.WRITTEN) {
                throw new IllegalArgumentException(name + ": indices come with max and adaptive-max pooling only, not "
                        + spec.op().label());
            }
            name += "_with_indices";
        }
        return new PoolCall(nullOnMalformed ? "try_" + name : name, spec, withIndices, nullOnMalformed,
                DEFAULT_IMPLEMENTATION, args);
    }

    private static String sizes(int[] values) {
        StringJoiner j = new StringJoiner(", ", "array(", ")");
        for (int v : values) {
            j.add(Integer.toString(v));
        }
        return j.toString();
    }

    /** The same call on another kernel implementation (benchmarks, tests). */
    public PoolCall withImplementation(String name) {
        return new PoolCall(function, spec, withIndices, nullOnMalformed, name, sqlArguments);
    }
}
