package org.sparkpooling.spark.sql;

/**
 * Between the rows' interleaved samples (HWC: pixel by pixel, its channels together) and the
 * kernel's planes (CHW). Samples of 8 bits, 16 bits little-endian, or float32 little-endian
 * (depth 32); integer samples become floats exactly and come back rounded half to even and clamped
 * to their range when they are averages.
 */
final class Interleaved {

    /** 2^23: from here on a float's spacing is 1, so adding and subtracting it rounds half to even. */
    private static final float TWO_23 = 8_388_608f;

    private Interleaved() {
    }

    static void toPlanes(byte[] src, int depth, int channels, int plane, float[] dst) {
        switch (depth) {
            case 8 -> bytesToPlanes(src, channels, plane, dst);
            case 16 -> {
                for (int i = 0, o = 0; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o += 2) {
                        dst[c * plane + i] = (src[o] & 0xff) | (src[o + 1] & 0xff) << 8;
                    }
                }
            }
            default -> {
                for (int i = 0, o = 0; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o += 4) {
                        dst[c * plane + i] = Float.intBitsToFloat((src[o] & 0xff) | (src[o + 1] & 0xff) << 8
                                | (src[o + 2] & 0xff) << 16 | (src[o + 3] & 0xff) << 24);
                    }
                }
            }
        }
    }

    /** Pixel by pixel, so the bytes are read once in order; three and four channels unrolled (BGR, BGRA). */
    private static void bytesToPlanes(byte[] src, int channels, int plane, float[] dst) {
        switch (channels) {
            case 1 -> {
                for (int i = 0; i < plane; i++) {
                    dst[i] = src[i] & 0xff;
                }
            }
            case 3 -> {
                for (int i = 0, o = 0; i < plane; i++, o += 3) {
                    dst[i] = src[o] & 0xff;
                    dst[plane + i] = src[o + 1] & 0xff;
                    dst[2 * plane + i] = src[o + 2] & 0xff;
                }
            }
            case 4 -> {
                for (int i = 0, o = 0; i < plane; i++, o += 4) {
                    dst[i] = src[o] & 0xff;
                    dst[plane + i] = src[o + 1] & 0xff;
                    dst[2 * plane + i] = src[o + 2] & 0xff;
                    dst[3 * plane + i] = src[o + 3] & 0xff;
                }
            }
            default -> {
                for (int i = 0, o = 0; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o++) {
                        dst[c * plane + i] = src[o] & 0xff;
                    }
                }
            }
        }
    }

    /**
     * The planes back as interleaved samples; {@code round}: averages of integer samples, rounded
     * half to even and clamped to {@code [0, 2^depth - 1]} (a divisor override can push a mean out of
     * range) as the downsample pipeline rounds its levels.
     */
    static void fromPlanes(float[] y, int depth, int channels, int plane, boolean round, byte[] dst) {
        switch (depth) {
            case 8 -> {
                for (int i = 0, o = 0; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o++) {
                        float v = y[c * plane + i];
                        dst[o] = (byte) (int) (round ? toDepth(v, 255f) : v);
                    }
                }
            }
            case 16 -> {
                for (int i = 0, o = 0; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o += 2) {
                        int v = (int) (round ? toDepth(y[c * plane + i], 65535f) : y[c * plane + i]);
                        dst[o] = (byte) v;
                        dst[o + 1] = (byte) (v >>> 8);
                    }
                }
            }
            default -> {
                for (int i = 0, o = 0; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o += 4) {
                        int v = Float.floatToRawIntBits(y[c * plane + i]);
                        dst[o] = (byte) v;
                        dst[o + 1] = (byte) (v >>> 8);
                        dst[o + 2] = (byte) (v >>> 16);
                        dst[o + 3] = (byte) (v >>> 24);
                    }
                }
            }
        }
    }

    /** Clamped first, so the 2^23 trick sees {@code 0 <= v <= max < 2^23}; NaN (no integer mean is one) becomes 0. */
    static float toDepth(float v, float max) {
        float clamped = v >= 0 ? Math.min(v, max) : 0f;
        return (clamped + TWO_23) - TWO_23;
    }

    /** Per-plane indices (CHW order) in the interleaved order of the samples they belong to. */
    static int[] interleave(int[] planes, int channels, int plane) {
        int[] out = new int[planes.length];
        for (int i = 0, o = 0; i < plane; i++) {
            for (int c = 0; c < channels; c++, o++) {
                out[o] = planes[c * plane + i];
            }
        }
        return out;
    }
}
