package org.sparkpooling.pipeline;

import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.ImagePooling;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.IntImage;

/**
 * What a downsampling run does to each image: {@code mode} pooling, {@code factor} x {@code factor}
 * with stride {@code factor}, for {@code levels} levels ({@code 0}: until the short side is one
 * pixel), with the given edge rule; images whose header claims more than {@code maxPixels} pixels
 * are refused before their pixels are decoded. With {@code sparse}, zero is background: a window pools
 * only its nonzero samples unless all are zero ({@link ImagePooling#pool(DownsampleMode, IntImage, int,
 * boolean, boolean)}).
 */
public record DownsampleSpec(DownsampleMode mode, int factor, int levels, EdgeMode edge, long maxPixels,
        long taskPixels, boolean sparse) implements java.io.Serializable {

    /**
     * The default guard against a header claiming more pixels than a run should spend: 10 gigapixels,
     * a whole-slide image of 100,000 x 100,000. Not a memory limit (images above the task budget are
     * made in bands): the time a decompression bomb could cost.
     */
    public static final long DEFAULT_MAX_PIXELS = 10_000_000_000L;

    /** Pillow's {@code MAX_IMAGE_PIXELS} (1024 * 1024 * 1024 / 4 / 3), the default before banding. */
    public static final long PILLOW_MAX_PIXELS = 89_478_485L;

    /**
     * The default per-task pixel budget, 2^25 (33.6 megapixels): an image up to this is decoded and
     * pooled whole; a larger one in bands of at most a quarter of it. Whole, a 16-bit RGBA image of
     * that size takes 268 MB for its samples and about as much again for its levels and encoders,
     * which fits the heap of a 1 GiB executor; an 8-bit RGB photo a third of that.
     */
    public static final long DEFAULT_TASK_PIXELS = 1L << 25;

    /** With the default task budget, every sample counted. */
    public DownsampleSpec(DownsampleMode mode, int factor, int levels, EdgeMode edge, long maxPixels) {
        this(mode, factor, levels, edge, maxPixels, DEFAULT_TASK_PIXELS);
    }

    /** Every sample counted (not sparse). */
    public DownsampleSpec(DownsampleMode mode, int factor, int levels, EdgeMode edge, long maxPixels,
            long taskPixels) {
        this(mode, factor, levels, edge, maxPixels, taskPixels, false);
    }

    /** The level after {@code level} under this spec's mode, factor, edge rule and sparse rule. */
    public IntImage pool(IntImage level) {
        return ImagePooling.pool(mode, level, factor, edge == EdgeMode.PARTIAL, sparse);
    }

    public DownsampleSpec {
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        if (edge == null) {
            throw new IllegalArgumentException("edge must be partial or trim, not null");
        }
        if (factor < 2) {
            throw new IllegalArgumentException("factor (" + factor + ") must be >= 2");
        }
        if (levels < 0) {
            throw new IllegalArgumentException("levels (" + levels + ") must be >= 0 (0: until the short side is 1)");
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("max pixels (" + maxPixels + ") must be >= 1");
        }
        if (taskPixels < 1024) {
            throw new IllegalArgumentException("task pixels (" + taskPixels + ") must be >= 1024");
        }
    }

    /**
     * The rows of a level-0 band of an image {@code width} wide, read {@code alignment} rows at a time
     * (its tile height): as many as a quarter of the budget holds, at least one alignment.
     *
     * @throws BadImageException when even one alignment of rows exceeds the whole budget
     */
    public int bandRows(int width, int channels, int alignment) throws BadImageException {
        long quarter = taskPixels / 4 / width / alignment * alignment;
        long rows = Math.max(alignment, quarter);
        if (rows * width > taskPixels) {
            throw new BadImageException(width + " pixels wide: a band of " + rows + " rows (" + rows * width
                    + " pixels) exceeds the task budget (" + taskPixels + " pixels); raise --task-pixels");
        }
        return (int) Math.min(rows, Integer.MAX_VALUE);
    }

    /**
     * Whether a level of {@code pixels} pixels of an image made in bands is gathered whole (its
     * samples in the dataset's row, its files written from one array): a quarter of the budget.
     */
    public boolean heldWhole(long pixels) {
        return pixels <= taskPixels / 4;
    }

    /** The kernel's spec, for float planes: no padding; ceil mode for partial edges. With no padding
     *  PyTorch's divisor of an overhanging window is its in-bounds size, whatever countIncludePad says. */
    public PoolSpec poolSpec() {
        return PoolSpec.builder(mode.kernelMode(), factor, factor).stride(factor, factor)
                .ceilMode(edge == EdgeMode.PARTIAL).build();
    }

    /** The side after one level: ceil or floor of {@code side / factor}. */
    public int next(int side) {
        return ImagePooling.outputSize(side, factor, edge == EdgeMode.PARTIAL);
    }

    /**
     * How many levels an image of {@code height x width} gets: the requested number, or all of them
     * until the short side is one pixel, but never past the point where a side would vanish (trim) or
     * both sides are already one pixel. At least one for any image that can be pooled at all.
     */
    public int levelCount(int height, int width) {
        int count = 0;
        int h = height;
        int w = width;
        while (true) {
            if (levels > 0 ? count >= levels : Math.min(h, w) <= 1 && count > 0) {
                return count;
            }
            int nh = next(h);
            int nw = next(w);
            if (nh < 1 || nw < 1 || (h == 1 && w == 1)) {
                return count;
            }
            h = nh;
            w = nw;
            count++;
        }
    }
}
