package org.sparkpooling.pipeline;

import org.apache.hadoop.conf.Configuration;

/**
 * The Parquet dataset: each level's samples, interleaved, in the {@code pixels} column of its row
 * (the rows themselves are always written; see {@link OutputSink}).
 */
final class ParquetSink implements OutputSink {

    private static final long serialVersionUID = 1L;

    @Override
    public void write(ImageLevel level, Configuration conf) {
        // Nothing of its own: its bytes go into the rows the job writes.
    }

    @Override
    public byte[] rowPixels(ImageLevel level) {
        return level.pixels().interleavedBytes();
    }
}
