package org.sparkpooling.pipeline;

import java.io.Closeable;
import java.io.IOException;

/**
 * One task's writer of one format ({@link OutputSink#open}): it sees every band of every level of
 * the task's images ({@link ImageLevel}), and is closed when the task's rows are done. A file it
 * writes must be written whole (a failed task's rerun may write it again), and no file may be
 * written by two tasks.
 */
public interface LevelWriter extends Closeable {

    /** Takes the next band of a level; a level's bands come in order, top first. */
    void write(ImageLevel band) throws IOException;

    /**
     * The dataset's {@code pixels} value for a whole level (1 and up), or {@code null}: only the
     * Parquet writer gives one; every other writer writes files of its own.
     */
    default byte[] rowPixels(ImageLevel whole) {
        return null;
    }

    /** The task's images are done: finish what is open. */
    @Override
    default void close() throws IOException {
    }
}
