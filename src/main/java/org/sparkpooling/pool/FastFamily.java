package org.sparkpooling.pool;

/**
 * {@link FastKernel}'s paths for the family beyond its tuned 2-D float max and avg: each op as a
 * few passes of the layout's bodies ({@link LayoutBodies}) over a {@link WindowPlan}. Max and
 * adaptive max are one window-max pass, avg and adaptive avg one mean pass, unpool one scatter;
 * lp is avg pooling of {@code x^p} between two elementwise steps, its backward the mean's spread
 * between the chain rule's elementwise factors, each step rounded as {@link LoopsKernel} rounds it.
 * Not yet tuned per shape: a later step gives the common cases their own bodies.
 */
final class FastFamily {

    private FastFamily() {
    }

    @FunctionalInterface
    private interface FloatPass {
        void run(WindowPlan q, LayoutBodies b, float[] x, float[] y, int[] ind);
    }

    @FunctionalInterface
    private interface DoublePass {
        void run(WindowPlan q, LayoutBodies b, double[] x, double[] y, int[] ind);
    }

    static void forward(NdPoolGeometry g, LayoutBodies bodies, float[] x, float[] y, int[] ind) {
        FloatPass pass = switch (g.spec().op()) {
            case MAX, ADAPTIVE_MAX -> (q, b, in, out, k) -> b.max(q, in, out, k != null ? k : new int[out.length]);
            case AVG, ADAPTIVE_AVG -> (q, b, in, out, k) -> b.mean(q, in, out);
            case LP -> FastFamily::lpForward;
            case UNPOOL -> (q, b, in, out, k) -> b.unpool(q, in, k, out);
        };
        pass.run(new WindowPlan(g), bodies, x, y, ind);
    }

    static void forward(NdPoolGeometry g, LayoutBodies bodies, double[] x, double[] y, int[] ind) {
        DoublePass pass = switch (g.spec().op()) {
            case MAX, ADAPTIVE_MAX -> (q, b, in, out, k) -> b.max(q, in, out, k != null ? k : new int[out.length]);
            case AVG, ADAPTIVE_AVG -> (q, b, in, out, k) -> b.mean(q, in, out);
            case LP -> FastFamily::lpForward;
            case UNPOOL -> (q, b, in, out, k) -> b.unpool(q, in, k, out);
        };
        pass.run(new WindowPlan(g), bodies, x, y, ind);
    }

    /** {@code x} is the forward's input, which lp's gradient reads. */
    static void backward(NdPoolGeometry g, LayoutBodies bodies, float[] x, float[] gy, int[] ind, float[] gx) {
        BackwardFloat pass = switch (g.spec().op()) {
            case MAX, ADAPTIVE_MAX -> (q, b, in, dy, k, dx) -> b.scatter(q, dy, k, dx);
            case AVG, ADAPTIVE_AVG -> (q, b, in, dy, k, dx) -> b.spread(q, dy, dx);
            case LP -> FastFamily::lpBackward;
            case UNPOOL -> (q, b, in, dy, k, dx) -> b.unpoolBackward(q, dy, k, dx);
        };
        pass.run(new WindowPlan(g), bodies, x, gy, ind, gx);
    }

    static void backward(NdPoolGeometry g, LayoutBodies bodies, double[] x, double[] gy, int[] ind, double[] gx) {
        BackwardDouble pass = switch (g.spec().op()) {
            case MAX, ADAPTIVE_MAX -> (q, b, in, dy, k, dx) -> b.scatter(q, dy, k, dx);
            case AVG, ADAPTIVE_AVG -> (q, b, in, dy, k, dx) -> b.spread(q, dy, dx);
            case LP -> FastFamily::lpBackward;
            case UNPOOL -> (q, b, in, dy, k, dx) -> b.unpoolBackward(q, dy, k, dx);
        };
        pass.run(new WindowPlan(g), bodies, x, gy, ind, gx);
    }

    @FunctionalInterface
    private interface BackwardFloat {
        void run(WindowPlan q, LayoutBodies b, float[] x, float[] gy, int[] ind, float[] gx);
    }

    @FunctionalInterface
    private interface BackwardDouble {
        void run(WindowPlan q, LayoutBodies b, double[] x, double[] gy, int[] ind, double[] gx);
    }

    // ------------------------------------------------------------------ lp, in the reference's steps

    private static void lpForward(WindowPlan q, LayoutBodies b, float[] x, float[] y, int[] ind) {
        double p = q.g.spec().normType();
        b.mean(q, powers(x, p), y);
        float k = q.g.kernelCells();
        double e = 1 / p;
        for (int o = 0; o < y.length; o++) {
            float a = y[o];
            float t = sign(a) * Math.abs(a) * k;
            y[o] = (float) Math.pow(t, e);
        }
    }

    private static void lpForward(WindowPlan q, LayoutBodies b, double[] x, double[] y, int[] ind) {
        double p = q.g.spec().normType();
        b.mean(q, powers(x, p), y);
        double k = q.g.kernelCells();
        double e = 1 / p;
        for (int o = 0; o < y.length; o++) {
            double a = y[o];
            double t = sign(a) * Math.abs(a) * k;
            y[o] = Math.pow(t, e);
        }
    }

    private static void lpBackward(WindowPlan q, LayoutBodies b, float[] x, float[] gy, int[] ind, float[] gx) {
        double p = q.g.spec().normType();
        double e = 1 / p;
        float k = q.g.kernelCells();
        float[] ga = new float[gy.length];
        b.mean(q, powers(x, p), ga);
        for (int o = 0; o < ga.length; o++) {
            float sign = sign(ga[o]);
            float relu = Math.abs(ga[o]);
            float t = sign * relu * k;
            float gs = gy[o] * (float) (e * (float) Math.pow(t, e - 1)) * k;
            ga[o] = (relu <= 0 ? 0f : gs * sign) * sign;
        }
        b.spread(q, ga, gx);
        for (int i = 0; i < gx.length; i++) {
            gx[i] *= (float) (p * (float) Math.pow(x[i], p - 1));
        }
    }

    private static void lpBackward(WindowPlan q, LayoutBodies b, double[] x, double[] gy, int[] ind, double[] gx) {
        double p = q.g.spec().normType();
        double e = 1 / p;
        double k = q.g.kernelCells();
        double[] ga = new double[gy.length];
        b.mean(q, powers(x, p), ga);
        for (int o = 0; o < ga.length; o++) {
            double sign = sign(ga[o]);
            double relu = Math.abs(ga[o]);
            double t = sign * relu * k;
            double gs = gy[o] * (e * Math.pow(t, e - 1)) * k;
            ga[o] = (relu <= 0 ? 0 : gs * sign) * sign;
        }
        b.spread(q, ga, gx);
        for (int i = 0; i < gx.length; i++) {
            gx[i] *= p * Math.pow(x[i], p - 1);
        }
    }

    private static float[] powers(float[] x, double p) {
        float[] v = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            v[i] = (float) Math.pow(x[i], p);
        }
        return v;
    }

    private static double[] powers(double[] x, double p) {
        double[] v = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            v[i] = Math.pow(x[i], p);
        }
        return v;
    }

    /** ATen's sign: 0 for both zeros and NaN. */
    private static float sign(float a) {
        return a > 0 ? 1f : a < 0 ? -1f : 0f;
    }

    private static double sign(double a) {
        return a > 0 ? 1 : a < 0 ? -1 : 0;
    }
}
