package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;

/**
 * One output format of the pipeline. A sink is made on the driver for a run's output directory
 * ({@link OutputFormat#sink}) and shipped to the executors in the task, where it sees every level
 * of every image as it is made, in order, level 0 (the decoded image) first.
 *
 * <p>The dataset's rows (path, level, sizes, bit depth) are written whatever the formats: they are
 * the record of what was made, which {@code --resume} reads. The Parquet sink alone fills their
 * {@code pixels} column ({@link #rowPixels}); every other sink writes files of its own under the
 * output directory, and must write each file whole (a rerun of a failed task may write it again).
 *
 * <p>A new format is one class implementing this and one constant in {@link OutputFormat}.
 */
public interface OutputSink extends Serializable {

    /** Takes one level of one image; {@code conf} is the driver's Hadoop configuration. */
    void write(ImageLevel level, Configuration conf) throws IOException;

    /** The dataset's {@code pixels} value for {@code level} (1 and up), or {@code null}. */
    default byte[] rowPixels(ImageLevel level) {
        return null;
    }
}
