package org.sparkpooling.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.bench.BenchConfig;
import org.sparkpooling.bench.BenchJob;
import org.sparkpooling.bench.BenchReport;
import org.sparkpooling.bench.BenchReportFiles;
import org.sparkpooling.io.OutputGuard;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.TensorShape;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pooling bench}: the textbook experiment as a Spark job over blocks of tensors. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs every implementation of one pooling operation forward+backward on blocks of tensors spread over"
                + " Spark partitions, verifies each against loops, and reports kernel time per implementation and"
                + " executor.",
            "Defaults: the textbook case, 64x3x28x28 float32 channels-first blocks, 2x2 max pooling with stride 2,"
                + " 5000 iterations, every implementation, on an embedded local[*] Spark.",
            "Sizes are one value for every spatial dimension or one per dimension, outermost first; the number of"
                + " dimensions is --shape's."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every block verified", "1:a verification failed, or no block could be processed",
            "2:invalid options or input"})
public final class BenchCommand implements Callable<Integer> {

    /** Textbook blocks per run by default: about a minute of kernel time per core on 2 cores (README). */
    static final long DEFAULT_BLOCKS = 4;

    /** The textbook layer in {@code dims} spatial dimensions: kernel 2 and stride 2 along each, max. */
    static NdPoolSpec textbook(int dims) {
        int[] two = new int[dims];
        Arrays.fill(two, 2);
        return NdPoolSpec.max(two).stride(two).build();
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[*] (default), local[N], spark://host:port, yarn, k8s://...")
    String master;

    @Option(names = "--blocks", paramLabel = "N", description = "Synthetic blocks to make (default: ${DEFAULT-VALUE}).")
    long blocks = DEFAULT_BLOCKS;

    @Option(names = "--partitions", paramLabel = "P",
            description = "Partitions (tasks) to spread the blocks over (default: the cluster's cores).")
    Integer partitions;

    @Option(names = "--shape", paramLabel = "N,C,[D,]H,W", converter = BlockShapeConverter.class,
            description = "Shape of each synthetic block, channels second whatever --layout: N,C,L (1-D), N,C,H,W"
                    + " (2-D) or N,C,D,H,W (3-D) (default: 64,3,28,28).")
    TensorShape shape = TensorShape.channelsFirst(64, 3, 28, 28);

    @Option(names = "--dtype", paramLabel = "float32|float64", converter = DtypeConverter.class,
            description = "Element type of the synthetic blocks, which the kernels compute in (default: float32).")
    Dtype dtype;

    @Mixin
    PoolOptions pooling;

    @Option(names = "--impl", paramLabel = "NAME", split = ",", splitSynopsisLabel = ",",
            description = "Implementations to time (default: every one that computes the op; loops is the reference"
                    + " either way).")
    List<String> implementations;

    @Option(names = "--iterations", paramLabel = "I",
            description = "Timed forward+backward calls per implementation and block (default: ${DEFAULT-VALUE}).")
    int iterations = 5000;

    @Option(names = "--warmup", paramLabel = "W",
            description = "Untimed calls before timing each implementation on each block (default: iterations/50, 1..100).")
    Integer warmup;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the synthetic data (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--input", paramLabel = "PATH",
            description = "Read blocks instead of making them: a Parquet tensor dataset (scripts/pooling generate)"
                    + " or .npy files (a file, a directory of them, or a glob ending in .npy).")
    String input;

    @Option(names = "--report", paramLabel = "DIR", description = "Write report.json, report.csv and report.png here.")
    Path report;

    // Test hook: attempt 0 of partition K fails after its first block (also spark.pooling.test.failPartition).
    @Option(names = "--fail-partition", hidden = true)
    int failPartition = -1;

    @Override
    public Integer call() throws IOException {
        BenchConfig config = config();
        BenchJob.Source source = source();
        String sparkMaster = checked(() -> MasterOption.check(master));
        if (report != null) {
            checked(() -> {
                OutputGuard.requireReportDirectory("--report", report,
                        List.of(BenchReportFiles.JSON, BenchReportFiles.CSV, BenchReportFiles.PNG));
                if (input != null && localPath(input) != null) {
                    OutputGuard.requireApart("--report", report, "--input", localPath(input));
                }
                return null;
            });
        }
        PrintWriter out = spec.commandLine().getOut();

        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        long t0 = System.nanoTime();
        SparkSession spark = SparkSetup.session("spark-pooling bench", sparkMaster, Map.of());
        double sessionSeconds = (System.nanoTime() - t0) / 1e9;
        BenchReport result;
        try {
            result = BenchJob.run(spark, config, source, sessionSeconds);
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
        BenchText.print(out, result);
        if (report != null) {
            BenchReportFiles.write(report, result);
            out.println("report: " + report.resolve(BenchReportFiles.JSON) + ", " + BenchReportFiles.CSV + ", "
                    + BenchReportFiles.PNG);
        }
        out.flush();
        boolean verified = result.verification().forward() && result.verification().backward();
        return verified && result.blocksProcessed() > 0 ? 0 : 1;
    }

    BenchConfig config() {
        if (blocks <= 0) {
            throw bad("--blocks (" + blocks + ") must be > 0");
        }
        if (partitions != null && partitions <= 0) {
            throw bad("--partitions (" + partitions + ") must be > 0");
        }
        if (iterations <= 0) {
            throw bad("--iterations (" + iterations + ") must be > 0");
        }
        if (warmup != null && warmup < 0) {
            throw bad("--warmup (" + warmup + ") must be >= 0");
        }
        int rank = input == null ? shape.rank() : 4;
        String data = input == null ? "--shape (" + Arrays.stream(shape.dims()).mapToObj(Integer::toString)
                .collect(Collectors.joining(",")) + ")" : "--input (" + input + "), whose blocks are N,C,H,W,";
        Layout layout = pooling.layout(rank, data);
        NdPoolSpec poolSpec = pooling.toSpec(rank - 2, data, textbook(rank - 2));
        List<String> supporting = BenchConfig.supporting(poolSpec);
        List<String> names = new ArrayList<>();
        for (String n : implementations == null ? supporting : implementations) {
            if (!PoolKernels.names().contains(n.trim())) {
                throw bad("--impl (" + n + ") must be one of " + PoolKernels.names());
            }
            if (names.contains(n.trim())) {
                throw bad("--impl (" + n + ") is given twice");
            }
            if (!supporting.contains(n.trim())) {
                throw bad("--impl (" + n + ") does not compute " + poolSpec.op().description() + "; these do: "
                        + String.join(", ", supporting));
            }
            names.add(n.trim());
        }
        try {
            BenchConfig.Builder b = BenchConfig.builder(poolSpec, shape.withLayout(layout))
                    .dtype(dtype == null ? Dtype.FLOAT32 : dtype).implementations(names).iterations(iterations)
                    .seed(seed).failPartition(failPartition);
            if (warmup != null) {
                b.warmup(warmup);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    BenchJob.Source source() {
        int p = partitions == null ? 0 : partitions;
        if (input == null) {
            return BenchJob.Source.synthetic(blocks, p);
        }
        for (String synthetic : new String[] {"--blocks", "--shape"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(synthetic)) {
                throw bad(synthetic + " applies to synthetic blocks, not to --input (" + input + "), whose records carry their own");
            }
        }
        if (dtype != null) {
            throw bad("--dtype (" + dtype.label() + ") applies to synthetic blocks, not to --input (" + input
                    + "), whose records are read as float32");
        }
        return new BenchJob.Source(detect(input), input, 0, p);
    }

    /**
     * {@code .npy} when the path (or glob) ends in .npy or is a local directory holding .npy
     * files; a Parquet dataset otherwise (also any non-local path not ending in .npy).
     */
    static BenchJob.InputFormat detect(String path) {
        if (path.toLowerCase(Locale.ROOT).endsWith(".npy")) {
            return BenchJob.InputFormat.NPY;
        }
        Path local = Path.of(path.startsWith("file:") ? path.substring("file:".length()) : path);
        if (Files.isDirectory(local)) {
            try (Stream<Path> files = Files.list(local)) {
                if (files.anyMatch(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy"))) {
                    return BenchJob.InputFormat.NPY;
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("--input (" + path + ") cannot be listed: " + e.getMessage());
            }
        }
        return BenchJob.InputFormat.PARQUET;
    }

    /** A local path without glob characters, or {@code null} (a glob, or another file system). */
    static Path localPath(String path) {
        if (path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !path.startsWith("file:")) {
            return null;
        }
        String p = path.startsWith("file:") ? java.net.URI.create(path).getPath() : path;
        return p.matches(".*[*?\\[{].*") ? null : Path.of(p);
    }

    /** {@code N,C,[D,]H,W} to a channels-first {@link TensorShape}, with its own message on a bad value. */
    static final class BlockShapeConverter implements CommandLine.ITypeConverter<TensorShape> {
        @Override
        public TensorShape convert(String value) {
            String[] parts = value.split(",", -1);
            int[] dims = new int[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) {
                    dims[i] = Integer.parseInt(parts[i].trim());
                }
                return TensorShape.ofDims(dims, Layout.CHANNELS_FIRST);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("shape (" + value + ") must be 3 to 5 integers"
                        + " separated by commas: N,C,L; N,C,H,W or N,C,D,H,W");
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("shape (" + value + "): " + e.getMessage());
            }
        }
    }

    static final class DtypeConverter extends PoolOptions.ParsedBy<Dtype> {
        DtypeConverter() {
            super(Dtype::parse);
        }
    }

    private <T> T checked(java.util.function.Supplier<T> check) {
        try {
            return check.get();
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private ParameterException bad(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
