package org.sparkpooling.spark.sql;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.ml.image.ImageSchema;
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
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.NdPooled;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.spark.PoolingFunctions;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.TestPhotos;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.TensorShape;

/**
 * The rest of the pooling family through the column functions: 1-D, 2-D and 3-D tensor structs
 * (max, avg, lp, adaptive max and avg, with indices, and unpooling what max pooling gave) against
 * the kernel called directly, and adaptive and lp pooling of Spark's image rows of real photos.
 */
class FamilyColumnTest {

    private static SparkSession spark;

    @TempDir
    static Path dir;

    /** Spatial sizes of the tensors of each rank: odd, prime, 1 and past a vector width. */
    private static final int[][][] SIZES = {
        {{17}, {3}, {33}},
        {{7, 9}, {13, 1}, {28, 28}},
        {{5, 7, 9}, {4, 4, 4}, {3, 11, 6}},
    };
    private static final String[][] FIELDS = {{"l"}, {"h", "w"}, {"d", "h", "w"}};

    private static final Map<Integer, List<FloatTensor>> TENSORS = new TreeMap<>();
    private static final Map<Integer, Dataset<Row>> DATASETS = new TreeMap<>();
    private static Dataset<Row> images;

    @BeforeAll
    static void start() throws Exception {
        Path photos = TestPhotos.writeSmall(dir.resolve("photos"));
        spark = SparkSetup.session("FamilyColumnTest", "local[2]", Map.of());
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        for (int rank = 1; rank <= 3; rank++) {
            StructType t = new StructType().add("n", DataTypes.IntegerType).add("c", DataTypes.IntegerType);
            for (String f : FIELDS[rank - 1]) {
                t = t.add(f, DataTypes.IntegerType);
            }
            t = t.add("data", DataTypes.BinaryType);
            StructType schema = new StructType().add("id", DataTypes.IntegerType).add("t", t);
            List<Row> rows = new ArrayList<>();
            List<FloatTensor> tensors = new ArrayList<>();
            for (int i = 0; i < SIZES[rank - 1].length; i++) {
                int[] s = SIZES[rank - 1][i];
                TensorShape shape = TensorShape.channelsFirst(2, 3, s);
                FloatTensor x = new FloatTensor(shape, Expected.awkward(new Shape(1, 1, 1, shape.size()), rank * 10 + i)
                        .data());
                tensors.add(x);
                Object[] fields = new Object[3 + rank];
                fields[0] = 2;
                fields[1] = 3;
                for (int a = 0; a < rank; a++) {
                    fields[2 + a] = s[a];
                }
                fields[2 + rank] = Expected.littleEndian(x.data());
                rows.add(RowFactory.create(i, RowFactory.create(fields)));
            }
            String path = dir.resolve("tensors" + rank).toString();
            spark.createDataFrame(rows, schema).write().parquet(path);
            TENSORS.put(rank, tensors);
            DATASETS.put(rank, spark.read().parquet(path));
        }
        images = spark.read().format("image").load(photos.toString()).cache();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    static Stream<NdPoolSpec> specs() {
        return Stream.of(
                NdPoolSpec.max(3).stride(2).padding(1).build(),
                NdPoolSpec.avg(2).ceilMode(true).countIncludePad(false).build(),
                NdPoolSpec.lp(2, 3).stride(1).build(),
                NdPoolSpec.lp(1.5, 2).ceilMode(true).build(),
                NdPoolSpec.adaptiveMax(4),
                NdPoolSpec.adaptiveAvg(3),
                NdPoolSpec.max(2, 1).stride(1, 1).dilation(2, 1).ceilMode(true).build(),
                NdPoolSpec.avg(3, 2).stride(2, 1).padding(1, 1).divisorOverride(5).build(),
                NdPoolSpec.adaptiveAvg(5, 2),
                NdPoolSpec.adaptiveMax(1, 1),
                NdPoolSpec.max(2, 2, 2).build(),
                NdPoolSpec.avg(3, 1, 2).stride(1, 1, 2).padding(1, 0, 1).ceilMode(true).build(),
                NdPoolSpec.lp(3, 2, 2, 2).build(),
                NdPoolSpec.adaptiveAvg(2, 3, 1),
                NdPoolSpec.adaptiveMax(3, 1, 4));
    }

    private static void assertData(float[] want, byte[] got, PoolOp op, String what) {
        if (op == PoolOp.MAX || op == PoolOp.ADAPTIVE_MAX || op == PoolOp.UNPOOL) {
            assertArrayEquals(Expected.littleEndian(want), got, what + ", bit for bit");
        } else {
            Expected.assertSameFloats(Expected.littleEndian(want), got, what);
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void tensorsOfEveryRankEqualTheKernel(NdPoolSpec spec) {
        int rank = spec.dims();
        boolean indices = spec.op().indices() == PoolOp.Indices.WRITTEN;
        Dataset<Row> out = DATASETS.get(rank).select(col("id"), PoolingFunctions.pool(col("t"), spec).alias("p"),
                indices ? PoolingFunctions.poolWithIndices(col("t"), spec).alias("q") : col("id").alias("q"));
        List<Row> rows = out.orderBy("id").collectAsList();
        assertEquals(SIZES[rank - 1].length, rows.size());
        for (Row r : rows) {
            FloatTensor x = TENSORS.get(rank).get(r.getInt(0));
            NdPooled want = Expected.KERNEL.forward(spec, x);
            FloatTensor y = (FloatTensor) want.output();
            String what = spec + " on " + x.shape();
            Row p = r.getStruct(1);
            for (int a = 0; a < rank; a++) {
                assertEquals(y.shape().spatial(a), p.getInt(2 + a), what + " size " + FIELDS[rank - 1][a]);
            }
            assertData(y.data(), (byte[]) p.get(2 + rank), spec.op(), what);
            if (indices) {
                Row q = r.getStruct(2);
                assertData(y.data(), (byte[]) q.getStruct(0).get(2 + rank), spec.op(), what + " with indices");
                assertArrayEquals(Expected.littleEndian(want.indices()), (byte[]) q.get(1), what + " indices");
            }
        }
    }

    @Test
    void unpoolingUndoesMaxPoolingAsTheKernelDoes() {
        for (int rank = 1; rank <= 3; rank++) {
            int[] kernel = new int[rank];
            java.util.Arrays.fill(kernel, 2);
            NdPoolSpec max = NdPoolSpec.max(kernel).ceilMode(true).build();
            for (int i = 0; i < SIZES[rank - 1].length; i++) {
                int[] size = SIZES[rank - 1][i];
                Dataset<Row> one = DATASETS.get(rank).where(col("id").equalTo(i))
                        .select(PoolingFunctions.poolWithIndices(col("t"), max).alias("q"));
                Row got = one.select(PoolingFunctions.maxUnpool(col("q.output"), col("q.indices"), size).alias("u"))
                        .collectAsList().get(0).getStruct(0);
                NdPooled pooled = Expected.KERNEL.forward(max, TENSORS.get(rank).get(i));
                NdPooled unpooled = Expected.KERNEL.forward(NdPoolSpec.unpool(size), pooled.output(), pooled.indices());
                String what = "unpool of " + max + " on " + TENSORS.get(rank).get(i).shape();
                for (int a = 0; a < rank; a++) {
                    assertEquals(size[a], got.getInt(2 + a), what);
                }
                assertData(((FloatTensor) unpooled.output()).data(), (byte[]) got.get(2 + rank), PoolOp.UNPOOL, what);
            }
        }
    }

    @Test
    void unpoolIndicesThatDoNotFitAreMalformedRows() {
        Dataset<Row> q = DATASETS.get(2).where(col("id").equalTo(0))
                .select(PoolingFunctions.poolWithIndices(col("t"), NdPoolSpec.max(2, 2).build()).alias("q"));
        // into a 2x2 output, the indices of a 7x9 input point past its end
        Exception e = assertThrows(Exception.class, () -> q.select(
                PoolingFunctions.maxUnpool(col("q.output"), col("q.indices"), 2, 2)).collectAsList());
        String m = TensorColumnTest.rootMessage(e);
        assertTrue(m.contains("max_unpool2d: tensor row 1 of partition ") && m.contains(": indices: index ("), m);
        assertTrue(q.select(PoolingFunctions.tryMaxUnpool(col("q.output"), col("q.indices"), 2, 2)).collectAsList()
                .get(0).isNullAt(0));
        Exception length = assertThrows(Exception.class, () -> q.select(
                PoolingFunctions.maxUnpool(col("q.output"), col("q.output.data"), 7, 9)).collectAsList());
        assertTrue(TensorColumnTest.rootMessage(length).contains("indices have 288 bytes, but the input's 72 elements"
                + " need 288") || TensorColumnTest.rootMessage(length).contains("indices: "),
                TensorColumnTest.rootMessage(length));
    }

    @Test
    void aSpecOfAnotherRankIsRefusedNamingTheColumnsShape() {
        Exception e = assertThrows(Exception.class, () -> DATASETS.get(2)
                .select(PoolingFunctions.pool(col("t"), NdPoolSpec.max(2, 2, 2).build())).schema());
        assertTrue(e.getMessage().contains("max_pool3d: column t is a 2-D tensor struct (n, c, h, w, data), and"
                + " max_pool3d pools 3-D inputs"), e.getMessage());
        Exception image = assertThrows(Exception.class, () -> images
                .select(PoolingFunctions.maxUnpool(col("image"), col("image.data"), 4, 4)).schema());
        assertTrue(image.getMessage().contains("column image is an image struct; unpooling takes tensor structs only"),
                image.getMessage());
    }

    static Stream<NdPoolSpec> imageSpecs() {
        return Stream.of(NdPoolSpec.adaptiveAvg(7, 5), NdPoolSpec.adaptiveAvg(1, 1), NdPoolSpec.adaptiveMax(33, 17),
                NdPoolSpec.lp(2, 3, 3).stride(2, 2).build(), NdPoolSpec.lp(1, 2, 2).ceilMode(true).build(),
                NdPoolSpec.avg(4, 6).stride(2, 3).padding(2, 3).build(),
                NdPoolSpec.avg(2, 2).stride(1, 1).countIncludePad(false).build());
    }

    @ParameterizedTest
    @MethodSource("imageSpecs")
    void imagesThroughTheRestOfTheFamily(NdPoolSpec spec) {
        boolean indices = spec.op().indices() == PoolOp.Indices.WRITTEN;
        List<Row> rows = images.select(col("image"), PoolingFunctions.pool(col("image"), spec).alias("p"),
                indices ? PoolingFunctions.poolWithIndices(col("image"), spec).alias("q") : col("image").alias("q"))
                .collectAsList();
        assertEquals(3, rows.size());
        for (Row r : rows) {
            Row in = r.getStruct(0);
            Expected.Image want = Expected.interleaved(spec, ImageSchema.getData(in), ImageSchema.getHeight(in),
                    ImageSchema.getWidth(in), ImageSchema.getNChannels(in), 8);
            String what = spec + " on " + ImageSchema.getOrigin(in);
            Row p = r.getStruct(1);
            assertEquals(want.height(), ImageSchema.getHeight(p), what);
            assertEquals(want.width(), ImageSchema.getWidth(p), what);
            assertArrayEquals(want.data(), ImageSchema.getData(p), what);
            if (indices) {
                assertArrayEquals(Expected.littleEndian(want.indices()), (byte[]) r.getStruct(2).get(1), what);
            }
        }
    }
}
