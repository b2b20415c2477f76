package org.sparkpooling.pipeline;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Tensor;

/**
 * The executor side of a run: for each listed file of a partition, read and decode it, make its
 * levels one from the other, write PNGs when asked, and hand the writer one row per level, lazily,
 * so a task holds one image and one level at a time whatever the partition's size. A file that
 * fails becomes an {@link ErrorRecord}; nothing thrown by one image stops the others.
 *
 * <p>Times: decode (open, read, decode, convert to planes), pool (kernel, rounding), write (PNG
 * encoding and the interleaving of the pixels column here; the Parquet writer's own time is the
 * rest of the task's wall time, added when the task completes).
 */
public final class ImagePartition implements FlatMapFunction<Iterator<InputFile>, Row> {

    private static final long serialVersionUID = 1L;

    private final DownsampleSpec spec;
    private final List<OutputSink> sinks;
    private final RunStats stats;
    private final CollectionAccumulator<ErrorRecord> errors;
    /** The driver's Hadoop settings (spark.hadoop.*, core-site.xml), so executors open files as the driver listed them. */
    private final SerializableWritable<Configuration> hadoop;
    private final InputKind kind;

    /** {@code kind}: images, or {@code .npy} files (each read whole, streamed, on the executor). */
    public ImagePartition(InputKind kind, DownsampleSpec spec, List<OutputSink> sinks, RunStats stats,
            CollectionAccumulator<ErrorRecord> errors, Configuration hadoop) {
        if (kind == InputKind.TENSORS) {
            throw new IllegalArgumentException("a tensor dataset is read by TensorPartition, not as files");
        }
        this.kind = kind;
        this.hadoop = new SerializableWritable<>(new Configuration(hadoop));
        this.spec = spec;
        this.sinks = List.copyOf(sinks);
        this.stats = stats;
        this.errors = errors;
    }

    @Override
    public Iterator<Row> call(Iterator<InputFile> files) {
        long start = System.nanoTime();
        RunStats.Totals totals = new RunStats.Totals();
        LevelRows.reportOnCompletion(stats, totals, start);
        return new Rows(files, totals, new Pyramid(spec, Pyramid.defaultKernel()), hadoop.value());
    }

    private final class Rows extends LevelRows<InputFile> {
        private final Configuration conf;

        Rows(Iterator<InputFile> files, RunStats.Totals totals, Pyramid pyramid, Configuration conf) {
            super(files, totals, pyramid, spec, sinks, conf, errors);
            this.conf = conf;
        }

        @Override
        Source open(InputFile file) throws BadImageException {
            Path p = new Path(file.path());
            try (FSDataInputStream in = p.getFileSystem(conf).open(p)) {
                if (kind == InputKind.NPY) {
                    if (file.length() == 0) {
                        throw new BadImageException("empty file (0 bytes)");
                    }
                    Tensor t;
                    try {
                        t = Npy.read(in, file.relativePath());
                    } catch (IllegalArgumentException e) {
                        throw new BadImageException("npy: " + e.getMessage(), e);
                    }
                    return Source.tensor(file.relativePath(), file.length(), t, spec.maxPixels());
                }
                if (BandReaders.isTiff(in, file.length())) {
                    Source tiff = tiffByBandReader(file, p);
                    if (tiff != null) {
                        return tiff;
                    }
                }
                return Source.image(file.relativePath(), file.length(), ImageDecoder.decode(in, file.length(),
                        spec.maxPixels(), spec.taskPixels()));
            } catch (TooLargeForTask e) {
                return banded(file, p);
            } catch (IOException e) {
                throw new BadImageException("read failed: " + e, e);
            }
        }

        /**
         * A TIFF the band reader takes: in bands when it exceeds the budget (then ImageIO is never
         * asked for a header), whole when ImageIO's TIFF reader may not read it: 16- or 32-bit
         * samples (with a predictor, which deflated label images have, ImageIO refuses both) and
         * BigTIFF. {@code null} for any other TIFF, and for one the band
         * reader cannot open, which ImageIO then reads or names the reason for, as before.
         */
        private Source tiffByBandReader(InputFile file, Path p) throws BadImageException {
            BandReader reader;
            try {
                reader = BandReaders.open(p.getFileSystem(conf).open(p), file.length(), spec.maxPixels());
            } catch (IOException | BadImageException e) {
                return null;
            }
            boolean handedOver = false;
            try {
                if ((long) reader.width() * reader.height() > spec.taskPixels()) {
                    handedOver = true;
                    return Source.banded(file.relativePath(), file.length(), reader);
                }
                boolean imageIoReads = reader.bitDepth() == 8
                        && !(reader instanceof TiffBandReader t && t.bigTiff());
                if (imageIoReads) {
                    return null;
                }
                return Source.image(file.relativePath(), file.length(), reader.readRows(0, reader.height()));
            } finally {
                if (!handedOver) {
                    try {
                        reader.close();
                    } catch (IOException ignored) {
                        // the samples are read; a close error loses nothing
                    }
                }
            }
        }

        /** An image above the task budget, opened again for reading in bands (the reader owns the stream). */
        private Source banded(InputFile file, Path p) throws BadImageException {
            FSDataInputStream in;
            try {
                in = p.getFileSystem(conf).open(p);
            } catch (IOException e) {
                throw new BadImageException("read failed: " + e, e);
            }
            BandReader reader = BandReaders.open(in, file.length(), spec.maxPixels());
            return Source.banded(file.relativePath(), file.length(), reader);
        }

        @Override
        String errorPath(InputFile file) {
            return file.relativePath();
        }

    }
}
