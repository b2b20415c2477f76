package org.sparkpooling.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.spark.BlockInput;
import org.sparkpooling.spark.BlockSources;
import org.sparkpooling.spark.ClusterWarmup;
import org.sparkpooling.spark.TaskMetricsListener;
import org.sparkpooling.spark.TensorDatasets;

/**
 * The driver side of the bench job: builds the block source, runs {@link PartitionRunner} over
 * it in one Spark job, and folds the returned block reports into a {@link BenchReport}.
 */
public final class BenchJob {

    /** Spark conf key of the fault hook: attempt 0 of this partition fails after its first block. */
    public static final String FAIL_PARTITION_CONF = "spark.pooling.test.failPartition";

    private static final Logger LOG = LoggerFactory.getLogger(BenchJob.class);

    private BenchJob() {
    }

    /** Where the blocks come from. */
    public enum InputFormat { SYNTHETIC, PARQUET, NPY }

    /**
     * @param blocks     synthetic blocks to make (ignored for files)
     * @param partitions partitions to spread the blocks over; 0 for the cluster's core count
     *                   (synthetic) or the files' own split (input)
     */
    public record Source(InputFormat format, String path, long blocks, int partitions) {
        public Source {
            if (format == null) {
                throw new IllegalArgumentException("input format must not be null");
            }
            if (format == InputFormat.SYNTHETIC && blocks <= 0) {
                throw new IllegalArgumentException("blocks (" + blocks + ") must be > 0");
            }
            if (format != InputFormat.SYNTHETIC && (path == null || path.isBlank())) {
                throw new IllegalArgumentException("input path must be given for " + format);
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions (" + partitions + ") must be > 0");
            }
        }

        public static Source synthetic(long blocks, int partitions) {
            return new Source(InputFormat.SYNTHETIC, null, blocks, partitions);
        }
    }

