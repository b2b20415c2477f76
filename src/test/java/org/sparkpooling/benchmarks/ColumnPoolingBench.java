package org.sparkpooling.benchmarks;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.struct;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.sparkpooling.bench.BenchConfig;
import org.sparkpooling.bench.BenchJob;
import org.sparkpooling.bench.BenchReport;
import org.sparkpooling.pipeline.DownsampleJob;
import org.sparkpooling.pipeline.DownsampleReport;
import org.sparkpooling.pipeline.DownsampleSpec;
import org.sparkpooling.pipeline.EdgeMode;
import org.sparkpooling.pipeline.OutputFormat;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.ImagePooling;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.PoolingFunctions;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.SyntheticBlocks;
import org.sparkpooling.spark.TensorDatasets;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The column functions' speed beside the paths they must keep up with, measured in one JVM, side
 * by side and alternating (a shared 2-core machine moves by tens of percent between runs minutes
 * apart), each figure the median of its runs:
 *
 * <ul>
 * <li><b>tensors</b>, on {@code local[2]}: {@code pool2d(struct(*), 'max', 2)} over rows of
 * 64x3x28x28 blocks (a noop sink), against the bench job's kernel throughput for the same blocks
 * ({@code BenchJob} with {@code fast}: its kernel time per forward+backward) and against the
 * forward alone (the call the function makes), timed in a loop on two threads. The rows are made
 * by Spark from the blocks' bytes; the same query without the function is the input's cost, which
 * the "function alone" figure takes off.
 * <li><b>images</b>, on {@code local[1]}: {@code pool2d(image, 'avg', 2)} in ceil mode over
 * Spark's image rows of real photos (decoded once and cached), against the downsample pipeline's
 * pool stage ({@code seconds.pool} of its report: 2x2 avg, partial edges, one level) on the same
 * files, in input megapixels per second; beside them the same query on Parquet of the image rows
 * (a source that is not the cache), each query's executor CPU time (the tasks' thread CPU, which the
 * machine's other load does not stretch as it does wall time), and the pipeline's pooling call on the
 * same decoded photos timed in thread CPU on this JVM's driver thread.
 * </ul>
 *
 * <pre>
 * java $(cat conf/java-module-options) -Dpooling.home=. -Xmx6g \
 *   -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *   org.sparkpooling.benchmarks.ColumnPoolingBench [--photos DIR] [--rows N] [--reps K] [--iterations I] \
 *   [--no-tensors]
 * </pre>
 */
public final class ColumnPoolingBench {

    private ColumnPoolingBench() {
    }

    /**
     * What one run measures; {@code photos} null skips the image part, {@code tensors} false the
     * tensor part (minutes of the bench job that an image-only change need not wait for).
     */
    record Options(Path photos, int rows, int reps, int iterations, Path scratch, boolean tensors) {
    }

