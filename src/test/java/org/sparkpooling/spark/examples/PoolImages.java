package org.sparkpooling.spark.examples;

import static org.apache.spark.sql.functions.col;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.PoolingFunctions;

/**
 * The docs' Java example (docs/spark-api.md, "Java"): Spark's image source in, pooled images out as
 * Parquet. SparkApiDocsTest runs it and checks the page shows this code; SparkSubmitIT submits it.
 */
public final class PoolImages {

    private PoolImages() {
    }

    public static void main(String[] args) {
        String photos = args[0];
        String output = args[1];
        // [docs:java-images]
        SparkSession spark = SparkSession.builder().appName("pool images").getOrCreate();
        Dataset<Row> images = spark.read().format("image").option("dropInvalid", true).load(photos);

        Dataset<Row> pooled = images.select(
                col("image.origin").alias("origin"),
                PoolingFunctions.pool2d(col("image"), "avg", 2).alias("half"),
                PoolingFunctions.pool2d(col("image"),
                        PoolSpec.max(3, 3).stride(2, 2).padding(1, 1).build()).alias("stem"),
                PoolingFunctions.pool(col("image"), NdPoolSpec.adaptiveAvg(7, 7)).alias("thumb"));
        pooled.write().mode("overwrite").parquet(output);

        // Each pooled column is an image row again: origin, mode and nChannels kept, height and width pooled.
        spark.read().parquet(output)
                .select("origin", "half.height", "half.width", "stem.height", "thumb.width")
                .orderBy("origin").show(false);
        // [/docs:java-images]
    }
}
