package org.sparkpooling.spark.sql;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.NdPooled;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.pool.Pooled;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.TensorShape;
import org.sparkpooling.tensor.Tensor;

/**
 * What the column functions must return, computed the plain way: the kernel called directly on the
 * whole tensor (no bands, no buffers), and the interleaved samples converted with loops written
 * apart from the main code's, rounded with {@link Math#rint}.
 */
public final class Expected {

    public static final PoolKernel KERNEL = PoolKernels.byName("fast");

    private Expected() {
    }

    /** A pooled interleaved image: its size, its samples (the row's byte layout) and, for max, its indices in that order. */
    public record Image(int height, int width, byte[] data, int[] indices) {
    }

    public static Pooled tensor(PoolSpec spec, Tensor t) {
        return KERNEL.forward(spec, t);
    }

    public static byte[] littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putInt(Float.floatToRawIntBits(v));
        }
        return b.array();
    }

    public static byte[] littleEndian(int[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return b.array();
    }

    /**
     * Little-endian floats equal bit for bit, except that any NaN matches any NaN: which NaN an
     * addition of two returns depends on its operand order, which HotSpot's compilers may swap
     * (C2 orders the inputs of a commutative node), so a mean's NaN bits are not fixed from one
     * run of the same kernel to the next. Max returns one of its inputs and is compared exactly.
     */
    public static void assertSameFloats(byte[] want, byte[] got, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(want.length, got.length, what + ": byte count");
        float[] w = floats(want);
        float[] g = floats(got);
        for (int i = 0; i < w.length; i++) {
            if (!(Float.isNaN(w[i]) && Float.isNaN(g[i]))
                    && Float.floatToRawIntBits(w[i]) != Float.floatToRawIntBits(g[i])) {
                org.junit.jupiter.api.Assertions.fail(what + ": float " + i + " is " + g[i] + ", not " + w[i]);
            }
        }
    }

    public static float[] floats(byte[] littleEndian) {
        float[] f = new float[littleEndian.length / 4];
        ByteBuffer.wrap(littleEndian).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    /** HWC samples of {@code depth} bits (8, 16 little-endian, 32 float little-endian) pooled as the functions document. */
    public static Image interleaved(PoolSpec spec, byte[] hwc, int h, int w, int c, int depth) {
        return interleaved(NdPoolSpec.of(spec), hwc, h, w, c, depth);
    }

    /**
     * HWC samples pooled as the functions document: the kernel on the planes for max, adaptive max and
     * lp (lp of integers rounded with {@link Math#rint} and clamped), float means for float samples, and
     * for integer samples the exact mean, computed here in integers window by window and rounded half
     * to even, then clamped.
     */
    public static Image interleaved(NdPoolSpec spec, byte[] hwc, int h, int w, int c, int depth) {
        ByteBuffer in = ByteBuffer.wrap(hwc).order(ByteOrder.LITTLE_ENDIAN);
        float[] planes = new float[c * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    int i = (y * w + x) * c + ch;
                    planes[(ch * h + y) * w + x] = switch (depth) {
                        case 8 -> hwc[i] & 0xff;
                        case 16 -> in.getShort(2 * i) & 0xffff;
                        default -> in.getFloat(4 * i);
                    };
                }
            }
        }
        NdPooled p = KERNEL.forward(spec, new FloatTensor(TensorShape.channelsFirst(1, c, h, w), planes));
        int oh = p.output().shape().spatial(0);
        int ow = p.output().shape().spatial(1);
        float[] out = ((FloatTensor) p.output()).data();
        boolean exactMean = depth != 32 && (spec.op() == PoolOp.AVG || spec.op() == PoolOp.ADAPTIVE_AVG);
        int bytes = depth / 8;
        ByteBuffer result = ByteBuffer.allocate(bytes * c * oh * ow).order(ByteOrder.LITTLE_ENDIAN);
        int[] indices = p.indices() == null ? null : new int[c * oh * ow];
        double max = depth == 32 ? 0 : (1 << depth) - 1;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                for (int ch = 0; ch < c; ch++) {
                    int i = (y * ow + x) * c + ch;
                    float v = out[(ch * oh + y) * ow + x];
                    if (exactMean) {
                        v = exactMean(spec, planes, ch, h, w, y, x, oh, ow, max);
                    } else if (depth != 32 && spec.op() == PoolOp.LP) {
                        v = (float) Math.min(max, Math.max(0, Math.rint(v)));
                    }
                    switch (depth) {
                        case 8 -> result.put(i, (byte) (int) v);
                        case 16 -> result.putShort(2 * i, (short) (int) v);
                        default -> result.putFloat(4 * i, v);
                    }
                    if (indices != null) {
                        indices[i] = p.indices()[(ch * oh + y) * ow + x];
                    }
                }
            }
        }
        return new Image(oh, ow, result.array(), indices);
    }

    /** PyTorch's window (avg) or bin (adaptive avg) of output (y, x), its integer sum over its divisor, half to even. */
    private static float exactMean(NdPoolSpec spec, float[] planes, int ch, int h, int w, int y, int x, int oh, int ow,
            double max) {
        int y0;
        int y1;
        int x0;
        int x1;
        long divisor;
        if (spec.op() == PoolOp.ADAPTIVE_AVG) {
            y0 = (int) ((long) y * h / oh);
            y1 = (int) (((long) (y + 1) * h + oh - 1) / oh);
            x0 = (int) ((long) x * w / ow);
            x1 = (int) (((long) (x + 1) * w + ow - 1) / ow);
            divisor = (long) (y1 - y0) * (x1 - x0);
        } else {
            int[] k = spec.kernel();
            int[] s = spec.stride();
            int[] pad = spec.padding();
            int hs = y * s[0] - pad[0];
            int ws = x * s[1] - pad[1];
            int he = Math.min(hs + k[0], h + pad[0]);
            int we = Math.min(ws + k[1], w + pad[1]);
            long padded = (long) (he - hs) * (we - ws);
            y0 = Math.max(hs, 0);
            x0 = Math.max(ws, 0);
            y1 = Math.min(he, h);
            x1 = Math.min(we, w);
            divisor = spec.divisorOverride() != null ? spec.divisorOverride()
                    : spec.countIncludePad() ? padded : (long) (y1 - y0) * (x1 - x0);
        }
        long sum = 0;
        for (int yy = y0; yy < y1; yy++) {
            for (int xx = x0; xx < x1; xx++) {
                sum += (long) planes[(ch * h + yy) * w + xx];
            }
        }
        if (divisor < 0) {
            return 0;
        }
        java.math.BigDecimal mean = java.math.BigDecimal.valueOf(sum).divide(java.math.BigDecimal.valueOf(divisor),
                0, java.math.RoundingMode.HALF_EVEN);
        return (float) Math.min(max, mean.doubleValue());
    }

    /** Floats that test a kernel's edges: noise, ties, NaN, both infinities, both zeros, huge magnitudes. */
    public static Tensor awkward(Shape shape, long seed) {
        Random r = new Random(seed);
        float[] x = new float[shape.size()];
        for (int i = 0; i < x.length; i++) {
            int roll = r.nextInt(100);
            x[i] = roll < 4 ? Float.NaN : roll < 8 ? Float.POSITIVE_INFINITY : roll < 12 ? Float.NEGATIVE_INFINITY
                    : roll < 18 ? 0f : roll < 24 ? -0f : roll < 40 ? r.nextInt(3) : roll < 45 ? 3e38f * r.nextFloat()
                    : (float) r.nextGaussian();
        }
        return new Tensor(shape, x);
    }
}
