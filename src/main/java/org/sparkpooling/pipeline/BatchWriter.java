package org.sparkpooling.pipeline;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Writes a run's batches: each batch is one Spark write that appends its levels' rows to the
 * dataset through the commit protocol (so a killed run leaves whole batches behind), then appends
 * its error rows; or, when no row holds pixels, the rows come back with the batch's job and
 * {@link DatasetFiles} writes them; and checks that the batch adds up. Collects the run's totals and error samples.
 */
final class BatchWriter {

    private static final String NO_SUCCESS_MARKER = "mapreduce.fileoutputcommitter.marksuccessfuljobs";

    private final SparkSession spark;
    private final String output;
    private final PrintWriter out;
    private final RunStats.Totals totals = new RunStats.Totals();
    private final List<ErrorRecord> samples = new ArrayList<>();
    private final boolean rowsHoldPixels;

    /**
     * @param rowsHoldPixels whether a sink fills the rows' pixels column (Parquet among the formats):
     *                       then each batch is a Spark write from the tasks; else the rows come back
     *                       with the job and {@link DatasetFiles} writes them on the driver
     */
    BatchWriter(SparkSession spark, String output, PrintWriter out, boolean rowsHoldPixels) {
        this.spark = spark;
        this.output = output;
        this.out = out;
        this.rowsHoldPixels = rowsHoldPixels;
    }

    RunStats.Totals totals() {
        return totals;
    }

    /** The first {@link DownsampleReport#MAX_ERROR_SAMPLES} errors, sorted by path. */
    List<ErrorRecord> samples() {
        List<ErrorRecord> sorted = new ArrayList<>(samples);
        sorted.sort(Comparator.comparing(ErrorRecord::path));
        return sorted;
    }

    /**
     * One Spark write of {@code rows}, then its error rows; checks that the batch adds up:
     * {@code inputs} records = pooled + errors (+ skipped, for a tensor dataset, whose records are
     * only known to be done once read).
     */
    void write(JavaRDD<Row> rows, RunStats stats, CollectionAccumulator<ErrorRecord> errors, long inputs,
            LongAccumulator skipped, int b, int batches) {
        long t0 = System.nanoTime();
        List<Row> made = null;
        if (rowsHoldPixels) {
            // No dictionary: every pixels value is distinct, and hashing megabytes per row to find
            // that out costs more than writing them.
            spark.createDataFrame(rows, DownsampleJob.SCHEMA).write().mode(SaveMode.Append).partitionBy("level")
                    .option(NO_SUCCESS_MARKER, "false").option("parquet.enable.dictionary", "false").parquet(output);
        } else {
            made = rows.collect();
        }
        List<ErrorRecord> failed = new ArrayList<>(errors.value());
        failed.sort(Comparator.comparing(ErrorRecord::path));
        RunStats.Totals t = stats.value();
        long skip = skipped == null ? 0 : skipped.value();
        if (t.pooled + t.errors + skip != inputs || t.errors != failed.size()) {
            throw new IllegalStateException("batch " + b + " does not add up: " + inputs + " inputs, "
                    + t.pooled + " pooled, " + t.errors + " errors counted, " + failed.size() + " error rows, "
                    + skip + " skipped");
        }
        if (made != null) {
            try {
                DatasetFiles.writeBatch(spark.sparkContext().hadoopConfiguration(), output, b, made, failed);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write batch " + b + "'s rows", e);
            }
        } else if (!failed.isEmpty()) {
            writeErrors(failed);
        }
        failed.forEach(this::addSample);
        totals.add(t);
        out.printf(Locale.ROOT, "batch %d/%d: %d inputs, %d pooled, %d errors, %.1f input MP in %.1f s%n", b,
                batches, inputs - skip, t.pooled, t.errors, t.inputPixels / 1e6, (System.nanoTime() - t0) / 1e9);
        out.flush();
    }

    /** Error rows found before any batch (the listing's): written and counted as errors. */
    void writeListingErrors(List<ErrorRecord> errors) {
        if (errors.isEmpty()) {
            return;
        }
        if (rowsHoldPixels) {
            writeErrors(errors);
        } else {
            try {
                DatasetFiles.writeBatch(spark.sparkContext().hadoopConfiguration(), output, 0, List.of(), errors);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the listing's error rows", e);
            }
        }
        totals.errors += errors.size();
        errors.forEach(this::addSample);
    }

    /** The errors dataset of a run without errors: one Parquet file of no rows, so readers find its schema. */
    void writeEmptyErrors() throws IOException {
        DatasetFiles.writeEmptyErrors(spark.sparkContext().hadoopConfiguration(), output);
    }

    /** Appends {@code errors} to the errors dataset (an empty list writes just its schema). */
    void writeErrors(List<ErrorRecord> errors) {
        List<Row> rows = new ArrayList<>(errors.size());
        for (ErrorRecord e : errors) {
            rows.add(RowFactory.create(e.path(), e.reason()));
        }
        spark.createDataFrame(rows, DownsampleJob.ERROR_SCHEMA).coalesce(1).write().mode(SaveMode.Append)
                .option(NO_SUCCESS_MARKER, "false").parquet(output + "/errors");
    }

    private void addSample(ErrorRecord e) {
        if (samples.size() < DownsampleReport.MAX_ERROR_SAMPLES) {
            samples.add(e);
        }
    }
}
