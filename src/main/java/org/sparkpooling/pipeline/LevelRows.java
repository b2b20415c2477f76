package org.sparkpooling.pipeline;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.sparkpooling.tensor.IntImage;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The rows of one partition, made lazily: each input record (an image file, a {@code .npy} file, a
 * tensor row) is opened into its images, and each image's levels are made one from the other and
 * handed out one row at a time, so a task holds one record, one image and one level at a time. A
 * record that fails to open becomes an {@link ErrorRecord}; nothing thrown by one record stops the
 * others. Counts are per record: {@code inputs = pooled + errors}; a tensor's N images all pool or
 * the record is one error (they share a shape, so they share every reason to fail).
 */
abstract class LevelRows<T> implements Iterator<Row> {

    /** One opened record: {@code count} images, made on demand, with their dataset paths. */
    abstract static class Source {
        final String path;
        final long bytes;
        final int count;
        final int height;
        final int width;

        Source(String path, long bytes, int count, int height, int width) {
            this.path = path;
            this.bytes = bytes;
            this.count = count;
            this.height = height;
            this.width = width;
        }

        abstract LevelImage image(int k);

        abstract String name(int k);

        static Source image(String path, long bytes, IntImage p) {
            return new Source(path, bytes, 1, p.height(), p.width()) {
                @Override
                LevelImage image(int k) {
                    return new IntLevel(p);
                }

                @Override
                String name(int k) {
                    return path;
                }
            };
        }

        /**
         * A float tensor's N images, each its C planes copied out when its turn comes; named
         * {@code path#n}. The {@code maxPixels} rule holds per image ({@code H * W}).
         */
        static Source tensor(String path, long bytes, Tensor t, long maxPixels) throws BadImageException {
            Shape s = t.shape();
            if ((long) s.h() * s.w() > maxPixels) {
                throw new BadImageException("tensor " + s + ": " + s.h() + "x" + s.w() + " (" + (long) s.h() * s.w()
                        + " pixels) exceeds max pixels (" + maxPixels + ")");
            }
            int image = s.c() * s.h() * s.w();
            float[] data = t.data();
            return new Source(path, bytes, s.n(), s.h(), s.w()) {
                @Override
                LevelImage image(int k) {
                    return new Planes(s.c(), s.h(), s.w(), Planes.FLOAT_DEPTH,
                            Arrays.copyOfRange(data, k * image, (k + 1) * image));
                }

                @Override
                String name(int k) {
                    return path + "#" + k;
                }
            };
        }
    }

    private final Iterator<T> inputs;
    private final RunStats.Totals totals;
    private final Pyramid pyramid;
    private final DownsampleSpec spec;
    private final List<OutputSink> sinks;
    /** This task's writers, one per sink, opened at the first level and closed when the task ends. */
    private List<LevelWriter> writers;
    private final Configuration conf;
    private final CollectionAccumulator<ErrorRecord> errors;
    private final ArrayDeque<Row> ready = new ArrayDeque<>(1);
    private Source current;
    private int imageNo;
    private LevelImage level;
    private int levelNo;
    private int levelCount;

    LevelRows(Iterator<T> inputs, RunStats.Totals totals, Pyramid pyramid, DownsampleSpec spec, List<OutputSink> sinks,
            Configuration conf, CollectionAccumulator<ErrorRecord> errors) {
        this.inputs = inputs;
        this.totals = totals;
        this.pyramid = pyramid;
        this.spec = spec;
        this.sinks = List.copyOf(sinks);
        this.conf = conf;
        this.errors = errors;
    }

    /** Reads and decodes one record; every way it can be bad is a {@link BadImageException}. */
    abstract Source open(T input) throws BadImageException;

    /** The record's path in the errors dataset. */
    abstract String errorPath(T input);

