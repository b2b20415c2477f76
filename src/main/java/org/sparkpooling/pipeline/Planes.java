package org.sparkpooling.pipeline;

/**
 * One image level as integer samples in planes: {@code channels} planes of {@code height x width}
 * samples each, channel-major (CHW, the tensor's layout), in {@code float} because the kernels pool
 * floats; every value is an integer in {@code 0 .. 2^bitDepth - 1}. Channel order: gray; gray, alpha;
 * R, G, B; R, G, B, A. Alpha is straight (not premultiplied).
 */
public record Planes(int channels, int height, int width, int bitDepth, float[] samples) {

    public Planes {
        if (channels < 1 || channels > 4) {
            throw new IllegalArgumentException("channels (" + channels + ") must be 1 to 4");
        }
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("size (" + height + "x" + width + ") must be at least 1x1");
        }
        if (bitDepth != 8 && bitDepth != 16) {
            throw new IllegalArgumentException("bit depth (" + bitDepth + ") must be 8 or 16");
        }
        if (samples == null || samples.length != (long) channels * height * width) {
            throw new IllegalArgumentException("samples length (" + (samples == null ? "null" : samples.length)
                    + ") must be channels x height x width (" + (long) channels * height * width + ")");
        }
    }

    public int maxValue() {
        return (1 << bitDepth) - 1;
    }

    public float get(int c, int y, int x) {
        return samples[(c * height + y) * width + x];
    }

    /**
     * Row-major interleaved HWC samples, one byte each for 8-bit, two little-endian bytes for
     * 16-bit: the {@code pixels} column of the dataset. Samples are already integers in range.
     */
    public byte[] interleavedBytes() {
        int plane = height * width;
        int bytesPerSample = bitDepth / 8;
        byte[] out = new byte[plane * channels * bytesPerSample];
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            if (bytesPerSample == 1) {
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

    /** Inverse of {@link #interleavedBytes}, for readers of the dataset and tests. */
    public static Planes fromInterleaved(int channels, int height, int width, int bitDepth, byte[] pixels) {
        int plane = height * width;
        float[] s = new float[channels * plane];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < plane; i++) {
                int o = i * channels + c;
                s[c * plane + i] = bitDepth == 8 ? pixels[o] & 0xff
                        : (pixels[2 * o] & 0xff) | (pixels[2 * o + 1] & 0xff) << 8;
            }
        }
        return new Planes(channels, height, width, bitDepth, s);
    }
}
