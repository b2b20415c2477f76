package org.sparkpooling.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.sql.PoolingSqlFunctions;
import org.sparkpooling.tensor.Shape;

/**
 * The SQL functions through {@code spark.sql.extensions} in a fresh session, as a user's
 * {@code spark-defaults.conf} or {@code --conf} sets it: each registered name, each argument form
 * giving what the Java functions give, the documentation Spark shows, and the refusals.
 */
class PoolingSparkExtensionsTest {

    private static SparkSession spark;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        // Extensions apply when a session is made: every other test class stops its own, so this one is new.
        spark = SparkSetup.session("PoolingSparkExtensionsTest", "local[2]",
                Map.of("spark.sql.extensions", PoolingSparkExtensions.class.getName()));
        assertEquals(PoolingSparkExtensions.class.getName(), spark.conf().get("spark.sql.extensions"));
        assertEquals("true", spark.conf().get("spark.kryo.registrationRequired"));
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(TensorDatasets.toRow(i, SyntheticBlocks.block(7, i, new Shape(2, 3, 11 + i, 16))));
        }
        String path = dir.resolve("blocks").toString();
        spark.createDataFrame(rows, BlockSources.TENSOR_SCHEMA).write().parquet(path);
        spark.read().parquet(path).createOrReplaceTempView("blocks");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<Row> sorted(Dataset<Row> d) {
        return d.orderBy("blockId").collectAsList();
    }

    private static void assertSame(String sql, Column java) {
        List<Row> a = sorted(spark.sql("SELECT blockId, " + sql + " AS p FROM blocks"));
        List<Row> b = sorted(spark.table("blocks").select(col("blockId"), java.alias("p")));
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            Row x = a.get(i).getStruct(1);
            Row y = b.get(i).getStruct(1);
            assertEquals(x.schema(), y.schema(), sql);
            for (int f = 0; f < x.size(); f++) {
                if (x.get(f) instanceof byte[] bytes) {
                    assertArrayEquals(bytes, (byte[]) y.get(f), sql + " field " + f);
                } else if (x.get(f) instanceof Row r) {
                    assertArrayEquals((byte[]) r.get(5), (byte[]) y.getStruct(f).get(5), sql + " output");
                } else {
                    assertEquals(x.get(f), y.get(f), sql + " field " + f);
                }
            }
        }
    }

    @Test
    void everyFunctionIsRegistered() {
        for (PoolingSqlFunctions.Function f : PoolingSqlFunctions.all()) {
            List<Row> d = spark.sql("DESCRIBE FUNCTION EXTENDED " + f.name()).collectAsList();
            String text = d.toString();
            assertTrue(text.contains("Function: " + f.name()) && text.contains("Usage: " + f.name() + "("), text);
        }
        // pool2d, then in 1-D, 2-D and 3-D: max, max with indices, avg, lp, adaptive max (and with indices),
        // adaptive avg, unpool; each with its try_ twin
        assertEquals(2 * (1 + 3 * 8), PoolingSqlFunctions.all().size());
    }

    @Test
    void sqlGivesWhatTheJavaFunctionsGive() {
        Column t = struct(col("blockId"), col("n"), col("c"), col("h"), col("w"), col("data"));
        assertSame("pool2d(struct(*), 'max', 2, 2)", PoolingFunctions.pool2d(t, "max", 2, 2));
        assertSame("pool2d(struct(*), 'avg', 3)", PoolingFunctions.pool2d(t, PoolSpec.avg(3, 3).build()));
        assertSame("pool2d(struct(*), 'max', 3, 2, 1)", PoolingFunctions.pool2d(t, PoolSpec.max(3, 3).stride(2, 2)
                .padding(1, 1).build()));
        assertSame("max_pool2d(struct(*), array(3, 2), array(1, 2), array(1, 0), 2, true)",
                PoolingFunctions.pool2d(t, PoolSpec.max(3, 2).stride(1, 2).padding(1, 0).dilation(2, 2)
                        .ceilMode(true).build()));
        assertSame("max_pool2d(struct(*), 2, NULL, 0, 1, false)", PoolingFunctions.pool2d(t, PoolSpec.max(2, 2).build()));
        assertSame("avg_pool2d(struct(*), 3, 2, 1, true, false, NULL)", PoolingFunctions.pool2d(t,
                PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).ceilMode(true).countIncludePad(false).build()));
        assertSame("avg_pool2d(struct(*), 2, 2, 0, false, true, 3)", PoolingFunctions.pool2d(t,
                PoolSpec.avg(2, 2).divisorOverride(3).build()));
        assertSame("max_pool2d_with_indices(struct(*), 2)", PoolingFunctions.maxPool2dWithIndices(t,
                PoolSpec.max(2, 2).build()));
        assertSame("try_max_pool2d_with_indices(struct(*), 3, 1)", PoolingFunctions.tryMaxPool2dWithIndices(t,
                PoolSpec.max(3, 3).stride(1, 1).build()));
        assertSame("try_avg_pool2d(struct(*), 2)", PoolingFunctions.tryPool2d(t, PoolSpec.avg(2, 2).build()));
    }

    @Test
    void theFamilyInSqlOneTwoAndThreeDimensions() {
        // a 3-D tensor struct from the 2-D blocks: their two batch entries as depth
        spark.sql("CREATE OR REPLACE TEMPORARY VIEW volumes AS SELECT blockId, 1 AS n, c, n AS d, h, w, data FROM blocks");
        spark.sql("CREATE OR REPLACE TEMPORARY VIEW lines AS SELECT blockId, n, c, h * w AS l, data FROM blocks");
        Map<String, Column> calls = new java.util.LinkedHashMap<>();
        Column volume = struct(col("n"), col("c"), col("d"), col("h"), col("w"), col("data"));
        Column line = struct(col("n"), col("c"), col("l"), col("data"));
        calls.put("SELECT blockId, max_pool3d(struct(n, c, d, h, w, data), array(2, 3, 3), 1) AS p FROM volumes",
                PoolingFunctions.pool(volume, org.sparkpooling.pool.NdPoolSpec.max(2, 3, 3).stride(1, 1, 1).build()));
        calls.put("SELECT blockId, adaptive_avg_pool3d(struct(n, c, d, h, w, data), array(1, 2, 2)) AS p FROM volumes",
                PoolingFunctions.pool(volume, org.sparkpooling.pool.NdPoolSpec.adaptiveAvg(1, 2, 2)));
        calls.put("SELECT blockId, lp_pool1d(struct(n, c, l, data), 2.0, 5, 3, true) AS p FROM lines",
                PoolingFunctions.pool(line, org.sparkpooling.pool.NdPoolSpec.lp(2, 5).stride(3).ceilMode(true).build()));
        calls.put("SELECT blockId, avg_pool1d(struct(n, c, l, data), 4) AS p FROM lines",
                PoolingFunctions.pool(line, org.sparkpooling.pool.NdPoolSpec.avg(4).build()));
        calls.put("SELECT blockId, adaptive_max_pool2d(struct(*), array(3, 5)) AS p FROM blocks",
                PoolingFunctions.pool(struct(col("*")), org.sparkpooling.pool.NdPoolSpec.adaptiveMax(3, 5)));
        calls.forEach((sql, java) -> {
            String view = sql.substring(sql.lastIndexOf(' ') + 1);
            List<Row> a = sorted(spark.sql(sql));
            List<Row> b = sorted(spark.table(view).select(col("blockId"), java.alias("p")));
            assertEquals(4, a.size(), sql);
            for (int i = 0; i < a.size(); i++) {
                Row x = a.get(i).getStruct(1);
                Row y = b.get(i).getStruct(1);
                assertArrayEquals((byte[]) x.get(x.size() - 1), (byte[]) y.get(y.size() - 1), sql);
            }
        });
        // unpool what max pooling gave, in SQL (into 14x16, which holds every block's plane positions)
        List<Row> u = spark.sql("SELECT blockId, h, w, max_unpool2d(q.output, q.indices, array(14, 16)) AS u FROM"
                + " (SELECT blockId, h, w, max_pool2d_with_indices(struct(n, c, h, w, data), 2) AS q FROM blocks)")
                .collectAsList();
        assertEquals(4, u.size(), "unpool");
    }

    @Test
    void tryGivesNullWherePoolingFails() {
        // a 2x2 kernel with dilation 20 spans 21 rows and columns: more than every block has
        List<Row> rows = spark.sql("SELECT try_max_pool2d(struct(*), 2, 1, 0, 20) AS p FROM blocks").collectAsList();
        assertEquals(4, rows.size());
        rows.forEach(r -> assertTrue(r.isNullAt(0)));
        Exception e = assertThrows(Exception.class,
                () -> spark.sql("SELECT max_pool2d(struct(*), 2, 1, 0, 20) FROM blocks").collectAsList());
        assertTrue(rootMessage(e).contains("max_pool2d: tensor row 1 of partition"), rootMessage(e));
        assertTrue(rootMessage(e).contains("is too small for max kernel 2x2 stride 1x1 padding 0x0 dilation 20x20"
                + " (try_max_pool2d gives null for such rows)"), rootMessage(e));
    }

    @Test
    void badArgumentsAreRefusedNamingTheArgument() {
        Map<String, String> refusals = Map.of(
                "pool2d(struct(*), 'min', 2)", "pool2d: mode (min) must be max or avg",
                "pool2d(struct(*), 'max')", "pool2d takes 3 to 5 arguments, not 2",
                "pool2d(struct(*), 'max', h)", "pool2d: kernel (blocks.h) must be a constant",
                "pool2d(struct(*), 2, 2)", "pool2d: mode (2) must be the string 'max' or 'avg'",
                "max_pool2d(struct(*), array(2, 3, 4))", "max_pool2d: kernel (array(2, 3, 4)) must be an int or an array"
                        + " of 2 ints",
                "avg_pool2d(struct(*), 3, 1, 2)", "avg_pool2d: padding height (2) must be at most half the effective"
                        + " kernel size (3)",
                "max_pool2d(struct(*), 2, 2, 0, 1, 'yes')", "max_pool2d: ceil_mode ('yes') must be true or false",
                "pool2d(data, 'max', 2)", "pool2d: column blocks.data has type binary, which is not a struct");
        refusals.forEach((call, message) -> {
            Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT " + call + " FROM blocks").schema(), call);
            assertTrue(e.getMessage().contains(message), call + ": " + e.getMessage());
        });
    }

    static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append('\n');
        }
        return all.toString();
    }
}
