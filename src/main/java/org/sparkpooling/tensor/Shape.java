package org.sparkpooling.tensor;

/**
 * The shape of an NCHW tensor: batch, channels, height, width.
 *
 * <p>Every dimension is positive and the element count fits a Java array, so a tensor of this
 * shape can always be allocated as one flat {@code float[]}.
 */
public record Shape(int n, int c, int h, int w) implements java.io.Serializable {

    /** The largest array HotSpot allocates reliably. */
    public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    public Shape {
        requirePositive("batch (N)", n);
        requirePositive("channels (C)", c);
        requirePositive("height (H)", h);
        requirePositive("width (W)", w);
        long count;
        try {
            count = Math.multiplyExact((long) n * c, (long) h * w);
        } catch (ArithmeticException e) {
            count = Long.MAX_VALUE;
        }
        if (count > MAX_ELEMENTS) {
            throw new IllegalArgumentException(
                    "shape " + n + "x" + c + "x" + h + "x" + w + " has more elements than a Java array can hold");
        }
    }

    /** Parses {@code "N,C,H,W"} (or {@code "NxCxHxW"}), as the CLI takes it. */
    public static Shape parse(String text) {
        String[] parts = text.trim().split("[,xX]");
        if (parts.length != 4) {
            throw new IllegalArgumentException("shape (" + text + ") must have four dimensions N,C,H,W");
        }
        int[] d = new int[4];
        for (int i = 0; i < 4; i++) {
            try {
                d[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("shape (" + text + ") has a dimension that is not an integer: " + parts[i]);
            }
        }
        return new Shape(d[0], d[1], d[2], d[3]);
    }

    private static void requirePositive(String role, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(role + " (" + value + ") must be > 0");
        }
    }

    /** Number of elements, N*C*H*W. */
    public int size() {
        return n * c * h * w;
    }

    /** Number of (n, c) planes, N*C. */
    public int planes() {
        return n * c;
    }

    /** Elements in one (n, c) plane, H*W. */
    public int planeSize() {
        return h * w;
    }

    /** Size in bytes as float32. */
    public long bytes() {
        return 4L * size();
    }

    @Override
    public String toString() {
        return n + "x" + c + "x" + h + "x" + w;
    }
}
