package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.sparkpooling.io.OutputGuard;
import org.sparkpooling.spark.BlockSources;
import org.sparkpooling.spark.OutputManifest;
import org.sparkpooling.spark.TensorDatasets;

/**
 * The driver side of the downsampling pipeline. Lists the input with Spark's {@code binaryFile}
 * source (paths and sizes only: the content is read by the executor that decodes it, streamed, so
 * no image travels through the driver or a shuffle, and a file too big for one binary value is
 * still just one error row), skips what an earlier run finished ({@code --resume}), then runs the
 * files in batches: each batch is one Spark write that appends its levels to the dataset through
 * the commit protocol, then appends its errors. A run killed part-way leaves whole batches behind
 * and no {@code _SUCCESS}; {@code --resume} continues after them.
 */
public final class DownsampleJob {

    /** What to do with an existing output directory. */
    public enum Existing { REFUSE, OVERWRITE, RESUME }

    /** One run's inputs and choices; {@code partitions} 0 means four per core. */
    public record Options(String input, String output, DownsampleSpec spec, OutputFormat format,
            int partitions, int batch, Existing existing, InputKind kind) {
        /** Images in. */
        public Options(String input, String output, DownsampleSpec spec, OutputFormat format, int partitions,
                int batch, Existing existing) {
            this(input, output, spec, format, partitions, batch, existing, InputKind.IMAGES);
        }

        public Options {
            if (kind == null) {
                throw new IllegalArgumentException("input format must be images, tensors or npy, not null");
            }
            if (kind.floats() && format != null && format.png()) {
                throw new IllegalArgumentException("format (" + format.label() + ") needs integer images: "
                        + kind.label() + " input pools float planes, which have no PNG form (use parquet)");
            }
            if (input == null || input.isBlank()) {
                throw new IllegalArgumentException("input must be given");
            }
            if (output == null || output.isBlank()) {
                throw new IllegalArgumentException("output must be given");
            }
            if (spec == null || format == null || existing == null) {
                throw new IllegalArgumentException("spec, format and existing must not be null");
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions (" + partitions + ") must be >= 1");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch (" + batch + ") must be >= 1");
            }
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

    private static final String NO_SUCCESS_MARKER = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

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

        try (OutputDirectory dir = OutputDirectory.open(spark, outFs, outDir, o.existing(), manifest(o, hadoop))) {
            Set<String> done = dir.done();
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            String kernel = Pyramid.defaultKernel().name();
            RunStats.Totals totals = new RunStats.Totals();
            List<ErrorRecord> samples = new ArrayList<>();
            long listedCount;
            long skippedCount;
            if (o.kind() == InputKind.TENSORS) {
                Dataset<Row> table = spark.read().schema(BlockSources.TENSOR_SCHEMA).parquet(o.input());
                listedCount = table.count();
                out.printf(Locale.ROOT, "downsample: tensor dataset %s, %d rows; %s %dx%d, edge %s, kernel %s, "
                        + "one batch%n", o.input(), listedCount, o.spec().mode().label(), o.spec().factor(),
                        o.spec().factor(), o.spec().edge().label(), kernel);
                out.flush();
                long t0 = System.nanoTime();
                RunStats stats = new RunStats();
                jsc.sc().register(stats, "downsample stats");
                CollectionAccumulator<ErrorRecord> errors = jsc.sc().collectionAccumulator("downsample errors");
                LongAccumulator skipped = jsc.sc().longAccumulator("downsample skipped");
                JavaRDD<Row> rows = BlockSources.parquet(spark, o.input(), o.partitions()).mapPartitions(
                        new TensorPartition(o.spec(), o.format(), output, stats, errors, skipped, done, hadoop));
                totals.add(writeBatch(spark, rows, stats, errors, output, listedCount, skipped, 1, 1, samples, out,
                        t0));
                skippedCount = skipped.value();
            } else {
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
                listedCount = listing.count();
                skippedCount = listedCount - todo.size() - unlisted.size();
                int partitions = o.partitions() > 0 ? o.partitions() : 4 * jsc.defaultParallelism();
                out.printf(Locale.ROOT, "downsample: %d files listed under %s (%s), %d done before, %d to do; %s %dx%d, "
                        + "edge %s, kernel %s, %d partitions per batch of up to %d%n", listedCount, o.input(),
                        o.kind().label(), skippedCount, todo.size() + unlisted.size(), o.spec().mode().label(),
                        o.spec().factor(), o.spec().factor(), o.spec().edge().label(), kernel, partitions, o.batch());
                for (String loop : listing.loops()) {
                    out.println("listing: " + loop + " is a symbolic link back into a directory already listed;"
                            + " not entered again");
                }
                if (!unlisted.isEmpty()) {
                    // Dangling links and unreadable entries are inputs too: error rows, counted as such.
                    writeErrors(spark, unlisted, output);
                    totals.errors += unlisted.size();
                    for (ErrorRecord e : unlisted) {
                        addSample(samples, e);
                    }
                    out.printf(Locale.ROOT, "listing: %d entries cannot be read (errors dataset)%n", unlisted.size());
                }
                out.flush();
                int batches = (todo.size() + o.batch() - 1) / o.batch();
                for (int b = 0; b < batches; b++) {
                    long t0 = System.nanoTime();
                    List<InputFile> chunk = todo.subList(b * o.batch(), Math.min(todo.size(), (b + 1) * o.batch()));
                    RunStats stats = new RunStats();
                    jsc.sc().register(stats, "downsample stats");
                    CollectionAccumulator<ErrorRecord> errors = jsc.sc().collectionAccumulator("downsample errors");
                    JavaRDD<Row> rows = jsc.parallelize(chunk, Math.min(partitions, chunk.size())).mapPartitions(
                            new ImagePartition(o.kind(), o.spec(), o.format(), output, stats, errors, hadoop));
                    totals.add(writeBatch(spark, rows, stats, errors, output, chunk.size(), null, b + 1, batches,
                            samples, out, t0));
                }
            }
            if (!outFs.exists(new Path(outDir, "errors"))) {
                writeErrors(spark, List.of(), output); // an empty dataset, so readers find its schema
            }
            dir.markSuccess();

            double wall = (System.nanoTime() - wallStart) / 1e9;
            List<DownsampleReport.Level> levels = new ArrayList<>();
            for (int l = 1; l <= RunStats.MAX_LEVELS && totals.levelImages[l] > 0; l++) {
                levels.add(new DownsampleReport.Level(l, totals.levelImages[l], totals.levelPixels[l]));
            }
            samples.sort(Comparator.comparing(ErrorRecord::path));
            return new DownsampleReport(o.input(), output, o.spec().mode().label(), o.spec().factor(),
                    o.spec().edge().label(), o.format().label(), kernel, listedCount, skippedCount,
                    listedCount - skippedCount, totals.pooled, totals.errors, totals.inputPixels / 1e6,
                    totals.inputBytes / 1e6, totals.inputPixels / 1e6 / wall, jsc.defaultParallelism(),
                    new DownsampleReport.Seconds(totals.decodeNanos / 1e9, totals.poolNanos / 1e9,
                            totals.writeNanos / 1e9, wall),
                    levels, samples);
        }
    }

