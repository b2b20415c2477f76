package org.sparkpooling.bench;

/**
 * Comparisons against the reference, returning the first difference as a message (or
 * {@code null} when equal), so a mismatch is a reported fact rather than an exception.
 */
final class Verify {

    /** The golden tolerance for average pooling: {@code 1e-5 * max(1, |expected|)}, NaN and infinities exactly. */
    static final double RELATIVE = 1e-5;

    private Verify() {
    }

    /** Bit for bit, except that every NaN equals every NaN (as PyTorch's comparisons treat them). */
    static String bitEqual(String role, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                return role + "[" + i + "] = " + actual[i] + ", expected " + expected[i];
            }
        }
        return null;
    }

    static String equal(String role, int[] expected, int[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] != actual[i]) {
                return role + "[" + i + "] = " + actual[i] + ", expected " + expected[i];
            }
        }
        return null;
    }

    static String close(String role, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            if (Float.isNaN(e) || Float.isNaN(a)) {
                if (Float.isNaN(e) != Float.isNaN(a)) {
                    return role + "[" + i + "] = " + a + ", expected " + e;
                }
                continue;
            }
            if (e == a) {
                continue; // also equal infinities
            }
            if (Float.isInfinite(e) || Float.isInfinite(a)) {
                // Infinities must match exactly: inf - (-inf) would pass a relative test against |inf|.
                return role + "[" + i + "] = " + a + ", expected " + e;
            }
            // Written so that a NaN difference (inf - inf) fails too.
            if (!(Math.abs((double) a - e) <= RELATIVE * Math.max(1.0, Math.abs((double) e)))) {
                return role + "[" + i + "] = " + a + ", expected " + e + " (tolerance 1e-5 relative)";
            }
        }
        return null;
    }
}
