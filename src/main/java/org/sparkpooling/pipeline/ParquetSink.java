package org.sparkpooling.pipeline;

import org.apache.hadoop.conf.Configuration;

/**
 * The Parquet dataset: each whole level's samples, interleaved, in the {@code pixels} column of its
 * row (the rows themselves are always written; see {@link OutputSink}). A level that comes in bands
 * (an image larger than a task's budget) has no single value to hold it: its row's pixels are null,
 * and its samples are in the other formats.
 */
final class ParquetSink implements OutputSink {

    private static final long serialVersionUID = 1L;

    @Override
    public LevelWriter open(Configuration conf) {
        return new LevelWriter() {
            @Override
            public void write(ImageLevel band) {
                // Nothing of its own: its bytes go into the rows the job writes.
            }

            @Override
            public byte[] rowPixels(ImageLevel whole) {
                return whole.pixels().interleavedBytes();
            }
        };
    }
}
