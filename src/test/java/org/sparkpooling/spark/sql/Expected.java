package org.sparkpooling.spark.sql;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.pool.Pooled;
import org.sparkpooling.tensor.Shape;
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
        Pooled p = KERNEL.forward(spec, new Tensor(new Shape(1, c, h, w), planes));
        Shape o = p.output().shape();
        int bytes = depth / 8;
        ByteBuffer out = ByteBuffer.allocate(bytes * o.size()).order(ByteOrder.LITTLE_ENDIAN);
        int[] indices = p.indices() == null ? null : new int[o.size()];
        double max = depth == 32 ? 0 : (1 << depth) - 1;
        for (int y = 0; y < o.h(); y++) {
            for (int x = 0; x < o.w(); x++) {
                for (int ch = 0; ch < c; ch++) {
                    int i = (y * o.w() + x) * c + ch;
                    float v = p.output().get(0, ch, y, x);
                    if (spec.mode() == PoolMode.AVG && depth != 32) {
                        v = (float) Math.min(max, Math.max(0, Math.rint(v)));
                    }
                    switch (depth) {
                        case 8 -> out.put(i, (byte) (int) v);
                        case 16 -> out.putShort(2 * i, (short) (int) v);
                        default -> out.putFloat(4 * i, v);
                    }
                    if (indices != null) {
                        indices[i] = p.indices()[(ch * o.h() + y) * o.w() + x];
                    }
                }
            }
        }
        return new Image(o.h(), o.w(), out.array(), indices);
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
