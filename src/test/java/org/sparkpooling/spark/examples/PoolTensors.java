package org.sparkpooling.spark.examples;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.spark.PoolingFunctions;

/** The docs' tensor example (docs/spark-api.md, "Tensors"), run by SparkApiDocsTest. */
public final class PoolTensors {

    private PoolTensors() {
    }

    public static void main(String[] args) {
        String blocks = args[0];
        String output = args[1];
        // [docs:java-tensors]
        SparkSession spark = SparkSession.builder().appName("pool tensors").getOrCreate();
        // A tensor dataset (scripts/pooling generate): blockId, n, c, h, w, data. Its columns as one struct.
        Dataset<Row> tensors = spark.read().parquet(blocks).select(struct(col("*")).alias("t"));

        Dataset<Row> pooled = tensors.select(
                PoolingFunctions.poolWithIndices(col("t"), NdPoolSpec.max(2, 2).build()).alias("q"));
        // q.output is a tensor struct again: select its fields to write a tensor dataset bench --input reads.
        pooled.select("q.output.*").write().mode("overwrite").parquet(output);

        // Unpooling with the indices puts each max back where it came from.
        pooled.select(PoolingFunctions.maxUnpool(col("q.output"), col("q.indices"), 28, 28).alias("u"))
                .select("u.blockId", "u.h", "u.w").orderBy("blockId").show();
        // [/docs:java-tensors]
    }
}
