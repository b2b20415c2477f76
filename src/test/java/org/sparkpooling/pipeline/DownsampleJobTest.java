package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.cli.Main;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.spark.BlockSources;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.SyntheticBlocks;
import org.sparkpooling.spark.TensorDatasets;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;
import picocli.CommandLine;

/** The pipeline end to end on a local Spark: counts, errors, outputs, resume, existing outputs. */
class DownsampleJobTest {

    private static SparkSession spark;

    @TempDir
    static Path shared;

    private static Path mixed;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSetup.session("DownsampleJobTest", "local[2]", Map.of());
        mixed = shared.resolve("mixed");
        writeGood(mixed, shared);
        writeBad(mixed, shared);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** Five good images in a nested tree: every layout, both depths, PNG, JPEG, TIFF. */
    static void writeGood(Path root, Path scratch) throws IOException {
        TestImages.write(TestImages.random(3, 33, 20, 8, 1), "png", root.resolve("a/rgb8.png"));
        TestImages.write(TestImages.random(1, 16, 17, 16, 2), "png", root.resolve("a/b/gray16.png"));
        TestImages.write(TestImages.random(4, 9, 9, 16, 3), "png", root.resolve("rgba16.png"));
        TestImages.write(TestImages.random(2, 12, 7, 8, 4), "tiff", root.resolve("c/grayalpha8.tif"));
        TestImages.writeRgb(TestImages.random(3, 40, 30, 8, 5), "jpeg", root.resolve("c/photo.jpg"));
    }

    /** One of each kind of bad file. */
    static void writeBad(Path root, Path scratch) throws IOException {
        Files.createDirectories(root.resolve("bad"));
        Files.write(root.resolve("bad/empty.png"), new byte[0]);
        byte[] png = Files.readAllBytes(TestImages.write(TestImages.random(3, 50, 50, 8, 6), "png",
                scratch.resolve("spare/whole.png")));
        Files.write(root.resolve("bad/truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
        Files.writeString(root.resolve("bad/garbage.jpg"), "\u00ff\u00d8 not really a JPEG at all");
        Files.writeString(root.resolve("bad/notes.txt"), "a text file among the images\n");
        Files.write(root.resolve("bad/bomb.png"), PyramidTest.bomb(png, 30_000, 30_000));
    }

    static final Map<String, String> BAD = Map.of(
            "bad/empty.png", "empty file",
            "bad/truncated.png", "png: truncated or corrupt",
            "bad/garbage.jpg", "unsupported format",
            "bad/notes.txt", "unsupported format",
            "bad/bomb.png", "png: 30000x30000 (900000000 pixels) exceeds max pixels");

    private static DownsampleReport run(Path in, Path out, Set<OutputFormat> formats, int batch,
            DownsampleJob.Existing existing) throws IOException {
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, DownsampleSpec.PILLOW_MAX_PIXELS);
        StringWriter text = new StringWriter();
        long t0 = System.nanoTime();
        DownsampleReport r = DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                .formats(formats).partitions(3).batch(batch).existing(existing).build(), new PrintWriter(text));
        System.out.println(text + " run took " + (System.nanoTime() - t0) / 1e9 + " s");
        return r;
    }

    /** Every row of the dataset as "path level HxWxC bits" -> pixels, sorted. */
    private static TreeMap<String, byte[]> dataset(Path out) {
        TreeMap<String, byte[]> rows = new TreeMap<>();
        for (Row r : spark.read().option("basePath", out.toString()).parquet(out + "/level=*")
                .select("path", "level", "height", "width", "channels", "bitDepth", "pixels").collectAsList()) {
            String key = r.getString(0) + " " + r.getInt(1) + " " + r.getInt(2) + "x" + r.getInt(3) + "x" + r.getInt(4)
                    + " " + r.getInt(5);
            assertTrue(rows.put(key, r.isNullAt(6) ? new byte[0] : (byte[]) r.get(6)) == null, "duplicate row " + key);
        }
        return rows;
    }

