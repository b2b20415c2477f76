package org.sparkpooling.tensor;

import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The shape of a pooling tensor of any rank the family uses: batch {@code n}, channels {@code c},
 * one to three spatial sizes (outermost first: {@code [L]}, {@code [H, W]} or {@code [D, H, W]}),
 * and the {@link Layout} that orders them in memory.
 *
 * <p>A position inside one {@code (n, c)} volume has the same flat index in both layouts,
 * {@code (d * H + h) * W + w} (PyTorch's pooling indices); only the element's offset in the array
 * differs, see {@link #offset}. Every size is positive and the element count fits one Java array.
 * The spatial array is copied in and out, so a shape never changes.
 */
public record TensorShape(int n, int c, int[] spatial, Layout layout) implements java.io.Serializable {

    private static final String[][] SPATIAL_NAMES = {
        {"length (L)"}, {"height (H)", "width (W)"}, {"depth (D)", "height (H)", "width (W)"}};

    public TensorShape {
        requirePositive("batch (N)", n);
        requirePositive("channels (C)", c);
        if (spatial == null) {
            throw new IllegalArgumentException("spatial sizes must not be null");
        }
        if (spatial.length < 1 || spatial.length > 3) {
            throw new IllegalArgumentException("spatial rank (" + spatial.length + ") of " + Arrays.toString(spatial)
                    + " must be 1, 2 or 3");
        }
        if (layout == null) {
            throw new IllegalArgumentException("layout must be nchw or nhwc, not null");
        }
        spatial = spatial.clone();
        long count = (long) n * c;
        for (int a = 0; a < spatial.length; a++) {
            requirePositive(SPATIAL_NAMES[spatial.length - 1][a], spatial[a]);
            // Once past the limit the count only grows, and it would overflow a long.
            count = count > Shape.MAX_ELEMENTS ? count : count * spatial[a];
        }
        if (count > Shape.MAX_ELEMENTS) {
            throw new IllegalArgumentException("shape " + n + "x" + c + "x" + join(spatial)
                    + " has more elements than a Java array can hold");
        }
    }

    /** {@code N, C, spatial...} in channels-first order. */
    public static TensorShape channelsFirst(int n, int c, int... spatial) {
        return new TensorShape(n, c, spatial, Layout.CHANNELS_FIRST);
    }

    /** Batch, channels and spatial sizes of a channels-last array ({@code N, spatial..., C} in memory). */
    public static TensorShape channelsLast(int n, int c, int... spatial) {
        return new TensorShape(n, c, spatial, Layout.CHANNELS_LAST);
    }

    /** The NCHW shape of the 2-D API. */
    public static TensorShape of(Shape shape) {
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        return channelsFirst(shape.n(), shape.c(), shape.h(), shape.w());
    }

    /**
     * The shape of an array whose dimensions, in memory order, are {@code dims}: {@code N, C, spatial...}
     * for channels-first, {@code N, spatial..., C} for channels-last.
     */
    public static TensorShape ofDims(int[] dims, Layout layout) {
        if (dims == null || dims.length < 3 || dims.length > 5) {
            throw new IllegalArgumentException("rank (" + (dims == null ? "null" : dims.length) + ") of "
                    + (dims == null ? "no dims" : Arrays.toString(dims)) + " must be 3, 4 or 5");
        }
        if (layout == null) {
            throw new IllegalArgumentException("layout must be nchw or nhwc, not null");
        }
        return switch (layout) {
            case CHANNELS_FIRST -> new TensorShape(dims[0], dims[1], Arrays.copyOfRange(dims, 2, dims.length), layout);
            case CHANNELS_LAST -> new TensorShape(dims[0], dims[dims.length - 1],
                    Arrays.copyOfRange(dims, 1, dims.length - 1), layout);
        };
    }

    /** This shape as the 2-D API's {@link Shape}; it must be rank 4 and channels-first. */
    public Shape toShape() {
        boolean channelsFirst = switch (layout) {
            case CHANNELS_FIRST -> true;
            case CHANNELS_LAST -> false;
        };
        if (spatial.length != 2 || !channelsFirst) {
            throw new IllegalArgumentException("shape " + this + " is not a rank-4 nchw shape, which the 2-D API takes");
        }
        return new Shape(n, c, spatial[0], spatial[1]);
    }

    @Override
    public int[] spatial() {
        return spatial.clone();
    }

    /** Spatial size {@code axis}, outermost first. */
    public int spatial(int axis) {
        return spatial[axis];
    }

    /** Number of spatial dimensions: 1, 2 or 3. */
    public int spatialRank() {
        return spatial.length;
    }

    /** The array's rank: 3, 4 or 5. */
    public int rank() {
        return spatial.length + 2;
    }

    /** The dimensions in memory order. */
    public int[] dims() {
        int[] d = new int[rank()];
        d[0] = n;
        int channelsAt = switch (layout) {
            case CHANNELS_FIRST -> 1;
            case CHANNELS_LAST -> d.length - 1;
        };
        d[channelsAt] = c;
        System.arraycopy(spatial, 0, d, channelsAt == 1 ? 2 : 1, spatial.length);
        return d;
    }

    /** Elements in one {@code (n, c)} volume: the product of the spatial sizes. */
    public int volume() {
        int v = 1;
        for (int s : spatial) {
            v *= s;
        }
        return v;
    }

    /** Number of {@code (n, c)} volumes, N*C. */
    public int volumes() {
        return n * c;
    }

    public int size() {
        return n * c * volume();
    }

    /** The array offset of position {@code s} (flat inside its volume) of volume {@code (n, c)}. */
    public int offset(int n, int c, int s) {
        return switch (layout) {
            case CHANNELS_FIRST -> (n * this.c + c) * volume() + s;
            case CHANNELS_LAST -> (n * volume() + s) * this.c + c;
        };
    }

    /**
     * Array distance between neighbouring positions of one volume: 1 channels-first, C channels-last.
     * With {@code offset(n, c, 0)} it addresses a whole volume in either layout.
     */
    public int positionStride() {
        return switch (layout) {
            case CHANNELS_FIRST -> 1;
            case CHANNELS_LAST -> c;
        };
    }

    public TensorShape withSpatial(int... sizes) {
        return new TensorShape(n, c, sizes, layout);
    }

    public TensorShape withLayout(Layout other) {
        return new TensorShape(n, c, spatial, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorShape t && n == t.n && c == t.c && layout == t.layout
                && Arrays.equals(spatial, t.spatial);
    }

    @Override
    public int hashCode() {
        return ((31 * n + c) * 31 + Arrays.hashCode(spatial)) * 31 + layout.hashCode();
    }

    /** The dimensions in memory order and the layout's letters, e.g. {@code 2x5x5x3 (nhwc)}. */
    @Override
    public String toString() {
        return join(dims()) + " (" + layout.letters(spatial.length) + ")";
    }

    /** The spatial sizes as {@code DxHxW}, for messages. */
    public String spatialString() {
        return join(spatial);
    }

    static String join(int[] values) {
        StringJoiner j = new StringJoiner("x");
        for (int v : values) {
            j.add(Integer.toString(v));
        }
        return j.toString();
    }

    private static void requirePositive(String role, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(role + " (" + value + ") must be > 0");
        }
    }
}
