package org.sparkpooling.pipeline;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A PNG per image and level (1 and up) under {@code png/level=L/}, at the image's relative path with
 * its extension replaced: {@code png/level=1/a/b.png} for {@code a/b.jpg}. Same channels and bit
 * depth as the level; integer samples only ({@link OutputFormat#integerSamplesOnly}).
 */
final class PngSink implements OutputSink {

    private static final long serialVersionUID = 1L;

    private final String outputDir;

    PngSink(String outputDir) {
        this.outputDir = outputDir;
    }

    @Override
    public void write(ImageLevel level, Configuration conf) throws IOException {
        if (level.level() == 0) {
            return; // the input itself is not copied
        }
        if (!(level.pixels() instanceof IntLevel samples)) {
            throw new IllegalArgumentException("float planes have no PNG form: " + level.image());
        }
        Path out = new Path(outputDir, path(level.image(), level.level()));
        FileSystem fs = out.getFileSystem(conf);
        // Hadoop's local file system would also checksum every byte into a .crc file beside it:
        // the PNG carries its own CRCs, and the raw file system writes the same bytes faster.
        if (fs instanceof LocalFileSystem local) {
            fs = local.getRaw();
        }
        try (OutputStream os = new BufferedOutputStream(fs.create(out, true), 1 << 16)) {
            PngEncoder.write(samples.image(), os);
        }
    }

    /** Where the PNG of {@code image} at {@code level} goes, under the output directory. */
    static String path(String image, int level) {
        String rel = image;
        int slash = rel.lastIndexOf('/');
        int dot = rel.lastIndexOf('.');
        if (dot > slash + 1) {
            rel = rel.substring(0, dot);
        }
        return "png/level=" + level + "/" + rel + ".png";
    }
}
