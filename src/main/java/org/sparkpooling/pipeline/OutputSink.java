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
     * Removes whatever this format wrote for the file record {@code image} with {@code levels}
     * levels, whichever tasks wrote it: an image made in stripes by several tasks ({@link
     * StripedImages}) that failed in one of them. Nothing else is touched.
     */
    default void remove(String image, int levels, Configuration conf) throws IOException {
    }
}
