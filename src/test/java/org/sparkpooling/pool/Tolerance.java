package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.NdTensor;

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

    // ------------------------------------------------------------------ the family's tensors

    /** Relative tolerance of a dtype: the golden README's 1e-5 for float32, 1e-10 for float64. */
    static double of(NdTensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> 1e-5;
            case FLOAT64 -> 1e-10;
        };
    }

    /** Same shape and dtype, and bit for bit except that every NaN equals every NaN. */
    static void assertBitEqual(NdTensor expected, NdTensor actual, String what) {
        assertBits(expected, actual, what, false);
    }

    /** Bit for bit, NaN payloads included. */
    static void assertRawBitEqual(NdTensor expected, NdTensor actual, String what) {
        assertBits(expected, actual, what, true);
    }

    private static void assertBits(NdTensor expected, NdTensor actual, String what, boolean raw) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        if (expected instanceof FloatTensor e) {
            if (raw) {
                assertRawBitEqual(e.data(), ((FloatTensor) actual).data(), what);
            } else {
                assertBitEqual(e.data(), ((FloatTensor) actual).data(), what);
            }
            return;
        }
        double[] e = ((DoubleTensor) expected).data();
        double[] a = ((DoubleTensor) actual).data();
        for (int i = 0; i < e.length; i++) {
            boolean same = raw ? Double.doubleToRawLongBits(e[i]) == Double.doubleToRawLongBits(a[i])
                    : Double.doubleToLongBits(e[i]) == Double.doubleToLongBits(a[i]);
            if (!same) {
                fail(what + "[" + i + "] = " + a[i] + ", expected the bits of " + e[i]);
            }
        }
    }

    /** Within {@code of(expected) * max(1, |expected|)} per element; NaN and infinities exactly. */
    static void assertClose(NdTensor expected, NdTensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        double tolerance = of(expected);
        int length = expected.shape().size();
        for (int i = 0; i < length; i++) {
            double e = value(expected, i);
            double a = value(actual, i);
            if (!close(e, a, tolerance)) {
                fail(what + "[" + i + "] = " + a + ", expected " + e);
            }
        }
    }

    static double value(NdTensor t, int i) {
        return t instanceof FloatTensor f ? f.data()[i] : ((DoubleTensor) t).data()[i];
    }

    static boolean close(double expected, double actual, double tolerance) {
        if (Double.isNaN(expected) || Double.isInfinite(expected)) {
            return Double.compare(expected, actual) == 0 || (Double.isNaN(expected) && Double.isNaN(actual));
        }
        return Math.abs(actual - expected) <= tolerance * Math.max(1.0, Math.abs(expected));
    }
}
