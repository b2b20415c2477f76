package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.cli.Main;
import org.sparkpooling.spark.OutputLock;
import org.sparkpooling.spark.OutputManifest;
import org.sparkpooling.spark.SparkSetup;
import picocli.CommandLine;

/**
 * The ways {@code downsample} lost or mixed a user's data, each a test named after it: the input
 * (and anything beside it) byte for byte intact after every refused command, a lock that refuses a
 * second run at once, a manifest that refuses a {@code --resume} with other settings, a listing that
 * terminates and reports, and every refusal one line with exit code 2.
 */
class DownsampleSafetyTest {

    private static SparkSession spark;

    @TempDir
    static Path shared;

    /** Three good images. */
    private static Path images;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSetup.session("DownsampleSafetyTest", "local[2]", Map.of());
        images = shared.resolve("images");
        for (int i = 0; i < 3; i++) {
            TestImages.write(TestImages.random(3, 30 + i, 21, 8, i), "png", images.resolve("img" + i + ".png"));
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    record Run(int exit, String out, String err) {
        String firstErrorLine() {
            return err.lines().findFirst().orElse("");
        }
    }

    private static Run cli(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static Run downsample(Path in, Path out, String... more) {
        String[] args = Stream.concat(Stream.of("downsample", "--input", in.toString(), "--output", out.toString(),
                "--partitions", "2"), Stream.of(more)).toArray(String[]::new);
        return cli(args);
    }

    /** Every file under {@code root}, relative path -> SHA-256 of its bytes (symlinks as their target text). */
    static TreeMap<String, String> snapshot(Path root) throws IOException {
        TreeMap<String, String> files = new TreeMap<>();
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    files.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    files.put(rel, sha256(Files.readAllBytes(p)));
                } else {
                    files.put(rel + "/", "dir");
                }
            }
        }
        return files;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tree with an input folder and an unrelated file beside it, as in the probe. */
    private static Path userTree(Path dir) throws IOException {
        Path p = dir.resolve("t/p");
        Files.createDirectories(p);
        Files.copy(images.resolve("img0.png"), p.resolve("a.png"));
        Files.writeString(dir.resolve("t/unrelated.txt"), "not an image, not ours to delete\n");
        return p;
    }

