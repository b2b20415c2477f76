package org.sparkpooling.tensor;

/**
 * An image of integer samples as a decoder gives it: {@code height x width} pixels of
 * {@code channels} samples each, interleaved row by row (H x W x C, channels-last), unsigned,
 * {@code bitDepth} 8 (a {@code byte[]}), 16 (a {@code short[]}, read as {@code s & 0xffff}) or 32
 * (an {@code int[]}: label ids). No float copy: a 16-bit RGB image is 6 bytes a pixel, not 12.
 *
 * <p>The arrays are shared, not copied; whoever makes an image hands its array over.
 */
public final class IntImage {

    /** The largest array HotSpot allocates reliably. */
    public static final int MAX_SAMPLES = Integer.MAX_VALUE - 8;

    private final int height;
    private final int width;
    private final int channels;
    private final int bitDepth;
    private final Object samples;

    private IntImage(int height, int width, int channels, int bitDepth, Object samples, int length) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("size (" + height + "x" + width + ") must be at least 1x1");
        }
        if (channels < 1) {
            throw new IllegalArgumentException("channels (" + channels + ") must be >= 1");
        }
        long n = (long) height * width * channels;
        if (length != n) {
            throw new IllegalArgumentException("samples length (" + length + ") must be height x width x channels ("
                    + n + ")");
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.bitDepth = bitDepth;
        this.samples = samples;
    }

    public static IntImage of8(int height, int width, int channels, byte[] samples) {
        return new IntImage(height, width, channels, 8, samples, samples.length);
    }

    public static IntImage of16(int height, int width, int channels, short[] samples) {
        return new IntImage(height, width, channels, 16, samples, samples.length);
    }

    public static IntImage of32(int height, int width, int channels, int[] samples) {
        return new IntImage(height, width, channels, 32, samples, samples.length);
    }

    /** A zeroed image of the given depth. */
    public static IntImage allocate(int height, int width, int channels, int bitDepth) {
        long n = (long) height * width * channels;
        if (n > MAX_SAMPLES) {
            throw new IllegalArgumentException(width + "x" + height + "x" + channels + " samples (" + n
                    + ") exceed one Java array (" + MAX_SAMPLES + ")");
        }
        return switch (bitDepth) {
            case 8 -> of8(height, width, channels, new byte[(int) n]);
            case 16 -> of16(height, width, channels, new short[(int) n]);
            case 32 -> of32(height, width, channels, new int[(int) n]);
            default -> throw new IllegalArgumentException("bit depth (" + bitDepth + ") must be 8, 16 or 32");
        };
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    public int bitDepth() {
        return bitDepth;
    }

    /** The largest sample value: {@code 2^bitDepth - 1} (for 32 bits, unsigned, as a long). */
    public long maxValue() {
        return (1L << bitDepth) - 1;
    }

    public byte[] bytes() {
        return typed(byte[].class, 8);
    }

    public short[] shorts() {
        return typed(short[].class, 16);
    }

    public int[] ints() {
        return typed(int[].class, 32);
    }

    /** Sample {@code c} of pixel {@code (y, x)}, unsigned. */
    public long get(int y, int x, int c) {
        int i = (y * width + x) * channels + c;
        return switch (bitDepth) {
            case 8 -> bytes()[i] & 0xff;
            case 16 -> shorts()[i] & 0xffff;
            default -> ints()[i] & 0xffffffffL;
        };
    }

    /**
     * The samples as bytes, row-major interleaved: one byte each for 8-bit, two little-endian bytes
     * for 16-bit, four for 32-bit (the downsample dataset's {@code pixels} column). For 8 bits this
     * is the samples array itself, not a copy.
     */
    public byte[] interleavedBytes() {
        switch (bitDepth) {
            case 8 -> {
                return bytes();
            }
            case 16 -> {
                short[] s = shorts();
                byte[] out = new byte[s.length * 2];
                for (int i = 0; i < s.length; i++) {
                    out[2 * i] = (byte) s[i];
                    out[2 * i + 1] = (byte) (s[i] >>> 8);
                }
                return out;
            }
            default -> {
                int[] s = ints();
                byte[] out = new byte[s.length * 4];
                for (int i = 0; i < s.length; i++) {
                    out[4 * i] = (byte) s[i];
                    out[4 * i + 1] = (byte) (s[i] >>> 8);
                    out[4 * i + 2] = (byte) (s[i] >>> 16);
                    out[4 * i + 3] = (byte) (s[i] >>> 24);
                }
                return out;
            }
        }
    }

    private <T> T typed(Class<T> type, int depth) {
        if (bitDepth != depth) {
            throw new IllegalStateException("a " + bitDepth + "-bit image has no " + depth + "-bit samples");
        }
        return type.cast(samples);
    }

    @Override
    public String toString() {
        return width + "x" + height + "x" + channels + " " + bitDepth + "-bit";
    }
}
