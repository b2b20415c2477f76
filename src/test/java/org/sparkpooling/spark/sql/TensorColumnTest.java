package org.sparkpooling.spark.sql;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.pool.Pooled;
import org.sparkpooling.spark.BlockSources;
import org.sparkpooling.spark.PoolingFunctions;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.TensorDatasets;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The column functions on the project's tensor struct, read from a real Parquet tensor dataset on a
 * local Spark (Kryo with registration required, as conf/spark-defaults.conf sets it): each function
 * against the kernel called directly on the same tensor, bit for bit (max and avg: the same kernel on
 * the same floats), nulls, and every kind of malformed row. No SQL extension in this session: the
 * Java functions need none.
 */
class TensorColumnTest {

    private static SparkSession spark;

    @TempDir
    static Path dir;

    /** Plane sides odd, prime, 1 x n and past a vector width; values with NaN, infinities, signed zeros, ties. */
    private static final Shape[] SHAPES = {
        new Shape(1, 1, 7, 9), new Shape(2, 3, 28, 28), new Shape(1, 2, 13, 11), new Shape(3, 1, 8, 7),
        new Shape(1, 5, 31, 17), new Shape(2, 1, 5, 33),
    };

    private static final List<Tensor> BLOCKS = new ArrayList<>();
    private static Dataset<Row> tensors;

