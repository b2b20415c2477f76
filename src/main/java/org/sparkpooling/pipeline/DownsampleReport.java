package org.sparkpooling.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.sparkpooling.io.AtomicFiles;

/**
 * What one run did, as printed and as {@code report.json}. Counts are of this run: {@code inputs}
 * files attempted (listed minus {@code skipped} by --resume) = {@code pooled} + {@code errors}.
 * {@code seconds.decode/pool/write} are executor times summed over tasks (they exceed
 * {@code wall} on several cores); {@code megapixelsPerSecond} is input megapixels over wall time;
 * {@code peakTaskHeapMegabytes} the largest executor heap in use while a task ran.
 */
public record DownsampleReport(
        String input,
        String output,
        String mode,
        int factor,
        String edge,
        String format,
        String kernel,
        long listed,
        long skipped,
        long inputs,
        long pooled,
        long errors,
        double inputMegapixels,
        double inputMegabytes,
        double megapixelsPerSecond,
        int cores,
        Seconds seconds,
        double peakTaskHeapMegabytes,
        List<Level> levels,
        List<ErrorRecord> errorSamples) {

    /** At most this many errors are listed in {@code errorSamples}; the errors dataset has them all. */
    public static final int MAX_ERROR_SAMPLES = 100;

    /** The file {@link #write} makes in its directory. */
    public static final String FILE = "report.json";

    public DownsampleReport {
        if (inputs != pooled + errors) {
            throw new IllegalStateException("inputs (" + inputs + ") must equal pooled (" + pooled
                    + ") + errors (" + errors + ")");
        }
        levels = List.copyOf(levels);
        errorSamples = List.copyOf(errorSamples);
    }

    /**
     * Executor seconds per stage summed over tasks ({@code write}: PNG encoding, the pixels column,
     * and the Parquet writer's share of each task), the run's {@code wall} time, {@code executor}: the
     * tasks' run time summed (Spark's executorRunTime), and {@code overhead}: wall minus executor
     * time per core, what the job spent outside its tasks (listing, job set-up, commits, the driver).
     */
    public record Seconds(double decode, double pool, double write, double wall, double executor, double overhead) {
    }

    /** One pyramid level: how many images reached it, and their pixels. */
    public record Level(int level, long images, long pixels) {
    }

    public String toJson() {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(this);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        byte[] json = (toJson() + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AtomicFiles.writeStream(dir.resolve(FILE), "--report", out -> out.write(json));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String json) throws IOException {
        return new ObjectMapper().readValue(json, Map.class);
    }
}
