package org.sparkpooling.pool;

import java.util.Locale;

/** Max or average pooling, named as on the command line and in reports. */
public enum PoolMode {
    MAX,
    AVG;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The same operation in the pooling family's enum. */
    public PoolOp op() {
        return switch (this) {
            case MAX -> PoolOp.MAX;
            case AVG -> PoolOp.AVG;
        };
    }

    public static PoolMode parse(String text) {
        for (PoolMode m : values()) {
            if (m.label().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("mode (" + text + ") must be max or avg");
    }
}
