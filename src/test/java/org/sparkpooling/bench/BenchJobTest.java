package org.sparkpooling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.BlockSources;
import org.sparkpooling.spark.PoolingKryoRegistrator;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.SyntheticBlocks;
import org.sparkpooling.spark.TaskMetricsListener;
import org.sparkpooling.spark.TensorDatasets;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.TensorShape;

/** The bench job on local[2] with small blocks: what it reports, and that it does not depend on partitioning. */
class BenchJobTest {

    private static final Shape SHAPE = new Shape(2, 3, 9, 7); // odd sizes: windows that do not tile
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSetup.session("BenchJobTest", "local[2]", Map.of());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static BenchConfig config(PoolSpec spec, long seed) {
        return BenchConfig.builder(spec, SHAPE).iterations(3).warmup(1).copyReps(5).seed(seed).build();
    }

    private static BenchReport run(BenchConfig config, BenchJob.Source source) {
        try {
            return BenchJob.run(spark, config, source, 0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Block ids over all partitions, sorted. */
    private static List<Long> blockIds(BenchReport r) {
        List<Long> ids = new ArrayList<>();
        r.partitions().forEach(p -> ids.addAll(p.blockIds()));
        ids.sort(null);
        return ids;
    }

    @Test
    void kryoIsRequiredLikeInProduction() {
        assertEquals("true", spark.sparkContext().getConf().get("spark.kryo.registrationRequired"));
        assertEquals(PoolingKryoRegistrator.class.getName(), spark.sparkContext().getConf().get("spark.kryo.registrator"));
    }

    @Test
    void everyBlockOnceVerifiedAndReported() {
        BenchReport r = run(config(PoolSpec.max(3, 2).stride(2, 2).padding(1, 1).ceilMode(true).build(), 7),
                BenchJob.Source.synthetic(5, 2));
        assertEquals(LongStream.range(0, 5).boxed().toList(), blockIds(r));
        assertEquals(5, r.blocks());
        assertEquals(5, r.blocksProcessed());
        assertEquals(0, r.blockErrors());
        assertTrue(r.verification().forward(), r.verification().toString());
        assertTrue(r.verification().backward(), r.verification().toString());
        assertEquals(List.of(), r.verification().mismatches());
        assertEquals(2, r.partitions().size());
        assertEquals(2, r.cores());
        assertEquals(spark.version(), r.sparkVersion());
        assertEquals(PoolKernels.names(), r.implementations().stream().map(BenchReport.Implementation::name).toList());
        for (BenchReport.Implementation i : r.implementations()) {
            assertEquals(5, i.blocks());
            assertTrue(i.kernelSeconds() > 0, i.toString());
            assertTrue(i.microsPerIteration() > 0, i.toString());
        }
        for (BenchReport.Partition p : r.partitions()) {
            assertEquals(0, p.attempt());
            assertEquals("driver", p.executorId());
            assertTrue(p.checksum().matches("[0-9a-f]{8}"), p.checksum());
        }
        assertEquals(2, r.sparkOverhead().tasks());
        assertEquals(0, r.sparkOverhead().failedTasks());
        assertTrue(r.efficiency() > 0 && r.efficiency() <= 1.0, "efficiency " + r.efficiency());
        assertEquals(1, r.executors().size());
        assertTrue(r.executors().get(0).copyGbPerSecond() > 0);
    }

    @Test
    void checksumsDependOnSeedNotOnPartitioning() {
        BenchConfig c = config(PoolSpec.max(2, 2).build(), 11);
        String one = run(c, BenchJob.Source.synthetic(6, 1)).checksum();
        String three = run(c, BenchJob.Source.synthetic(6, 3)).checksum();
        String six = run(c, BenchJob.Source.synthetic(6, 6)).checksum();
        assertEquals(one, three);
        assertEquals(one, six);
        assertEquals(one, run(c, BenchJob.Source.synthetic(6, 2)).checksum(), "same seed, same checksum");
        assertNotEquals(one, run(config(PoolSpec.max(2, 2).build(), 12), BenchJob.Source.synthetic(6, 2)).checksum());
    }

    @Test
    void averagePoolingVerifiesWithinTolerance() {
        BenchReport r = run(config(PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).countIncludePad(false).build(), 3),
                BenchJob.Source.synthetic(3, 2));
        assertTrue(r.verification().forward() && r.verification().backward(), r.verification().toString());
        assertEquals(3, r.blocksProcessed());
    }

    @Test
    void parquetDatasetGivesTheSyntheticChecksums(@TempDir Path dir) throws Exception {
        String out = dir.resolve("tensors").toString();
        TensorDatasets.generate(spark, out, 4, 3, SHAPE, 5, false);
        BenchConfig c = config(PoolSpec.max(2, 2).build(), 5);
        BenchReport fromFiles = run(c, new BenchJob.Source(BenchJob.InputFormat.PARQUET, out, 0, 2));
        BenchReport synthetic = run(c, BenchJob.Source.synthetic(4, 2));
        assertEquals(List.of(0L, 1L, 2L, 3L), blockIds(fromFiles));
        assertEquals(synthetic.checksum(), fromFiles.checksum());
        assertTrue(fromFiles.verification().forward() && fromFiles.verification().backward());
    }

    @Test
    void badParquetRecordsAreReportedNotFatal(@TempDir Path dir) {
        String out = dir.resolve("bad").toString();
        List<Row> rows = new ArrayList<>();
        rows.add(TensorDatasets.toRow(0, SyntheticBlocks.block(1, 0, SHAPE)));
        rows.add(RowFactory.create(1L, 2, 3, 9, 7, new byte[10])); // too short for its shape
        rows.add(RowFactory.create(2L, 0, 3, 9, 7, new byte[0])); // no such shape
        spark.createDataFrame(rows, BlockSources.TENSOR_SCHEMA).write().parquet(out);
        BenchReport r = run(config(PoolSpec.max(2, 2).build(), 1), new BenchJob.Source(BenchJob.InputFormat.PARQUET, out, 0, 2));
        assertEquals(3, r.blocks());
        assertEquals(1, r.blocksProcessed());
        assertEquals(2, r.blockErrors());
        assertEquals(List.of(1L, 2L), r.errors().stream().map(BenchReport.BlockError::blockId).sorted().toList());
        assertTrue(r.errors().stream().anyMatch(e -> e.error().contains("10 bytes")), r.errors().toString());
        assertTrue(r.verification().forward() && r.verification().backward());
    }

    @Test
    void npyFilesWithOneBadFile(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 3; i++) {
            Npy.write(dir.resolve("block" + i + ".npy"), SyntheticBlocks.block(9, i, SHAPE));
        }
        Files.write(dir.resolve("broken.npy"), new byte[] {1, 2, 3, 4, 5});
        Files.writeString(dir.resolve("notes.txt"), "not a tensor, not read");
        BenchReport r = run(config(PoolSpec.max(2, 2).build(), 9), new BenchJob.Source(BenchJob.InputFormat.NPY, dir.toString(), 0, 2));
        assertEquals(4, r.blocks());
        assertEquals(3, r.blocksProcessed());
        assertEquals(1, r.blockErrors());
        assertTrue(r.errors().get(0).source().endsWith("broken.npy"), r.errors().toString());
        assertEquals(List.of(0L, 1L, 2L, 3L), blockIds(r)); // numbered in path order, the bad one included
        assertTrue(r.verification().forward() && r.verification().backward());
    }

    /** The textbook run as the command makes it by default, timed once: the checksum README and docs/bench-job.md print. */
    @Test
    void theDefaultRunKeepsItsChecksum() {
        BenchConfig textbook = BenchConfig.builder(PoolSpec.max(2, 2).stride(2, 2).build(), new Shape(64, 3, 28, 28))
                .iterations(1).build();
        assertEquals(PoolKernels.names(), textbook.implementations());
        assertTrue(textbook.planarSpec() != null, "timed through the 2-D API, as before the family");
        BenchReport r = run(textbook, BenchJob.Source.synthetic(4, 2));
        assertEquals("2e6ae540", r.checksum());
        assertTrue(r.verification().forward() && r.verification().backward());
        assertEquals("max", r.config().op());
        assertEquals("max", r.config().mode());
        assertEquals("nchw", r.config().layout());
        assertEquals("float32", r.config().dtype());
        assertEquals("64x3x28x28", r.config().shape());
    }

    /**
     * Every op in every rank, each layout and dtype among them, verified against loops on every
     * implementation that computes it, with Kryo's registration required.
     */
    @TestFactory
    Stream<DynamicTest> everyOpVerifiesInEachRankLayoutAndDtype() {
        List<DynamicTest> tests = new ArrayList<>();
        for (PoolOp op : PoolOp.values()) {
            for (Object[] v : new Object[][] {{1, Layout.CHANNELS_FIRST, Dtype.FLOAT32}, {2, Layout.CHANNELS_LAST, Dtype.FLOAT64},
                {3, Layout.CHANNELS_FIRST, Dtype.FLOAT64}, {3, Layout.CHANNELS_LAST, Dtype.FLOAT32}}) {
                int dims = (Integer) v[0];
                Layout layout = (Layout) v[1];
                Dtype dtype = (Dtype) v[2];
                tests.add(DynamicTest.dynamicTest(op.label() + " " + dims + "-D " + layout.label() + " " + dtype.label(),
                        () -> {
                            BenchConfig c = familyConfig(op, dims, layout, dtype, 5);
                            BenchReport r = run(c, BenchJob.Source.synthetic(3, 2));
                            assertEquals(3, r.blocksProcessed(), r.errors().toString());
                            assertTrue(r.verification().forward() && r.verification().backward(),
                                    r.verification().toString());
                            assertEquals(BenchConfig.supporting(c.spec()), r.implementations().stream()
                                    .map(BenchReport.Implementation::name).toList());
                            assertEquals(op.label(), r.config().op());
                            assertEquals(layout.label(), r.config().layout());
                            assertEquals(dtype.label(), r.config().dtype());
                            for (BenchReport.Implementation i : r.implementations()) {
                                assertEquals(3, i.blocks());
                                assertTrue(i.gbPerSecond() > 0, i.toString());
                            }
                        }));
            }
        }
        return tests.stream();
    }

    /** An odd block per rank; windows that do not tile it, adaptive bins that overlap. */
    static BenchConfig familyConfig(PoolOp op, int dims, Layout layout, Dtype dtype, long seed) {
        int[][] spatial = {{11}, {9, 7}, {5, 6, 7}};
        TensorShape shape = new TensorShape(2, 3, spatial[dims - 1], layout);
        int[] three = new int[dims];
        int[] two = new int[dims];
        int[] one = new int[dims];
        java.util.Arrays.fill(three, 3);
        java.util.Arrays.fill(two, 2);
        java.util.Arrays.fill(one, 1);
        NdPoolSpec spec = switch (op) {
            case MAX -> NdPoolSpec.max(three).stride(two).padding(one).ceilMode(true).build();
            case AVG -> NdPoolSpec.avg(three).stride(two).padding(one).countIncludePad(false).build();
            case LP -> NdPoolSpec.lp(2, two).stride(one).build();
            case ADAPTIVE_MAX -> NdPoolSpec.adaptiveMax(three);
            case ADAPTIVE_AVG -> NdPoolSpec.adaptiveAvg(three);
            case UNPOOL -> NdPoolSpec.unpool(java.util.Arrays.stream(spatial[dims - 1]).map(v -> 2 * v).toArray());
        };
        return BenchConfig.builder(spec, shape).dtype(dtype).iterations(2).warmup(1).copyReps(5).seed(seed).build();
    }

    @Test
    void theChecksumIsTheSameInEitherLayoutAndDependsOnTheDtype() {
        for (PoolOp op : List.of(PoolOp.MAX, PoolOp.ADAPTIVE_MAX, PoolOp.UNPOOL)) { // the ops whose results are exact
            String first = run(familyConfig(op, 3, Layout.CHANNELS_FIRST, Dtype.FLOAT32, 9),
                    BenchJob.Source.synthetic(2, 2)).checksum();
            String last = run(familyConfig(op, 3, Layout.CHANNELS_LAST, Dtype.FLOAT32, 9),
                    BenchJob.Source.synthetic(2, 1)).checksum();
            assertEquals(first, last, op.label());
            assertNotEquals(first, run(familyConfig(op, 3, Layout.CHANNELS_FIRST, Dtype.FLOAT64, 9),
                    BenchJob.Source.synthetic(2, 2)).checksum(), op.label());
        }
    }

    @Test
    void parquetBlocksRunChannelsLastAndAnyOpOfTheirRank(@TempDir Path dir) throws Exception {
        String out = dir.resolve("tensors").toString();
        TensorDatasets.generate(spark, out, 3, 2, SHAPE, 5, false);
        BenchConfig c = BenchConfig.builder(NdPoolSpec.adaptiveAvg(4, 3), TensorShape.channelsLast(64, 3, 28, 28))
                .iterations(1).warmup(0).copyReps(5).seed(5).build();
        BenchReport r = run(c, new BenchJob.Source(BenchJob.InputFormat.PARQUET, out, 0, 2));
        assertEquals(3, r.blocksProcessed(), r.errors().toString());
        assertTrue(r.verification().forward() && r.verification().backward(), r.verification().toString());
        assertEquals(List.of("loops", "fast"), c.implementations());
        assertEquals("2x3x9x7", r.blockReports().get(0).shape(), "the record's own shape");
    }

    @Test
    void aBlockTheOpDoesNotFitIsAnErrorRecord(@TempDir Path dir) throws Exception {
        Npy.write(dir.resolve("small.npy"), SyntheticBlocks.block(1, 0, new Shape(1, 1, 2, 2)));
        Npy.write(dir.resolve("big.npy"), SyntheticBlocks.block(1, 1, SHAPE));
        BenchConfig c = BenchConfig.builder(NdPoolSpec.lp(2, 3, 3).build(), TensorShape.channelsFirst(1, 1, 4, 4))
                .iterations(1).warmup(0).copyReps(5).build();
        BenchReport r = run(c, new BenchJob.Source(BenchJob.InputFormat.NPY, dir.toString(), 0, 1));
        assertEquals(1, r.blocksProcessed());
        assertEquals(1, r.blockErrors());
        assertTrue(r.errors().get(0).error().startsWith("output size 0x0 is too small for input 2x2"), r.errors().toString());
    }

    @Test
    void aConfigRefusesAnImplementationThatDoesNotComputeTheOp() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.builder(NdPoolSpec.unpool(4, 4), TensorShape.channelsFirst(1, 1, 2, 2))
                        .implementations(List.of("loops", "im2col")).build());
        assertEquals("implementation (im2col) does not compute unpool (max unpooling); these do: [loops, fast]",
                e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BenchConfig.builder(NdPoolSpec.max(2, 2, 2).build(), TensorShape.channelsFirst(1, 1, 4, 4)).build());
        assertTrue(e.getMessage().contains("has 3 spatial dimensions but input 1x1x4x4 (nchw) has 2"), e.getMessage());
    }

    @Test
    void failedVerificationIsReported() {
        BlockReport good = new BlockReport(0, "synthetic", 0, 0, "driver", "h", "1x1x2x2", 1, 16, 1, 1, 32, "00000000",
                List.of(new ImplTiming("loops", 10, true, true, null)), null);
        BlockReport bad = new BlockReport(1, "synthetic", 0, 0, "driver", "h", "1x1x2x2", 1, 16, 1, 1, 32, "00000001",
                List.of(new ImplTiming("loops", 10, true, false, "backward gradInput[0] = 1.0, expected 2.0")), null);
        BenchConfig c = BenchConfig.builder(PoolSpec.max(2, 2).build(), new Shape(1, 1, 2, 2))
                .implementations(List.of("loops")).iterations(1).warmup(0).copyReps(1).seed(0).build();
        BenchReport r = BenchJob.summarize(c, BenchJob.Source.synthetic(2, 1), 1, "x", "local", 1, 0, 1.0,
                List.of(bad, good), new TaskMetricsListener.Overhead(1, 0, 0, 0, 0, 0, 0, 0));
        assertTrue(r.verification().forward());
        assertFalse(r.verification().backward());
        assertEquals(1, r.verification().mismatches().size());
        assertEquals(1L, r.verification().mismatches().get(0).blockId());
    }
}
