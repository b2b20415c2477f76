package org.sparkpooling.pool;

import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * Chooses {@link FastKernel}'s SIMD support once per JVM, as Lucene's
 * {@code VectorizationProvider.lookup()} does: {@code PanamaPoolSupport} when the JVM was started
 * with {@code --add-modules jdk.incubator.vector} and {@link #simdWorthIt} says SIMD pays, else
 * the scalar twin, with one log line that says how to enable it. {@code -Dpooling.simd=false} forces the scalar twin
 * (for benchmarks that differ only in JVM options).
 */
final class PoolVectorization {

    static final String MODULE = "jdk.incubator.vector";
    private static final String PANAMA = PoolVectorization.class.getPackageName() + ".PanamaPoolSupport";
    private static final PoolVectorSupport SUPPORT = lookup();
    private static final PoolVectorSupport CHANNELS_LAST = SUPPORT.lanes() > 1 ? SUPPORT : lookupChannelsLast();

    private PoolVectorization() {
    }

    /** The support in use: SIMD or its scalar twin. */
    static PoolVectorSupport support() {
        return SUPPORT;
    }

    /**
     * The support for the channels-last rows ({@link PoolVectorSupport#maxCells} and the rest):
     * SIMD wherever {@link #channelsLastSimdWorthIt} says so, which includes Java 17.
     */
    static PoolVectorSupport channelsLastSupport() {
        return CHANNELS_LAST;
    }

    /**
     * Whether the channels-last rows use SIMD: as {@link #simdWorthIt}, but from Java 17 on. Those
     * rows are plain loads, compares, blends and adds, no lane rearranges, and Java 17's Vector API
     * compiles them as well as Java 25's: large-max channels-last forward took 13.7 ms on 17 and
     * 10.1 ms on 25 against 165 ms for the scalar twin (thread CPU time, median of 7, loaded machine).
     */
    static boolean channelsLastSimdWorthIt(boolean allowed, boolean modulePresent, int preferredVectorBits) {
        return allowed && modulePresent && preferredVectorBits >= 256;
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
     * SIMD when allowed, the module is present, the hardware has vectors of at least 256 bits (the
     * Panama code uses 256-bit vectors; narrower hardware falls back to slow Java loops inside the
     * Vector API), and Java is 21 or newer. On Java 17 the incubating API measured erratic here: the
     * textbook case's max forward took from 0.4x to 1.6x the scalar time from run to run (the
     * two-vector rearrange that splits stride-2 columns is not yet an intrinsic there), and the
     * vector avg was slower than HotSpot's scalar loop; on Java 25 both were 4 to 10x faster.
     */
    static boolean simdWorthIt(boolean allowed, boolean modulePresent, int preferredVectorBits, int javaFeature) {
        return allowed && modulePresent && preferredVectorBits >= 256 && javaFeature >= 21;
    }

    private static PoolVectorSupport lookupChannelsLast() {
        boolean allowed = !"false".equalsIgnoreCase(System.getProperty("pooling.simd", "true"));
        if (ModuleLayer.boot().findModule(MODULE).isEmpty()) {
            return SUPPORT;
        }
        try {
            Class<?> panama = Class.forName(PANAMA);
            int bits = (int) panama.getDeclaredMethod("preferredVectorBits").invoke(null);
            return channelsLastSimdWorthIt(allowed, true, bits)
                    ? (PoolVectorSupport) panama.getDeclaredConstructor().newInstance() : SUPPORT;
        } catch (ReflectiveOperationException | LinkageError e) {
            return SUPPORT; // lookup() has logged why
        }
    }

    private static PoolVectorSupport lookup() {
        System.Logger log = System.getLogger(PoolVectorization.class.getName());
        boolean allowed = !"false".equalsIgnoreCase(System.getProperty("pooling.simd", "true"));
        boolean present = ModuleLayer.boot().findModule(MODULE).isPresent();
        if (!present) {
            if (allowed) {
                log.log(Level.INFO, "fast pooling kernel: scalar; start the JVM with --add-modules " + MODULE
                        + " (on Java 21+) to enable its SIMD paths");
            }
            return new ScalarPoolSupport();
        }
        try {
            Class<?> panama = Class.forName(PANAMA);
            int bits = (int) panama.getDeclaredMethod("preferredVectorBits").invoke(null);
            int feature = Runtime.version().feature();
            if (!simdWorthIt(allowed, true, bits, feature)) {
                if (allowed) {
                    log.log(Level.INFO, "fast pooling kernel: scalar channels-first rows that rearrange lanes across two"
                            + " vectors, which need Java 21+ (this is " + feature + ") and 256-bit vectors (this CPU: "
                            + bits + " bits) for SIMD; the other rows (channels-last, stride-1 max, 2x2 stride-2 tiles,"
                            + " padded 3x3 stride-2 max, stride-2 pair rows) "
                            + (channelsLastSimdWorthIt(allowed, true, bits) ? "SIMD" : "scalar"));
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
