package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.fail;

/** The golden files' agreement rules. */
final class Tolerance {

    private Tolerance() {
    }

    /** Bit for bit, except that every NaN equals every NaN. */
    static void assertBitEqual(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + "[" + i + "] = " + actual[i] + ", expected exactly " + expected[i]);
            }
        }
    }

    /** Bit for bit, NaN payloads included: the same kernel's two ways to one answer. */
    static void assertRawBitEqual(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + "[" + i + "] = " + actual[i] + " (bits " + Integer.toHexString(Float.floatToRawIntBits(actual[i]))
                        + "), expected " + expected[i] + " (bits " + Integer.toHexString(Float.floatToRawIntBits(expected[i])) + ")");
            }
        }
    }

    /** Within {@code 1e-5 * max(1, |expected|)}; NaN and infinities must match exactly. */
    static void assertClose(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            if (!close(expected[i], actual[i])) {
                fail(what + "[" + i + "] = " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    static boolean close(float expected, float actual) {
        if (Float.isNaN(expected) || Float.isInfinite(expected)) {
            return Float.compare(expected, actual) == 0 || (Float.isNaN(expected) && Float.isNaN(actual));
        }
        return Math.abs((double) actual - expected) <= 1e-5 * Math.max(1.0, Math.abs(expected));
    }
}