    /**
     * Adds the task's totals to the run's once the task completes, with the time not measured
     * inside the iterator (the Parquet writer's) counted as write time.
     */
    static void reportOnCompletion(RunStats stats, RunStats.Totals totals, long start) {
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener(ctx -> {
                long measured = totals.decodeNanos + totals.poolNanos + totals.writeNanos;
                totals.writeNanos += Math.max(0, System.nanoTime() - start - measured);
                stats.add(totals);
            });
        }
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty()) {
            if (current != null) {
                advance();
            } else if (inputs.hasNext()) {
                openNext(inputs.next());
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

    private void openNext(T input) {
        current = null;
        level = null;
        long t0 = System.nanoTime();
        try {
            Source source = open(input);
            int count = spec.levelCount(source.height, source.width);
            if (count == 0) {
                throw new BadImageException(source.width + "x" + source.height + " is too small for one "
                        + spec.factor() + "x" + spec.factor() + " level with edge " + spec.edge().label());
            }
            if (source.count == 0) {
                throw new BadImageException("tensor holds no images (N = 0)");
            }
            current = source;
            imageNo = 0;
            levelCount = count;
            totals.pooled++;
            totals.inputPixels += (long) source.count * source.width * source.height;
            totals.inputBytes += source.bytes;
        } catch (BadImageException e) {
            fail(input, e.getMessage());
        } catch (RuntimeException e) {
            fail(input, "internal error: " + e);
        } finally {
            totals.decodeNanos += System.nanoTime() - t0;
        }
        if (current != null) {
            startImage(); // outside the try: a sink that cannot write fails the task, not the image
        }
    }

    private void fail(T input, String reason) {
        totals.errors++;
        errors.add(new ErrorRecord(errorPath(input), reason));
    }

    /** Level 0 of the current image: what every sink sees first. */
    private void startImage() {
        long t0 = System.nanoTime();
        level = current.image(imageNo);
        levelNo = 0;
        long t1 = System.nanoTime();
        totals.decodeNanos += t1 - t0;
        write(ImageLevel.whole(current.name(imageNo), 0, levelCount, level));
        totals.writeNanos += System.nanoTime() - t1;
    }

    /** Makes the next level of the current image, queues its row, and moves to the next image when done. */
    private void advance() {
        long t0 = System.nanoTime();
        level = pyramid.next(level);
        levelNo++;
        long t1 = System.nanoTime();
        totals.poolNanos += t1 - t0;
        totals.levelImages[levelNo]++;
        totals.levelPixels[levelNo] += (long) level.width() * level.height();
        ImageLevel made = ImageLevel.whole(current.name(imageNo), levelNo, levelCount, level);
        byte[] pixels = write(made);
        ready.add(RowFactory.create(made.image(), levelNo, level.height(), level.width(), level.channels(),
                level.bitDepth(), pixels));
        long t2 = System.nanoTime();
        totals.writeNanos += t2 - t1;
        if (levelNo == levelCount) {
            if (++imageNo < current.count) {
                startImage();
            } else {
                current = null;
                level = null;
            }
        }
    }

    /** Hands {@code made} to every sink's writer; returns the dataset row's pixels (the Parquet sink's), or null. */
    private byte[] write(ImageLevel made) {
        byte[] pixels = null;
        try {
            for (LevelWriter w : writers()) {
                w.write(made);
                byte[] p = made.level() == 0 ? null : w.rowPixels(made);
                if (p != null) {
                    pixels = p;
                }
            }
        } catch (IOException e) {
            // The output, not the image, is at fault: fail the task so Spark retries it.
            throw new java.io.UncheckedIOException("cannot write level " + made.level() + " of " + made.image(), e);
        }
        return pixels;
    }

    private List<LevelWriter> writers() throws IOException {
        if (writers == null) {
            List<LevelWriter> open = new ArrayList<>();
            for (OutputSink sink : sinks) {
                open.add(sink.open(conf));
            }
            writers = open;
            TaskContext task = TaskContext.get();
            if (task != null) {
                task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> closeWriters());
            }
        }
        return writers;
    }

    /** Ends the task's writers; a task that did not reach its end of rows closes them here too. */
    void closeWriters() {
        if (writers == null) {
            return;
        }
        IOException first = null;
        for (LevelWriter w : writers) {
            try {
                w.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        writers = null;
        if (first != null) {
            throw new java.io.UncheckedIOException("cannot finish the task's outputs", first);
        }
    }
}
