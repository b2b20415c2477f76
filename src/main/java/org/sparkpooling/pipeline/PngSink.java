package org.sparkpooling.pipeline;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A PNG per image and level (1 and up) under {@code png/level=L/}, at the image's relative path with
 * its extension replaced: {@code png/level=1/a/b.png} for {@code a/b.jpg}. Same channels and bit
 * depth as the level; integer samples only ({@link OutputFormat#integerSamplesOnly}). A level that
 * comes in bands is encoded as its bands come ({@link PngEncoder.Stream}), one open file per level;
 * one made in stripes by several tasks is written as parts by each and joined by one
 * ({@link #openStripe}, {@link #joinStripes}).
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

    /** 32-bit samples (integer label ids) and more than four channels have no PNG form. */
    @Override
    public String refuses(int channels, int bitDepth) {
        if ((bitDepth == 8 || bitDepth == 16) && channels >= 1 && channels <= 4) {
            return null;
        }
        return "png: " + channels + " channels of " + bitDepth + "-bit samples have no PNG form (8 or 16 bits, 1 to 4"
                + " channels); not written (--format zarr or parquet holds them)";
    }

    /**
     * A stripe's writer: each band of a level is a {@link PngParts} part under the image's parts
     * directory, {@code png/LEVEL/STRIPE-BAND} (numbers zero-padded, so names sort in row order),
     * written whole or not at all. Its bands are deflated here, in the stripe's task, so the join
     * only copies.
     */
    @Override
    public LevelWriter openStripe(Configuration conf, String partsDir, int stripe) {
        return new LevelWriter() {
            private final Map<Integer, Integer> bands = new HashMap<>();

            @Override
            public void write(ImageLevel band) throws IOException {
                if (band.level() == 0) {
                    return;
                }
                if (!(band.pixels() instanceof IntLevel samples)) {
                    throw new IllegalArgumentException("float planes have no PNG form: " + band.image());
                }
                int k = bands.merge(band.level(), 1, Integer::sum) - 1;
                Path part = new Path(partsDir, String.format(Locale.ROOT, "png/%d/%06d-%06d", band.level(),
                        stripe, k));
                FileSystem fs = OutputFiles.fileSystem(part, conf);
                Path temp = OutputFiles.temp(part);
                try (OutputStream os = new BufferedOutputStream(fs.create(temp, true), 1 << 16)) {
                    PngParts.writePart(samples.image(), os);
                }
                OutputFiles.replace(fs, temp, part);
            }
        };
    }

    /** The PNG of {@code level}: its parts from every stripe, in row order, joined into one file. */
    @Override
    public void joinStripes(Configuration conf, String partsDir, String image, int level, int height, int width,
            int channels, int bitDepth) throws IOException {
        Path dir = new Path(partsDir, "png/" + level);
        FileSystem fs = OutputFiles.fileSystem(dir, conf);
        List<Path> parts = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            if (!st.getPath().getName().startsWith(".")) {
                parts.add(st.getPath());
            }
        }
        parts.sort(Comparator.comparing(Path::getName));
        List<PngParts.Opener> openers = new ArrayList<>();
        for (Path p : parts) {
            openers.add(() -> fs.open(p));
        }
        Path out = new Path(outputDir, path(image, level));
        Path temp = OutputFiles.temp(out);
        try (OutputStream os = new BufferedOutputStream(fs.create(temp, true), 1 << 16)) {
            PngParts.assembleFrom(height, width, channels, bitDepth, openers, os);
        } catch (IOException | RuntimeException e) {
            fs.delete(temp, false);
            throw e;
        }
        OutputFiles.replace(fs, temp, out);
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
        private final List<Path> lastFiles = new ArrayList<>();

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
            FileSystem fs = OutputFiles.fileSystem(out, conf);
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
