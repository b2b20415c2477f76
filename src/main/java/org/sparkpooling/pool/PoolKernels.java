package org.sparkpooling.pool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The implementations, chosen by name: {@code loops} (the reference), {@code im2col}, {@code fast}. */
public final class PoolKernels {

    private static final Map<String, PoolKernel> BY_NAME = new LinkedHashMap<>();

    static {
        register(new LoopsKernel());
        register(new FastKernel());
    }

    private PoolKernels() {
    }

    private static void register(PoolKernel kernel) {
        BY_NAME.put(kernel.name(), kernel);
    }

    /** The reference implementation every other one is verified against. */
    public static PoolKernel reference() {
        return BY_NAME.get("loops");
    }

    public static List<String> names() {
        return new ArrayList<>(BY_NAME.keySet());
    }

    public static List<PoolKernel> all() {
        return new ArrayList<>(BY_NAME.values());
    }

    public static PoolKernel byName(String name) {
        PoolKernel k = BY_NAME.get(name == null ? null : name.trim());
        if (k == null) {
            throw new IllegalArgumentException("implementation (" + name + ") must be one of " + names());
        }
        return k;
    }
}
