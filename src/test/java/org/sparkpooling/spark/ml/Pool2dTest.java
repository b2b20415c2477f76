package org.sparkpooling.spark.ml;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.PoolingFunctions;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.TestPhotos;

/**
 * The Transformer: its params and defaults, its schema checks, its output against the column
 * function, malformed rows under each handleInvalid, and a Pipeline saved, loaded and run again.
 */
class Pool2dTest {

    private static SparkSession spark;

    @TempDir
    static Path dir;

    private static Dataset<Row> images;

    @BeforeAll
    static void start() throws Exception {
        Path photos = TestPhotos.writeSmall(dir.resolve("photos"));
        Files.writeString(photos.resolve("broken.png"), "not a PNG");
        spark = SparkSetup.session("Pool2dTest", "local[2]", Map.of());
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        images = spark.read().format("image").option("dropInvalid", false).load(photos.toString()).cache();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Map<String, byte[]> data(Dataset<Row> rows, String column) {
        Map<String, byte[]> out = new TreeMap<>();
        for (Row r : rows.select(col("image.origin"), col(column)).collectAsList()) {
            out.put(r.getString(0), r.isNullAt(1) ? null : ImageSchema.getData(r.getStruct(1)));
        }
        return out;
    }

    @Test
    void defaultsArePyTorchsAndTheImageSourcesColumn() {
        Pool2d p = new Pool2d();
        assertEquals(PoolSpec.max(2, 2).build(), p.spec());
        assertEquals("image", p.getInputCol());
        assertEquals(p.uid() + "__output", p.getOutputCol());
        assertNull(p.getIndicesCol());
        assertNull(p.getDivisorOverride());
        assertEquals("error", p.getHandleInvalid());
        for (String name : List.of("mode", "kernel", "stride", "padding", "dilation", "ceilMode", "countIncludePad",
                "divisorOverride", "inputCol", "outputCol", "indicesCol", "handleInvalid")) {
            assertTrue(p.hasParam(name), name);
            assertTrue(p.explainParams().contains(name + ":"), name);
        }
        Pool2d q = new Pool2d().setMode("avg").setKernel(3, 2).setStride(1).setPadding(1, 0).setCeilMode(true)
                .setCountIncludePad(false).setDivisorOverride(5);
        assertEquals(PoolSpec.avg(3, 2).stride(1, 1).padding(1, 0).ceilMode(true).countIncludePad(false)
                .divisorOverride(5).build(), q.spec());
        assertArrayEquals(new int[] {3, 2}, q.copy(new org.apache.spark.ml.param.ParamMap()).getKernel());
    }

    @Test
    void badParamsAreRefusedNamingTheParamAndValue() {
        Pool2d p = new Pool2d();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.setMode("min")).getMessage().contains("mode"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.setKernel(0, 2)).getMessage()
                .contains("kernel"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.setDivisorOverride(0)).getMessage()
                .contains("divisorOverride"));
        Pool2d wide = new Pool2d().setKernel(3).setPadding(2);
        assertEquals(wide.uid() + ": padding height (2) must be at most half the effective kernel size (3)",
                assertThrows(IllegalArgumentException.class, wide::spec).getMessage());
        Pool2d dilatedAvg = new Pool2d().setMode("avg").setDilation(2);
        assertTrue(assertThrows(IllegalArgumentException.class, dilatedAvg::spec).getMessage()
                .contains("dilation (2,2) must be 1,1 for avg pooling"));
    }

    @Test
    void transformSchemaRefusesAWrongColumnNamingItAndItsType() {
        Pool2d p = new Pool2d().setInputCol("origin");
        Dataset<Row> flat = images.select(col("image.origin").alias("origin"), col("image"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.transformSchema(flat.schema()));
        assertTrue(e.getMessage().startsWith(p.uid() + ": column origin has type string, which is not a struct the"
                + " pooling functions take: it must be a tensor struct"), e.getMessage());
        Pool2d missing = new Pool2d().setInputCol("photo");
        assertEquals(missing.uid() + ": input column photo does not exist; the columns are origin, image",
                assertThrows(IllegalArgumentException.class, () -> missing.transformSchema(flat.schema())).getMessage());
        Pool2d clash = new Pool2d().setOutputCol("origin");
        assertEquals(clash.uid() + ": output column origin already exists",
                assertThrows(IllegalArgumentException.class, () -> clash.transformSchema(flat.schema())).getMessage());
        Pool2d avgIndices = new Pool2d().setMode("avg").setIndicesCol("i");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> avgIndices.transformSchema(flat.schema()))
                .getMessage().contains("indicesCol (i) is for max pooling; mode is avg"));
        assertEquals(images.schema().apply("image").dataType(),
                new Pool2d().setOutputCol("p").transformSchema(images.schema()).apply("p").dataType());
    }

    @Test
    void transformEqualsTheColumnFunctionAndHandlesInvalidRows() {
        PoolSpec spec = PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).ceilMode(true).build();
        Dataset<Row> valid = images.where(col("image.height").gt(0));
        Map<String, byte[]> want = data(valid.withColumn("f", PoolingFunctions.pool2d(col("image"), spec)), "f");
        Pool2d p = new Pool2d().setMode("avg").setKernel(3).setStride(2).setPadding(1).setCeilMode(true)
                .setOutputCol("p");
        Map<String, byte[]> got = data(p.transform(valid), "p");
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));

        Exception e = assertThrows(Exception.class, () -> p.transform(images).collectAsList());
        assertTrue(rootMessage(e).contains("broken.png): it is the image source's invalid-image row"), rootMessage(e));
        Map<String, byte[]> kept = data(p.setHandleInvalid("keep").transform(images), "p");
        assertEquals(4, kept.size());
        assertNull(kept.get(kept.keySet().stream().filter(o -> o.endsWith("broken.png")).findFirst().orElseThrow()));
        Map<String, byte[]> skipped = data(p.setHandleInvalid("skip").transform(images), "p");
        assertEquals(want.keySet(), skipped.keySet());
    }

    @Test
    void aSavedPipelineLoadsAndGivesTheSameOutput() throws Exception {
        Pool2d half = new Pool2d().setMode("avg").setKernel(2).setCeilMode(true).setOutputCol("half");
        Pool2d quarter = new Pool2d().setInputCol("half").setKernel(3, 2).setStride(2).setPadding(1, 0)
                .setDilation(1, 1).setOutputCol("quarter").setIndicesCol("argmax");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {half, quarter});
        Dataset<Row> valid = images.where(col("image.height").gt(0));
        PipelineModel model = pipeline.fit(valid);
        List<Row> before = model.transform(valid).select("image.origin", "quarter.data", "argmax", "half.height")
                .orderBy("origin").collectAsList();

        String pipelinePath = dir.resolve("pipeline").toString();
        String modelPath = dir.resolve("model").toString();
        pipeline.write().overwrite().save(pipelinePath);
        model.write().overwrite().save(modelPath);
        PipelineModel loadedModel = PipelineModel.load(modelPath);
        PipelineModel refit = Pipeline.load(pipelinePath).fit(valid);
        for (PipelineModel m : List.of(loadedModel, refit)) {
            List<Row> after = m.transform(valid).select("image.origin", "quarter.data", "argmax", "half.height")
                    .orderBy("origin").collectAsList();
            assertEquals(before.size(), after.size());
            for (int i = 0; i < before.size(); i++) {
                assertEquals(before.get(i).getString(0), after.get(i).getString(0));
                assertArrayEquals((byte[]) before.get(i).get(1), (byte[]) after.get(i).get(1), before.get(i).getString(0));
                assertArrayEquals((byte[]) before.get(i).get(2), (byte[]) after.get(i).get(2));
                assertEquals(before.get(i).getInt(3), after.get(i).getInt(3));
            }
            Pool2d loaded = (Pool2d) m.stages()[1];
            assertEquals(quarter.uid(), loaded.uid());
            assertEquals(quarter.spec(), loaded.spec());
            assertEquals("argmax", loaded.getIndicesCol());
        }
        String stagePath = dir.resolve("stage").toString();
        half.save(stagePath);
        Pool2d back = Pool2d.load(stagePath);
        assertEquals(half.spec(), back.spec());
        assertEquals("half", back.getOutputCol());
        assertNull(back.getDivisorOverride());
    }

    static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
