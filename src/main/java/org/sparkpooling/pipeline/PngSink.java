package org.sparkpooling.pipeline;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A PNG per image and level (1 and up) under {@code png/level=L/}, at the image's relative path with
 * its extension replaced: {@code png/level=1/a/b.png} for {@code a/b.jpg}. Same channels and bit
 * depth as the level; integer samples only ({@link OutputFormat#integerSamplesOnly}). A level that
 * comes in bands is encoded as its bands come ({@link PngEncoder.Stream}), one open file per level.
 */
final class PngSink implements OutputSink {

    private static final long serialVersionUID = 1L;

    private final String outputDir;

    PngSink(String outputDir) {
        this.outputDir = outputDir;
    }

    @Override
    public LevelWriter open(Configuration conf) {
        return new Writer(conf);
    }

    @Override
    public void remove(String image, int levels, Configuration conf) throws IOException {
        for (int l = 1; l <= levels; l++) {
            Path p = new Path(outputDir, path(image, l));
            p.getFileSystem(conf).delete(p, false);
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

    private final class Writer implements LevelWriter {
        private final Configuration conf;
        /** The PNGs being written band by band, by level (an image's levels are open at once). */
        private final Map<Integer, Open> open = new HashMap<>();
        /** The image whose levels were written last, and their files: what {@link #discard} removes. */
        private String lastImage;
        private final java.util.List<Path> lastFiles = new java.util.ArrayList<>();

        Writer(Configuration conf) {
            this.conf = conf;
        }

        @Override
        public void write(ImageLevel band) throws IOException {
            if (band.level() == 0) {
                return; // the input itself is not copied
            }
            if (!(band.pixels() instanceof IntLevel samples)) {
                throw new IllegalArgumentException("float planes have no PNG form: " + band.image());
            }
            Open png = band.y0() == 0 ? start(band, samples) : open.get(band.level());
            if (png == null || !png.image.equals(band.image())) {
                throw new IllegalStateException("band at row " + band.y0() + " of level " + band.level() + " of "
                        + band.image() + " came before its first band");
            }
            png.stream.rows(samples.image());
            if (band.isLast()) {
                open.remove(band.level());
                png.close();
            }
        }

        private Open start(ImageLevel band, IntLevel samples) throws IOException {
            Path out = new Path(outputDir, path(band.image(), band.level()));
            if (!band.image().equals(lastImage)) {
                lastImage = band.image();
                lastFiles.clear();
            }
            lastFiles.add(out);
            FileSystem fs = out.getFileSystem(conf);
            // Hadoop's local file system would also checksum every byte into a .crc file beside it:
            // the PNG carries its own CRCs, and the raw file system writes the same bytes faster.
            if (fs instanceof LocalFileSystem local) {
                fs = local.getRaw();
            }
            OutputStream os = new BufferedOutputStream(fs.create(out, true), 1 << 16);
            Open png = new Open(band.image(), os, new PngEncoder.Stream(os, band.height(), samples.width(),
                    samples.channels(), samples.bitDepth()));
            Open before = open.put(band.level(), png);
            if (before != null) {
                before.abandon();
                throw new IllegalStateException("level " + band.level() + " of " + before.image + " did not end");
            }
            return png;
        }

        @Override
        public void discard(String image) throws IOException {
            open.values().removeIf(png -> {
                if (png.image.equals(image)) {
                    png.abandon();
                    return true;
                }
                return false;
            });
            if (image.equals(lastImage)) {
                for (Path p : lastFiles) {
                    p.getFileSystem(conf).delete(p, false);
                }
                lastFiles.clear();
                lastImage = null;
            }
        }

        @Override
        public void close() throws IOException {
            for (Open png : open.values()) {
                png.abandon(); // a level that did not end: the task failed part-way
            }
            open.clear();
        }
    }

    private record Open(String image, OutputStream os, PngEncoder.Stream stream) {
        void close() throws IOException {
            try {
                stream.close();
            } finally {
                os.close();
            }
        }

        void abandon() {
            try {
                os.close();
            } catch (IOException ignored) {
                // the task is failing already; its rerun rewrites the file
            }
        }
    }
}
