package org.sparkpooling.pool;

import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Chooses {@link FastKernel}'s SIMD support once per JVM, as Lucene's
 * {@code VectorizationProvider.lookup()} does: {@code PanamaPoolSupport} when the JVM was started
 * with {@code --add-modules jdk.incubator.vector} and SIMD pays here, else the scalar twin, with
 * one log line that says how to enable it. {@code -Dpooling.simd=false} forces the scalar twin
 * (for benchmarks that differ only in JVM options).
 */
final class PoolVectorization {

    static final String MODULE = "jdk.incubator.vector";
    private static final String PANAMA = PoolVectorization.class.getPackageName() + ".PanamaPoolSupport";
    private static final PoolVectorSupport SUPPORT = lookup();

    private PoolVectorization() {
    }

    /** The support in use: SIMD or its scalar twin. */
    static PoolVectorSupport support() {
        return SUPPORT;
    }

    static boolean simd() {
        return SUPPORT.lanes() > 1;
    }

    /** The SIMD support regardless of {@code pooling.simd}, for tests; empty without the module. */
    static Optional<PoolVectorSupport> panama() {
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of((PoolVectorSupport) Class.forName(PANAMA).getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("the Vector API is present but " + PANAMA + " failed to load", e);
        }
    }

    /**
     * The pure decision, kept apart so a test can call it (Trino's {@code BlockEncodingSimdSupport}):
     * SIMD when allowed, the module is present, and the hardware has vectors of at least 256 bits
     * (the Panama code uses 256-bit vectors; on narrower hardware the Vector API falls back to
     * slow Java loops).
     */
    static boolean simdWorthIt(boolean allowed, boolean modulePresent, int preferredVectorBits) {
        return allowed && modulePresent && preferredVectorBits >= 256;
    }

    /**
     * Whether the SIMD rows beat the scalar ones for {@code mode} on Java {@code javaFeature}. Max
     * always (the scalar select of value and index is branchy, a vector blend is not). Avg only
     * from Java 21: on 17 the two-vector rearrange that splits stride-2 columns is not yet an
     * intrinsic, and the vector avg measured slower than the scalar loop, which HotSpot already
     * runs near the speed of memory.
     */
    static boolean simdPays(PoolMode mode, int javaFeature) {
        return mode == PoolMode.MAX || javaFeature >= 21;
    }

    /** {@link #simdPays} for this JVM. */
    static boolean simdPays(PoolMode mode) {
        return simdPays(mode, Runtime.version().feature());
    }

    private static PoolVectorSupport lookup() {
        System.Logger log = System.getLogger(PoolVectorization.class.getName());
        boolean allowed = !"false".equalsIgnoreCase(System.getProperty("pooling.simd", "true"));
        boolean present = ModuleLayer.boot().findModule(MODULE).isPresent();
        if (!present) {
            if (allowed) {
                log.log(Level.INFO, "fast pooling kernel: scalar; start the JVM with --add-modules " + MODULE
                        + " to enable its SIMD paths");
            }
            return new ScalarPoolSupport();
        }
        try {
            Class<?> panama = Class.forName(PANAMA);
            int bits = (int) panama.getDeclaredMethod("preferredVectorBits").invoke(null);
            if (!simdWorthIt(allowed, true, bits)) {
                if (allowed) {
                    log.log(Level.INFO, "fast pooling kernel: scalar; this CPU's vectors (" + bits
                            + " bits) are narrower than the 256 bits its SIMD paths need");
                }
                return new ScalarPoolSupport();
            }
            return (PoolVectorSupport) panama.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            log.log(Level.WARNING, "fast pooling kernel: scalar; SIMD support failed to load: " + e);
            return new ScalarPoolSupport();
        }
    }
}