    private static void assertRefused(Run r, String firstLinePrefix) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertTrue(r.firstErrorLine().startsWith(firstLinePrefix), "first line: " + r.firstErrorLine());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    }

    @Test
    void overwriteOfAParentOfTheInputIsRefusedAndDeletesNothing(@TempDir Path dir) throws IOException {
        Path p = userTree(dir);
        TreeMap<String, String> before = snapshot(dir);
        Run r = downsample(p, dir.resolve("t"), "--overwrite");
        assertRefused(r, "pooling downsample: output (" + dir.resolve("t") + ") contains input (" + p + ")");
        assertEquals(before, snapshot(dir));
    }

    @Test
    void overwriteOfTheInputItselfOrItsFileIsRefused(@TempDir Path dir) throws IOException {
        Path p = userTree(dir);
        TreeMap<String, String> before = snapshot(dir);
        assertRefused(downsample(p, p, "--overwrite"), "pooling downsample: output (" + p + ") is the same path as");
        Path file = p.resolve("a.png");
        assertRefused(downsample(file, file, "--overwrite"), "pooling downsample: output (" + file
                + ") is the same path as input");
        assertEquals(before, snapshot(dir));
    }

    @Test
    void outputInsideTheInputTreeIsRefused(@TempDir Path dir) throws IOException {
        Path p = userTree(dir);
        TreeMap<String, String> before = snapshot(dir);
        assertRefused(downsample(p, p.resolve("pyramid")), "pooling downsample: output (" + p.resolve("pyramid")
                + ") lies inside input (" + p + ")");
        // Through a symbolic link to the input: the same directory under another name.
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), p);
        assertRefused(downsample(p, alias.resolve("pyramid")), "pooling downsample: output (");
        before.put("alias", "-> " + p);
        assertEquals(before, snapshot(dir));
    }

    @Test
    void overwriteOfADirectoryDownsampleDidNotMakeIsRefused(@TempDir Path dir) throws IOException {
        Path photos = dir.resolve("holiday");
        Files.createDirectories(photos);
        Files.writeString(photos.resolve("note.txt"), "mine\n");
        TreeMap<String, String> before = snapshot(dir);
        assertRefused(downsample(images, photos, "--overwrite"), "pooling downsample: output (file:" + photos
                + ") has no " + OutputManifest.FILE);
        assertEquals(before, snapshot(dir));
    }

    @Test
    void twoConcurrentRunsIntoOneOutputOneIsRefusedAndTheDatasetIsExact(@TempDir Path dir) throws Exception {
        Path many = dir.resolve("many");
        for (int i = 0; i < 24; i++) {
            TestImages.write(TestImages.random(3, 64, 48, 8, 100 + i), "png", many.resolve("m" + i + ".png"));
        }
        Path out = dir.resolve("out");
        // --batch 1: one Spark job per image, so the first run holds the lock for a while.
        CompletableFuture<Run> first = CompletableFuture.supplyAsync(() -> downsample(many, out, "--batch", "1"));
        Path lock = out.resolve(OutputLock.FILE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(lock) && !first.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(Files.exists(lock), "the first run takes the lock before it writes");
        Run second = downsample(many, out, "--batch", "1");
        Run resume = downsample(many, out, "--resume");
        Run firstRun = first.get(120, TimeUnit.SECONDS);

        assertEquals(0, firstRun.exit(), firstRun.err());
        assertRefused(second, "pooling downsample: output (file:" + out + ") is in use by another downsample run, pid "
                + ProcessHandle.current().pid());
        assertRefused(resume, "pooling downsample: output (file:" + out + ") is in use by another downsample run");
        assertFalse(Files.exists(lock), "the lock is removed when the run ends");
        List<String> keys = new ArrayList<>();
        for (Row r : spark.read().parquet(out + "/level=1").select("path").collectAsList()) {
            keys.add(r.getString(0));
        }
        keys.sort(null);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            expected.add("m" + i + ".png");
        }
        expected.sort(null);
        assertEquals(expected, keys, "one row per image at level 1, none twice");
    }

    @Test
    void aStaleLockIsNamedAndNotBroken(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        assertEquals(0, downsample(images, out, "--levels", "1").exit());
        // A lock left by a run that died: this host, the PID of a process that has ended.
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.writeString(out.resolve(OutputLock.FILE), "{\"host\":\"" + java.net.InetAddress.getLocalHost().getHostName()
                + "\",\"pid\":" + dead.pid() + ",\"processStart\":\"2026-01-01T00:00:00Z\",\"runId\":\"x\","
                + "\"command\":\"downsample\",\"since\":\"2026-01-01T00:00:01Z\"}");
        TreeMap<String, String> before = snapshot(out);
        Run r = downsample(images, out, "--levels", "1", "--resume");
        assertRefused(r, "pooling downsample: output (file:" + out + ") has a stale lock: the downsample run, pid "
                + dead.pid());
        assertTrue(r.err().contains("remove " + out.resolve(OutputLock.FILE) + " and run again"), r.err());
        assertEquals(before, snapshot(out), "a stale lock is reported, not broken");
    }

    @Test
    void theLabelModesAndSparseRunFromTheCommandLineAndFloatInputRefusesThem(@TempDir Path dir) throws IOException {
        for (String mode : List.of("min", "mode", "median")) {
            Path out = dir.resolve(mode);
            Run r = downsample(images, out, "--mode", mode, "--sparse", "--levels", "2");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("inputs 3 = pooled 3 + errors 0"), r.out());
            String manifest = Files.readString(out.resolve("_pooling_manifest.json"));
            assertTrue(manifest.contains("\"mode\" : \"" + mode + "\"") && manifest.contains("\"sparse\" : \"true\""),
                    manifest);
        }
        Path npy = dir.resolve("t.npy");
        org.sparkpooling.tensor.Npy.write(npy, new org.sparkpooling.tensor.Tensor(
                new org.sparkpooling.tensor.Shape(1, 1, 4, 4), new float[16]));
        Run refused = downsample(npy, dir.resolve("t-out"), "--input-format", "npy", "--mode", "median");
        assertRefused(refused, "pooling downsample: mode (median) applies to integer images only: npy input pools"
                + " float planes (use avg or max)");
        assertFalse(Files.exists(dir.resolve("t-out")), "a refused run makes no output");
    }

    @Test
    void resumeWithAnyChangedSettingIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.copy(images.resolve("img1.png"), other.resolve("x.png"));
        assertEquals(0, downsample(images, out, "--levels", "1").exit());
        TreeMap<String, String> before = snapshot(out);
        String[][] changes = {
            {"--input", other.toString(), "input file:" + images + " (now file:" + other + ")"},
            {"--factor", "3", "factor 2 (now 3)"},
            {"--mode", "max", "mode avg (now max)"},
            {"--edge", "trim", "edge partial (now trim)"},
            {"--levels", "2", "levels 1 (now 2)"},
            {"--format", "both", "format parquet (now both)"},
            {"--max-pixels", "1000", "max pixels 10000000000 (now 1000)"},
        };
        for (String[] c : changes) {
            List<String> args = new ArrayList<>(List.of("downsample", "--input", images.toString(), "--output",
                    out.toString(), "--levels", "1", "--resume"));
            int at = args.indexOf(c[0]);
            if (at >= 0) {
                args.set(at + 1, c[1]);
            } else {
                args.add(c[0]);
                args.add(c[1]);
            }
            Run r = cli(args.toArray(String[]::new));
            assertRefused(r, "pooling downsample: --resume: output (file:" + out + ") was made with other settings: ");
            assertTrue(r.firstErrorLine().contains(c[2]), c[0] + ": " + r.firstErrorLine());
        }
        Run sparse = cli("downsample", "--input", images.toString(), "--output", out.toString(), "--levels", "1",
                "--resume", "--sparse");
        assertRefused(sparse, "pooling downsample: --resume: output (file:" + out + ") was made with other settings: ");
        assertTrue(sparse.firstErrorLine().contains("sparse unset (now true)"), sparse.firstErrorLine());
        assertEquals(before, snapshot(out), "refused resumes change nothing");
        Run same = downsample(images, out, "--levels", "1", "--resume");
        assertEquals(0, same.exit(), same.err());
        assertTrue(same.out().contains("inputs 0 = pooled 0 + errors 0 (3 skipped as done before)"), same.out());
    }

    @Test
    void symlinkLoopIsVisitedOnceAndADanglingLinkIsAnErrorRow(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in");
        Files.createDirectories(in.resolve("sub"));
        Files.copy(images.resolve("img0.png"), in.resolve("a.png"));
        Files.copy(images.resolve("img1.png"), in.resolve("sub/b.png"));
        Files.createSymbolicLink(in.resolve("sub/loop"), Path.of(".."));
        Files.createSymbolicLink(in.resolve("gone.png"), Path.of("missing.png"));
        Path out = dir.resolve("out");
        Run r = downsample(in, out, "--levels", "1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("3 files listed"), r.out());
        assertTrue(r.out().contains("listing: sub/loop is a symbolic link back into a directory already listed"),
                r.out());
        assertTrue(r.out().contains("inputs 3 = pooled 2 + errors 1"), r.out());
        TreeMap<String, String> errors = new TreeMap<>();
        for (Row row : spark.read().parquet(out + "/errors").collectAsList()) {
            errors.put(row.getString(0), row.getString(1));
        }
        assertEquals(Map.of("gone.png", "dangling symbolic link (to missing.png)"), errors);
    }

    @Test
    void emptyInputIsRefusedAndWritesNothing(@TempDir Path dir) throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path out = dir.resolve("out");
        assertRefused(downsample(empty, out), "pooling downsample: input (" + empty + ") holds no files");
        assertFalse(Files.exists(out), "no output, no _SUCCESS");
    }

    @Test
    void wrongInputFormatAndUnwritableOutputAreOneLineRefusals(@TempDir Path dir) throws IOException {
        TreeMap<String, String> before = snapshot(images);
        assertRefused(downsample(images, dir.resolve("t"), "--input-format", "tensors"),
                "pooling downsample: input (" + images + ") is not a Parquet dataset: ");
        assertRefused(downsample(images, Path.of("/proc/spark-pooling-test-out")),
                "pooling downsample: output (file:/proc/spark-pooling-test-out) cannot be ");
        assertRefused(cli("downsample", "--input", images.toString(), "--output", dir.resolve("m").toString(),
                "--master", "garbage"), "pooling downsample: --master (garbage) is not a Spark master URL");
        assertEquals(before, snapshot(images));
    }

    @Test
    void reportAtAnExistingFileIsRefusedBeforeTheJob(@TempDir Path dir) throws IOException {
        Path report = Files.writeString(dir.resolve("report"), "a file\n");
        Path out = dir.resolve("out");
        assertRefused(downsample(images, out, "--report", report.toString()),
                "pooling downsample: --report (" + report + ") cannot be a directory: " + report + " is a file");
        assertFalse(Files.exists(out), "refused before the job made its output");
    }

    @Test
    void hugeFactorPoolsEveryImageToOnePixelInsteadOfOverflowing(@TempDir Path dir) {
        Run r = downsample(images, dir.resolve("out"), "--factor", "2147483647");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("inputs 3 = pooled 3 + errors 0"), r.out());
        List<Row> rows = spark.read().parquet(dir.resolve("out") + "/level=1").select("height", "width")
                .collectAsList();
        assertEquals(3, rows.size());
        rows.forEach(row -> assertArrayEquals(new int[] {1, 1}, new int[] {row.getInt(0), row.getInt(1)}));
    }
}