    /**
     * Runs the job on {@code spark} and gathers its report. The fault hook is read from the
     * session's conf ({@value #FAIL_PARTITION_CONF}) when the config has none.
     */
    public static BenchReport run(SparkSession spark, BenchConfig config, Source source, double sessionSeconds)
            throws IOException {
        if (source.format() == InputFormat.PARQUET) {
            // A README or a folder of PNGs fails here in one line, not inside the job.
            TensorDatasets.requireParquet(spark.sparkContext().hadoopConfiguration(), "--input", source.path());
        }
        ClusterWarmup.awaitExecutors(spark.sparkContext()); // before partitions = cores, and before timing
        String hook = spark.sparkContext().getConf().get(FAIL_PARTITION_CONF, "");
        if (config.failPartition() < 0 && !hook.isBlank()) {
            config = config.withFailPartition(Integer.parseInt(hook.trim()));
        }
        int partitions = source.partitions();
        if (source.format() == InputFormat.SYNTHETIC && partitions == 0) {
            // One task per core: few large tasks keep Spark's per-task cost small next to the kernels.
            partitions = spark.sparkContext().defaultParallelism();
        }
        if (source.format() == InputFormat.SYNTHETIC) {
            partitions = (int) Math.max(1, Math.min(partitions, source.blocks()));
        }
        JavaRDD<BlockInput> blocks = switch (source.format()) {
            case SYNTHETIC -> BlockSources.synthetic(spark, source.blocks(), partitions,
                    PartitionRunner.carrier(config.shape()), config.seed());
            case PARQUET -> BlockSources.parquet(spark, source.path(), partitions);
            case NPY -> BlockSources.npy(spark, source.path(), partitions);
        };
        JavaRDD<BlockReport> reports = blocks.mapPartitions(
                new PartitionRunner(config, source.format() == InputFormat.SYNTHETIC));

        LOG.info("bench: {} on {}, {} x {} iterations of {} ({} warm-up), {} partitions, seed {}",
                source.format() == InputFormat.SYNTHETIC
                        ? source.blocks() + " synthetic blocks of " + config.shape() + " " + config.dtype().label()
                        : source.path(), spark.sparkContext().master(), config.implementations(), config.iterations(),
                config.spec(), config.warmup(), partitions == 0 ? "input's" : partitions, config.seed());
        TaskMetricsListener listener = new TaskMetricsListener();
        spark.sparkContext().addSparkListener(listener);
        long start = System.nanoTime();
        List<BlockReport> collected;
        try {
            spark.sparkContext().setJobDescription("bench: " + config.implementations() + " x " + config.iterations());
            collected = reports.collect();
        } finally {
            spark.sparkContext().setJobDescription(null);
        }
        double wallSeconds = (System.nanoTime() - start) / 1e9;
        LOG.info("bench: {} block reports gathered in {} s", collected.size(), String.format("%.2f", wallSeconds));
        try {
            listener.awaitJobsEnded(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        spark.sparkContext().removeSparkListener(listener);
        // Read after the job, when a cluster's executors have registered: their total cores.
        int cores = spark.sparkContext().defaultParallelism();
        return summarize(config, source, partitions, spark.version(), spark.sparkContext().master(), cores,
                sessionSeconds, wallSeconds, collected, listener.overhead());
    }

    /** Folds block reports into the job's report; pure, so tests can feed it records directly. */
    static BenchReport summarize(BenchConfig config, Source source, int partitions, String sparkVersion,
            String master, int cores, double sessionSeconds, double wallSeconds, List<BlockReport> collected,
            TaskMetricsListener.Overhead overhead) {
        List<BlockReport> all = new ArrayList<>(collected);
        all.sort(Comparator.comparingLong(BlockReport::blockId).thenComparing(BlockReport::source));
        List<BlockReport> ok = all.stream().filter(BlockReport::ok).toList();

        Map<Long, Integer> seen = new TreeMap<>();
        all.forEach(b -> seen.merge(b.blockId(), 1, Integer::sum));
        List<Long> duplicates = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();

        List<BenchReport.Mismatch> mismatches = new ArrayList<>();
        boolean forward = true;
        boolean backward = true;
        for (BlockReport b : ok) {
            for (ImplTiming t : b.implementations()) {
                forward &= t.forward();
                backward &= t.backward();
                if (t.mismatch() != null) {
                    mismatches.add(new BenchReport.Mismatch(b.blockId(), t.name(), t.mismatch()));
                }
            }
        }

        List<BenchReport.Implementation> impls = implementations(config, ok);
        double kernelSeconds = impls.stream().mapToDouble(BenchReport.Implementation::kernelSeconds).sum();

        Map<String, List<BlockReport>> byExecutor = new TreeMap<>();
        ok.forEach(b -> byExecutor.computeIfAbsent(b.executorId(), k -> new ArrayList<>()).add(b));
        List<BenchReport.Executor> executors = new ArrayList<>();
        byExecutor.forEach((id, list) -> executors.add(new BenchReport.Executor(id, list.get(0).host(), list.size(),
                copyGbPerSecond(list), implementations(config, list))));

        Map<Integer, List<BlockReport>> byPartition = new TreeMap<>();
        all.forEach(b -> byPartition.computeIfAbsent(b.partition(), k -> new ArrayList<>()).add(b));
        List<BenchReport.Partition> parts = new ArrayList<>();
        byPartition.forEach((p, list) -> parts.add(new BenchReport.Partition(p, list.get(0).attempt(),
                list.get(0).executorId(), list.get(0).host(), list.stream().map(BlockReport::blockId).toList(),
                combinedChecksum(list))));

        List<BenchReport.BlockError> errors = all.stream().filter(b -> !b.ok())
                .map(b -> new BenchReport.BlockError(b.blockId(), b.source(), b.partition(), b.error())).toList();

        NdPoolSpec s = config.spec();
        boolean synthetic = source.format() == InputFormat.SYNTHETIC;
        String mode = switch (s.op()) {
            case MAX, AVG -> s.op().label();
            case ADAPTIVE_MAX, ADAPTIVE_AVG, LP, UNPOOL -> null;
        };
        BenchReport.Config cfg = new BenchReport.Config(master, synthetic ? null : source.path(),
                synthetic ? source.blocks() : null, partitions,
                synthetic ? PartitionRunner.shapeText(config.shape()) : null,
                s.op().label(), config.layout().label(), config.dtype().label(), mode, s.kernel(), s.stride(),
                s.padding(), s.dilation(), s.ceilMode(), s.countIncludePad(), s.divisorOverride(), s.outputSize(),
                s.normType(), config.implementations(), config.iterations(), config.warmup(), config.copyReps(),
                config.seed());
        double efficiency = wallSeconds > 0 && cores > 0 ? kernelSeconds / (wallSeconds * cores) : 0;
        return new BenchReport(cfg, sparkVersion, master, cores, sessionSeconds, wallSeconds, all.size(), ok.size(),
                all.size() - ok.size(), duplicates, kernelSeconds, efficiency, combinedChecksum(ok), impls,
                new BenchReport.Verification(forward, backward, mismatches), executors, parts, overhead, errors, all);
    }

    /** Per implementation over the given blocks, in the order the user asked for them. */
    private static List<BenchReport.Implementation> implementations(BenchConfig config, List<BlockReport> blocks) {
        double copyGbps = copyGbPerSecond(blocks);
        Map<String, long[]> sums = new LinkedHashMap<>(); // nanos, blocks, block-iterations, bytes
        Map<String, boolean[]> verified = new LinkedHashMap<>();
        config.implementations().forEach(n -> {
            sums.put(n, new long[4]);
            verified.put(n, new boolean[] {true, true});
        });
        for (BlockReport b : blocks) {
            for (ImplTiming t : b.implementations()) {
                long[] s = sums.computeIfAbsent(t.name(), k -> new long[4]);
                s[0] += t.nanos();
                s[1]++;
                s[2] += b.iterations();
                s[3] += b.bytesPerIteration() * b.iterations();
                boolean[] v = verified.computeIfAbsent(t.name(), k -> new boolean[] {true, true});
                v[0] &= t.forward();
                v[1] &= t.backward();
            }
        }
        List<BenchReport.Implementation> out = new ArrayList<>();
        sums.forEach((name, s) -> {
            double seconds = s[0] / 1e9;
            double micros = s[2] == 0 ? 0 : s[0] / 1e3 / s[2];
            double gbps = s[0] == 0 ? 0 : s[3] / (double) s[0];
            out.add(new BenchReport.Implementation(name, s[1], seconds, micros, gbps,
                    copyGbps > 0 ? gbps / copyGbps : 0, verified.get(name)[0], verified.get(name)[1]));
        });
        return out;
    }

    /** Bytes read and written by the plain copies over their time, in GB/s (10^9 bytes). */
    private static double copyGbPerSecond(List<BlockReport> blocks) {
        long bytes = 0;
        long nanos = 0;
        for (BlockReport b : blocks) {
            bytes += b.copyBytes() * b.copyReps();
            nanos += b.copyNanos();
        }
        return nanos == 0 ? 0 : bytes / (double) nanos;
    }

    /** CRC32 over (block id, checksum) of the processed blocks in id order: independent of partitioning. */
    static String combinedChecksum(List<BlockReport> blocks) {
        CRC32 crc = new CRC32();
        blocks.stream().filter(BlockReport::ok).sorted(Comparator.comparingLong(BlockReport::blockId)).forEach(b -> {
            crc.update(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, b.blockId()));
            crc.update(b.checksum().getBytes(StandardCharsets.US_ASCII));
        });
        return String.format("%08x", crc.getValue());
    }
}
