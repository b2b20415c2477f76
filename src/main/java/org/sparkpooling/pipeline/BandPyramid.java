package org.sparkpooling.pipeline;

import java.io.IOException;
import org.sparkpooling.pool.ImagePooling;
import org.sparkpooling.tensor.IntImage;

/**
 * A pyramid made band by band, for an image larger than a task may hold: level-0 bands are pushed
 * in order, top first, and every level's rows leave as soon as they can be made. Each level keeps a
 * carry of fewer than {@code factor} rows (the top of a window whose bottom is in the next band),
 * so windows start at the same rows as in the whole image and each level's samples equal, sample
 * for sample, those of {@link Pyramid} on the whole image. Memory: one band per level being made
 * plus the carries, {@code factor} rows of each level's width; the caller chooses the band height.
 *
 * <p>At the end ({@link #finish}) a carry left at the bottom of a level is pooled as the last row
 * of partial windows with {@link EdgeMode#PARTIAL} and dropped with {@link EdgeMode#TRIM}, as the
 * whole-image rule does.
 */
final class BandPyramid {

    /** Takes each band of each level as it is made. */
    interface Consumer {
        void accept(ImageLevel band) throws IOException;
    }

    private final DownsampleSpec spec;
    private final String image;
    private final int levels;
    /** The image's level count, which every band names: {@code levels}, or more when the levels above are made elsewhere. */
    private final int imageLevels;
    private final int[] heights;
    /** The next row each level's band starts at. */
    private final int[] next;
    private final IntImage[] carry;
    private final Consumer out;

    /**
     * @param height the image's height (level 0); widths follow from the bands
     * @param levels the levels to make ({@link DownsampleSpec#levelCount})
     */
    BandPyramid(DownsampleSpec spec, String image, int height, int width, int levels, Consumer out) {
        this(spec, image, height, levels, levels, 0, out);
    }

    /**
     * A pyramid of the rows from {@code startRow} on, levels 1 to {@code levels} of an image that
     * has {@code imageLevels}: a stripe of the image ({@link StripedImages}). {@code startRow} is a
     * multiple of {@code factor^levels}, so every level's windows start where the whole image's do
     * and the stripe's rows of each level are the whole pyramid's rows from {@code startRow /
     * factor^level} on.
     */
    BandPyramid(DownsampleSpec spec, String image, int height, int levels, int imageLevels, int startRow,
            Consumer out) {
        if (levels < 1 || imageLevels < levels) {
            throw new IllegalArgumentException("levels (" + levels + ") must be >= 1 and at most the image's ("
                    + imageLevels + ")");
        }
        this.spec = spec;
        this.image = image;
        this.levels = levels;
        this.imageLevels = imageLevels;
        this.heights = new int[levels + 1];
        this.next = new int[levels + 1];
        this.carry = new IntImage[levels + 1];
        this.out = out;
        heights[0] = height;
        long step = 1;
        for (int l = 1; l <= levels; l++) {
            heights[l] = spec.next(heights[l - 1]);
            step *= spec.factor();
        }
        if (startRow < 0 || startRow >= height || startRow % step != 0) {
            throw new IllegalArgumentException("start row (" + startRow + ") must be a multiple of " + step
                    + " (factor^levels) within the image's " + height + " rows");
        }
        for (int l = 0, s = startRow; l <= levels; l++, s /= spec.factor()) {
            next[l] = s;
        }
    }

    /** The height of {@code level}. */
    int height(int level) {
        return heights[level];
    }

    /** The next band of level 0 (all of its width, the rows after the last band's). */
    void push(IntImage band) throws IOException {
        push(0, band);
    }

    /**
     * A stripe that ends at row {@code endRow} of level 0, above the image's bottom: every row up to
     * it has been pushed, and since it is a multiple of {@code factor^levels} no level holds a carry.
     */
    void finishAt(int endRow) {
        if (next[0] != endRow) {
            throw new IllegalStateException(image + ": stripe ended at row " + next[0] + ", not " + endRow);
        }
        for (int l = 0; l < levels; l++) {
            if (carry[l] != null) {
                throw new IllegalStateException(image + ": level " + l + " holds " + carry[l].height()
                        + " rows at the stripe's end (row " + endRow + " is not a multiple of factor^levels)");
            }
        }
    }

    /** Every level-0 row has been pushed: the last partial windows, then nothing. */
    void finish() throws IOException {
        if (next[0] != heights[0]) {
            throw new IllegalStateException(image + ": " + next[0] + " of " + heights[0] + " rows pushed");
        }
        for (int l = 0; l < levels; l++) {
            IntImage rest = carry[l];
            carry[l] = null;
            if (rest != null && spec.edge() == EdgeMode.PARTIAL) {
                push(l + 1, pool(rest));
            }
        }
        for (int l = 0; l <= levels; l++) {
            if (next[l] != heights[l]) {
                throw new IllegalStateException(image + ": level " + l + " ended at row " + next[l] + " of "
                        + heights[l]);
            }
        }
    }

    private void push(int level, IntImage band) throws IOException {
        if (band.height() == 0) {
            return;
        }
        out.accept(new ImageLevel(image, level, imageLevels, heights[level], next[level], new IntLevel(band)));
        next[level] += band.height();
        if (level == levels) {
            return;
        }
        IntImage rows = carry[level] == null ? band : concat(carry[level], band);
        int f = spec.factor();
        int whole = rows.height() / f * f;
        carry[level] = whole == rows.height() ? null : slice(rows, whole, rows.height() - whole);
        if (whole > 0) {
            push(level + 1, pool(whole == rows.height() ? rows : slice(rows, 0, whole)));
        }
    }

    private IntImage pool(IntImage rows) {
        return spec.pool(rows);
    }

    /** Rows {@code [y, y + n)} of {@code img}, copied. */
    static IntImage slice(IntImage img, int y, int n) {
        int rowLen = img.width() * img.channels();
        return switch (img.bitDepth()) {
            case 8 -> IntImage.of8(n, img.width(), img.channels(),
                    java.util.Arrays.copyOfRange(img.bytes(), y * rowLen, (y + n) * rowLen));
            case 16 -> IntImage.of16(n, img.width(), img.channels(),
                    java.util.Arrays.copyOfRange(img.shorts(), y * rowLen, (y + n) * rowLen));
            default -> IntImage.of32(n, img.width(), img.channels(),
                    java.util.Arrays.copyOfRange(img.ints(), y * rowLen, (y + n) * rowLen));
        };
    }

    /** {@code a}'s rows, then {@code b}'s. */
    static IntImage concat(IntImage a, IntImage b) {
        IntImage out = IntImage.allocate(a.height() + b.height(), a.width(), a.channels(), a.bitDepth());
        Object src1 = array(a);
        Object src2 = array(b);
        int n1 = a.height() * a.width() * a.channels();
        System.arraycopy(src1, 0, array(out), 0, n1);
        System.arraycopy(src2, 0, array(out), n1, b.height() * b.width() * b.channels());
        return out;
    }

    private static Object array(IntImage img) {
        return switch (img.bitDepth()) {
            case 8 -> img.bytes();
            case 16 -> img.shorts();
            default -> img.ints();
        };
    }
}
