package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.tensor.IntImage;

/**
 * {@code --format zarr} end to end on a local Spark that retries a failed task once
 * ({@code local[2,2]}): every level of every store against the dataset's rows, inputs that cannot
 * have their store, a failed task rerun, a failed batch resumed, and a store path that holds
 * something else.
 */
class ZarrJobTest {

    private static final int CHUNK = 4;

    private static SparkSession spark;

    @TempDir
    static Path shared;

    private static Path in;
    private static Path clean;
    private static DownsampleReport cleanReport;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSetup.session("ZarrJobTest", "local[2,2]", Map.of());
        in = shared.resolve("in");
        DownsampleJobTest.writeGood(in, shared);
        // c/photo.jpg's store is zarr/c/photo.zarr; so would this one's be.
        TestImages.write(TestImages.random(3, 6, 7, 8, 7), "png", in.resolve("c/photo.png"));
        Files.createDirectories(in.resolve("bad"));
        Files.writeString(in.resolve("bad/notes.txt"), "not an image\n");
        // Last by path, and many chunks: the image a failure injected after 400 chunks catches.
        TestImages.write(TestImages.random(3, 64, 64, 8, 8), "png", in.resolve("z/big.png"));
        clean = shared.resolve("clean");
        cleanReport = run(in, clean, 2, DownsampleJob.Existing.REFUSE);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static DownsampleReport run(Path input, Path out, int batch, DownsampleJob.Existing existing)
            throws IOException {
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL,
                DownsampleSpec.DEFAULT_MAX_PIXELS);
        StringWriter text = new StringWriter();
        try {
            return DownsampleJob.run(spark, DownsampleJob.Options.builder(input.toString(), out.toString(), spec)
                    .formats(OutputFormat.PARQUET, OutputFormat.ZARR).zarrChunk(CHUNK).partitions(2).batch(batch)
                    .existing(existing).build(), new PrintWriter(text));
        } finally {
            System.out.println(text);
        }
    }

    /** Runs with the sink's test fault: each task fails after {@code chunks} chunks in attempts below {@code attempts}. */
    private static DownsampleReport runFailing(Path out, int chunks, int attempts, AtomicInteger failedTasks)
            throws Exception {
        var conf = spark.sparkContext().hadoopConfiguration();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskInfo().failed()) {
                    failedTasks.incrementAndGet();
                }
            }
        };
        spark.sparkContext().addSparkListener(listener);
        conf.setInt(ZarrSink.FAIL_AFTER_CHUNKS, chunks);
        conf.setInt(ZarrSink.FAIL_ATTEMPTS, attempts);
        try {
            return run(in, out, 2, DownsampleJob.Existing.REFUSE);
        } finally {
            conf.unset(ZarrSink.FAIL_AFTER_CHUNKS);
            conf.unset(ZarrSink.FAIL_ATTEMPTS);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            spark.sparkContext().removeSparkListener(listener);
        }
    }

    /** The level rows, "path level" -> (shape, pixels). */
    private static TreeMap<String, Row> rows(Path out) {
        TreeMap<String, Row> rows = new TreeMap<>();
        for (Row r : spark.read().option("basePath", out.toString()).parquet(out + "/level=*")
                .select("path", "level", "height", "width", "channels", "bitDepth", "pixels").collectAsList()) {
            rows.put(r.getString(0) + " " + r.getInt(1), r);
        }
        return rows;
    }

    private static TreeMap<String, String> errors(Path out) {
        TreeMap<String, String> e = new TreeMap<>();
        spark.read().parquet(out + "/errors").collectAsList().forEach(r -> e.put(r.getString(0), r.getString(1)));
        return e;
    }

    private static IntImage decode(Path file) throws Exception {
        try (InputStream s = Files.newInputStream(file)) {
            return ImageDecoder.decode(s, Files.size(file), DownsampleSpec.DEFAULT_MAX_PIXELS);
        }
    }

    @Test
    void everyLevelOfEveryStoreIsTheDatasetsAndTheInputThatCannotHaveItsStoreIsAnErrorRow() throws Exception {
        assertEquals(8, cleanReport.inputs());
        assertEquals(6, cleanReport.pooled());
        TreeMap<String, String> errors = errors(clean);
        assertEquals(List.of("bad/notes.txt", "c/photo.png"), List.copyOf(errors.keySet()));
        assertEquals("zarr: its store zarr/c/photo.zarr is also the store of c/photo.jpg, which comes first by path;"
                + " not written", errors.get("c/photo.png"));
        assertFalse(Files.exists(clean.resolve("zarr/bad")), "no store for an input that was not pooled");

        TreeMap<String, Row> rows = rows(clean);
        Map<String, Integer> levels = new TreeMap<>();
        for (Row r : rows.values()) {
            levels.merge(r.getString(0), 1, Integer::sum);
            Path array = clean.resolve(ZarrClaims.store(r.getString(0)) + "/" + r.getInt(1));
            byte[] want = ZarrFiles.planar((byte[]) r.get(6), r.getInt(2), r.getInt(3), r.getInt(4), r.getInt(5) / 8);
            assertArrayEquals(want, ZarrFiles.array(array), array.toString());
        }
        assertEquals(6, levels.size());
        for (Map.Entry<String, Integer> e : levels.entrySet()) {
            Path store = clean.resolve(ZarrClaims.store(e.getKey()));
            IntImage input = decode(in.resolve(e.getKey()));
            assertArrayEquals(ZarrSinkTest.expected(input), ZarrFiles.array(store.resolve("0")), e.getKey() + " level 0");
            JsonNode ms = ZarrFiles.json(store.resolve(".zattrs")).get("multiscales").get(0);
            assertEquals(e.getValue() + 1, ms.get("datasets").size(), e.getKey() + ": levels 0 to " + e.getValue());
            assertFalse(Files.exists(store.resolve(Integer.toString(e.getValue() + 1))), e.getKey());
        }
        assertEquals("4", ZarrFiles.json(clean.resolve("_pooling_manifest.json")).get("settings").get("zarr chunk")
                .asText());
    }

    @Test
    void resumeRefusesAnotherChunkSize() throws Exception {
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL,
                DownsampleSpec.DEFAULT_MAX_PIXELS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DownsampleJob.run(spark,
                DownsampleJob.Options.builder(in.toString(), clean.toString(), spec)
                        .formats(OutputFormat.PARQUET, OutputFormat.ZARR).zarrChunk(8)
                        .existing(DownsampleJob.Existing.RESUME).build(), new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().contains("zarr chunk 4 (now 8)"), e.getMessage());
    }

    @Test
    void aTaskThatFailsPartWayIsRerunAndWritesTheCleanStore() throws Exception {
        Path out = shared.resolve("retried");
        AtomicInteger failed = new AtomicInteger();
        DownsampleReport r = runFailing(out, 10, 1, failed);
        assertTrue(failed.get() > 0, "no task failed: the test proves nothing");
        assertEquals(cleanReport.pooled(), r.pooled());
        ZarrFiles.assertSameTree(clean.resolve("zarr"), out.resolve("zarr"));
    }

    @Test
    void resumeAfterAFailedBatchFinishesTheHalfWrittenStoreAndGivesTheCleanStores() throws Exception {
        Path out = shared.resolve("resumed");
        AtomicInteger failed = new AtomicInteger();
        assertThrows(Exception.class, () -> runFailing(out, 400, 2, failed), "the batch of z/big.png fails");
        assertTrue(failed.get() >= 2, "z/big.png failed in both attempts");
        Path big = out.resolve("zarr/z/big.zarr");
        assertTrue(Files.exists(big.resolve(".zattrs")), "z/big.png's store was begun");
        int written;
        try (Stream<Path> s = Files.walk(big)) {
            written = (int) s.filter(Files::isRegularFile).count();
        }
        assertTrue(written < ZarrFiles.tree(clean.resolve("zarr/z/big.zarr")).size(), "and left half written");
        assertFalse(Files.exists(out.resolve("_SUCCESS")));

        DownsampleReport resumed = run(in, out, 2, DownsampleJob.Existing.RESUME);
        assertTrue(resumed.skipped() > 0, "the batches before z/big.png's were done");
        assertEquals(cleanReport.listed(), resumed.listed());
        ZarrFiles.assertSameTree(clean.resolve("zarr"), out.resolve("zarr"));
        assertEquals(errors(clean), errors(out));
        TreeMap<String, Row> want = rows(clean);
        TreeMap<String, Row> got = rows(out);
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals((byte[]) v.get(6), (byte[]) got.get(k).get(6), k));
    }

    @Test
    void aStorePathThatHoldsSomethingElseIsAnErrorRowAndLosesNothing() throws Exception {
        // The first run saw part of the input; then the rest arrived, and something else sat where
        // two of the new inputs' stores go.
        Path partial = shared.resolve("partial");
        List<Path> all;
        try (Stream<Path> s = Files.walk(in)) {
            all = new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
        }
        for (Path p : all.subList(0, 3)) {
            Files.createDirectories(partial.resolve(in.relativize(p)).getParent());
            Files.copy(p, partial.resolve(in.relativize(p)));
        }
        Path out = shared.resolve("occupied");
        run(partial, out, 2, DownsampleJob.Existing.REFUSE);
        for (Path p : all.subList(3, all.size())) {
            Files.createDirectories(partial.resolve(in.relativize(p)).getParent());
            Files.copy(p, partial.resolve(in.relativize(p)));
        }
        Files.createDirectories(out.resolve("zarr/rgba16.zarr"));
        Files.writeString(out.resolve("zarr/rgba16.zarr/notes.txt"), "mine");
        Files.createDirectories(out.resolve("zarr/z"));
        Files.writeString(out.resolve("zarr/z/big.zarr"), "also mine");

        DownsampleReport r = run(partial, out, 2, DownsampleJob.Existing.RESUME);
        assertEquals(r.inputs(), r.pooled() + r.errors());
        TreeMap<String, String> errors = errors(out);
        assertEquals("zarr: its store path zarr/rgba16.zarr already holds notes.txt, not written by downsample; left as"
                + " it is", errors.get("rgba16.png"));
        assertEquals("zarr: its store path zarr/z/big.zarr is a file that downsample did not write; left as it is",
                errors.get("z/big.png"));
        assertEquals("mine", Files.readString(out.resolve("zarr/rgba16.zarr/notes.txt")));
        assertEquals(List.of("notes.txt"), ZarrFiles.tree(out.resolve("zarr/rgba16.zarr")).keySet().stream().toList());
        assertEquals("also mine", Files.readString(out.resolve("zarr/z/big.zarr")));
        // Every other input's store is the clean run's.
        TreeMap<String, byte[]> want = ZarrFiles.tree(clean.resolve("zarr"));
        TreeMap<String, byte[]> got = ZarrFiles.tree(out.resolve("zarr"));
        want.keySet().removeIf(k -> k.startsWith("rgba16.zarr/") || k.startsWith("z/big.zarr/"));
        got.keySet().removeIf(k -> k.startsWith("rgba16.zarr/") || k.equals("z/big.zarr"));
        assertEquals(want.keySet(), got.keySet());
        want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
        assertEquals(rows(clean).keySet().stream().filter(k -> !k.startsWith("rgba16.png ") && !k.startsWith("z/big.png "))
                .toList(), List.copyOf(rows(out).keySet()));
    }
}
