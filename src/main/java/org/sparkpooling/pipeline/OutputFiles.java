package org.sparkpooling.pipeline;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How the pipeline writes a file of its own on a Hadoop file system: under a hidden temporary name
 * beside the target ({@link #temp}), then renamed over it ({@link #replace}), so a reader, a rerun of
 * a failed task or a speculative twin sees the old file or the new one, never half of one; and on a
 * local disk through the raw file system ({@link #fileSystem}).
 */
final class OutputFiles {

    /** Marks a temporary file; readers skip hidden names, and cleanup ({@link ZarrClaims}, {@link DatasetFiles}) knows them. */
    static final String TEMP_MARK = ".tmp-";

    private OutputFiles() {
    }

    /** A hidden sibling of {@code target}, unique among the attempts that may write it at once. */
    static Path temp(Path target) {
        return new Path(target.getParent(), "." + target.getName() + TEMP_MARK + tempId());
    }

    static String tempId() {
        return Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
    }

    /** Whether {@code name} is one of {@link #temp}'s. */
    static boolean isTemp(String name) {
        return name.startsWith(".") && name.contains(TEMP_MARK);
    }

    /** {@code temp}, written whole, renamed over {@code target} (HDFS renames onto nothing only). */
    static void replace(FileSystem fs, Path temp, Path target) throws IOException {
        fs.delete(target, false);
        if (!fs.rename(temp, target)) {
            fs.delete(temp, false);
            throw new IOException("cannot rename " + temp + " to " + target);
        }
    }

    /**
     * The file system that writes {@code p}: on a local disk the raw one, since Hadoop's local file
     * system would also checksum every byte into a {@code .crc} file beside it.
     */
    static FileSystem fileSystem(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }
}
