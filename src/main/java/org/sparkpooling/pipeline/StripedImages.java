package org.sparkpooling.pipeline;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.sparkpooling.tensor.IntImage;

/**
 * One TIFF too large for a task, made by many tasks at once: its rows are cut into stripes, each
 * stripe a task that reads only its own tiles or strips and makes levels 1 to {@code m} of its
 * rows band by band ({@link BandPyramid} from the stripe's first row), where level {@code m} is
 * the first one small enough to hold whole ({@link DownsampleSpec#heldWhole}). A last task gathers
 * level {@code m} from the stripes, makes the levels above it whole, and gives the image's dataset
 * rows, so the image's rows are written (or not) in one batch, as every other image's are.
 *
 * <p>Why the output equals that of one task making the image band by band: a stripe starts at a
 * multiple of {@code factor^m} rows, so every level's windows start where the whole image's do, and
 * no window spans two stripes; and at a multiple of the Zarr chunk height times {@code factor^(m-1)},
 * so each stripe's rows of every level it writes are whole chunk rows, and no chunk has two writers.
 * The stripes' level-{@code m} rows wait for the gathering task as raw samples under {@code
 * _stripes/} in the output (a hidden name: Spark's readers skip it), removed when the batch is done.
 *
 * <p>What is striped: a file the band reader opens as TIFF or BigTIFF (random access: a stripe
 * costs only its own tiles), with more pixels than the task budget and at least two stripes, that
 * is at least 1/32 of the budget in bytes (1 MiB at the default): only such files are opened on the
 * driver, to read their header, so a directory of small images costs no driver reads. PNG and JPEG
 * are read forward from the top, so stripes of them would decode the rows above each stripe again;
 * they are made band by band in one task. A TIFF of over 32:1 compression (a label image, mostly
 * background) is too. A PNG file of a level the stripes make is one deflate stream: each stripe
 * deflates its bands as parts, and the gathering task joins them ({@link OutputSink#joinStripes}).
 *
 * <p>A stripe that finds a bad or truncated tile makes the whole image an error row: the gathering
 * task then removes what the stripes wrote ({@link OutputSink#remove}) and counts the error.
 */
final class StripedImages {

    /** The directory under the output that holds the stripes' level-m samples while a batch runs. */
    static final String DIR = "_stripes";

    private StripedImages() {
    }

    /**
     * One image's stripes: {@code stripeRows} rows of level 0 each (the last one shorter), levels 1
     * to {@code stripeLevels} made by the stripes, the rest, from level {@code stripeLevels} on, by
     * the gathering task when {@code gathered} (else the stripes make every level).
     */
    record Plan(InputFile file, int id, int height, int width, int channels, int bitDepth, int levels,
            int stripeLevels, boolean gathered, int stripeRows) implements Serializable {

        int stripes() {
            return (height + stripeRows - 1) / stripeRows;
        }

        int startRow(int stripe) {
            return stripe * stripeRows;
        }

        int endRow(int stripe) {
            return (int) Math.min(height, (long) (stripe + 1) * stripeRows);
        }

        /** Level heights 0 to {@code levels}, or widths with {@code width} as the first. */
        int[] sides(DownsampleSpec spec, int side0) {
            int[] s = new int[levels + 1];
            s[0] = side0;
            for (int l = 1; l <= levels; l++) {
                s[l] = spec.next(s[l - 1]);
            }
            return s;
        }
    }

    /** One task's work: stripe {@code index} of {@code plan}. */
    record Stripe(Plan plan, int index) implements Serializable {
    }

    /** What a stripe's task found: {@code reason} null when its rows were made, else why the image fails. */
    record Outcome(int id, int index, String reason) implements Serializable {
    }

    /** The gathering task's work: the plan, and the first failed stripe's reason, or null. */
    record Gather(Plan plan, String reason) implements Serializable {
    }

    /**
     * The files of {@code files} to stripe, each planned from its header, read here on the driver.
     * A file whose header cannot be read, or that a format refuses ({@link OutputSink#refuses}), is
     * not planned: its task names the reason, as for any image.
     *
     * @param chunk the Zarr chunk side, which the stripes' rows keep whole
     */
    static List<Plan> plan(Configuration conf, List<InputFile> files, DownsampleSpec spec, int chunk,
            List<OutputSink> sinks) {
        List<Plan> plans = new ArrayList<>();
        for (InputFile f : files) {
            if (!isTiffName(f.relativePath()) || f.length() < spec.taskPixels() / 32) {
                continue;
            }
            Plan p = plan(conf, f, plans.size(), spec, chunk);
            if (p != null && sinks.stream().allMatch(s -> s.refuses(p.channels(), p.bitDepth()) == null)) {
                plans.add(p);
            }
        }
        return plans;
    }

