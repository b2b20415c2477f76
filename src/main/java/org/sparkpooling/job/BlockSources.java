package org.sparkpooling.job;

import static org.apache.spark.sql.functions.col;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Where blocks come from. Every source makes or reads its tensors on the executors, inside the
 * partition iterator, one at a time: the driver only ever handles block ids and file names.
 */
public final class BlockSources {

    /** The Parquet tensor dataset's columns: one row per block, data as little-endian float32. */
    public static final StructType TENSOR_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("blockId", DataTypes.LongType, false),
        DataTypes.createStructField("n", DataTypes.IntegerType, false),
        DataTypes.createStructField("c", DataTypes.IntegerType, false),
        DataTypes.createStructField("h", DataTypes.IntegerType, false),
        DataTypes.createStructField("w", DataTypes.IntegerType, false),
        DataTypes.createStructField("data", DataTypes.BinaryType, false),
    });

    private BlockSources() {
    }

    /** Blocks {@code 0..blocks-1} made from the seed, in {@code partitions} contiguous ranges. */
    public static JavaRDD<BlockInput> synthetic(SparkSession spark, long blocks, int partitions, Shape shape, long seed) {
        // range ships only (start, end) per partition; the ids are counted out on the executor.
        JavaRDD<Object> ids = spark.sparkContext().range(0, blocks, 1, partitions).toJavaRDD();
        return ids.mapPartitions(it -> map(it, id -> {
            long blockId = (Long) id;
            return BlockInput.of(blockId, "synthetic", SyntheticBlocks.block(seed, blockId, shape));
        }));
    }

    /**
     * A Parquet tensor dataset (see {@link #TENSOR_SCHEMA}); spread over {@code partitions} by block
     * id when given (> 0), else as Spark splits the files.
     *
     * @throws IllegalArgumentException when the dataset lacks a column of the schema
     */
    public static JavaRDD<BlockInput> parquet(SparkSession spark, String path, int partitions) {
        Dataset<Row> rows = spark.read().parquet(path);
        List<String> names = Arrays.asList(rows.columns());
        for (StructField f : TENSOR_SCHEMA.fields()) {
            if (!names.contains(f.name())) {
                throw new IllegalArgumentException("input (" + path + ") is not a tensor dataset: it has no column "
                        + f.name() + " (columns: " + names + ")");
            }
        }
        rows = rows.select("blockId", "n", "c", "h", "w", "data");
        if (partitions > 0) {
            rows = rows.repartition(partitions, col("blockId"));
        }
        String source = path;
        return rows.javaRDD().mapPartitions(it -> map(it, row -> fromRow(row, source)));
    }

    /** Decodes one Parquet row; anything wrong with it becomes an error record. */
    static BlockInput fromRow(Row row, String source) {
        if (row.isNullAt(0)) {
            return BlockInput.failed(-1, source, "blockId is null");
        }
        long blockId = row.getLong(0);
        for (int i = 1; i < 6; i++) {
            if (row.isNullAt(i)) {
                return BlockInput.failed(blockId, source, TENSOR_SCHEMA.fields()[i].name() + " is null");
            }
        }
        Shape shape;
        try {
            shape = new Shape(row.getInt(1), row.getInt(2), row.getInt(3), row.getInt(4));
        } catch (IllegalArgumentException e) {
            return BlockInput.failed(blockId, source, e.getMessage());
        }
        byte[] data = (byte[]) row.get(5);
        if (data.length != shape.bytes()) {
            return BlockInput.failed(blockId, source, "data has " + data.length + " bytes, shape " + shape
                    + " needs " + shape.bytes());
        }
        float[] x = new float[shape.size()];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x);
        return BlockInput.of(blockId, source, new Tensor(shape, x));
    }

    /**
     * {@code .npy} files: a directory (its {@code *.npy} files) or a glob, read through Spark's
     * {@code binaryFile} source on the executors. Block ids number the files in path order, so a
     * rerun over the same files gives the same ids; a file that is not a rank-4 float array is an
     * error record.
     *
     * @throws IllegalArgumentException when nothing matches
     */
    public static JavaRDD<BlockInput> npy(SparkSession spark, String path, int partitions) {
        Dataset<Row> files = spark.read().format("binaryFile").option("pathGlobFilter", "*.npy").load(path);
        // Only the names come to the driver (binaryFile skips the content when it is not selected).
        List<String> paths = new ArrayList<>();
        for (Row r : files.select("path").collectAsList()) {
            paths.add(r.getString(0));
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("input (" + path + ") has no .npy files");
        }
        paths.sort(null);
        Map<String, Long> ids = new HashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            ids.put(paths.get(i), (long) i);
        }
        Dataset<Row> content = files.select("path", "content");
        if (partitions > 0) {
            content = content.repartition(partitions, col("path"));
        }
        return content.javaRDD().mapPartitions(it -> map(it, row -> {
            String file = row.getString(0);
            long blockId = ids.getOrDefault(file, -1L);
            try {
                return BlockInput.of(blockId, file, Npy.read((byte[]) row.get(1), file));
            } catch (RuntimeException e) {
                return BlockInput.failed(blockId, file, e.getMessage() == null ? e.toString() : e.getMessage());
            }
        }));
    }

    /** A lazy map, so each element is made only when the runner asks for it. */
    private static <A, B> Iterator<B> map(Iterator<A> in, Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public B next() {
                try {
                    return f.call(in.next());
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
