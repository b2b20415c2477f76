package org.sparkpooling.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.io.OutputGuard;
import org.sparkpooling.pipeline.DownsampleJob;
import org.sparkpooling.pipeline.DownsampleReport;
import org.sparkpooling.pipeline.DownsampleSpec;
import org.sparkpooling.pipeline.EdgeMode;
import org.sparkpooling.pipeline.InputKind;
import org.sparkpooling.pipeline.OutputFormat;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.TaskMetricsListener;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pooling downsample}: images in, a pooled pyramid per image out, nothing lost. */
@Command(name = "downsample",
        mixinStandardHelpOptions = true,
        description = {
            "Pools every image under --input level by level (FxF, stride F) and writes the levels as a",
            "Parquet dataset partitioned by level (and/or PNG files), with an errors dataset for inputs",
            "that could not be pooled. Channel order: gray; gray,alpha; R,G,B; R,G,B,A."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success (some images may be in the errors dataset)",
            "1:nothing pooled, or any error with --fail-on-error",
            "2:invalid options, or an existing output without --overwrite/--resume"})
public final class DownsampleCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "PATH",
            description = "A directory (searched recursively), a file, or a glob such as '/photos/*/*.jpg'.")
    String input;

    @Option(names = "--input-format", defaultValue = "images", paramLabel = "images|tensors|npy",
            description = "images: files ImageIO decodes; tensors: a Parquet tensor dataset from `generate`; npy: .npy files "
                    + "of rank-4 float arrays. A tensor's N images pool as float planes (bit depth 32, not rounded; Parquet "
                    + "only). Default ${DEFAULT-VALUE}.")
    String inputFormat;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "The output directory.")
    String output;

    @Option(names = "--mode", defaultValue = "avg", paramLabel = "avg|max|min|mode|median",
            description = "Pooling: avg (the exact mean, rounded half to even), max, min, mode (the most frequent sample,"
                    + " ties to the smallest: for label images), median (the lower one). min, mode and median take integer"
                    + " images only (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--sparse", description = "Zero is background: a window pools only its nonzero samples unless all"
            + " are zero (igneous's sparse downsampling), so thin labels survive. Integer images only.")
    boolean sparse;

    @Option(names = "--factor", defaultValue = "2", paramLabel = "F",
            description = "Window and stride per level (default ${DEFAULT-VALUE}).")
    int factor;

    @Option(names = "--levels", defaultValue = "0", paramLabel = "L",
            description = "Levels per image (default 0: until the short side is 1 pixel).")
    int levels;

    @Option(names = "--edge", defaultValue = "partial", paramLabel = "partial|trim",
            description = "partial: overhanging windows pool their in-bounds pixels (ceil mode); trim: drop the remainder (floor mode). Default ${DEFAULT-VALUE}.")
    String edge;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|png|zarr|both",
            description = "What to write: parquet, png, zarr (OME-Zarr), both (parquet and png), or a comma list (default"
                    + " ${DEFAULT-VALUE}). The Parquet rows are always written; without parquet their pixels column is null.")
    String format;

    @Option(names = "--zarr-chunk", defaultValue = "512", paramLabel = "N",
            description = "With zarr: the arrays' chunks are 1 x N x N samples per channel plane, smaller where a level is"
                    + " (default ${DEFAULT-VALUE}).")
    int zarrChunk;

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "P",
            description = "Spark partitions per batch (default 0: four per core).")
    int partitions;

    @Option(names = "--batch", defaultValue = "4096", paramLabel = "N",
            description = "Images per committed batch, the unit --resume continues from (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-pixels", defaultValue = "10000000000", paramLabel = "N",
            description = "Refuse images whose header claims more pixels, before decoding them: a guard against"
                    + " decompression bombs, not a memory limit (default ${DEFAULT-VALUE}: a 100,000 x 100,000 slide).")
    long maxPixels;

    @Option(names = "--task-pixels", defaultValue = "33554432", paramLabel = "N",
            description = "The most pixels a task holds: larger images are made in bands of rows, with the same"
                    + " result (default ${DEFAULT-VALUE}, 2^25, fits a 1 GiB executor). TIFF, PNG and baseline JPEG"
                    + " can be read in bands.")
    long taskPixels;

    @ArgGroup(exclusive = true)
    Existing existing;

    static final class Existing {
        @Option(names = "--overwrite", description = "Replace an existing output.")
        boolean overwrite;

        @Option(names = "--resume", description = "Continue an existing output: skip images already pooled or recorded as errors.")
        boolean resume;
    }

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default local[*], or spark-submit's).")
    String master;

    @Option(names = "--report", paramLabel = "DIR", description = "Write report.json into DIR.")
    Path report;

    @Option(names = "--fail-on-error", description = "Exit 1 when any input ends in the errors dataset.")
    boolean failOnError;

    @Override
    public Integer call() throws Exception {
        DownsampleJob.Options options = options();
        String sparkMaster;
        try {
            sparkMaster = MasterOption.check(master);
            if (report != null) {
                OutputGuard.requireReportDirectory("--report", report, List.of(DownsampleReport.FILE));
                Path in = BenchCommand.localPath(input);
                if (in != null) {
                    OutputGuard.requireApart("--report", report, "--input", in);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        // A session that was already running (a test's, a notebook's) is not ours to stop.
        boolean ours = SparkSession.getDefaultSession().isEmpty();
        // Executors sample their heap every 100 ms, so the report can give each task's peak.
        SparkSession spark = SparkSetup.session("pooling downsample", sparkMaster,
                Map.of(TaskMetricsListener.POLLING, "100ms"));
        DownsampleReport r;
        try {
            r = DownsampleJob.run(spark, options, out);
        } finally {
            if (ours) {
                spark.stop();
            }
        }
        for (DownsampleReport.Level l : r.levels()) {
            out.printf(Locale.ROOT, "level %d: %d images, %.2f MP%n", l.level(), l.images(), l.pixels() / 1e6);
        }
        out.printf(Locale.ROOT, "inputs %d = pooled %d + errors %d (%d skipped as done before)%n",
                r.inputs(), r.pooled(), r.errors(), r.skipped());
        out.printf(Locale.ROOT, "%.1f input MP (%.1f MB) in %.2f s: %.1f MP/s on %d cores (%.1f MP/s per core); "
                + "executor time decode %.2f s, pool %.2f s, write %.2f s%n",
                r.inputMegapixels(), r.inputMegabytes(), r.seconds().wall(), r.megapixelsPerSecond(), r.cores(),
                r.megapixelsPerSecond() / r.cores(), r.seconds().decode(), r.seconds().pool(), r.seconds().write());
        out.printf(Locale.ROOT, "job overhead %.2f s (wall minus %.2f s of task time over %d cores); peak executor"
                + " heap during a task %.0f MB%n", r.seconds().overhead(), r.seconds().executor(), r.cores(),
                r.peakTaskHeapMegabytes());
        for (int i = 0; i < Math.min(10, r.errorSamples().size()); i++) {
            out.println("  error: " + r.errorSamples().get(i).path() + ": " + r.errorSamples().get(i).reason());
        }
        if (report != null) {
            r.write(report);
            out.println("report: " + report.resolve(DownsampleReport.FILE));
        }
        out.flush();
        boolean allDoneBefore = r.inputs() == 0 && r.skipped() > 0;
        if ((r.pooled() == 0 && !allDoneBefore) || (failOnError && r.errors() > 0)) {
            return 1;
        }
        return 0;
    }

    DownsampleJob.Options options() {
        try {
            DownsampleSpec s = new DownsampleSpec(DownsampleMode.parse(mode), factor, levels, EdgeMode.parse(edge), maxPixels,
                    taskPixels, sparse);
            DownsampleJob.Existing e = existing == null ? DownsampleJob.Existing.REFUSE
                    : existing.overwrite ? DownsampleJob.Existing.OVERWRITE : DownsampleJob.Existing.RESUME;
            return DownsampleJob.Options.builder(input, output, s).formats(OutputFormat.parse(format))
                    .partitions(partitions).batch(batch).existing(e).kind(InputKind.parse(inputFormat))
                    .zarrChunk(zarrChunk).build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
    }
}
