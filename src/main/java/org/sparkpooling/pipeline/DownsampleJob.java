package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.sparkpooling.io.OutputGuard;
import org.sparkpooling.spark.BlockSources;
import org.sparkpooling.spark.OutputManifest;
import org.sparkpooling.spark.TaskMetricsListener;
import org.sparkpooling.spark.TensorDatasets;

/**
 * The driver side of the downsampling pipeline: refuses what it must before touching the output
 * (an output around or inside the input, an input with nothing to pool, a tensor dataset that is
 * not Parquet), lists the input ({@link InputListing}: paths and sizes only; the content is read by
 * the executor that decodes it, streamed, so no image travels through the driver or a shuffle),
 * takes the output ({@link OutputDirectory}: lock, manifest, the existing-output rule and what an
 * earlier run finished), then runs the files in batches ({@link BatchWriter}). A run killed part-way
 * leaves whole batches behind and no {@code _SUCCESS}; {@code --resume} continues after them.
 */
public final class DownsampleJob {

    /** What to do with an existing output directory. */
    public enum Existing { REFUSE, OVERWRITE, RESUME }

    /**
     * One run's inputs and choices; made with {@link #builder}. {@code partitions} 0 means four per
     * core; {@code batch} is the number of images per committed batch, the unit --resume continues from.
     */
    public record Options(String input, String output, DownsampleSpec spec, Set<OutputFormat> formats,
            int partitions, int batch, Existing existing, InputKind kind, int zarrChunk) {

        public Options {
            if (kind == null) {
                throw new IllegalArgumentException("input format must be images, tensors or npy, not null");
            }
            if (input == null || input.isBlank()) {
                throw new IllegalArgumentException("input must be given");
            }
            if (output == null || output.isBlank()) {
                throw new IllegalArgumentException("output must be given");
            }
            if (spec == null || formats == null || existing == null) {
                throw new IllegalArgumentException("spec, formats and existing must not be null");
            }
            if (formats.isEmpty()) {
                throw new IllegalArgumentException("formats must name at least one output format");
            }
            formats = java.util.Collections.unmodifiableSet(EnumSet.copyOf(formats));
            if (kind.floats() && !spec.mode().poolsFloats()) {
                throw new IllegalArgumentException("mode (" + spec.mode().label() + ") applies to integer images"
                        + " only: " + kind.label() + " input pools float planes (use avg or max)");
            }
            if (kind.floats() && spec.sparse()) {
                throw new IllegalArgumentException("--sparse applies to integer images only: " + kind.label()
                        + " input pools float planes, where zero is a value like any other");
            }
            for (OutputFormat f : formats) {
                if (kind.floats() && f.integerSamplesOnly()) {
                    throw new IllegalArgumentException("format (" + OutputFormat.label(formats) + ") needs integer"
                            + " images: " + kind.label() + " input pools float planes, which have no " + f.name()
                            + " form (use parquet)");
                }
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions (" + partitions + ") must be >= 1");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch (" + batch + ") must be >= 1");
            }
            if (zarrChunk < 1 || zarrChunk > ZarrSink.MAX_CHUNK) {
                throw new IllegalArgumentException("zarr chunk (" + zarrChunk + ") must be 1 to " + ZarrSink.MAX_CHUNK);
            }
        }

