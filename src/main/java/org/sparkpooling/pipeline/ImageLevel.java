package org.sparkpooling.pipeline;

/**
 * One level of one image as the pipeline makes it, handed to every {@link OutputSink}: level 0 is
 * the image as decoded, then 1, 2, ... up to {@code levels}, each from the one before.
 *
 * @param image  the image's path in the dataset (relative to the input root; {@code path#n} for the
 *               n-th image of a tensor)
 * @param levels how many levels this image gets ({@link DownsampleSpec#levelCount})
 */
public record ImageLevel(String image, int level, int levels, LevelImage pixels) {
}