    private static Plan plan(Configuration conf, InputFile f, int id, DownsampleSpec spec, int chunk) {
        int height;
        int width;
        int channels;
        int bitDepth;
        Path path = new Path(f.path());
        try (BandReader r = BandReaders.open(path.getFileSystem(conf).open(path), f.length(), spec.maxPixels())) {
            if (!(r instanceof TiffBandReader)) {
                return null;
            }
            height = r.height();
            width = r.width();
            channels = r.channels();
            bitDepth = r.bitDepth();
        } catch (IOException | BadImageException e) {
            return null;
        }
        int levels = spec.levelCount(height, width);
        if ((long) height * width <= spec.taskPixels() || levels == 0) {
            return null;
        }
        int m = levels;
        boolean gathered = false;
        long h = height;
        long w = width;
        for (int l = 1; l <= levels; l++) {
            h = spec.next((int) h);
            w = spec.next((int) w);
            if (spec.heldWhole(h * w)) {
                m = l;
                gathered = true;
                break;
            }
        }
        // Levels below m are written by the stripes in whole chunk rows; level m too when nothing gathers it.
        long rows = chunk;
        long window = 1;
        for (int l = 1; l <= m; l++) {
            window *= spec.factor();
            if (l < m || !gathered) {
                rows *= spec.factor();
            }
            if (rows >= height || window >= height) {
                return null;
            }
        }
        rows = lcm(rows, window);
        if (rows >= height) {
            return null;
        }
        return new Plan(f, id, height, width, channels, bitDepth, levels, m, gathered, (int) rows);
    }

    private static long lcm(long a, long b) {
        long x = a;
        long y = b;
        while (y != 0) {
            long t = x % y;
            x = y;
            y = t;
        }
        return a / x * b;
    }