    private static TreeMap<String, String> errors(Path out) {
        TreeMap<String, String> rows = new TreeMap<>();
        for (Row r : spark.read().parquet(out + "/errors").collectAsList()) {
            assertTrue(rows.put(r.getString(0), r.getString(1)) == null, "duplicate error " + r);
        }
        return rows;
    }

    private static void assertSameDataset(Path a, Path b) {
        TreeMap<String, byte[]> da = dataset(a);
        TreeMap<String, byte[]> db = dataset(b);
        assertEquals(da.keySet(), db.keySet());
        da.forEach((k, v) -> assertArrayEquals(v, db.get(k), k));
        assertEquals(errors(a), errors(b));
    }

    private static Planes decode(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return Planes.of(ImageDecoder.decode(in, Files.size(file), DownsampleSpec.PILLOW_MAX_PIXELS));
        }
    }

    @Test
    void mixedFolderCountsAddUpAndEveryGoodImageIsPooled() throws Exception {
        Path out = shared.resolve("out-mixed");
        DownsampleReport r = run(mixed, out, EnumSet.of(OutputFormat.PARQUET, OutputFormat.PNG), 100, DownsampleJob.Existing.REFUSE);
        assertEquals(10, r.listed());
        assertEquals(10, r.inputs());
        assertEquals(5, r.pooled());
        assertEquals(5, r.errors());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));

        TreeMap<String, String> errors = errors(out);
        assertEquals(BAD.keySet(), errors.keySet());
        BAD.forEach((path, reason) -> assertTrue(errors.get(path).startsWith(reason), path + ": " + errors.get(path)));
        assertEquals(5, r.errorSamples().size());

        TreeMap<String, byte[]> rows = dataset(out);
        List<String> good = List.of("a/b/gray16.png", "a/rgb8.png", "c/grayalpha8.tif", "c/photo.jpg", "rgba16.png");
        for (String path : good) {
            Planes decoded = decode(mixed.resolve(path));
            DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, 1L << 30);
            int levels = spec.levelCount(decoded.height(), decoded.width());
            Planes level = decoded;
            for (int l = 1; l <= levels; l++) {
                double[] want = TestImages.reference(level, 2, false, true);
                int h = (level.height() + 1) / 2;
                int w = (level.width() + 1) / 2;
                String key = path + " " + l + " " + h + "x" + w + "x" + decoded.channels() + " " + decoded.bitDepth();
                byte[] pixels = rows.remove(key);
                assertTrue(pixels != null, "missing row " + key);
                Planes got = Planes.fromInterleaved(decoded.channels(), h, w, decoded.bitDepth(), pixels);
                for (int i = 0; i < want.length; i++) {
                    assertTrue(Math.abs(got.samples()[i] - want[i]) <= 1, key + " sample " + i);
                }
                Path png = out.resolve(PngSink.path(path, l));
                assertArrayEquals(got.samples(), decode(png).samples(), "PNG of " + key);
                level = got;
            }
        }
        assertTrue(rows.isEmpty(), "unexpected rows " + rows.keySet());
        assertEquals(r.levels().get(0).images(), 5);
        Map<String, Object> json = DownsampleReport.parse(r.toJson());
        for (String key : List.of("inputs", "pooled", "errors", "inputMegapixels", "megapixelsPerSecond", "seconds",
                "errorSamples")) {
            assertTrue(json.containsKey(key), key);
        }
    }

    /**
     * Without Parquet pixels the rows are written on the driver, a batch's levels renamed one by one,
     * level 1 last: a run killed after its higher levels' renames, before level 1's, leaves those
     * images not done; --resume makes them again and removes the orphaned files, so the dataset
     * equals a clean run's with no row twice (and the PNGs are there).
     */
    @Test
    void aBatchKilledWhileItsRowsWereRenamedIsRedoneWithoutARowTwice() throws Exception {
        Path in = shared.resolve("renames-in");
        writeGood(in, shared);
        writeBad(in, shared);
        Path clean = shared.resolve("renames-clean");
        run(in, clean, EnumSet.of(OutputFormat.PNG), 3, DownsampleJob.Existing.REFUSE);
        TreeMap<String, byte[]> want = dataset(clean);
        assertTrue(want.values().stream().allMatch(v -> v.length == 0), "no pixels without the parquet format");

        Path killed = shared.resolve("renames-killed");
        try (var files = Files.walk(clean)) {
            for (Path p : files.toList()) {
                Path to = killed.resolve(clean.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        // Undo the level-1 rename of the last batch with images, as a kill between the renames would have left it.
        Path levelOne;
        try (var files = Files.list(killed.resolve("level=1"))) {
            levelOne = files.filter(p -> p.getFileName().toString().matches("part-.*-b\\d+\\.parquet"))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString().replaceAll(".*-b", "")))
                    .orElseThrow();
        }
        String batch = levelOne.getFileName().toString();
        Files.move(levelOne, levelOne.resolveSibling("." + batch + ".tmp-1"));
        Files.deleteIfExists(levelOne.resolveSibling("." + batch + ".crc"));
        Files.delete(killed.resolve("_SUCCESS"));
        long orphans;
        try (var files = Files.walk(killed)) {
            orphans = files.filter(p -> p.getFileName().toString().equals(batch)).count();
        }
        assertTrue(orphans > 0, batch + " has rows of higher levels to orphan");

        DownsampleReport r = run(in, killed, EnumSet.of(OutputFormat.PNG), 3, DownsampleJob.Existing.RESUME);
        assertTrue(r.skipped() > 0, "batch 1 was done");
        assertTrue(r.pooled() > 0, "batch 2's images were made again");
        assertEquals(want.keySet(), dataset(killed).keySet()); // dataset() fails on a row seen twice
        try (var files = Files.walk(killed)) {
            assertEquals(0, files.filter(p -> p.getFileName().toString().contains(".tmp-")).count(), "no temporary left");
        }
        Map<String, String> errors = new TreeMap<>();
        spark.read().parquet(killed + "/errors").collectAsList().forEach(e -> errors.put(e.getString(0), e.getString(1)));
        assertEquals(BAD.keySet(), errors.keySet());
    }

    @Test
    void existingOutputIsRefusedUnlessOverwritten() throws Exception {
        Path in = shared.resolve("small");
        TestImages.write(TestImages.random(3, 5, 6, 8, 7), "png", in.resolve("one.png"));
        Path out = shared.resolve("out-small");
        run(in, out, EnumSet.of(OutputFormat.PARQUET), 100, DownsampleJob.Existing.REFUSE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run(in, out, EnumSet.of(OutputFormat.PARQUET), 100, DownsampleJob.Existing.REFUSE));
        assertTrue(e.getMessage().contains("--overwrite"), e.getMessage());
        TestImages.write(TestImages.random(3, 5, 6, 8, 8), "png", in.resolve("one.png")); // new content
        DownsampleReport r = run(in, out, EnumSet.of(OutputFormat.PARQUET), 100, DownsampleJob.Existing.OVERWRITE);
        assertEquals(1, r.pooled());
        Planes level1 = new Pyramid(new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, 100),
                Pyramid.defaultKernel()).next(decode(in.resolve("one.png")));
        assertArrayEquals(level1.interleavedBytes(), dataset(out).get("one.png 1 3x3x3 8"), "the new content");
        assertEquals(3, dataset(out).size()); // 5x6 -> 3x3 -> 2x2 -> 1x1, no rows left from the first run
        // No errors: the errors dataset is there, with its schema and no rows.
        var errors = spark.read().parquet(out + "/errors");
        assertEquals(List.of("path", "reason"), List.of(errors.schema().fieldNames()));
        assertEquals("string", errors.schema().apply("path").dataType().typeName());
        assertEquals(0, errors.count());
    }

    @Test
    void resumeAfterAPartialRunGivesTheCleanDataset() throws Exception {
        Path clean = shared.resolve("out-clean");
        run(mixed, clean, EnumSet.of(OutputFormat.PARQUET), 100, DownsampleJob.Existing.REFUSE);

        // The "killed" run: it saw only part of the tree, finished some batches, and left a dead
        // job's temporary files and no _SUCCESS.
        Path partialIn = shared.resolve("partial");
        List<Path> all;
        try (Stream<Path> s = Files.walk(mixed)) {
            all = new ArrayList<>(s.filter(Files::isRegularFile).sorted().toList());
        }
        for (int i = 0; i < all.size(); i += 2) {
            Path target = partialIn.resolve(mixed.relativize(all.get(i)));
            Files.createDirectories(target.getParent());
            Files.copy(all.get(i), target);
        }
        Path resumed = shared.resolve("out-resumed");
        DownsampleReport first = run(partialIn, resumed, EnumSet.of(OutputFormat.PARQUET), 3, DownsampleJob.Existing.REFUSE);
        assertEquals(5, first.inputs());
        Files.delete(resumed.resolve("_SUCCESS"));
        Path dead = resumed.resolve("_temporary/0/task_dead/level=1");
        Files.createDirectories(dead);
        Files.copy(Files.list(resumed.resolve("level=1")).filter(p -> p.toString().endsWith(".parquet")).findFirst()
                .orElseThrow(), dead.resolve("part-dead.parquet"));

        for (int i = 1; i < all.size(); i += 2) {
            Path target = partialIn.resolve(mixed.relativize(all.get(i)));
            Files.createDirectories(target.getParent());
            Files.copy(all.get(i), target);
        }
        DownsampleReport second = run(partialIn, resumed, EnumSet.of(OutputFormat.PARQUET), 3, DownsampleJob.Existing.RESUME);
        assertEquals(10, second.listed());
        assertEquals(5, second.skipped());
        assertEquals(5, second.inputs());
        assertTrue(Files.exists(resumed.resolve("_SUCCESS")));
        assertFalse(Files.exists(resumed.resolve("_temporary")));
        assertSameDataset(clean, resumed);

        DownsampleReport third = run(partialIn, resumed, EnumSet.of(OutputFormat.PARQUET), 3, DownsampleJob.Existing.RESUME);
        assertEquals(0, third.inputs());
        assertSameDataset(clean, resumed);
    }

    @Test
    void commandExitCodes() throws Exception {
        Path badOnly = shared.resolve("bad-only");
        writeBad(badOnly, shared);
        String[] common = {"downsample", "--input", badOnly.toString(), "--partitions", "2"};
        assertEquals(1, exec(common, "--output", shared.resolve("cli-1").toString()), "nothing pooled");
        assertEquals(2, exec(common, "--output", shared.resolve("cli-1").toString()), "existing output refused");
        assertEquals(2, exec(common, "--output", shared.resolve("cli-2").toString(), "--factor", "1"), "bad factor");
        Path report = shared.resolve("report");
        String[] mixedArgs = {"downsample", "--input", mixed.toString(), "--output", shared.resolve("cli-3").toString(),
            "--mode", "max", "--edge", "trim", "--levels", "2", "--report", report.toString()};
        assertEquals(0, exec(mixedArgs));
        Map<String, Object> json = DownsampleReport.parse(Files.readString(report.resolve("report.json")));
        assertEquals(10, json.get("inputs"));
        assertEquals(5, json.get("pooled"));
        assertEquals(2, ((List<?>) json.get("levels")).size());
        assertEquals(1, exec(new String[] {"downsample", "--input", mixed.toString(), "--output",
            shared.resolve("cli-4").toString(), "--fail-on-error"}), "errors with --fail-on-error");
        assertTrue(spark.sparkContext().isStopped() == false, "the test's session is not the command's to stop");
    }

    private static int exec(String[] args, String... more) {
        String[] all = Stream.concat(Stream.of(args), Stream.of(more)).toArray(String[]::new);
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        return cli.execute(all);
    }

    private static DownsampleReport runTensors(InputKind kind, Path in, Path out, DownsampleMode mode, EdgeMode edge,
            DownsampleJob.Existing existing) throws IOException {
        DownsampleSpec spec = new DownsampleSpec(mode, 2, 0, edge, DownsampleSpec.PILLOW_MAX_PIXELS);
        StringWriter text = new StringWriter();
        DownsampleReport r = DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                .partitions(2).batch(100).existing(existing).kind(kind).build(), new PrintWriter(text));
        System.out.println(text);
        return r;
    }

    /**
     * Every level of image {@code n} of {@code t} in the dataset against the reference kernel applied
     * level by level to the float planes (never rounded), within the golden tests' tolerance.
     */
    private static void assertLevels(TreeMap<String, byte[]> rows, String name, Tensor t, int n, DownsampleSpec spec) {
        Shape s = t.shape();
        int size = s.c() * s.h() * s.w();
        Tensor level = new Tensor(new Shape(1, s.c(), s.h(), s.w()),
                java.util.Arrays.copyOfRange(t.data(), n * size, (n + 1) * size));
        int count = spec.levelCount(s.h(), s.w());
        assertTrue(count > 0);
        for (int l = 1; l <= count; l++) {
            level = PoolKernels.reference().forward(spec.poolSpec(), level).output();
            Shape ls = level.shape();
            String key = name + "#" + n + " " + l + " " + ls.h() + "x" + ls.w() + "x" + ls.c() + " 32";
            byte[] pixels = rows.get(key);
            assertTrue(pixels != null, "row " + key + " in " + rows.keySet());
            Planes got = Planes.fromInterleaved(ls.c(), ls.h(), ls.w(), Planes.FLOAT_DEPTH, pixels);
            float[] want = level.data();
            for (int i = 0; i < want.length; i++) {
                // the golden tests' tolerance: the fast kernel multiplies by 1/divisor, the reference divides
                assertTrue(Math.abs(want[i] - got.samples()[i]) <= 1e-5 * Math.max(1, Math.abs(want[i])),
                        key + " sample " + i + ": " + got.samples()[i] + ", reference " + want[i]);
            }
        }
        assertFalse(rows.keySet().stream().anyMatch(k -> k.startsWith(name + "#" + n + " " + (count + 1) + " ")),
                "no level past " + count);
    }

    @Test
    void npyFilesPoolAsFloatPlanesAndBadFilesAreErrors() throws Exception {
        Path in = shared.resolve("npy-in");
        Files.createDirectories(in.resolve("sub"));
        Tensor a = new Tensor(new Shape(2, 3, 9, 8), TestImages.randomFloats(2 * 3 * 9 * 8, 11));
        Tensor b = new Tensor(new Shape(1, 6, 5, 5), TestImages.randomFloats(6 * 25, 12));
        Npy.write(in.resolve("a.npy"), a);
        Npy.write(in.resolve("sub/b.npy"), b);
        Npy.write(in.resolve("tiny.npy"), new Tensor(new Shape(1, 1, 1, 1), new float[] {1}));
        Files.write(in.resolve("empty.npy"), new byte[0]);
        byte[] whole = Npy.toBytes(a);
        Files.write(in.resolve("sub/truncated.npy"), java.util.Arrays.copyOf(whole, whole.length - 10));
        Files.writeString(in.resolve("notes.txt"), "not an array\n");
        for (DownsampleMode mode : TestImages.floatModes()) {
            for (EdgeMode edge : EdgeMode.values()) {
                Path out = shared.resolve("npy-out-" + mode + "-" + edge);
                DownsampleReport r = runTensors(InputKind.NPY, in, out, mode, edge, DownsampleJob.Existing.REFUSE);
                assertEquals(6, r.inputs());
                assertEquals(2, r.pooled());
                assertEquals(4, r.errors());
                assertEquals(r.inputs(), r.pooled() + r.errors());
                assertEquals((2 * 72 + 25) / 1e6, r.inputMegapixels(), 1e-12);
                TreeMap<String, String> errors = errors(out);
                assertEquals(java.util.Set.of("tiny.npy", "empty.npy", "sub/truncated.npy", "notes.txt"), errors.keySet());
                assertTrue(errors.get("tiny.npy").contains("too small"), errors.get("tiny.npy"));
                assertTrue(errors.get("empty.npy").startsWith("empty file"), errors.get("empty.npy"));
                assertTrue(errors.get("sub/truncated.npy").startsWith("npy: "), errors.get("sub/truncated.npy"));
                assertTrue(errors.get("notes.txt").startsWith("npy: "), errors.get("notes.txt"));
                TreeMap<String, byte[]> rows = dataset(out);
                DownsampleSpec spec = new DownsampleSpec(mode, 2, 0, edge, DownsampleSpec.PILLOW_MAX_PIXELS);
                assertLevels(rows, "a.npy", a, 0, spec);
                assertLevels(rows, "a.npy", a, 1, spec);
                assertLevels(rows, "sub/b.npy", b, 0, spec);
                assertEquals(2 * spec.levelCount(9, 8) + spec.levelCount(5, 5), rows.size());
            }
        }
        // Resume: a finished output has nothing left to do.
        DownsampleReport again = runTensors(InputKind.NPY, in, shared.resolve("npy-out-AVG-PARTIAL"), DownsampleMode.AVG,
                EdgeMode.PARTIAL, DownsampleJob.Existing.RESUME);
        assertEquals(6, again.skipped());
        assertEquals(0, again.inputs());
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DownsampleJob.Options.builder(
                in.toString(), "out", spec).formats(OutputFormat.PARQUET, OutputFormat.PNG).kind(InputKind.NPY).build());
        assertTrue(e.getMessage().contains("no PNG form"), e.getMessage());
    }

    @Test
    void tensorDatasetRowsPoolAsFloatPlanesAndBadRowsAreErrors() throws Exception {
        Path in = shared.resolve("tensors-in");
        Shape shape = new Shape(2, 3, 9, 8);
        TensorDatasets.generate(spark, in.toString(), 3, 2, shape, 5, false);
        // One more row whose data does not match its shape: an error row, the others go on.
        spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create(3L, 2, 3, 9, 8, new byte[12])),
                BlockSources.TENSOR_SCHEMA).write().mode(org.apache.spark.sql.SaveMode.Append).parquet(in.toString());
        Path out = shared.resolve("tensors-out");
        DownsampleReport r = runTensors(InputKind.TENSORS, in, out, DownsampleMode.AVG, EdgeMode.PARTIAL,
                DownsampleJob.Existing.REFUSE);
        assertEquals(4, r.listed());
        assertEquals(4, r.inputs());
        assertEquals(3, r.pooled());
        assertEquals(1, r.errors());
        assertEquals(3 * 2 * 72 / 1e6, r.inputMegapixels(), 1e-12);
        TreeMap<String, String> errors = errors(out);
        assertEquals(java.util.Set.of("block-3"), errors.keySet());
        assertTrue(errors.get("block-3").contains("bytes"), errors.get("block-3"));
        TreeMap<String, byte[]> rows = dataset(out);
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, DownsampleSpec.PILLOW_MAX_PIXELS);
        for (long id = 0; id < 3; id++) {
            Tensor t = SyntheticBlocks.block(5, id, shape);
            assertLevels(rows, "block-" + id, t, 0, spec);
            assertLevels(rows, "block-" + id, t, 1, spec);
        }
        assertEquals(3 * 2 * spec.levelCount(9, 8), rows.size());

        DownsampleReport again = runTensors(InputKind.TENSORS, in, out, DownsampleMode.AVG, EdgeMode.PARTIAL,
                DownsampleJob.Existing.RESUME);
        assertEquals(4, again.listed());
        assertEquals(4, again.skipped());
        assertEquals(0, again.inputs());
        assertEquals(3 * 2 * spec.levelCount(9, 8), dataset(out).size());
    }
}