    /** The settings that shape the output, as {@code --resume} compares them. */
    static OutputManifest manifest(Options o, Configuration hadoop) throws IOException {
        Map<String, String> s = new LinkedHashMap<>();
        Path in = new Path(o.input());
        s.put("input", in.getFileSystem(hadoop).makeQualified(in).toString());
        s.put("input format", o.kind().label());
        s.put("mode", o.spec().mode().label());
        s.put("factor", Integer.toString(o.spec().factor()));
        s.put("levels", Integer.toString(o.spec().levels()));
        s.put("edge", o.spec().edge().label());
        s.put("max pixels", Long.toString(o.spec().maxPixels()));
        s.put("format", o.format().label());
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

    private static void addSample(List<ErrorRecord> samples, ErrorRecord e) {
        if (samples.size() < DownsampleReport.MAX_ERROR_SAMPLES) {
            samples.add(e);
        }
    }

    /**
     * One Spark write of {@code rows} (appending its levels through the commit protocol), then its
     * error rows; checks that the batch adds up: {@code inputs} records = pooled + errors (+ skipped,
     * for a tensor dataset, whose records are only known to be done once read).
     */
    private static RunStats.Totals writeBatch(SparkSession spark, JavaRDD<Row> rows, RunStats stats,
            CollectionAccumulator<ErrorRecord> errors, String output, long inputs, LongAccumulator skipped, int b,
            int batches, List<ErrorRecord> samples, PrintWriter out, long t0) {
        // No dictionary: every pixels value is distinct, and hashing megabytes per row to find
        // that out costs more than writing them.
        spark.createDataFrame(rows, SCHEMA).write().mode(SaveMode.Append).partitionBy("level")
                .option(NO_SUCCESS_MARKER, "false").option("parquet.enable.dictionary", "false").parquet(output);
        List<ErrorRecord> failed = new ArrayList<>(errors.value());
        failed.sort(Comparator.comparing(ErrorRecord::path));
        if (!failed.isEmpty()) {
            writeErrors(spark, failed, output);
        }
        RunStats.Totals t = stats.value();
        long skip = skipped == null ? 0 : skipped.value();
        if (t.pooled + t.errors + skip != inputs || t.errors != failed.size()) {
            throw new IllegalStateException("batch " + b + " does not add up: " + inputs + " inputs, "
                    + t.pooled + " pooled, " + t.errors + " errors counted, " + failed.size() + " error rows, "
                    + skip + " skipped");
        }
        for (ErrorRecord e : failed) {
            addSample(samples, e);
        }
        out.printf(Locale.ROOT, "batch %d/%d: %d inputs, %d pooled, %d errors, %.1f input MP in %.1f s%n", b,
                batches, inputs - skip, t.pooled, t.errors, t.inputPixels / 1e6, (System.nanoTime() - t0) / 1e9);
        out.flush();
        return t;
    }

    private static void writeErrors(SparkSession spark, List<ErrorRecord> errors, String output) {
        List<Row> rows = new ArrayList<>(errors.size());
        for (ErrorRecord e : errors) {
            rows.add(RowFactory.create(e.path(), e.reason()));
        }
        spark.createDataFrame(rows, ERROR_SCHEMA).coalesce(1).write().mode(SaveMode.Append)
                .option(NO_SUCCESS_MARKER, "false").parquet(output + "/errors");
    }
}
