package org.sparkpooling.job;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** Writes the Parquet tensor dataset ({@link BlockSources#TENSOR_SCHEMA}) that {@code bench --input} reads. */
public final class TensorDatasets {

    private TensorDatasets() {
    }

    /**
     * Writes the synthetic blocks {@code 0..blocks-1} of {@code seed}, made on the executors, so a
     * bench over the dataset gives the same checksums as a synthetic bench with the same seed.
     */
    public static void generate(SparkSession spark, String output, long blocks, int partitions, Shape shape,
            long seed, boolean overwrite) {
        if (blocks <= 0) {
            throw new IllegalArgumentException("blocks (" + blocks + ") must be > 0");
        }
        if (shape.bytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + shape + " (" + shape.bytes()
                    + " bytes) is too large for one Parquet value (at most 2 GiB)");
        }
        int p = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
        p = (int) Math.max(1, Math.min(p, blocks));
        JavaRDD<Object> ids = spark.sparkContext().range(0, blocks, 1, p).toJavaRDD();
        JavaRDD<Row> rows = ids.mapPartitions(it -> new Iterator<Row>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Row next() {
                long id = (Long) it.next();
                return toRow(id, SyntheticBlocks.block(seed, id, shape));
            }
        });
        spark.createDataFrame(rows, BlockSources.TENSOR_SCHEMA).write()
                .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(output);
    }

    static Row toRow(long blockId, Tensor t) {
        Shape s = t.shape();
        ByteBuffer bytes = ByteBuffer.allocate((int) s.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(t.data());
        return RowFactory.create(blockId, s.n(), s.c(), s.h(), s.w(), bytes.array());
    }
}