    private static boolean isTiffName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".tif") || n.endsWith(".tiff") || n.endsWith(".btf") || n.endsWith(".tf8");
    }

    /**
     * Runs {@code plans} as batch {@code b} of {@code batches}: one job of every stripe of every
     * image (a task each), then one of the gathering tasks, whose rows are the batch's write.
     */
    static void run(JavaSparkContext jsc, DownsampleSpec spec, String output, List<Plan> plans, List<OutputSink> sinks,
            BatchWriter writer, Configuration hadoop, PrintWriter out, int b, int batches) throws IOException {
        Path parts = new Path(output, DIR);
        FileSystem fs = parts.getFileSystem(hadoop);
        fs.delete(parts, true); // what a killed run left
        List<Stripe> stripes = new ArrayList<>();
        for (Plan p : plans) {
            out.printf(Locale.ROOT, "stripes: %s (%dx%d) in %d stripes of %d rows, levels 1-%d by the stripes%s%n",
                    p.file().relativePath(), p.width(), p.height(), p.stripes(), p.stripeRows(), p.stripeLevels()
                            - (p.gathered() ? 1 : 0), p.gathered() ? ", " + p.stripeLevels() + "-" + p.levels()
                            + " gathered" : "");
            for (int i = 0; i < p.stripes(); i++) {
                stripes.add(new Stripe(p, i));
            }
        }
        out.flush();
        RunStats stats = new RunStats();
        jsc.sc().register(stats, "downsample stats");
        CollectionAccumulator<ErrorRecord> errors = jsc.sc().collectionAccumulator("downsample errors");
        long t0 = System.nanoTime();
        List<Outcome> outcomes = jsc.parallelize(stripes, stripes.size())
                .mapPartitions(new Stripes(spec, sinks, stats, output, hadoop)).collect();
        out.printf(Locale.ROOT, "stripes: %d tasks in %.1f s%n", stripes.size(), (System.nanoTime() - t0) / 1e9);
        out.flush();
        Map<Integer, String> failed = new TreeMap<>();
        outcomes.stream().filter(o -> o.reason() != null).sorted(Comparator.comparingInt(Outcome::index))
                .forEach(o -> failed.putIfAbsent(o.id(), o.reason()));
        List<Gather> gathers = new ArrayList<>();
        for (Plan p : plans) {
            gathers.add(new Gather(p, failed.get(p.id())));
        }
        JavaRDD<Row> rows = jsc.parallelize(gathers, gathers.size())
                .mapPartitions(new Gathers(spec, sinks, stats, errors, output, hadoop));
        writer.write(rows, stats, errors, plans.size(), null, b, batches);
        fs.delete(parts, true);
    }

    /** The directory of an image's parts: what its stripes leave for the gathering task. */
    private static Path parts(String output, Plan p) {
        return new Path(output, DIR + "/" + p.id());
    }

    /** A stripe's level-m samples, waiting for the gathering task. */
    private static Path part(String output, Plan p, int stripe) {
        return new Path(parts(output, p), "level-m/" + stripe);
    }

    /** The executor side of the stripes: each stripe's rows read, pooled and handed to the sinks. */
    static final class Stripes implements FlatMapFunction<Iterator<Stripe>, Outcome> {
        private static final long serialVersionUID = 1L;

        private final DownsampleSpec spec;
        private final List<OutputSink> sinks;
        private final RunStats stats;
        private final String output;
        private final SerializableWritable<Configuration> hadoop;

        Stripes(DownsampleSpec spec, List<OutputSink> sinks, RunStats stats, String output, Configuration hadoop) {
            this.spec = spec;
            this.sinks = List.copyOf(sinks);
            this.stats = stats;
            this.output = output;
            this.hadoop = new SerializableWritable<>(new Configuration(hadoop));
        }

        @Override
        public Iterator<Outcome> call(Iterator<Stripe> stripes) {
            long start = System.nanoTime();
            RunStats.Totals totals = new RunStats.Totals();
            LevelRows.reportOnCompletion(stats, totals, start);
            List<Outcome> outcomes = new ArrayList<>();
            while (stripes.hasNext()) {
                Stripe s = stripes.next();
                try {
                    outcomes.add(new Outcome(s.plan().id(), s.index(), make(s, totals)));
                } catch (IOException e) {
                    // The output, not the image, is at fault: fail the task so Spark retries it.
                    throw new UncheckedIOException("cannot write stripe " + s.index() + " of "
                            + s.plan().file().relativePath(), e);
                }
            }
            return outcomes.iterator();
        }

        /** Makes one stripe; returns null, or the reason its image fails (a bad tile, a changed file). */
        private String make(Stripe s, RunStats.Totals t) throws IOException {
            Plan p = s.plan();
            Configuration conf = hadoop.value();
            String name = p.file().relativePath();
            long t0 = System.nanoTime();
            BandReader reader;
            try {
                Path path = new Path(p.file().path());
                reader = BandReaders.open(path.getFileSystem(conf).open(path), p.file().length(), spec.maxPixels());
            } catch (BadImageException e) {
                return e.getMessage();
            } catch (IOException e) {
                return "read failed: " + e;
            } finally {
                t.decodeNanos += System.nanoTime() - t0;
            }
            List<LevelWriter> writers = new ArrayList<>();
            PartWriter part = null;
            try {
                if (reader.width() != p.width() || reader.height() != p.height() || reader.channels() != p.channels()
                        || reader.bitDepth() != p.bitDepth()) {
                    return "changed since the run began: " + reader.width() + "x" + reader.height() + "x"
                            + reader.channels() + " " + reader.bitDepth() + "-bit, listed as " + p.width() + "x"
                            + p.height() + "x" + p.channels() + " " + p.bitDepth() + "-bit";
                }
                int bandRows;
                try {
                    bandRows = spec.bandRows(p.width(), p.channels(), reader.rowAlignment());
                } catch (BadImageException e) {
                    return e.getMessage();
                }
                for (OutputSink sink : sinks) {
                    writers.add(sink.openStripe(conf, parts(output, p).toString(), s.index()));
                }
                if (p.gathered()) {
                    part = new PartWriter(part(output, p, s.index()), conf);
                }
                PartWriter gatheredPart = part;
                int m = p.stripeLevels();
                BandPyramid pyramid = new BandPyramid(spec, name, p.height(), m, p.levels(), p.startRow(s.index()),
                        band -> {
                            long w0 = System.nanoTime();
                            if (band.level() == m && gatheredPart != null) {
                                gatheredPart.write(((IntLevel) band.pixels()).image());
                            } else {
                                for (LevelWriter w : writers) {
                                    w.write(band);
                                }
                            }
                            t.writeNanos += System.nanoTime() - w0;
                        });
                int end = p.endRow(s.index());
                for (int y = p.startRow(s.index()); y < end; ) {
                    int rows = Math.min(bandRows, end - y);
                    long d0 = System.nanoTime();
                    IntImage band;
                    try {
                        band = reader.readRows(y, rows);
                    } catch (BadImageException e) {
                        return e.getMessage();
                    } catch (RuntimeException e) {
                        return "internal error: " + e;
                    } finally {
                        t.decodeNanos += System.nanoTime() - d0;
                    }
                    long p0 = System.nanoTime();
                    long writes = t.writeNanos;
                    pyramid.push(band);
                    t.poolNanos += System.nanoTime() - p0 - (t.writeNanos - writes);
                    y += rows;
                }
                if (end == p.height()) {
                    pyramid.finish();
                } else {
                    pyramid.finishAt(end);
                }
                if (part != null) {
                    part.close();
                    part = null;
                }
                return null;
            } finally {
                if (part != null) {
                    part.abandon();
                }
                for (LevelWriter w : writers) {
                    w.close();
                }
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // read as far as the stripe needs; nothing of the file is needed any more
                }
            }
        }
    }

    /** The executor side of the gathering: level m from the stripes, the levels above it, the image's rows. */
    static final class Gathers implements FlatMapFunction<Iterator<Gather>, Row> {
        private static final long serialVersionUID = 1L;

        private final DownsampleSpec spec;
        private final List<OutputSink> sinks;
        private final RunStats stats;
        private final CollectionAccumulator<ErrorRecord> errors;
        private final String output;
        private final SerializableWritable<Configuration> hadoop;

        Gathers(DownsampleSpec spec, List<OutputSink> sinks, RunStats stats, CollectionAccumulator<ErrorRecord> errors,
                String output, Configuration hadoop) {
            this.spec = spec;
            this.sinks = List.copyOf(sinks);
            this.stats = stats;
            this.errors = errors;
            this.output = output;
            this.hadoop = new SerializableWritable<>(new Configuration(hadoop));
        }

        @Override
        public Iterator<Row> call(Iterator<Gather> gathers) {
            long start = System.nanoTime();
            RunStats.Totals totals = new RunStats.Totals();
            LevelRows.reportOnCompletion(stats, totals, start);
            List<Row> rows = new ArrayList<>();
            while (gathers.hasNext()) {
                Gather g = gathers.next();
                try {
                    rows.addAll(gather(g, totals));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot gather " + g.plan().file().relativePath(), e);
                }
            }
            return rows.iterator();
        }

        private List<Row> gather(Gather g, RunStats.Totals t) throws IOException {
            Plan p = g.plan();
            Configuration conf = hadoop.value();
            String name = p.file().relativePath();
            if (g.reason() != null) {
                long w0 = System.nanoTime();
                for (OutputSink sink : sinks) {
                    sink.remove(name, p.levels(), conf);
                }
                t.writeNanos += System.nanoTime() - w0;
                t.errors++;
                errors.add(new ErrorRecord(name, g.reason()));
                return List.of();
            }
            int[] heights = p.sides(spec, p.height());
            int[] widths = p.sides(spec, p.width());
            long j0 = System.nanoTime();
            int stripesMade = p.gathered() ? p.stripeLevels() - 1 : p.stripeLevels();
            for (int l = 1; l <= stripesMade; l++) {
                for (OutputSink sink : sinks) {
                    sink.joinStripes(conf, parts(output, p).toString(), name, l, heights[l], widths[l], p.channels(),
                            p.bitDepth());
                }
            }
            t.writeNanos += System.nanoTime() - j0;
            byte[][] pixels = new byte[p.levels() + 1][];
            if (p.gathered()) {
                long w0 = System.nanoTime();
                IntImage level = readParts(p, heights[p.stripeLevels()], widths[p.stripeLevels()], conf);
                List<LevelWriter> writers = new ArrayList<>();
                for (OutputSink sink : sinks) {
                    writers.add(sink.open(conf));
                }
                t.writeNanos += System.nanoTime() - w0;
                try {
                    for (int l = p.stripeLevels(); l <= p.levels(); l++) {
                        if (l > p.stripeLevels()) {
                            long p0 = System.nanoTime();
                            level = spec.pool(level);
                            t.poolNanos += System.nanoTime() - p0;
                        }
                        long w1 = System.nanoTime();
                        ImageLevel whole = ImageLevel.whole(name, l, p.levels(), new IntLevel(level));
                        for (LevelWriter w : writers) {
                            w.write(whole);
                            byte[] px = w.rowPixels(whole);
                            if (px != null) {
                                pixels[l] = px;
                            }
                        }
                        t.writeNanos += System.nanoTime() - w1;
                    }
                } finally {
                    for (LevelWriter w : writers) {
                        w.close();
                    }
                }
            }
            List<Row> rows = new ArrayList<>();
            for (int l = 1; l <= p.levels(); l++) {
                rows.add(RowFactory.create(name, l, heights[l], widths[l], p.channels(), p.bitDepth(), pixels[l]));
                t.levelImages[l]++;
                t.levelPixels[l] += (long) heights[l] * widths[l];
            }
            t.pooled++;
            t.inputPixels += (long) p.width() * p.height();
            t.inputBytes += p.file().length();
            return rows;
        }

        /** Level m, its rows from each stripe's part in order, each part checked for its size. */
        private IntImage readParts(Plan p, int height, int width, Configuration conf) throws IOException {
            IntImage level = IntImage.allocate(height, width, p.channels(), p.bitDepth());
            int m = p.stripeLevels();
            long step = 1;
            for (int l = 0; l < m; l++) {
                step *= spec.factor();
            }
            int rowSamples = width * p.channels();
            int bytes = p.bitDepth() / 8;
            int y = 0;
            for (int i = 0; i < p.stripes(); i++) {
                int rows = (i == p.stripes() - 1 ? height : (int) (p.endRow(i) / step)) - y;
                Path path = part(output, p, i);
                FileSystem fs = OutputFiles.fileSystem(path, conf);
                long want = (long) rows * rowSamples * bytes;
                long have = fs.getFileStatus(path).getLen();
                if (have != want) {
                    throw new IOException(path + " holds " + have + " bytes, not the " + want + " of its " + rows
                            + " rows");
                }
                try (FSDataInputStream in = fs.open(path)) {
                    readSamples(in, level, y * rowSamples, rows * rowSamples);
                }
                y += rows;
            }
            return level;
        }
    }

    /** Reads {@code n} samples into {@code img} from sample {@code at}: little-endian, the part's layout. */
    static void readSamples(InputStream in, IntImage img, int at, int n) throws IOException {
        int bytes = img.bitDepth() / 8;
        byte[] buf = new byte[bytes == 1 ? 0 : 1 << 16];
        if (bytes == 1) {
            readFully(in, img.bytes(), at, n);
            return;
        }
        int done = 0;
        while (done < n) {
            int k = Math.min(n - done, buf.length / bytes);
            readFully(in, buf, 0, k * bytes);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, k * bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes == 2) {
                bb.asShortBuffer().get(img.shorts(), at + done, k);
            } else {
                bb.asIntBuffer().get(img.ints(), at + done, k);
            }
            done += k;
        }
    }

    private static void readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n != len) {
            throw new IOException("stripe part ended after " + n + " of " + len + " bytes");
        }
    }

    /** A stripe's level-m rows as raw little-endian samples, band after band, written whole or not at all. */
    private static final class PartWriter {
        private final FileSystem fs;
        private final Path target;
        private final Path temp;
        private final OutputStream out;

        PartWriter(Path target, Configuration conf) throws IOException {
            this.fs = OutputFiles.fileSystem(target, conf);
            this.target = target;
            // A hidden sibling renamed over the target at the end: a retried or speculative attempt never mixes in.
            this.temp = OutputFiles.temp(target);
            this.out = new BufferedOutputStream(fs.create(temp, true), 1 << 16);
        }

        void write(IntImage rows) throws IOException {
            out.write(rows.interleavedBytes());
        }

        void close() throws IOException {
            out.close();
            OutputFiles.replace(fs, temp, target);
        }

        void abandon() {
            try {
                out.close();
                fs.delete(temp, false);
            } catch (IOException ignored) {
                // the stripe failed already; the batch's end removes the directory
            }
        }
    }
}
