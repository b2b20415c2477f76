package org.sparkpooling.bench;

import java.util.function.IntToDoubleFunction;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.NdTensor;

/**
 * Comparisons against the reference, returning the first difference as a message (or
 * {@code null} when equal), so a mismatch is a reported fact rather than an exception.
 *
 * <p>What must agree how, per op (docs/kernels.md; the golden files' rules): max, adaptive max
 * and unpool only move values, so output, indices and gradient agree bit for bit; avg, adaptive
 * avg and lp sum, and agree within {@code 1e-5 * max(1, |expected|)} in float32,
 * {@code 1e-10 * max(1, |expected|)} in float64.
 */
final class Verify {

    /** The golden tolerance for float32 sums: {@code 1e-5 * max(1, |expected|)}, NaN and infinities exactly. */
    static final double RELATIVE = 1e-5;
    /** The golden tolerance for float64 sums. */
    static final double RELATIVE_FLOAT64 = 1e-10;

    private Verify() {
    }

    /** Whether the op's results must equal the reference's bit for bit. */
    static boolean exact(PoolOp op) {
        return switch (op) {
            case MAX, ADAPTIVE_MAX, UNPOOL -> true;
            case AVG, ADAPTIVE_AVG, LP -> false;
        };
    }

    /** The forward pass: output, then (where the forward writes them) the indices. */
    static String forward(PoolOp op, PartitionRunner.Buffers expected, PartitionRunner.Buffers actual) {
        String output = compare(op, "output", expected.output, actual.output);
        if (output != null || op.indices() != PoolOp.Indices.WRITTEN) {
            return output;
        }
        return equal("indices", expected.indices, actual.indices);
    }

    /** The backward pass: the input gradient. */
    static String backward(PoolOp op, PartitionRunner.Buffers expected, PartitionRunner.Buffers actual) {
        return compare(op, "gradInput", expected.gradInput, actual.gradInput);
    }

    private static String compare(PoolOp op, String role, NdTensor expected, NdTensor actual) {
        boolean exact = exact(op);
        if (expected instanceof FloatTensor e) {
            float[] a = ((FloatTensor) actual).data();
            return exact ? bitEqual(role, e.data(), a) : close(role, e.data(), a);
        }
        double[] e = ((DoubleTensor) expected).data();
        double[] a = ((DoubleTensor) actual).data();
        return exact ? bitEqual(role, e, a) : close(role, e, a);
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

    static String bitEqual(String role, double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToLongBits(expected[i]) != Double.doubleToLongBits(actual[i])) {
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
        return close(role, expected.length, i -> expected[i], i -> actual[i], true);
    }

    static String close(String role, double[] expected, double[] actual) {
        return close(role, expected.length, i -> expected[i], i -> actual[i], false);
    }

    private static String close(String role, int length, IntToDoubleFunction expected, IntToDoubleFunction actual,
            boolean float32) {
        for (int i = 0; i < length; i++) {
            String d = closeOrWhy(role, i, expected.applyAsDouble(i), actual.applyAsDouble(i), float32);
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    /**
     * One element within the dtype's tolerance times {@code max(1, |e|)}, NaN and infinities
     * exactly, or why not; float32 values come widened, exactly, and print as floats.
     */
    private static String closeOrWhy(String role, int i, double e, double a, boolean float32) {
        boolean bothNaN = Double.isNaN(e) && Double.isNaN(a);
        if (e == a || bothNaN) {
            return null; // also equal infinities
        }
        String differs = role + "[" + i + "] = " + (float32 ? Float.toString((float) a) : Double.toString(a))
                + ", expected " + (float32 ? Float.toString((float) e) : Double.toString(e));
        // A lone NaN, or an infinity, must match exactly: inf - (-inf) would pass a relative test
        // against |inf|.
        if (Double.isNaN(e) || Double.isNaN(a) || Double.isInfinite(e) || Double.isInfinite(a)) {
            return differs;
        }
        double relative = float32 ? RELATIVE : RELATIVE_FLOAT64;
        return Math.abs(a - e) <= relative * Math.max(1.0, Math.abs(e)) ? null
                : differs + " (tolerance " + (float32 ? "1e-5" : "1e-10") + " relative)";
    }
}
