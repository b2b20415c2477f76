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
        final int channels;
        final int bitDepth;

        Source(String path, long bytes, int count, int height, int width, int channels, int bitDepth) {
            this.path = path;
            this.bytes = bytes;
            this.count = count;
            this.height = height;
            this.width = width;
            this.channels = channels;
            this.bitDepth = bitDepth;
        }

        abstract LevelImage image(int k);

        abstract String name(int k);

        /** The reader of an image too large to hold whole, read band by band; null for whole images. */
        BandReader bands() {
            return null;
        }

        /**
         * An image above the task budget: one image, read {@code bands.readRows} at a time and made
         * band by band ({@link BandPyramid}).
         */
        static Source banded(String path, long bytes, BandReader bands) {
            return new Source(path, bytes, 1, bands.height(), bands.width(), bands.channels(), bands.bitDepth()) {
                @Override
                LevelImage image(int k) {
                    throw new IllegalStateException(path + " is read in bands, not whole");
                }

                @Override
                String name(int k) {
                    return path;
                }

                @Override
                BandReader bands() {
                    return bands;
                }
            };
        }

        static Source image(String path, long bytes, IntImage p) {
            return new Source(path, bytes, 1, p.height(), p.width(), p.channels(), p.bitDepth()) {
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
            return new Source(path, bytes, s.n(), s.h(), s.w(), s.c(), Planes.FLOAT_DEPTH) {
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
    private T currentInput;
    /** The current image's state when it is made in bands; null for whole images. */
    private Banded banded;
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
            for (OutputSink sink : sinks) {
                String refused = sink.refuses(source.channels, source.bitDepth);
                if (refused != null) {
                    throw new BadImageException(refused);
                }
            }
            current = source;
            currentInput = input;
            imageNo = 0;
            levelCount = count;
            if (source.bands() != null) {
                banded = new Banded(source, count);
                return; // counted when its last band is made: a bad band makes it an error row instead
            }
            totals.pooled++;
            totals.inputPixels += (long) source.count * source.width * source.height;
            totals.inputBytes += source.bytes;
        } catch (BadImageException e) {
            closeQuietly(input);
            fail(input, e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(input);
            fail(input, "internal error: " + e);
        } finally {
            totals.decodeNanos += System.nanoTime() - t0;
        }
        if (current != null && banded == null) {
            startImage(); // outside the try: a sink that cannot write fails the task, not the image
        }
    }

    /** The reader of a source that failed before it was taken; nothing else holds it. */
    private void closeQuietly(T input) {
        if (current != null && current.bands() != null) {
            try {
                current.bands().close();
            } catch (java.io.IOException ignored) {
                // already failing; the reason is the error row's
            }
        }
        current = null;
        banded = null;
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
        if (banded != null) {
            banded.next();
            return;
        }
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

    /**
     * The image being made in bands: the next level-0 band is read and pushed through the
     * {@link BandPyramid} per call, so the task holds one band and the carries. A level small enough
     * to hold (a quarter of the task budget) is gathered and handed to the sinks whole, with its
     * samples in the dataset's row; a larger one goes to the sinks band by band and its row's pixels
     * are null (no single Parquet value could hold it). Rows are queued only when the whole image is
     * made, so an image that fails part-way leaves no row, and the sinks discard what they wrote.
     */
    private final class Banded {
        private final Source source;
        private final BandReader reader;
        private final BandPyramid pyramid;
        private final int bandRows;
        private final IntImage[] gathered;
        private final byte[][] pixels;
        private final int[] widths;
        private int y;

        Banded(Source source, int levels) throws BadImageException {
            this.source = source;
            this.reader = source.bands();
            this.bandRows = spec.bandRows(reader.width(), reader.channels(), reader.rowAlignment());
            this.pyramid = new BandPyramid(spec, source.name(0), reader.height(), reader.width(), levels, this::take);
            this.gathered = new IntImage[levels + 1];
            this.pixels = new byte[levels + 1][];
            this.widths = new int[levels + 1];
        }

        void next() {
            long t0 = System.nanoTime();
            int rows = Math.min(bandRows, source.height - y);
            IntImage band;
            try {
                band = reader.readRows(y, rows);
            } catch (BadImageException | RuntimeException e) {
                totals.decodeNanos += System.nanoTime() - t0;
                abandon(e instanceof BadImageException ? e.getMessage() : "internal error: " + e);
                return;
            }
            long t1 = System.nanoTime();
            totals.decodeNanos += t1 - t0;
            long writesBefore = totals.writeNanos;
            try {
                pyramid.push(band);
                y += rows;
                if (y == source.height) {
                    pyramid.finish();
                    complete();
                }
            } catch (java.io.IOException e) {
                // The output, not the image, is at fault: fail the task so Spark retries it.
                throw new java.io.UncheckedIOException("cannot write " + source.name(0), e);
            } finally {
                totals.poolNanos += System.nanoTime() - t1 - (totals.writeNanos - writesBefore);
            }
        }

        /** One band of one level from the pyramid: to the sinks, or gathered when the level is small. */
        private void take(ImageLevel band) {
            long t0 = System.nanoTime();
            int l = band.level();
            widths[l] = band.pixels().width();
            boolean small = l > 0 && spec.heldWhole((long) band.height() * band.pixels().width());
            if (!small) {
                write(band);
            } else {
                IntImage rows = ((IntLevel) band.pixels()).image();
                gathered[l] = gathered[l] == null ? rows : BandPyramid.concat(gathered[l], rows);
                if (band.isLast()) {
                    pixels[l] = write(ImageLevel.whole(band.image(), l, band.levels(), new IntLevel(gathered[l])));
                    gathered[l] = null;
                }
            }
            totals.writeNanos += System.nanoTime() - t0;
        }

        private void complete() {
            String name = source.name(0);
            for (int l = 1; l <= levelCount; l++) {
                totals.levelImages[l]++;
                totals.levelPixels[l] += (long) widths[l] * pyramid.height(l);
                ready.add(RowFactory.create(name, l, pyramid.height(l), widths[l], reader.channels(),
                        reader.bitDepth(), pixels[l]));
            }
            totals.pooled++;
            totals.inputPixels += (long) source.width * source.height;
            totals.inputBytes += source.bytes;
            close();
            current = null;
            banded = null;
        }

        private void abandon(String reason) {
            try {
                for (LevelWriter w : writers()) {
                    w.discard(source.name(0));
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot remove the outputs of " + source.name(0), e);
            }
            close();
            T input = currentInput;
            current = null;
            banded = null;
            fail(input, reason);
        }

        private void close() {
            try {
                reader.close();
            } catch (java.io.IOException ignored) {
                // read to the end or abandoned; nothing of the file is needed any more
            }
        }
    }
}
