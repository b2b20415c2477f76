package org.sparkpooling.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.TensorDatasets;
import org.sparkpooling.tensor.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pooling generate}: writes the Parquet tensor dataset that {@code bench --input} reads. */
@Command(name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Writes synthetic blocks (the ones bench makes for the same seed) as a Parquet tensor dataset:"
                + " blockId long, n/c/h/w int, data binary (little-endian float32, NCHW order).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:written", "2:invalid options, or the output exists"})
public final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--output", paramLabel = "DIR", required = true, description = "The dataset directory to write.")
    String output;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[*]).")
    String master;

    @Option(names = "--blocks", paramLabel = "N", description = "Blocks to write (default: ${DEFAULT-VALUE}).")
    long blocks = BenchCommand.DEFAULT_BLOCKS;

    @Option(names = "--partitions", paramLabel = "P", description = "Files to write (default: the cluster's cores).")
    Integer partitions;

    @Option(names = "--shape", paramLabel = "N,C,H,W", converter = ShapeConverter.class,
            description = "Shape of each block (default: 64,3,28,28).")
    Shape shape = new Shape(64, 3, 28, 28);

    @Option(names = "--seed", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}, as bench).")
    long seed = 42;

    @Option(names = "--overwrite", description = "Replace an existing dataset at --output.")
    boolean overwrite;

    @Override
    public Integer call() throws java.io.IOException {
        if (blocks <= 0) {
            throw new ParameterException(spec.commandLine(), "--blocks (" + blocks + ") must be > 0");
        }
        if (partitions != null && partitions <= 0) {
            throw new ParameterException(spec.commandLine(), "--partitions (" + partitions + ") must be > 0");
        }
        String sparkMaster;
        try {
            sparkMaster = MasterOption.check(master);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        boolean ownSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = SparkSetup.session("spark-pooling generate", sparkMaster, Map.of());
        try {
            TensorDatasets.generate(spark, output, blocks, partitions == null ? 0 : partitions, shape, seed, overwrite);
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("wrote %d blocks of %s (seed %d) to %s%n", blocks, shape, seed, output);
        out.flush();
        return 0;
    }
}
