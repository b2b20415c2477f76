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
            int partitions, int batch, Existing existing) {
        public Options {
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
        List<InputFile> listed = list(spark, o.input());
        List<InputFile> todo = new ArrayList<>();
        for (InputFile f : listed) {
            if (!done.contains(f.relativePath())) {
                todo.add(f);
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int partitions = o.partitions() > 0 ? o.partitions() : 4 * jsc.defaultParallelism();
        String kernel = Pyramid.defaultKernel().name();
        out.printf(Locale.ROOT, "downsample: %d files listed under %s, %d done before, %d to do; %s %dx%d, edge %s, "
                + "kernel %s, %d partitions per batch of up to %d%n", listed.size(), o.input(), listed.size() - todo.size(),
                todo.size(), o.spec().mode().label(), o.spec().factor(), o.spec().factor(), o.spec().edge().label(),
                kernel, partitions, o.batch());
        out.flush();

        RunStats.Totals totals = new RunStats.Totals();
        List<ErrorRecord> samples = new ArrayList<>();
        int batches = (todo.size() + o.batch() - 1) / o.batch();
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            List<InputFile> chunk = todo.subList(b * o.batch(), Math.min(todo.size(), (b + 1) * o.batch()));
            RunStats stats = new RunStats();
            jsc.sc().register(stats, "downsample stats");
            CollectionAccumulator<ErrorRecord> errors = jsc.sc().collectionAccumulator("downsample errors");
            JavaRDD<Row> rows = jsc.parallelize(chunk, Math.min(partitions, chunk.size()))
                    .mapPartitions(new ImagePartition(o.spec(), o.format(), output, stats, errors, hadoop));
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
            if (t.pooled + t.errors != chunk.size() || t.errors != failed.size()) {
                throw new IllegalStateException("batch " + (b + 1) + " does not add up: " + chunk.size() + " inputs, "
                        + t.pooled + " pooled, " + t.errors + " errors counted, " + failed.size() + " error rows");
            }
            totals.add(t);
            for (ErrorRecord e : failed) {
                if (samples.size() < DownsampleReport.MAX_ERROR_SAMPLES) {
                    samples.add(e);
                }
            }
            out.printf(Locale.ROOT, "batch %d/%d: %d files, %d pooled, %d errors, %.1f input MP in %.1f s%n", b + 1,
                    batches, chunk.size(), t.pooled, t.errors, t.inputPixels / 1e6, (System.nanoTime() - t0) / 1e9);
            out.flush();
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
                o.spec().edge().label(), o.format().label(), kernel, listed.size(), listed.size() - todo.size(),
                todo.size(), totals.pooled, totals.errors, totals.inputPixels / 1e6, totals.inputBytes / 1e6,
                totals.inputPixels / 1e6 / wall, jsc.defaultParallelism(),
                new DownsampleReport.Seconds(totals.decodeNanos / 1e9, totals.poolNanos / 1e9,
                        totals.writeNanos / 1e9, wall),
                levels, samples);
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
            Path missing = new Path(file);
            String path = missing.toString(); // inputFiles() spells file:/// where the scan spells file:/
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
