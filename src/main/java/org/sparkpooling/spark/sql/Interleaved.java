package org.sparkpooling.spark.sql;

/**
 * Between the rows' interleaved samples (HWC: pixel by pixel, its channels together) and the
 * kernel's planes (CHW). Samples of 8 bits, 16 bits little-endian, or float32 little-endian
 * (depth 32); integer samples become floats exactly and come back as the integers RowPooler made
 * of the kernel's results.
 *
 * <p>The loops go pixel by pixel, so the interleaved side is read or written once, in order, and
 * each plane is a sequential stream; one and three and four channels (gray, BGR, BGRA) are
 * unrolled, which C2 does not do across the inner channel loop by itself.
 */
final class Interleaved {

    /** 2^23: from here on a float's spacing is 1, so adding and subtracting it rounds half to even. */
    private static final float TWO_23 = 8_388_608f;

    private Interleaved() {
    }

    /** {@code plane} pixels of {@code channels} samples from {@code src[offset..]} into planes {@code dst}. */
    static void toPlanes(byte[] src, int offset, int depth, int channels, int plane, float[] dst) {
        switch (depth) {
            case 8 -> bytesToPlanes(src, offset, channels, plane, dst);
            case 16 -> {
                for (int i = 0, o = offset; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o += 2) {
                        dst[c * plane + i] = (src[o] & 0xff) | (src[o + 1] & 0xff) << 8;
                    }
                }
            }
            default -> {
                for (int i = 0, o = offset; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o += 4) {
                        dst[c * plane + i] = Float.intBitsToFloat((src[o] & 0xff) | (src[o + 1] & 0xff) << 8
                                | (src[o + 2] & 0xff) << 16 | (src[o + 3] & 0xff) << 24);
                    }
                }
            }
        }
    }

    /** Integer samples (8 or 16 bits) into float64 planes, for means whose sums a float cannot hold. */
    static void toPlanes(byte[] src, int offset, int depth, int channels, int plane, double[] dst) {
        for (int i = 0, o = offset; i < plane; i++) {
            for (int c = 0; c < channels; c++) {
                if (depth == 8) {
                    dst[c * plane + i] = src[o++] & 0xff;
                } else {
                    dst[c * plane + i] = (src[o] & 0xff) | (src[o + 1] & 0xff) << 8;
                    o += 2;
                }
            }
        }
    }

    private static void bytesToPlanes(byte[] src, int offset, int channels, int plane, float[] dst) {
        switch (channels) {
            case 1 -> {
                for (int i = 0; i < plane; i++) {
                    dst[i] = src[offset + i] & 0xff;
                }
            }
            case 3 -> {
                for (int i = 0, o = offset; i < plane; i++, o += 3) {
                    dst[i] = src[o] & 0xff;
                    dst[plane + i] = src[o + 1] & 0xff;
                    dst[2 * plane + i] = src[o + 2] & 0xff;
                }
            }
            case 4 -> {
                for (int i = 0, o = offset; i < plane; i++, o += 4) {
                    dst[i] = src[o] & 0xff;
                    dst[plane + i] = src[o + 1] & 0xff;
                    dst[2 * plane + i] = src[o + 2] & 0xff;
                    dst[3 * plane + i] = src[o + 3] & 0xff;
                }
            }
            default -> {
                for (int i = 0, o = offset; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o++) {
                        dst[c * plane + i] = src[o] & 0xff;
                    }
                }
            }
        }
    }

    /**
     * The planes {@code y} back as {@code plane} interleaved pixels at {@code dst[offset..]}; for
     * integer depths the values are integer samples in range already (see RowPooler).
     */
    static void fromPlanes(float[] y, int depth, int channels, int plane, byte[] dst, int offset) {
        switch (depth) {
            case 8 -> planesToBytes(y, channels, plane, dst, offset);
            case 16 -> {
                for (int i = 0, o = offset; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o += 2) {
                        int s = (int) y[c * plane + i];
                        dst[o] = (byte) s;
                        dst[o + 1] = (byte) (s >>> 8);
                    }
                }
            }
            default -> {
                for (int i = 0, o = offset; i < plane; i++) {
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

    private static void planesToBytes(float[] y, int channels, int plane, byte[] dst, int offset) {
        switch (channels) {
            case 1 -> {
                for (int i = 0; i < plane; i++) {
                    dst[offset + i] = (byte) (int) y[i];
                }
            }
            case 3 -> {
                for (int i = 0, o = offset; i < plane; i++, o += 3) {
                    dst[o] = (byte) (int) y[i];
                    dst[o + 1] = (byte) (int) y[plane + i];
                    dst[o + 2] = (byte) (int) y[2 * plane + i];
                }
            }
            case 4 -> {
                for (int i = 0, o = offset; i < plane; i++, o += 4) {
                    dst[o] = (byte) (int) y[i];
                    dst[o + 1] = (byte) (int) y[plane + i];
                    dst[o + 2] = (byte) (int) y[2 * plane + i];
                    dst[o + 3] = (byte) (int) y[3 * plane + i];
                }
            }
            default -> {
                for (int i = 0, o = offset; i < plane; i++) {
                    for (int c = 0; c < channels; c++, o++) {
                        dst[o] = (byte) (int) y[c * plane + i];
                    }
                }
            }
        }
    }

    /**
     * A float result as a sample: clamped first, so the 2^23 trick sees {@code 0 <= v <= max < 2^23},
     * then rounded half to even ({@link Math#rint}'s rule); NaN gives 0.
     */
    static float toDepth(float v, float max) {
        float clamped = v >= 0 ? Math.min(v, max) : 0f;
        return (clamped + TWO_23) - TWO_23;
    }

    /**
     * A band's per-plane indices (CHW order, relative to the band) into the interleaved order of the
     * samples they belong to at {@code dst[offset..]}, {@code shift} (the band's first row times the
     * width) added so each is {@code h * W + w} in the whole image.
     */
    static void interleave(int[] planes, int channels, int plane, int shift, int[] dst, int offset) {
        for (int i = 0, o = offset; i < plane; i++) {
            for (int c = 0; c < channels; c++, o++) {
                dst[o] = planes[c * plane + i] + shift;
            }
        }
    }
}
