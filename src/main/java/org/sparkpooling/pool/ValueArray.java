package org.sparkpooling.pool;

/**
 * A float32 or float64 array seen as doubles, with its dtype's rounding, so that the readable
 * implementations ({@link LoopsKernel}, {@link Im2colKernel}) state each algorithm once for both
 * dtypes.
 *
 * <p>For float32 that is float arithmetic, not an approximation of it: a sum, difference, product
 * or quotient of two floats computed in double and then rounded to float is the float operation's
 * own result (double has more than 2 * 24 + 2 significand bits, so the double rounding is
 * innocuous: Figueroa, "When is double rounding innocuous?", 1995). Callers round after every
 * operation ({@link #round}), int divisors included, as float code converts them; for float64
 * rounding is the identity.
 */
abstract sealed class ValueArray permits ValueArray.Floats, ValueArray.Doubles {

    static ValueArray of(float[] values) {
        return new Floats(values);
    }

    static ValueArray of(double[] values) {
        return new Doubles(values);
    }

    abstract double get(int i);

    abstract void set(int i, double v);

    /** {@code this[to] = source[from]}, the element's own bits (a NaN keeps its payload). */
    abstract void copy(int to, ValueArray source, int from);

    /** Sets {@code count} elements from {@code from} to zero. */
    abstract void zero(int from, int count);

    /** {@code v} rounded to this array's dtype. */
    abstract double round(double v);

    static final class Floats extends ValueArray {
        private final float[] a;

        Floats(float[] a) {
            this.a = a;
        }

        @Override
        double get(int i) {
            return a[i];
        }

        @Override
        void set(int i, double v) {
            a[i] = (float) v;
        }

        @Override
        void copy(int to, ValueArray source, int from) {
            a[to] = ((Floats) source).a[from];
        }

        @Override
        void zero(int from, int count) {
            java.util.Arrays.fill(a, from, from + count, 0f);
        }

        @Override
        double round(double v) {
            return (float) v;
        }
    }

    static final class Doubles extends ValueArray {
        private final double[] a;

        Doubles(double[] a) {
            this.a = a;
        }

        @Override
        double get(int i) {
            return a[i];
        }

        @Override
        void set(int i, double v) {
            a[i] = v;
        }

        @Override
        void copy(int to, ValueArray source, int from) {
            a[to] = ((Doubles) source).a[from];
        }

        @Override
        void zero(int from, int count) {
            java.util.Arrays.fill(a, from, from + count, 0.0);
        }

        @Override
        double round(double v) {
            return v;
        }
    }
}
