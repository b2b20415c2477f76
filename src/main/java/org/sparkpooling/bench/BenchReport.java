package org.sparkpooling.bench;

import java.util.List;
import org.sparkpooling.spark.TaskMetricsListener;

/**
 * The bench job's result at the driver, in the shape of {@code report.json} (field names are the
 * JSON names; README.md documents each). Built by {@link BenchJob} from the tasks' block reports.
 *
 * @param blocks          blocks that came in (synthetic: requested; input: records read)
 * @param blocksProcessed blocks run through the kernels; {@code blocks = blocksProcessed + blockErrors}
 * @param wallSeconds     the job's wall time at the driver, from submission to the last result
 * @param kernelSeconds   timed kernel time summed over implementations, blocks and executors
 * @param efficiency      {@code kernelSeconds / (wallSeconds * cores)}
 * @param checksum        CRC32 over (block id, block checksum) of all processed blocks in id order
 * @param blockReports    every block's report (written to report.csv, not report.json)
 */
public record BenchReport(
        Config config,
        String sparkVersion,
        String master,
        int cores,
        double sessionSeconds,
        double wallSeconds,
        long blocks,
        long blocksProcessed,
        long blockErrors,
        List<Long> duplicateBlockIds,
        double kernelSeconds,
        double efficiency,
        String checksum,
        List<Implementation> implementations,
        Verification verification,
        List<Executor> executors,
        List<Partition> partitions,
        TaskMetricsListener.Overhead sparkOverhead,
        List<BlockError> errors,
        @com.fasterxml.jackson.annotation.JsonIgnore List<BlockReport> blockReports) {

    /**
     * The run's parameters as given (after defaults). Per-dimension lists have one entry per
     * spatial dimension, outermost first, and are null for the ops without a window (kernel,
     * stride, padding, dilation) or without an output size.
     *
     * @param shape  synthetic blocks' shape channels-first ({@code NxCx[D x]HxW}) whatever the layout
     * @param op     the operation: max, avg, adaptive-max, adaptive-avg, lp, unpool
     * @param layout the layout the kernels ran: nchw or nhwc
     * @param dtype  the element type the kernels ran: float32 or float64
     * @param mode   the op when it is max or avg (as before the family existed), else null
     */
    public record Config(String master, String input, Long blocks, int partitions, String shape, String op,
            String layout, String dtype, String mode, int[] kernel, int[] stride, int[] padding, int[] dilation,
            boolean ceilMode, boolean countIncludePad, Integer divisorOverride, int[] outputSize, Double normType,
            List<String> implementations, int iterations, int warmup, int copyReps, long seed) {
    }

    /**
     * One implementation over the whole cluster (or one executor).
     *
     * @param microsPerIteration kernel time per block per forward+backward, in microseconds
     * @param gbPerSecond        bytes the kernel must read and write, per second of kernel time
     * @param copyBoundFraction  {@code gbPerSecond} over the copy bandwidth measured on the same executors
     */
    public record Implementation(String name, long blocks, double kernelSeconds, double microsPerIteration,
            double gbPerSecond, double copyBoundFraction, boolean forward, boolean backward) {
    }

    public record Verification(boolean forward, boolean backward, List<Mismatch> mismatches) {
    }

    public record Mismatch(long blockId, String implementation, String detail) {
    }

    /** @param copyGbPerSecond the plain copy's bandwidth on this executor (bytes read + written) */
    public record Executor(String executorId, String host, long blocks, double copyGbPerSecond,
            List<Implementation> implementations) {
    }

    /** @param checksum CRC32 over (block id, block checksum) of this partition's processed blocks */
    public record Partition(int partition, int attempt, String executorId, String host, List<Long> blockIds,
            String checksum) {
    }

    public record BlockError(long blockId, String source, int partition, String error) {
    }
}