    public static void main(String[] args) throws Exception {
        Path photos = null;
        int rows = 4000;
        int reps = 5;
        int iterations = 2000;
        boolean tensors = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--photos" -> photos = Path.of(args[++i]);
                case "--rows" -> rows = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--iterations" -> iterations = Integer.parseInt(args[++i]);
                case "--no-tensors" -> tensors = false;
                default -> throw new IllegalArgumentException("option (" + args[i] + ") must be --photos, --rows,"
                        + " --reps, --iterations or --no-tensors");
            }
        }
        Path scratch = Files.createTempDirectory("column-pooling-bench");
        run(new Options(photos, rows, reps, iterations, scratch, tensors), System.out);
    }

    static void run(Options o, PrintStream out) throws Exception {
        out.printf(Locale.ROOT, "load average at start: %s%n", load());
        isolated(o, out);
        if (o.tensors()) {
            tensors(o, out);
        }
        if (o.photos() != null) {
            images(o, out);
        }
        out.printf(Locale.ROOT, "load average at end: %s%n", load());
    }

    static String load() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static double median(List<Double> xs) {
        double[] a = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    private static double seconds(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    // ---- the expression alone, no Spark job: what it adds to the pooling call it makes

    /**
     * One thread, no job: the expression evaluated through a generated projection (an UnsafeRow in,
     * as a scan or shuffle gives it, an UnsafeRow out) against the pooling call it makes, on the
     * same data, alternating; the fastest of each (a busy machine's slow runs say nothing of the code).
     */
    private static void isolated(Options o, PrintStream out) {
        int reps = Math.max(3, 6 * o.reps());
        Tensor block = SyntheticBlocks.block(SEED, 0, TEXTBOOK);
        PoolSpec max = PoolSpec.max(2, 2).build();
        float[] y = new float[max.geometry(TEXTBOOK.h(), TEXTBOOK.w()).outputShape(TEXTBOOK).size()];
        PoolKernel kernel = PoolKernels.byName("fast");
        org.apache.spark.sql.catalyst.InternalRow tensorRow = unsafe(org.sparkpooling.spark.BlockSources.TENSOR_SCHEMA,
                new Object[] {0L, TEXTBOOK.n(), TEXTBOOK.c(), TEXTBOOK.h(), TEXTBOOK.w(),
                    TensorDatasets.toRow(0, block).get(5)});
        org.apache.spark.sql.catalyst.expressions.UnsafeProjection tensorFn = projection(
                org.sparkpooling.spark.BlockSources.TENSOR_SCHEMA, max);
        double[] t = best(reps, 50, () -> kernel.forward(max, block, y, null), () -> tensorFn.apply(tensorRow));
        out.printf(Locale.ROOT, "expression alone, one thread, fastest of %d: %s max 2x2: kernel forward %.1f us,"
                + " pool2d on an UnsafeRow %.1f us (%.2f of the kernel's rate)%n", reps, TEXTBOOK, t[0], t[1], t[0] / t[1]);

        int h = 1200;
        int w = 1920;
        byte[] photo = new byte[h * w * 3];
        new java.util.Random(SEED).nextBytes(photo);
        PoolSpec avg = PoolSpec.avg(2, 2).ceilMode(true).build();
        org.apache.spark.sql.catalyst.InternalRow imageRow = unsafe(org.apache.spark.ml.image.ImageSchema.columnSchema(),
                new Object[] {org.apache.spark.unsafe.types.UTF8String.fromString("file:/photo.png"), h, w, 3, 16, photo});
        org.apache.spark.sql.catalyst.expressions.UnsafeProjection imageFn = projection(
                org.apache.spark.ml.image.ImageSchema.columnSchema(), avg);
        double[] i = best(reps, 2, () -> org.sparkpooling.pool.ImagePooling.pool(DownsampleMode.AVG,
                org.sparkpooling.tensor.IntImage.of8(h, w, 3, photo), 2, true), () -> imageFn.apply(imageRow));
        out.printf(Locale.ROOT, "expression alone, one thread, fastest of %d: %dx%d RGB avg 2x2: the pipeline's pooling"
                + " %.2f ms, pool2d on an image UnsafeRow %.2f ms (%.2f of the pipeline's rate)%n", reps, w, h, i[0] / 1e3,
                i[1] / 1e3, i[0] / i[1]);
    }

    private static org.apache.spark.sql.catalyst.InternalRow unsafe(org.apache.spark.sql.types.StructType type,
            Object[] fields) {
        org.apache.spark.sql.catalyst.InternalRow outer = new org.apache.spark.sql.catalyst.expressions.GenericInternalRow(
                new Object[] {new org.apache.spark.sql.catalyst.expressions.GenericInternalRow(fields)});
        return org.apache.spark.sql.catalyst.expressions.UnsafeProjection.create(
                new org.apache.spark.sql.types.DataType[] {type}).apply(outer).copy();
    }

    private static org.apache.spark.sql.catalyst.expressions.UnsafeProjection projection(
            org.apache.spark.sql.types.StructType type, PoolSpec spec) {
        org.apache.spark.sql.catalyst.expressions.Expression e = new org.sparkpooling.spark.sql.PoolExpression(
                new org.apache.spark.sql.catalyst.expressions.BoundReference(0, type, true),
                org.sparkpooling.spark.sql.PoolCall.of(org.sparkpooling.pool.NdPoolSpec.of(spec), false, false));
        return org.apache.spark.sql.catalyst.expressions.UnsafeProjection.create(
                scala.jdk.javaapi.CollectionConverters.asScala(List.of(e)).toList());
    }

    /** Microseconds per call of each, the fastest of {@code reps} alternating rounds of {@code calls} calls. */
    private static double[] best(int reps, int calls, Runnable a, Runnable b) {
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        Runnable[] both = {a, b};
        for (int r = 0; r < reps + 3; r++) {
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime();
                for (int c = 0; c < calls; c++) {
                    both[k].run();
                }
                double us = (System.nanoTime() - t0) / 1e3 / calls;
                if (r >= 3) { // three warm-up rounds
                    best[k] = Math.min(best[k], us);
                }
            }
        }
        return best;
    }

    // ---- tensors

    static final Shape TEXTBOOK = new Shape(64, 3, 28, 28);
    static final int DISTINCT = 8;
    static final long SEED = 20261201L;

    private static void tensors(Options o, PrintStream out) throws Exception {
        SparkSession spark = SparkSetup.session("ColumnPoolingBench tensors", "local[2]", Map.of());
        try {
            PoolSpec spec = PoolSpec.max(2, 2).build();
            List<Tensor> blocks = new ArrayList<>();
            Column[] data = new Column[DISTINCT];
            for (int b = 0; b < DISTINCT; b++) {
                blocks.add(SyntheticBlocks.block(SEED, b, TEXTBOOK));
                data[b] = lit(TensorDatasets.toRow(b, blocks.get(b)).get(5));
            }
            // Each row one of the blocks, its bytes copied into the row as a scan copies them; id keeps it per row.
            Column tensor = struct(col("id").alias("blockId"), lit(TEXTBOOK.n()).alias("n"), lit(TEXTBOOK.c()).alias("c"),
                    lit(TEXTBOOK.h()).alias("h"), lit(TEXTBOOK.w()).alias("w"),
                    element_at(org.apache.spark.sql.functions.array(data), pmod(col("id"), lit(DISTINCT)).plus(1)
                            .cast("int")).alias("data"));
            Dataset<Row> rows = spark.range(0, o.rows(), 1, 2).select(tensor.alias("t"));
            Dataset<Row> pooled = rows.select(PoolingFunctions.pool2d(col("t"), "max", 2).alias("p"));
            Runnable input = () -> rows.write().format("noop").mode("overwrite").save();
            Runnable function = () -> pooled.write().format("noop").mode("overwrite").save();
            input.run(); // warm: JIT, Spark's first jobs
            function.run();

            BenchConfig config = BenchConfig.builder(spec, TEXTBOOK).implementations(List.of("fast"))
                    .iterations(o.iterations()).seed(SEED).build();
            List<Double> in = new ArrayList<>();
            List<Double> fn = new ArrayList<>();
            List<Double> benchMicros = new ArrayList<>();
            List<Double> forwardMicros = new ArrayList<>();
            for (int r = 0; r < o.reps(); r++) {
                in.add(seconds(input));
                fn.add(seconds(function));
                BenchReport report = BenchJob.run(spark, config, BenchJob.Source.synthetic(DISTINCT, 2), 0);
                benchMicros.add(report.implementations().get(0).microsPerIteration());
                forwardMicros.add(forwardMicros(blocks, spec, o.iterations()));
            }
            double n = o.rows();
            double fnRate = n / median(fn);
            double fnOnly = n / (median(fn) - median(in));
            double benchRate = 2 * 1e6 / median(benchMicros);
            double forwardRate = 2 * 1e6 / median(forwardMicros);
            out.printf(Locale.ROOT, "tensors: %d rows of %s, max 2x2, local[2], %d runs each, alternating%n", o.rows(),
                    TEXTBOOK, o.reps());
            out.printf(Locale.ROOT, "  pool2d(struct, 'max', 2) query   %8.1f blocks/s  (wall %s s)%n", fnRate, fmt(fn));
            out.printf(Locale.ROOT, "  the same query without pool2d    %8.1f blocks/s  (wall %s s)%n", n / median(in),
                    fmt(in));
            out.printf(Locale.ROOT, "  pool2d alone (difference)        %8.1f blocks/s%n", fnOnly);
            out.printf(Locale.ROOT, "  bench job, fast, fwd+bwd         %8.1f blocks/s  (%s us per block-iteration,"
                    + " 2 cores)%n", benchRate, fmt(benchMicros));
            out.printf(Locale.ROOT, "  kernel forward alone, 2 threads  %8.1f blocks/s  (%s us per block)%n", forwardRate,
                    fmt(forwardMicros));
            out.printf(Locale.ROOT, "  ratio query / bench job %.2f, query / forward %.2f, alone / forward %.2f%n",
                    fnRate / benchRate, fnRate / forwardRate, fnOnly / forwardRate);
        } finally {
            spark.stop();
        }
    }

    /** Microseconds per block of the forward pool2d makes (max, no indices), two threads over the blocks. */
    static double forwardMicros(List<Tensor> blocks, PoolSpec spec, int iterations) throws Exception {
        PoolKernel kernel = PoolKernels.byName("fast");
        Shape outShape = spec.geometry(TEXTBOOK.h(), TEXTBOOK.w()).outputShape(TEXTBOOK);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Double>> done = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    float[] y = new float[outShape.size()];
                    for (int i = 0; i < iterations / 10; i++) {
                        kernel.forward(spec, blocks.get(i % blocks.size()), y, null);
                    }
                    long t0 = System.nanoTime();
                    for (int i = 0; i < iterations; i++) {
                        kernel.forward(spec, blocks.get((first + 2 * i) % blocks.size()), y, null);
                    }
                    double us = (System.nanoTime() - t0) / 1e3 / iterations;
                    return y[0] == y[0] || y[0] != y[0] ? us : -1; // keep y alive
                }));
            }
            double sum = 0;
            for (Future<Double> f : done) {
                sum += f.get();
            }
            return sum / done.size();
        } finally {
            pool.shutdown();
        }
    }

    private static String fmt(List<Double> xs) {
        StringBuilder b = new StringBuilder();
        for (double x : xs) {
            b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", x));
        }
        return b.toString();
    }

    // ---- images

    private static void images(Options o, PrintStream out) throws Exception {
        SparkSession spark = SparkSetup.session("ColumnPoolingBench images", "local[1]", Map.of());
        CpuListener cpu = new CpuListener();
        spark.sparkContext().addSparkListener(cpu);
        try {
            Dataset<Row> images = spark.read().format("image").option("dropInvalid", true).load(o.photos().toString())
                    .persist(StorageLevel.MEMORY_ONLY());
            List<Row> sizes = images.select("image.height", "image.width").collectAsList();
            double megapixels = 0;
            for (Row r : sizes) {
                megapixels += (double) r.getInt(0) * r.getInt(1) / 1e6;
            }
            // The same rows as Parquet, read afresh each time: a source that is not Spark's in-memory cache.
            String parquetPath = o.scratch().resolve("image-rows.parquet").toString();
            images.write().mode("overwrite").parquet(parquetPath);
            Dataset<Row> parquet = spark.read().parquet(parquetPath);
            Column half = PoolingFunctions.pool2d(col("image"), PoolSpec.avg(2, 2).ceilMode(true).build()).alias("half");
            // The photos as the pipeline's pooling call takes them, for its CPU time on this thread beside the queries'.
            List<org.sparkpooling.tensor.IntImage> decoded = new ArrayList<>();
            for (Row r : images.select("image.height", "image.width", "image.nChannels", "image.data").collectAsList()) {
                decoded.add(org.sparkpooling.tensor.IntImage.of8(r.getInt(0), r.getInt(1), r.getInt(2), r.getAs(3)));
            }
            Dataset<Row> pooled = images.select(half);
            Dataset<Row> pooledParquet = parquet.select(half);
            Runnable[] queries = {
                () -> images.write().format("noop").mode("overwrite").save(),
                () -> pooled.write().format("noop").mode("overwrite").save(),
                () -> parquet.write().format("noop").mode("overwrite").save(),
                () -> pooledParquet.write().format("noop").mode("overwrite").save()};
            for (Runnable q : queries) {
                q.run(); // warm: JIT, Spark's first jobs
            }
            DownsampleSpec ds = new DownsampleSpec(DownsampleMode.AVG, 2, 1, EdgeMode.PARTIAL,
                    DownsampleSpec.DEFAULT_MAX_PIXELS);
            List<List<Double>> wall = new ArrayList<>();
            List<List<Double>> cpuSeconds = new ArrayList<>();
            for (int q = 0; q < queries.length; q++) {
                wall.add(new ArrayList<>());
                cpuSeconds.add(new ArrayList<>());
            }
            List<Double> pipelinePool = new ArrayList<>();
            List<Double> callCpu = new ArrayList<>();
            double pipelineMegapixels = 0;
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            for (int r = 0; r < o.reps(); r++) {
                long c0 = threads.getCurrentThreadCpuTime();
                for (org.sparkpooling.tensor.IntImage photo : decoded) {
                    ImagePooling.pool(DownsampleMode.AVG, photo, 2, true);
                }
                callCpu.add((threads.getCurrentThreadCpuTime() - c0) / 1e9);
                for (int q = 0; q < queries.length; q++) {
                    cpu.reset(spark);
                    wall.get(q).add(seconds(queries[q]));
                    cpuSeconds.get(q).add(cpu.seconds(spark));
                }
                Path outDir = o.scratch().resolve("pyramid-" + r);
                DownsampleReport report = DownsampleJob.run(spark, DownsampleJob.Options.builder(o.photos().toString(),
                        outDir.toString(), ds).formats(OutputFormat.PARQUET).partitions(4).build(),
                        new PrintWriter(new StringWriter()));
                pipelinePool.add(report.seconds().pool());
                pipelineMegapixels = report.inputMegapixels();
            }
            double pipelineRate = pipelineMegapixels / median(pipelinePool);
            out.printf(Locale.ROOT, "images: %d photos, %.1f MP, avg 2x2 ceil (the pipeline's partial edge), local[1], %d"
                    + " runs each, alternating; executor CPU is the tasks' thread CPU time%n", sizes.size(), megapixels,
                    o.reps());
            String[] names = {"the cached image rows", "pool2d(image) on cached image rows", "Parquet of the image rows",
                "pool2d(image) on Parquet of the rows"};
            for (int q = 0; q < queries.length; q++) {
                out.printf(Locale.ROOT, "  %-38s %7.1f MP/s wall, %7.1f MP/s executor CPU  (wall %s s; CPU %s s)%n",
                    names[q], megapixels / median(wall.get(q)), megapixels / median(cpuSeconds.get(q)),
                    fmt(wall.get(q)), fmt(cpuSeconds.get(q)));
            }
            out.printf(Locale.ROOT, "  pipeline pool stage (seconds.pool)        %7.1f MP/s  (%s s for %.1f MP)%n",
                    pipelineRate, fmt(pipelinePool), pipelineMegapixels);
            double callRate = megapixels / median(callCpu);
            out.printf(Locale.ROOT, "  the pipeline's pooling call on the photos %7.1f MP/s thread CPU  (%s s)%n", callRate,
                    fmt(callCpu));
            for (int source = 0; source < 2; source++) {
                List<Double> scanWall = wall.get(2 * source);
                List<Double> fnWall = wall.get(2 * source + 1);
                double fnRate = megapixels / median(fnWall);
                double fnOnly = megapixels / (median(fnWall) - median(scanWall));
                double cpuOnly = megapixels / (median(cpuSeconds.get(2 * source + 1)) - median(cpuSeconds.get(2 * source)));
                double cpuRate = megapixels / median(cpuSeconds.get(2 * source + 1));
                out.printf(Locale.ROOT, "  %s: pool2d alone (query minus scan) %.1f MP/s wall, %.1f MP/s executor CPU;"
                        + " ratio query / pipeline pool %.2f, alone / pipeline pool %.2f wall, %.2f CPU;"
                        + " CPU against the pooling call's: query %.2f, alone %.2f%n",
                        source == 0 ? "cached" : "Parquet", fnOnly, cpuOnly, fnRate / pipelineRate, fnOnly / pipelineRate,
                        cpuOnly / pipelineRate, cpuRate / callRate, cpuOnly / callRate);
            }
        } finally {
            spark.sparkContext().removeSparkListener(cpu);
            spark.stop();
        }
    }

    /** Executor CPU time (the task threads') summed over the tasks that end between a reset and a read. */
    private static final class CpuListener extends org.apache.spark.scheduler.SparkListener {
        private long nanos;

        @Override
        public synchronized void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                nanos += end.taskMetrics().executorCpuTime();
            }
        }

        /** Outside the lock while waiting: the bus's thread needs it to deliver the events waited for. */
        void reset(SparkSession spark) throws java.util.concurrent.TimeoutException {
            spark.sparkContext().listenerBus().waitUntilEmpty(); // events of earlier jobs must not count
            synchronized (this) {
                nanos = 0;
            }
        }

        double seconds(SparkSession spark) throws java.util.concurrent.TimeoutException {
            spark.sparkContext().listenerBus().waitUntilEmpty();
            synchronized (this) {
                return nanos / 1e9;
            }
        }
    }

}