    @BeforeAll
    static void start() {
        spark = SparkSetup.session("TensorColumnTest", "local[2]", Map.of());
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < SHAPES.length; i++) {
            BLOCKS.add(Expected.awkward(SHAPES[i], 100 + i));
            rows.add(TensorDatasets.toRow(i, BLOCKS.get(i)));
        }
        String path = dir.resolve("tensors").toString();
        spark.createDataFrame(rows, BlockSources.TENSOR_SCHEMA).repartition(2).write().parquet(path);
        tensors = spark.read().schema(BlockSources.TENSOR_SCHEMA).parquet(path);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static Stream<PoolSpec> specs() {
        return Stream.of(
                PoolSpec.max(2, 2).build(),
                PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build(),
                PoolSpec.max(2, 3).stride(1, 2).padding(1, 1).dilation(2, 1).ceilMode(true).build(),
                PoolSpec.max(1, 1).build(),
                PoolSpec.avg(2, 2).build(),
                PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).ceilMode(true).countIncludePad(false).build(),
                PoolSpec.avg(3, 2).stride(1, 1).padding(1, 1).build(),
                PoolSpec.avg(2, 2).divisorOverride(-3).build());
    }

    /** blockId -> pooled struct of the column {@code pooled}. */
    private static Map<Long, Row> pooled(Column function) {
        Map<Long, Row> out = new java.util.TreeMap<>();
        for (Row r : tensors.select(col("blockId"), function.alias("pooled")).collectAsList()) {
            out.put(r.getLong(0), r.isNullAt(1) ? null : r.getStruct(1));
        }
        return out;
    }

    private static void assertTensor(Pooled want, Row got, long blockId, String what) {
        Shape s = want.output().shape();
        assertEquals(blockId, got.getLong(0), what + " keeps blockId");
        assertEquals(List.of(s.n(), s.c(), s.h(), s.w()), List.of(got.getInt(1), got.getInt(2), got.getInt(3),
                got.getInt(4)), what + " shape");
        byte[] data = Expected.littleEndian(want.output().data());
        if (want.indices() == null) { // avg
            Expected.assertSameFloats(data, (byte[]) got.get(5), what + " data, bit for bit but NaN's sign");
        } else {
            assertArrayEquals(data, (byte[]) got.get(5), what + " data, bit for bit");
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void eachFunctionEqualsTheKernel(PoolSpec spec) {
        Column tensor = struct(col("*"));
        Map<Long, Row> plain = pooled(PoolingFunctions.pool2d(tensor, spec));
        Map<Long, Row> tried = pooled(PoolingFunctions.tryPool2d(tensor, spec));
        Map<Long, Row> indexed = switch (spec.mode()) {
            case MAX -> pooled(PoolingFunctions.maxPool2dWithIndices(tensor, spec));
            case AVG -> null;
        };
        for (int i = 0; i < BLOCKS.size(); i++) {
            Pooled want = Expected.tensor(spec, BLOCKS.get(i));
            String what = spec + " on block " + i + " (" + SHAPES[i] + ")";
            assertTensor(want, plain.get((long) i), i, what);
            assertTensor(want, tried.get((long) i), i, "try " + what);
            if (indexed != null) {
                Row r = indexed.get((long) i);
                assertTensor(want, r.getStruct(0), i, "with indices " + what);
                assertArrayEquals(Expected.littleEndian(want.indices()), (byte[]) r.get(1), "indices " + what);
            }
        }
    }

    @Test
    void modeKernelStridePaddingShorthandsArePyTorchDefaults() {
        Column tensor = struct(col("*"));
        Map<String, Column> calls = Map.of(
                "max 2", PoolingFunctions.pool2d(tensor, "max", 2),
                "avg 3 2", PoolingFunctions.pool2d(tensor, "AVG", 3, 2),
                "max 3 2 1", PoolingFunctions.pool2d(tensor, "max", 3, 2, 1));
        Map<String, PoolSpec> specs = Map.of(
                "max 2", PoolSpec.max(2, 2).stride(2, 2).padding(0, 0).build(),
                "avg 3 2", PoolSpec.avg(3, 3).stride(2, 2).countIncludePad(true).build(),
                "max 3 2 1", PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build());
        for (String name : calls.keySet()) {
            Map<Long, Row> got = pooled(calls.get(name));
            for (int i = 0; i < BLOCKS.size(); i++) {
                assertTensor(Expected.tensor(specs.get(name), BLOCKS.get(i)), got.get((long) i), i, name);
            }
        }
        assertEquals("pool2d(struct(blockId, n, c, h, w, data), 'max', 2)",
                tensors.select(PoolingFunctions.pool2d(tensor, "max", 2)).columns()[0], "the column's default name");
    }

    /** A tensor kept as a struct column: read from Parquet (columnar rows) and after a shuffle (UnsafeRows). */
    @Test
    void nestedTensorColumnsFromParquetAndAfterAShuffle() {
        String path = dir.resolve("nested").toString();
        tensors.select(col("blockId"), struct(col("n"), col("c"), col("h"), col("w"), col("data")).alias("tensor"))
                .write().parquet(path);
        PoolSpec spec = PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build();
        Dataset<Row> nested = spark.read().parquet(path);
        for (Dataset<Row> in : List.of(nested, nested.repartition(3))) {
            for (Row r : in.select(col("blockId"), PoolingFunctions.pool2d(col("tensor"), spec)).collectAsList()) {
                int i = (int) r.getLong(0);
                Row got = r.getStruct(1);
                Pooled want = Expected.tensor(spec, BLOCKS.get(i));
                assertEquals(want.output().shape().h(), got.getInt(2), "h of block " + i);
                assertArrayEquals(Expected.littleEndian(want.output().data()), (byte[]) got.get(4), "block " + i);
            }
        }
    }

    @Test
    void theSchemaIsTheInputStruct() {
        Dataset<Row> out = tensors.select(PoolingFunctions.pool2d(struct(col("*")), "max", 2).alias("p"));
        StructType inner = (StructType) out.schema().apply("p").dataType();
        assertEquals(List.of("blockId", "n", "c", "h", "w", "data"), List.of(inner.fieldNames()));
        // select p.* gives a tensor dataset again, which the bench job and downsample read
        String path = dir.resolve("pooled").toString();
        out.select("p.*").write().parquet(path);
        assertEquals(BLOCKS.size(), spark.read().schema(BlockSources.TENSOR_SCHEMA).parquet(path).count());
    }

    @Test
    void nullRowsGiveNull() {
        Column maybe = when(col("blockId").equalTo(3), lit(null)).otherwise(struct(col("*")));
        Map<Long, Row> got = pooled(PoolingFunctions.pool2d(maybe, "max", 2));
        assertEquals(null, got.get(3L));
        assertTensor(Expected.tensor(PoolSpec.max(2, 2).build(), BLOCKS.get(2)), got.get(2L), 2, "row next to a null");
    }

    /** A tensor dataset with nullable columns, every row wrong in its own way, keyed by blockId. */
    private static Dataset<Row> malformed() {
        StructType schema = new StructType()
                .add("blockId", DataTypes.LongType).add("n", DataTypes.IntegerType).add("c", DataTypes.IntegerType)
                .add("h", DataTypes.IntegerType).add("w", DataTypes.IntegerType).add("data", DataTypes.BinaryType);
        List<Row> rows = List.of(
                RowFactory.create(10L, 1, 1, 2, 2, new byte[10]),            // 10 bytes for 16
                RowFactory.create(11L, 0, 1, 2, 2, new byte[0]),             // n = 0
                RowFactory.create(12L, 1, 1, -2, 2, new byte[16]),           // h < 0
                RowFactory.create(13L, 1, 1, 2, 2, null),                    // data null
                RowFactory.create(14L, 1, null, 2, 2, new byte[16]),         // c null
                RowFactory.create(15L, 1, 1, 1, 1, new byte[4]),             // too small for 2x2
                RowFactory.create(16L, 1, 1, 2, 2, new byte[20]));           // 20 bytes for 16
        String path = dir.resolve("malformed-" + System.nanoTime()).toString();
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path);
        return spark.read().parquet(path);
    }

    @Test
    void malformedRowsFailNamingTheRowAndTheValue() {
        Dataset<Row> bad = malformed();
        Map<Long, String> messages = Map.of(
                10L, "data has 10 bytes, but n x c x h x w = 1x1x2x2 float32 needs 16",
                11L, "n x c x h x w = 0x1x2x2 is no tensor shape: batch (N) (0) must be > 0",
                12L, "n x c x h x w = 1x1x-2x2 is no tensor shape: height (H) (-2) must be > 0",
                13L, "data is null",
                14L, "c is null",
                15L, "h x w = 1x1 is too small for max kernel 2x2 stride 2x2 padding 0x0",
                16L, "data has 20 bytes, but n x c x h x w = 1x1x2x2 float32 needs 16");
        for (Map.Entry<Long, String> e : messages.entrySet()) {
            Dataset<Row> one = bad.where(col("blockId").equalTo(e.getKey()))
                    .select(PoolingFunctions.pool2d(struct(col("*")), "max", 2));
            Exception thrown = assertThrows(Exception.class, one::collectAsList);
            String message = rootMessage(thrown);
            assertTrue(message.contains("pool2d: tensor row 1 of partition 0 (blockId " + e.getKey() + "): "
                    + e.getValue() + " (try_pool2d gives null for such rows)"), message);
        }
    }

    @Test
    void tryGivesNullForMalformedRows() {
        List<Row> got = malformed().select(col("blockId"),
                PoolingFunctions.tryPool2d(struct(col("*")), PoolSpec.max(2, 2).build()).alias("p"),
                PoolingFunctions.tryMaxPool2dWithIndices(struct(col("*")), PoolSpec.max(2, 2).build()).alias("q"))
                .collectAsList();
        assertEquals(7, got.size());
        for (Row r : got) {
            assertTrue(r.isNullAt(1) && r.isNullAt(2), "row " + r.getLong(0) + " gives null");
        }
    }

    @Test
    void aColumnOfAnotherTypeIsRefusedNamingItAndItsType() {
        Exception e = assertThrows(Exception.class,
                () -> tensors.select(PoolingFunctions.pool2d(col("data"), "max", 2)).schema());
        assertTrue(e.getMessage().contains("pool2d: column data has type binary, which is not a struct the pooling"
                + " functions take: it must be a tensor struct"), e.getMessage());
        Exception missing = assertThrows(Exception.class,
                () -> tensors.select(PoolingFunctions.pool2d(struct(col("n"), col("c"), col("data")), "max", 2)).schema());
        assertTrue(missing.getMessage().contains("has type struct<n:int,c:int,data:binary>"), missing.getMessage());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyJob() {
        Column t = struct(col("*"));
        assertEquals("pool2d: mode (max avg) must be max or avg",
                assertThrows(IllegalArgumentException.class, () -> PoolingFunctions.pool2d(t, "max avg", 2)).getMessage());
        assertEquals("pool2d: kernel height (0) must be > 0",
                assertThrows(IllegalArgumentException.class, () -> PoolingFunctions.pool2d(t, "max", 0)).getMessage());
        assertEquals("pool2d: padding height (2) must be at most half the effective kernel size (3)",
                assertThrows(IllegalArgumentException.class, () -> PoolingFunctions.pool2d(t, "avg", 3, 1, 2)).getMessage());
        assertEquals("avg_pool2d: indices come with max and adaptive-max pooling only, not avg",
                assertThrows(IllegalArgumentException.class,
                        () -> PoolingFunctions.maxPool2dWithIndices(t, PoolSpec.avg(2, 2).build())).getMessage());
    }

    static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
