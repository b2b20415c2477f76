package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.spark.SparkSetup;

/**
 * The pipeline on the 2-worker standalone cluster ({@code scripts/test} starts it and passes
 * {@code -Dpooling.cluster.master}): the mixed folder of good and bad files, decoded and pooled on
 * the executors, gives the same counts, errors and levels as the reference computed here.
 * Skipped without a cluster. Paths are local: the cluster's workers share this machine's disk.
 */
class DownsampleClusterIT {

    @TempDir
    Path dir;

    private static String master() {
        String master = System.getProperty("pooling.cluster.master", "").trim();
        assumeTrue(!master.isEmpty(), "no standalone cluster: scripts/test starts one and passes -Dpooling.cluster.master");
        return master;
    }

    /** The cluster's secret, from the argfile scripts/cluster writes for drivers, and the application jar. */
    private static Map<String, String> settings() throws java.io.IOException {
        Path home = Path.of(System.getProperty("pooling.home", ".")).toAbsolutePath();
        Map<String, String> settings = new LinkedHashMap<>();
        for (String line : Files.readAllLines(home.resolve("target/cluster/driver.args"), StandardCharsets.UTF_8)) {
            line = line.trim();
            int eq = line.indexOf('=');
            if (line.startsWith("-D") && eq > 2) {
                settings.put(line.substring(2, eq), line.substring(eq + 1));
            }
        }
        settings.put("spark.jars", home.resolve("target/spark-pooling.jar").toString());
        return settings;
    }

    /**
     * One TIFF above the task budget is cut into stripes that run on both executors (separate
     * JVMs), whose parts another task gathers: every Zarr level and PNG equals the levels pooled
     * here from the samples written, and the rows hold the gathered levels' samples.
     */
    @Test
    @Timeout(900)
    void aLargeTiffIsStripedOverBothExecutors() throws Exception {
        String master = master();
        Map<String, String> settings = settings();
        Path in = Files.createDirectories(dir.resolve("in"));
        java.util.Random random = new java.util.Random(5);
        short[] samples = new short[500 * 600];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) ((i % 600) * 97 + (i / 600) * 31 + random.nextInt(50));
        }
        org.sparkpooling.tensor.IntImage image = org.sparkpooling.tensor.IntImage.of16(500, 600, 1, samples);
        TiffFiles.writePlanar(in.resolve("large.tif"), image, true, true, 8);
        Path out = dir.resolve("out");
        Set<String> executors = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try (SparkSession spark = SparkSetup.session("downsample-stripes-it", master, settings)) {
            spark.sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
                @Override
                public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd end) {
                    executors.add(end.taskInfo().executorId());
                }
            });
            // 2^16 pixels: levels 1-2 made by 8 stripes of 64 rows, 3 and up gathered.
            DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL,
                    DownsampleSpec.DEFAULT_MAX_PIXELS, 1 << 16);
            StringWriter text = new StringWriter();
            DownsampleReport r = DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(),
                    spec).formats(OutputFormat.PARQUET, OutputFormat.PNG, OutputFormat.ZARR).zarrChunk(16).build(),
                    new PrintWriter(text));
            assertTrue(text.toString().contains("stripes: large.tif (600x500) in 8 stripes of 64 rows"), text.toString());
            assertEquals(1, r.pooled(), r.errorSamples().toString());
            spark.sparkContext().listenerBus().waitUntilEmpty();
            assertTrue(executors.size() >= 2, "the stripes ran on " + executors);
            Map<Integer, byte[]> rows = new TreeMap<>();
            for (Row row : spark.read().option("basePath", out.toString()).parquet(out + "/level=*")
                    .select("level", "pixels").collectAsList()) {
                rows.put(row.getInt(0), (byte[]) row.get(1));
            }
            org.sparkpooling.tensor.IntImage level = image;
            Path store = out.resolve("zarr/large.zarr");
            assertArrayEquals(ZarrFiles.planar(level.interleavedBytes(), 500, 600, 1, 2), ZarrFiles.array(store.resolve("0")));
            for (int l = 1; l <= r.levels().size(); l++) {
                level = spec.pool(level);
                byte[] want = level.interleavedBytes();
                assertArrayEquals(ZarrFiles.planar(want, level.height(), level.width(), 1, 2),
                        ZarrFiles.array(store.resolve(Integer.toString(l))), "zarr level " + l);
                BandTestSupport.assertSameSamples(level, BandTestSupport.whole(out.resolve(PngSink.path("large.tif", l))),
                        "png level " + l);
                if (l >= 3) {
                    assertArrayEquals(want, rows.get(l), "row of level " + l);
                }
            }
            assertTrue(Files.exists(out.resolve("_SUCCESS")));
        }
    }

    @Test
    @Timeout(900)
    void mixedFolderOnTheCluster() throws Exception {
        String master = master();
        Map<String, String> settings = settings();
        Path in = dir.resolve("in");
        DownsampleJobTest.writeGood(in, dir);
        DownsampleJobTest.writeBad(in, dir);
        Path out = dir.resolve("out");
        try (SparkSession spark = SparkSetup.session("downsample-cluster-it", master, settings)) {
            DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, DownsampleSpec.PILLOW_MAX_PIXELS);
            DownsampleReport r = DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                    .formats(OutputFormat.PARQUET, OutputFormat.PNG).partitions(4).batch(6).build(), new PrintWriter(new StringWriter()));
            assertEquals(10, r.inputs());
            assertEquals(5, r.pooled());
            assertEquals(5, r.errors());
            Set<String> errors = new TreeSet<>();
            for (Row e : spark.read().parquet(out + "/errors").collectAsList()) {
                errors.add(e.getString(0));
                assertTrue(e.getString(1).startsWith(DownsampleJobTest.BAD.get(e.getString(0))), e.toString());
            }
            assertEquals(DownsampleJobTest.BAD.keySet(), errors);
            TreeMap<String, byte[]> level1 = new TreeMap<>();
            for (Row row : spark.read().parquet(out + "/level=1").collectAsList()) {
                level1.put(row.getString(0), (byte[]) row.getAs("pixels"));
            }
            assertEquals(5, level1.size());
            Pyramid pyramid = new Pyramid(spec, Pyramid.defaultKernel());
            for (Map.Entry<String, byte[]> e : level1.entrySet()) {
                Path file = in.resolve(e.getKey());
                org.sparkpooling.tensor.IntImage decoded;
                try (var s = Files.newInputStream(file)) {
                    decoded = ImageDecoder.decode(s, Files.size(file), DownsampleSpec.PILLOW_MAX_PIXELS);
                }
                assertArrayEquals(pyramid.next(decoded).interleavedBytes(), e.getValue(), e.getKey());
                assertTrue(Files.isRegularFile(out.resolve(PngSink.path(e.getKey(), 1))), e.getKey());
            }
            assertTrue(Files.exists(out.resolve("_SUCCESS")));
        }
    }
}
