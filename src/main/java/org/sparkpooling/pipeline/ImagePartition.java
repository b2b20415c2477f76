package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SerializableWritable;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;

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
    private final OutputFormat format;
    private final String outputDir;
    private final RunStats stats;
    private final CollectionAccumulator<ErrorRecord> errors;
    /** The driver's Hadoop settings (spark.hadoop.*, core-site.xml), so executors open files as the driver listed them. */
    private final SerializableWritable<Configuration> hadoop;

    public ImagePartition(DownsampleSpec spec, OutputFormat format, String outputDir, RunStats stats,
            CollectionAccumulator<ErrorRecord> errors, Configuration hadoop) {
        this.hadoop = new SerializableWritable<>(new Configuration(hadoop));
        this.spec = spec;
        this.format = format;
        this.outputDir = outputDir;
        this.stats = stats;
        this.errors = errors;
    }

    @Override
    public Iterator<Row> call(Iterator<InputFile> files) {
        long start = System.nanoTime();
        RunStats.Totals totals = new RunStats.Totals();
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener(ctx -> {
                long measured = totals.decodeNanos + totals.poolNanos + totals.writeNanos;
                totals.writeNanos += Math.max(0, System.nanoTime() - start - measured);
                stats.add(totals);
            });
        }
        return new Rows(files, totals, new Pyramid(spec, Pyramid.defaultKernel()), hadoop.value());
    }

    private final class Rows implements Iterator<Row> {
        private final Iterator<InputFile> files;
        private final RunStats.Totals totals;
        private final Pyramid pyramid;
        private final Configuration conf;
        private final ArrayDeque<Row> ready = new ArrayDeque<>(1);
        private InputFile current;
        private Planes level;
        private int levelNo;
        private int levelCount;

        Rows(Iterator<InputFile> files, RunStats.Totals totals, Pyramid pyramid, Configuration conf) {
            this.files = files;
            this.totals = totals;
            this.pyramid = pyramid;
            this.conf = conf;
        }

        @Override
        public boolean hasNext() {
            while (ready.isEmpty()) {
                if (current != null && levelNo < levelCount) {
                    advance();
                } else if (files.hasNext()) {
                    open(files.next());
                } else {
                    return false;
                }
            }
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return ready.poll();
        }

        private void open(InputFile file) {
            current = null;
            level = null;
            long t0 = System.nanoTime();
            try {
                Path p = new Path(file.path());
                Planes base;
                try (FSDataInputStream in = p.getFileSystem(conf).open(p)) {
                    base = ImageDecoder.decode(in, file.length(), spec.maxPixels());
                } catch (IOException e) {
                    throw new BadImageException("read failed: " + e, e);
                }
                int count = spec.levelCount(base.height(), base.width());
                if (count == 0) {
                    throw new BadImageException(base.width() + "x" + base.height() + " is too small for one "
                            + spec.factor() + "x" + spec.factor() + " level with edge " + spec.edge().label());
                }
                current = file;
                level = base;
                levelNo = 0;
                levelCount = count;
                totals.pooled++;
                totals.inputPixels += (long) base.width() * base.height();
                totals.inputBytes += file.length();
            } catch (BadImageException e) {
                fail(file, e.getMessage());
            } catch (RuntimeException e) {
                fail(file, "internal error: " + e);
            } finally {
                totals.decodeNanos += System.nanoTime() - t0;
            }
        }

        private void fail(InputFile file, String reason) {
            totals.errors++;
            errors.add(new ErrorRecord(file.relativePath(), reason));
        }

        /** Makes the next level of the current image and queues its row. */
        private void advance() {
            long t0 = System.nanoTime();
            level = pyramid.next(level);
            levelNo++;
            long t1 = System.nanoTime();
            totals.poolNanos += t1 - t0;
            totals.levelImages[levelNo]++;
            totals.levelPixels[levelNo] += (long) level.width() * level.height();
            if (format.png()) {
                Path out = new Path(outputDir, current.pngPath(levelNo));
                try (OutputStream os = out.getFileSystem(conf).create(out, true)) {
                    PngEncoder.write(level, os);
                } catch (IOException e) {
                    // The output directory, not the image, is at fault: fail the task so Spark retries it.
                    throw new java.io.UncheckedIOException("cannot write " + out, e);
                }
            }
            byte[] pixels = format.parquet() ? level.interleavedBytes() : null;
            ready.add(RowFactory.create(current.relativePath(), levelNo, level.height(), level.width(),
                    level.channels(), level.bitDepth(), pixels));
            totals.writeNanos += System.nanoTime() - t1;
            if (levelNo == levelCount) {
                current = null;
                level = null;
            }
        }
    }
}
