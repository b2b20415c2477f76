package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
import org.sparkpooling.job.BlockSources;

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

        Set<String> done = prepareOutput(spark, outFs, outDir, o.existing());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String kernel = Pyramid.defaultKernel().name();
        RunStats.Totals totals = new RunStats.Totals();
        List<ErrorRecord> samples = new ArrayList<>();
        long listedCount;
        long skippedCount;
        if (o.kind() == InputKind.TENSORS) {
            Dataset<Row> table;
            try {
                table = spark.read().schema(BlockSources.TENSOR_SCHEMA).parquet(o.input());
            } catch (Exception e) { // Scala throws AnalysisException undeclared
                if (e instanceof org.apache.spark.sql.AnalysisException) {
                    throw new IllegalArgumentException("input (" + o.input() + ") is not a readable tensor dataset: "
                            + e.getMessage(), e);
                }
                throw e;
            }
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
            RunStats.Totals t = writeBatch(spark, rows, stats, errors, output, listedCount, skipped, 1, 1, samples,
                    out, t0);
            totals.add(t);
            skippedCount = skipped.value();
        } else {
            List<InputFile> listed = list(spark, o.input());
            List<InputFile> todo = new ArrayList<>();
            for (InputFile f : listed) {
                // A .npy file's images are path#n; an earlier run pooled all of them or none.
                if (!done.contains(f.relativePath())
                        && !(o.kind() == InputKind.NPY && done.contains(f.relativePath() + "#0"))) {
                    todo.add(f);
                }
            }
            listedCount = listed.size();
            skippedCount = listed.size() - todo.size();
            int partitions = o.partitions() > 0 ? o.partitions() : 4 * jsc.defaultParallelism();
            out.printf(Locale.ROOT, "downsample: %d files listed under %s (%s), %d done before, %d to do; %s %dx%d, "
                    + "edge %s, kernel %s, %d partitions per batch of up to %d%n", listed.size(), o.input(),
                    o.kind().label(), listed.size() - todo.size(), todo.size(), o.spec().mode().label(),
                    o.spec().factor(), o.spec().factor(), o.spec().edge().label(), kernel, partitions, o.batch());
            out.flush();
            int batches = (todo.size() + o.batch() - 1) / o.batch();
            for (int b = 0; b < batches; b++) {
                long t0 = System.nanoTime();
                List<InputFile> chunk = todo.subList(b * o.batch(), Math.min(todo.size(), (b + 1) * o.batch()));
                RunStats stats = new RunStats();
                jsc.sc().register(stats, "downsample stats");
                CollectionAccumulator<ErrorRecord> errors = jsc.sc().collectionAccumulator("downsample errors");
                JavaRDD<Row> rows = jsc.parallelize(chunk, Math.min(partitions, chunk.size()))
                        .mapPartitions(new ImagePartition(o.kind(), o.spec(), o.format(), output, stats, errors, hadoop));
                totals.add(writeBatch(spark, rows, stats, errors, output, chunk.size(), null, b + 1, batches, samples,
                        out, t0));
            }
        }
        if (!outFs.exists(new Path(outDir, "errors"))) {
            writeErrors(spark, List.of(), output); // an empty dataset, so readers find its schema
        }
        outFs.create(new Path(outDir, "_SUCCESS"), true).close();
        outFs.create(new Path(outDir, "errors/_SUCCESS"), true).close();

        double wall = (System.nanoTime() - wallStart) / 1e9;
        List<DownsampleReport.Level> levels = new ArrayList<>();
        for (int l = 1; l <= RunStats.MAX_LEVELS && totals.levelImages[l] > 0; l++) {
            levels.add(new DownsampleReport.Level(l, totals.levelImages[l], totals.levelPixels[l]));
        }
        samples.sort(Comparator.comparing(ErrorRecord::path));
        return new DownsampleReport(o.input(), output, o.spec().mode().label(), o.spec().factor(),
                o.spec().edge().label(), o.format().label(), kernel, listedCount, skippedCount,
                listedCount - skippedCount, totals.pooled, totals.errors, totals.inputPixels / 1e6, totals.inputBytes / 1e6,
                totals.inputPixels / 1e6 / wall, jsc.defaultParallelism(),
                new DownsampleReport.Seconds(totals.decodeNanos / 1e9, totals.poolNanos / 1e9,
                        totals.writeNanos / 1e9, wall),
                levels, samples);
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
            if (samples.size() < DownsampleReport.MAX_ERROR_SAMPLES) {
                samples.add(e);
            }
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

    /**
     * Applies the existing-output rule; returns the relative paths an earlier run finished (pooled,
     * or recorded as errors) when resuming. Leftovers of a killed write ({@code _temporary}) are
     * removed, or the next job commit would merge a dead job's task outputs.
     */
    static Set<String> prepareOutput(SparkSession spark, FileSystem fs, Path outDir, Existing existing)
            throws IOException {
        Set<String> done = new HashSet<>();
        boolean exists = fs.exists(outDir) && fs.listStatus(outDir).length > 0;
        if (exists) {
            switch (existing) {
                case REFUSE -> throw new IllegalArgumentException("output (" + outDir
                        + ") exists and is not empty: --overwrite replaces it, --resume continues it");
                case OVERWRITE -> {
                    if (!fs.delete(outDir, true)) {
                        throw new IOException("cannot delete " + outDir);
                    }
                }
                case RESUME -> {
                    fs.delete(new Path(outDir, "_SUCCESS"), false);
                    fs.delete(new Path(outDir, "errors/_SUCCESS"), false);
                    fs.delete(new Path(outDir, "_temporary"), true);
                    fs.delete(new Path(outDir, "errors/_temporary"), true);
                    for (String dir : new String[] {"level=1", "errors"}) {
                        Path p = new Path(outDir, dir);
                        if (fs.exists(p) && hasData(fs, p)) {
                            for (Row r : spark.read().parquet(p.toString()).select("path").distinct().collectAsList()) {
                                done.add(r.getString(0));
                            }
                        }
                    }
                }
            }
        }
        return done;
    }

    private static boolean hasData(FileSystem fs, Path dir) throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isFile() && s.getPath().getName().endsWith(".parquet")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The files under {@code input} (a directory, searched recursively; a file; or a Hadoop glob such
     * as {@code /photos/*&#47;*.jpg}), sorted by path, each with its path relative to the input root: the
     * directory itself, or for a glob its longest directory prefix without glob characters.
     */
    static List<InputFile> list(SparkSession spark, String input) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path p = new Path(input);
        FileSystem fs = p.getFileSystem(hadoop);
        Path root;
        int glob = firstGlobChar(input);
        if (glob >= 0) {
            int slash = input.lastIndexOf('/', glob);
            root = new Path(slash <= 0 ? (slash == 0 ? "/" : ".") : input.substring(0, slash));
        } else {
            FileStatus st;
            try {
                st = fs.getFileStatus(p);
            } catch (java.io.FileNotFoundException e) {
                throw new IllegalArgumentException("input (" + input + ") does not exist");
            }
            root = st.isDirectory() ? p : p.getParent();
        }
        String rootText = fs.makeQualified(root).toString();
        String prefix = rootText.endsWith("/") ? rootText : rootText + "/";
        Dataset<Row> files;
        try {
            files = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                    .load(input).select("path", "length");
        } catch (Exception e) { // Scala throws AnalysisException undeclared
            if (e instanceof org.apache.spark.sql.AnalysisException) {
                // A glob that matches nothing: the user's input, not a failed job.
                throw new IllegalArgumentException("input (" + input + ") matches no files: " + e.getMessage(), e);
            }
            throw e;
        }
        Map<String, Long> lengths = new HashMap<>();
        for (Row r : files.collectAsList()) {
            lengths.put(new Path(r.getString(0)).toString(), r.getLong(1));
        }
        // The scan leaves out empty files; the file index has them, and they are inputs too.
        for (String file : files.inputFiles()) {
            // inputFiles() gives URIs (file:///a/b%20c.png) where the scan gives paths (file:/a/b c.png):
            // Path(String) would keep the %20 and look for a file that does not exist.
            Path missing = new Path(java.net.URI.create(file));
            String path = missing.toString();
            if (!lengths.containsKey(path)) {
                lengths.put(path, missing.getFileSystem(hadoop).getFileStatus(missing).getLen());
            }
        }
        List<InputFile> listed = new ArrayList<>();
        for (Map.Entry<String, Long> e : lengths.entrySet()) {
            String path = e.getKey();
            String rel = path.startsWith(prefix) ? path.substring(prefix.length()) : new Path(path).getName();
            listed.add(new InputFile(path, rel, e.getValue()));
        }
        listed.sort(Comparator.comparing(InputFile::relativePath));
        return listed;
    }

    private static int firstGlobChar(String s) {
        for (int i = 0; i < s.length(); i++) {
            if ("*?[{".indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
