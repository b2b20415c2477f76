package org.sparkpooling.spark.examples;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.spark.ml.Pool2d;

/** The docs' Pipeline example (docs/spark-api.md, "An ML Pipeline"), run by SparkApiDocsTest. */
public final class PoolPipeline {

    private PoolPipeline() {
    }

    public static void main(String[] args) throws Exception {
        String photos = args[0];
        String modelDir = args[1];
        // [docs:java-pipeline]
        SparkSession spark = SparkSession.builder().appName("pool pipeline").getOrCreate();
        Dataset<Row> images = spark.read().format("image").load(photos);

        Pool2d half = new Pool2d().setMode("avg").setKernel(2).setCeilMode(true).setOutputCol("half");
        Pool2d stem = new Pool2d().setInputCol("half").setKernel(3).setStride(2).setPadding(1)
                .setOutputCol("stem").setIndicesCol("argmax");
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {half, stem}).fit(images);
        model.write().overwrite().save(modelDir);

        PipelineModel loaded = PipelineModel.load(modelDir);
        loaded.transform(images).select("image.origin", "half.height", "stem.height", "stem.width")
                .orderBy("origin").show(false);
        // [/docs:java-pipeline]
    }
}