        /** Options with the command's defaults: images in, Parquet out, four partitions per core, batches of 4096, refuse an existing output. */
        public static Builder builder(String input, String output, DownsampleSpec spec) {
            return new Builder(input, output, spec);
        }
    }

    /** Fluent {@link Options}; every setter returns {@code this}. */
    public static final class Builder {
        private final String input;
        private final String output;
        private final DownsampleSpec spec;
        private Set<OutputFormat> formats = EnumSet.of(OutputFormat.PARQUET);
        private int partitions;
        private int batch = 4096;
        private Existing existing = Existing.REFUSE;
        private InputKind kind = InputKind.IMAGES;
        private int zarrChunk = ZarrSink.DEFAULT_CHUNK;

        private Builder(String input, String output, DownsampleSpec spec) {
            this.input = input;
            this.output = output;
            this.spec = spec;
        }

        public Builder formats(Set<OutputFormat> value) {
            formats = value;
            return this;
        }

        public Builder formats(OutputFormat first, OutputFormat... rest) {
            formats = EnumSet.of(first, rest);
            return this;
        }

        public Builder partitions(int value) {
            partitions = value;
            return this;
        }

        public Builder batch(int value) {
            batch = value;
            return this;
        }

        public Builder existing(Existing value) {
            existing = value;
            return this;
        }

        public Builder kind(InputKind value) {
            kind = value;
            return this;
        }

        /** The side of the Zarr arrays' chunks: 1 x N x N samples per channel plane. */
        public Builder zarrChunk(int value) {
            zarrChunk = value;
            return this;
        }

        public Options build() {
            return new Options(input, output, spec, formats, partitions, batch, existing, kind, zarrChunk);
        }
    }

    /** The pyramid dataset: one row per image and level ({@code level} is the partition directory). */
    public static final StructType SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("level", DataTypes.IntegerType, false)
            .add("height", DataTypes.IntegerType, false)
            .add("width", DataTypes.IntegerType, false)
            .add("channels", DataTypes.IntegerType, false)
            .add("bitDepth", DataTypes.IntegerType, false)
            .add("pixels", DataTypes.BinaryType, true);

    public static final StructType ERROR_SCHEMA = new StructType()
            .add("path", DataTypes.StringType, false)
            .add("reason", DataTypes.StringType, false);

    private DownsampleJob() {
    }

    /** Format version of the output's manifest; raise it when the dataset's layout changes. */
    static final int MANIFEST_VERSION = 1;

    public static DownsampleReport run(SparkSession spark, Options o, PrintWriter out) throws IOException {
        long wallStart = System.nanoTime();
        // One writer per level directory instead of sorting every task's rows (pixels and all) by
        // level before writing; planned writes would put the sort back.
        spark.conf().set("spark.sql.optimizer.plannedWrite.enabled", "false");
        spark.conf().set("spark.sql.maxConcurrentOutputFileWriters", "" + (RunStats.MAX_LEVELS + 1));
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path outDir = new Path(o.output());
        FileSystem outFs = outDir.getFileSystem(hadoop);
        outDir = outFs.makeQualified(outDir);
        String output = outDir.toString();

        // Everything that can be refused is refused before the output is touched.
        requireApart(hadoop, o.input(), outDir);
        InputListing.Listing listing = null;
        if (o.kind() == InputKind.TENSORS) {
            TensorDatasets.requireParquet(hadoop, "input", o.input());
        } else {
            listing = InputListing.list(hadoop, o.input(), outDir);
            if (listing.count() == 0) {
                throw new IllegalArgumentException("input (" + o.input() + ") holds no files (names starting with"
                        + " . or _ are skipped, as Spark's own listing skips them)");
            }
        }

        TaskMetricsListener tasks = new TaskMetricsListener();
        spark.sparkContext().addSparkListener(tasks);
        try (OutputDirectory dir = OutputDirectory.open(spark, outFs, outDir, o.existing(), manifest(o, hadoop))) {
            List<OutputSink> sinks = new ArrayList<>();
            o.formats().forEach(f -> sinks.add(f.sink(output, o)));
            BatchWriter writer = new BatchWriter(spark, output, out, o.formats().contains(OutputFormat.PARQUET));
            long[] listedAndSkipped = o.kind() == InputKind.TENSORS
                    ? runTensors(spark, o, dir.done(), sinks, writer, hadoop, out)
                    : runFiles(spark, o, output, listing, dir.done(), sinks, writer, hadoop, out);
            if (!outFs.exists(new Path(outDir, "errors"))) {
                writer.writeEmptyErrors(); // an empty dataset, so readers find its schema
            }
            dir.markSuccess();
            try {
                tasks.awaitJobsEnded(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return report(o, output, listedAndSkipped[0], listedAndSkipped[1], writer, wallStart,
                    spark.sparkContext().defaultParallelism(), tasks);
        } finally {
            spark.sparkContext().removeSparkListener(tasks);
        }
    }

    /** A tensor dataset as one batch; returns {listed, skipped}. */
    private static long[] runTensors(SparkSession spark, Options o, Set<String> done, List<OutputSink> sinks,
            BatchWriter writer, Configuration hadoop, PrintWriter out) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        long listed = spark.read().schema(BlockSources.TENSOR_SCHEMA).parquet(o.input()).count();
        out.printf(Locale.ROOT, "downsample: tensor dataset %s, %d rows; %s %dx%d, edge %s, kernel %s, one batch%n",
                o.input(), listed, o.spec().mode().label(), o.spec().factor(), o.spec().factor(),
                o.spec().edge().label(), Pyramid.defaultKernel().name());
        out.flush();
        RunStats stats = new RunStats();
        jsc.sc().register(stats, "downsample stats");
        CollectionAccumulator<ErrorRecord> errors = jsc.sc().collectionAccumulator("downsample errors");
        LongAccumulator skipped = jsc.sc().longAccumulator("downsample skipped");
        JavaRDD<Row> rows = BlockSources.parquet(spark, o.input(), o.partitions()).mapPartitions(
                new TensorPartition(o.spec(), sinks, stats, errors, skipped, done, hadoop));
        writer.write(rows, stats, errors, listed, skipped, 1, 1);
        return new long[] {listed, skipped.value()};
    }

    /** Listed files in batches of {@code --batch}, after the listing's own error rows; returns {listed, skipped}. */
    private static long[] runFiles(SparkSession spark, Options o, String output, InputListing.Listing listing,
            Set<String> done, List<OutputSink> sinks, BatchWriter writer, Configuration hadoop, PrintWriter out)
            throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<InputFile> todo = new ArrayList<>();
        for (InputFile f : listing.files()) {
            // A .npy file's images are path#n; an earlier run pooled all of them or none.
            if (!done.contains(f.relativePath())
                    && !(o.kind() == InputKind.NPY && done.contains(f.relativePath() + "#0"))) {
                todo.add(f);
            }
        }
        List<ErrorRecord> unlisted = new ArrayList<>();
        for (ErrorRecord e : listing.errors()) {
            if (!done.contains(e.path())) {
                unlisted.add(e);
            }
        }
        // Inputs that may not have their Zarr store (shared, nested or occupied) are error rows now.
        Map<String, String> noStore = !o.formats().contains(OutputFormat.ZARR) ? Map.of()
                : ZarrClaims.refused(hadoop, output, listing.files().stream().map(InputFile::relativePath).toList(),
                        todo.stream().map(InputFile::relativePath).collect(java.util.stream.Collectors.toSet()),
                        o.existing() == Existing.RESUME);
        todo.removeIf(f -> noStore.containsKey(f.relativePath()));
        // TIFFs above the task budget are spread over tasks in stripes: a batch of their own, after the rest.
        List<StripedImages.Plan> striped = o.kind() != InputKind.IMAGES ? List.of()
                : StripedImages.plan(hadoop, todo, o.spec(), o.zarrChunk(), sinks);
        Set<InputFile> stripedFiles = new java.util.HashSet<>();
        striped.forEach(p -> stripedFiles.add(p.file()));
        todo.removeIf(stripedFiles::contains);
        long listed = listing.count();
        long skipped = listed - todo.size() - striped.size() - unlisted.size() - noStore.size();
        int partitions = o.partitions() > 0 ? o.partitions() : 4 * jsc.defaultParallelism();
        out.printf(Locale.ROOT, "downsample: %d files listed under %s (%s), %d done before, %d to do; %s %dx%d, "
                + "edge %s, kernel %s, %d partitions per batch of up to %d%n", listed, o.input(), o.kind().label(),
                skipped, todo.size() + striped.size() + unlisted.size() + noStore.size(), o.spec().mode().label(),
                o.spec().factor(), o.spec().factor(), o.spec().edge().label(), Pyramid.defaultKernel().name(), partitions, o.batch());
        for (String loop : listing.loops()) {
            out.println("listing: " + loop + " is a symbolic link back into a directory already listed;"
                    + " not entered again");
        }
        if (!unlisted.isEmpty()) {
            // Dangling links and unreadable entries are inputs too: error rows, counted as such.
            writer.writeListingErrors(unlisted);
            out.printf(Locale.ROOT, "listing: %d entries cannot be read (errors dataset)%n", unlisted.size());
        }
        if (!noStore.isEmpty()) {
            List<ErrorRecord> rows = new ArrayList<>();
            noStore.forEach((path, reason) -> rows.add(new ErrorRecord(path, reason)));
            writer.writeListingErrors(rows);
            out.printf(Locale.ROOT, "zarr: %d inputs cannot have their store (errors dataset)%n", rows.size());
        }
        out.flush();
        int fileBatches = (todo.size() + o.batch() - 1) / o.batch();
        int batches = fileBatches + (striped.isEmpty() ? 0 : 1);
        for (int b = 0; b < fileBatches; b++) {
            List<InputFile> chunk = todo.subList(b * o.batch(), Math.min(todo.size(), (b + 1) * o.batch()));
            RunStats stats = new RunStats();
            jsc.sc().register(stats, "downsample stats");
            CollectionAccumulator<ErrorRecord> errors = jsc.sc().collectionAccumulator("downsample errors");
            JavaRDD<Row> rows = jsc.parallelize(chunk, Math.min(partitions, chunk.size()))
                    .mapPartitions(new ImagePartition(o.kind(), o.spec(), sinks, stats, errors, hadoop));
            writer.write(rows, stats, errors, chunk.size(), null, b + 1, batches);
        }
        if (!striped.isEmpty()) {
            StripedImages.run(jsc, o.spec(), output, striped, sinks, writer, hadoop, out, batches, batches);
        }
        return new long[] {listed, skipped};
    }

    private static DownsampleReport report(Options o, String output, long listed, long skipped, BatchWriter writer,
            long wallStart, int cores, TaskMetricsListener tasks) {
        RunStats.Totals t = writer.totals();
        double wall = (System.nanoTime() - wallStart) / 1e9;
        List<DownsampleReport.Level> levels = new ArrayList<>();
        for (int l = 1; l <= RunStats.MAX_LEVELS && t.levelImages[l] > 0; l++) {
            levels.add(new DownsampleReport.Level(l, t.levelImages[l], t.levelPixels[l]));
        }
        return new DownsampleReport(o.input(), output, o.spec().mode().label(), o.spec().factor(),
                o.spec().edge().label(), OutputFormat.label(o.formats()), Pyramid.defaultKernel().name(), listed,
                skipped, listed - skipped, t.pooled, t.errors, t.inputPixels / 1e6, t.inputBytes / 1e6,
                t.inputPixels / 1e6 / wall, cores,
                new DownsampleReport.Seconds(t.decodeNanos / 1e9, t.poolNanos / 1e9, t.writeNanos / 1e9, wall,
                        tasks.overhead().executorRunSeconds(),
                        Math.max(0, wall - tasks.overhead().executorRunSeconds() / cores)),
                tasks.peakHeapBytes() / 1e6, levels, writer.samples());
    }

    /** The settings that shape the output, as {@code --resume} compares them. */
    static OutputManifest manifest(Options o, Configuration hadoop) throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        Path in = new Path(o.input());
        s.put("input", in.getFileSystem(hadoop).makeQualified(in).toString());
        s.put("input format", o.kind().label());
        s.put("mode", o.spec().mode().label());
        if (o.spec().sparse()) { // absent when false, so outputs made before the sparse rule still resume
            s.put("sparse", "true");
        }
        s.put("factor", Integer.toString(o.spec().factor()));
        s.put("levels", Integer.toString(o.spec().levels()));
        s.put("edge", o.spec().edge().label());
        s.put("max pixels", Long.toString(o.spec().maxPixels()));
        // Which levels' rows hold their pixels (those that fit a task whole) depends on it.
        s.put("task pixels", Long.toString(o.spec().taskPixels()));
        s.put("format", OutputFormat.label(o.formats()));
        if (o.formats().contains(OutputFormat.ZARR)) {
            s.put("zarr chunk", Integer.toString(o.zarrChunk()));
        }
        return OutputManifest.of(OutputDirectory.COMMAND, MANIFEST_VERSION, s);
    }

    /**
     * Refuses an output that is, contains or lies inside the input (for a glob: any match). On a
     * local disk through {@link OutputGuard}, which resolves symbolic links; elsewhere by path.
     */
    static void requireApart(Configuration hadoop, String input, Path outDir) throws IOException {
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(hadoop);
        FileStatus[] matches = InputListing.firstGlobChar(input) >= 0 ? fs.globStatus(p) : null;
        if (matches == null) {
            requireApart(fs.makeQualified(p), outDir);
            return;
        }
        for (FileStatus m : matches) {
            requireApart(fs.makeQualified(m.getPath()), outDir);
        }
    }

    private static void requireApart(Path in, Path outDir) {
        if ("file".equals(in.toUri().getScheme()) && "file".equals(outDir.toUri().getScheme())) {
            OutputGuard.requireApart("output", java.nio.file.Path.of(outDir.toUri()), "input",
                    java.nio.file.Path.of(in.toUri()));
            return;
        }
        String inText = in.toString();
        String outText = outDir.toString();
        if (inText.equals(outText) || inText.startsWith(outText + "/") || outText.startsWith(inText + "/")) {
            throw new IllegalArgumentException("output (" + outText + ") is, contains or lies inside input ("
                    + inText + "); refusing to write over an input");
        }
    }
}
