package org.sparkpooling.pipeline;

import org.sparkpooling.tensor.IntImage;

/**
 * One level as float planes: {@code channels} planes of {@code height x width} samples each,
 * channel-major (CHW, the tensor's layout), as the float kernels pool them. Bit depth
 * {@value #FLOAT_DEPTH} holds a float tensor's images (from a tensor dataset or a {@code .npy}
 * file) as they are: any number of channels, any float value, never rounded. Bit depths 8 and 16
 * hold integer samples in {@code 0 .. 2^bitDepth - 1}: how images were pooled before they travelled
 * as {@link IntImage}s, kept as the reference the integer path is tested against. Channel order:
 * gray; gray, alpha; R, G, B; R, G, B, A. Alpha is straight (not premultiplied).
 */
public record Planes(int channels, int height, int width, int bitDepth, float[] samples) implements LevelImage {

    /** The bit depth of float planes: samples are float32 values, not integers. */
    public static final int FLOAT_DEPTH = 32;

    public Planes {
        if (bitDepth == FLOAT_DEPTH ? channels < 1 : channels < 1 || channels > 4) {
            throw new IllegalArgumentException("channels (" + channels + ") must be 1 to 4 (at least 1 for float)");
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("size (" + height + "x" + width + ") must be at least 1x1");
        }
        if (bitDepth != 8 && bitDepth != 16 && bitDepth != FLOAT_DEPTH) {
            throw new IllegalArgumentException("bit depth (" + bitDepth + ") must be 8, 16 or " + FLOAT_DEPTH);
        }
        if (samples == null || samples.length != (long) channels * height * width) {
            throw new IllegalArgumentException("samples length (" + (samples == null ? "null" : samples.length)
                    + ") must be channels x height x width (" + (long) channels * height * width + ")");
        }
    }

    /** The largest integer sample; float planes have none. */
    public int maxValue() {
        if (bitDepth == FLOAT_DEPTH) {
            throw new IllegalStateException("float planes have no maximum sample value");
        }
        return (1 << bitDepth) - 1;
    }

    public float get(int c, int y, int x) {
        return samples[(c * height + y) * width + x];
    }

    /**
     * Row-major interleaved HWC samples, one byte each for 8-bit, two little-endian bytes for
     * 16-bit, four little-endian bytes (IEEE float32) for float: the {@code pixels} column of the
     * dataset. Integer samples are already integers in range.
     */
    @Override
    public byte[] interleavedBytes() {
        int plane = height * width;
        int bytesPerSample = bitDepth / 8;
        byte[] out = new byte[plane * channels * bytesPerSample];
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            if (bytesPerSample == 4) {
                for (int i = 0, o = 4 * c; i < plane; i++, o += 4 * channels) {
                    int v = Float.floatToRawIntBits(samples[base + i]);
                    out[o] = (byte) v;
                    out[o + 1] = (byte) (v >>> 8);
                    out[o + 2] = (byte) (v >>> 16);
                    out[o + 3] = (byte) (v >>> 24);
                }
            } else if (bytesPerSample == 1) {
                for (int i = 0, o = c; i < plane; i++, o += channels) {
                    out[o] = (byte) (int) samples[base + i];
                }
            } else {
                for (int i = 0, o = 2 * c; i < plane; i++, o += 2 * channels) {
                    int v = (int) samples[base + i];
                    out[o] = (byte) v;
                    out[o + 1] = (byte) (v >>> 8);
                }
            }
        }
        return out;
    }

    /** The samples of an 8- or 16-bit image as float planes (what the float kernels pool). */
    public static Planes of(IntImage image) {
        if (image.bitDepth() != 8 && image.bitDepth() != 16) {
            throw new IllegalArgumentException("only 8- and 16-bit images have float planes, not " + image);
        }
        int c = image.channels();
        int plane = image.height() * image.width();
        float[] s = new float[c * plane];
        for (int i = 0; i < plane; i++) {
            for (int b = 0; b < c; b++) {
                s[b * plane + i] = image.get(i / image.width(), i % image.width(), b);
            }
        }
        return new Planes(c, image.height(), image.width(), image.bitDepth(), s);
    }

    /** These integer planes as an image of samples, channels-last. */
    public IntImage toIntImage() {
        if (bitDepth == FLOAT_DEPTH) {
            throw new IllegalStateException("float planes are not integer samples");
        }
        int plane = height * width;
        IntImage out = IntImage.allocate(height, width, channels, bitDepth);
        for (int b = 0; b < channels; b++) {
            for (int i = 0; i < plane; i++) {
                int v = (int) samples[b * plane + i];
                if (bitDepth == 8) {
                    out.bytes()[i * channels + b] = (byte) v;
                } else {
                    out.shorts()[i * channels + b] = (short) v;
                }
            }
        }
        return out;
    }

    /** Inverse of {@link #interleavedBytes}, for readers of the dataset and tests. */
    public static Planes fromInterleaved(int channels, int height, int width, int bitDepth, byte[] pixels) {
        int plane = height * width;
        float[] s = new float[channels * plane];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane; i++) {
                int o = i * channels + c;
                s[c * plane + i] = bitDepth == 8 ? pixels[o] & 0xff
                        : bitDepth == 16 ? (pixels[2 * o] & 0xff) | (pixels[2 * o + 1] & 0xff) << 8
                        : Float.intBitsToFloat((pixels[4 * o] & 0xff) | (pixels[4 * o + 1] & 0xff) << 8
                                | (pixels[4 * o + 2] & 0xff) << 16 | (pixels[4 * o + 3] & 0xff) << 24);
            }
        }
        return new Planes(channels, height, width, bitDepth, s);
    }
}
