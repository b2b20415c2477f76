package org.sparkpooling.pipeline;

/**
 * A band of rows of one level of one image, as the pipeline makes it, handed to every sink's
 * {@link LevelWriter}: level 0 is the image as decoded, then 1, 2, ... up to {@code levels}, each
 * from the one before. An image that fits a task comes as whole levels (one band each, level by
 * level); a larger one comes band by band, each level's bands in order, top first, interleaved
 * with the other levels' as the rows are made.
 *
 * @param image  the image's path in the dataset (relative to the input root; {@code path#n} for the
 *               n-th image of a tensor)
 * @param levels how many levels this image gets ({@link DownsampleSpec#levelCount})
 * @param height the level's full height; {@code pixels} holds rows {@code [y0, y0 + pixels.height())}
 *               of the full width
 */
public record ImageLevel(String image, int level, int levels, int height, int y0, LevelImage pixels) {

    public ImageLevel {
        if (y0 < 0 || pixels == null || y0 + pixels.height() > height) {
            throw new IllegalArgumentException("band at row " + y0 + " of " + (pixels == null ? "null"
                    : pixels.height() + " rows") + " does not fit a level of " + height + " rows");
        }
    }

    /** A whole level: one band from row 0 to the end. */
    public static ImageLevel whole(String image, int level, int levels, LevelImage pixels) {
        return new ImageLevel(image, level, levels, pixels.height(), 0, pixels);
    }

    public boolean isWhole() {
        return y0 == 0 && pixels.height() == height;
    }

    /** Whether this band ends the level. */
    public boolean isLast() {
        return y0 + pixels.height() == height;
    }
}
