package org.sparkpooling.pool;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The operations of the pooling family, named as on the command line and in reports. Code that
 * treats them differently switches on this enum without a {@code default}, so a new constant makes
 * the compiler list every place that must learn it.
 */
public enum PoolOp {
    /** {@code max_pool1d/2d/3d}: window maximum, with its index. */
    MAX,
    /** {@code avg_pool1d/2d/3d}: window mean. */
    AVG,
    /** {@code adaptive_max_pool1d/2d/3d}: maximum over bins that split the input into the output size. */
    ADAPTIVE_MAX,
    /** {@code adaptive_avg_pool1d/2d/3d}: mean over those bins. */
    ADAPTIVE_AVG,
    /** {@code lp_pool1d/2d}: power-average, {@code (sum of x^p)^(1/p)} over each window. */
    LP,
    /** {@code max_unpool1d/2d/3d}: the inverse of max pooling, zero where no index points. */
    UNPOOL;

    /** {@code max}, {@code avg}, {@code adaptive-max}, {@code adaptive-avg}, {@code lp} or {@code unpool}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The op in a sentence: {@code max pooling}, {@code adaptive-avg pooling}, {@code unpool (max unpooling)}. */
    public String description() {
        return switch (this) {
            case MAX, AVG, ADAPTIVE_MAX, ADAPTIVE_AVG, LP -> label() + " pooling";
            case UNPOOL -> "unpool (max unpooling)";
        };
    }

    public static PoolOp parse(String text) {
        for (PoolOp op : values()) {
            if (op.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return op;
            }
        }
        throw new IllegalArgumentException("op (" + text + ") must be one of "
                + Arrays.stream(values()).map(PoolOp::label).collect(Collectors.joining(", ")));
    }

    /**
     * How the op's indices travel: max and adaptive-max write them in forward (and backward reads
     * them), unpool reads them in both passes, the others have none.
     */
    public enum Indices { WRITTEN, READ, NONE }

    public Indices indices() {
        return switch (this) {
            case MAX, ADAPTIVE_MAX -> Indices.WRITTEN;
            case UNPOOL -> Indices.READ;
            case AVG, ADAPTIVE_AVG, LP -> Indices.NONE;
        };
    }

    /** Whether the op slides a kernel (kernel, stride, padding...) rather than taking an output size. */
    public boolean windowed() {
        return switch (this) {
            case MAX, AVG, LP -> true;
            case ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> false;
        };
    }
}
