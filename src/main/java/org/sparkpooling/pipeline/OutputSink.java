package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/**
 * One output format of the pipeline. A sink is made on the driver for a run's output directory
 * ({@link OutputFormat#sink}) and shipped to the executors with the task, where each task opens its
 * own {@link LevelWriter}, which sees every level of every image as it is made.
 *
 * <p>The dataset's rows (path, level, sizes, bit depth) are written whatever the formats: they are
 * the record of what was made, which {@code --resume} reads. The Parquet sink alone fills their
 * {@code pixels} column; every other sink writes files of its own under the output directory.
 *
 * <p>A new format is one class implementing this and one constant in {@link OutputFormat}.
 */
public interface OutputSink extends Serializable {

    /** The task's writer; {@code conf} is the driver's Hadoop configuration. */
    LevelWriter open(Configuration conf) throws IOException;

    /**
     * Why this format cannot hold an image of these samples, as its error row says, or null when it
     * can. Asked before the image is made, so such an image is an error row with nothing written.
     */
    default String refuses(int channels, int bitDepth) {
        return null;
    }

    /**
     * The writer of one stripe's task ({@link StripedImages}): it gets the bands of the levels the
     * stripe makes, which begin at the stripe's rows, not at row 0. A format whose files can take
     * such bands from several tasks (Zarr's chunks; the dataset's rows) writes them as always; one
     * whose file is one stream (PNG) writes parts under {@code partsDir}, one directory per image,
     * that {@link #joinStripes} makes into its files.
     */
    default LevelWriter openStripe(Configuration conf, String partsDir, int stripe) throws IOException {
        return open(conf);
    }

    /**
     * Every stripe of the image whose parts are in {@code partsDir} has been made: makes the files
     * of {@code level} (its {@code height} rows of {@code width} x {@code channels} samples of
     * {@code bitDepth} bits) from them. Called once per level the stripes made, by one task.
     */
    default void joinStripes(Configuration conf, String partsDir, String image, int level, int height, int width,
            int channels, int bitDepth) throws IOException {
    }

    /**
     * Removes whatever this format wrote for the file record {@code image} with {@code levels}
     * levels, whichever tasks wrote it: an image made in stripes by several tasks ({@link
     * StripedImages}) that failed in one of them. Nothing else is touched.
     */
    default void remove(String image, int levels, Configuration conf) throws IOException {
    }
}
