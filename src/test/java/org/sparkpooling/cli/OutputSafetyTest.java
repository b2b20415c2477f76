package org.sparkpooling.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.spark.SyntheticBlocks;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;
import org.sparkpooling.tensor.TensorShape;
import picocli.CommandLine;

/**
 * The ways {@code pool}, {@code bench} and {@code generate} overwrote or lost a user's files, each
 * a test named after it: every refusal is one line with exit code 2, and what the command was
 * told to read is byte for byte intact afterwards.
 */
class OutputSafetyTest {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSetup.session("OutputSafetyTest", "local[2]", Map.of());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static void assertRefused(Run r, String firstLine) {
        assertEquals(2, r.exit(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith(firstLine), "expected '" + firstLine + "', got: " + r.err());
    }

    private static Path tensor(Path dir, String name, Shape shape, long seed) throws IOException {
        Path p = dir.resolve(name);
        Npy.write(p, SyntheticBlocks.block(seed, 0, shape));
        return p;
    }

    @Test
    void poolOutputEqualToAnInputIsRefusedAndTheInputIsIntact(@TempDir Path dir) throws IOException {
        Path x = tensor(dir, "x.npy", new Shape(1, 2, 4, 4), 1);
        Path dy = tensor(dir, "dy.npy", new Shape(1, 2, 2, 2), 2);
        byte[] xBytes = Files.readAllBytes(x);
        byte[] dyBytes = Files.readAllBytes(dy);
        String[] base = {"pool", "--mode", "max", "--kernel", "2", "--input", x.toString()};
        List<String[]> cases = List.of(
                new String[] {"--output", x.toString()},
                new String[] {"--output", dir.resolve("y.npy").toString(), "--indices", x.toString()},
                new String[] {"--output", dir.resolve("y.npy").toString(), "--grad-output", dy.toString(),
                    "--grad-input", dy.toString()},
                new String[] {"--output", dir.resolve("y.npy").toString(), "--grad-output", dy.toString(),
                    "--grad-input", x.toString()},
                // the same file under another name
                new String[] {"--output", dir.resolve(".").resolve("x.npy").toString()});
        List<String> roles = List.of("--output", "--indices", "--grad-input", "--grad-input", "--output");
        List<String> inputs = List.of("--input", "--input", "--grad-output", "--input", "--input");
        for (int i = 0; i < cases.size(); i++) {
            List<String> args = new ArrayList<>(List.of(base));
            args.addAll(List.of(cases.get(i)));
            Run r = run(args.toArray(String[]::new));
            assertRefused(r, "pooling pool: " + roles.get(i) + " (");
            assertTrue(r.err().contains("is the same path as " + inputs.get(i)), r.err());
            assertArrayEquals(xBytes, Files.readAllBytes(x), "input intact after " + args);
            assertArrayEquals(dyBytes, Files.readAllBytes(dy), "gradient intact after " + args);
            assertFalse(Files.exists(dir.resolve("y.npy")), "nothing written");
        }
    }

    @Test
    void poolOutputThroughASymlinkIsRefusedAndTheLinkKept(@TempDir Path dir) throws IOException {
        Path x = tensor(dir, "x.npy", new Shape(1, 1, 4, 4), 3);
        Path target = tensor(dir, "old.npy", new Shape(1, 1, 2, 2), 4);
        byte[] old = Files.readAllBytes(target);
        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), target.getFileName());
        assertRefused(run("pool", "--mode", "max", "--kernel", "2", "--input", x.toString(), "--output",
                link.toString()), "pooling pool: --output (" + link + ") is a symbolic link; refusing to replace it");
        assertTrue(Files.isSymbolicLink(link), "the link is still a link");
        assertArrayEquals(old, Files.readAllBytes(target));
    }

    @Test
    void poolOutputOnADeviceOrPipeIsRefusedNotTurnedIntoAFile(@TempDir Path dir) throws Exception {
        Path x = tensor(dir, "x.npy", new Shape(1, 1, 4, 4), 5);
        // A named pipe stands for /dev/full: a node that is not a regular file, made without root.
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
        assertRefused(run("pool", "--mode", "max", "--kernel", "2", "--input", x.toString(), "--output",
                fifo.toString()), "pooling pool: --output (" + fifo + ") is not a regular file");
        assertFalse(Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS), "still a pipe");
        assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void poolOutputsGetTheUmaskAndAReplacedFileKeepsItsMode(@TempDir Path dir) throws IOException {
        Path x = tensor(dir, "x.npy", new Shape(1, 1, 4, 4), 6);
        // The mode the OS gives a new file here: 0666 less this process's umask.
        Path probe = Files.createFile(dir.resolve("probe"));
        String umasked = PosixFilePermissions.toString(Files.getPosixFilePermissions(probe));
        Path y = dir.resolve("y.npy");
        Path i = dir.resolve("i.npy");
        Run r = run("pool", "--mode", "max", "--kernel", "2", "--input", x.toString(), "--output", y.toString(),
                "--indices", i.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(umasked, PosixFilePermissions.toString(Files.getPosixFilePermissions(y)));
        assertEquals(umasked, PosixFilePermissions.toString(Files.getPosixFilePermissions(i)));
        Files.setPosixFilePermissions(y, PosixFilePermissions.fromString("rw-r-----"));
        assertEquals(0, run("pool", "--mode", "avg", "--kernel", "2", "--input", x.toString(), "--output",
                y.toString()).exit());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(y)));
        Tensor avg = Npy.read(y);
        assertEquals(new Shape(1, 1, 2, 2), avg.shape(), "and it was replaced");
    }

    @Test
    void theFamilysFileOptionsKeepTheGuards(@TempDir Path dir) throws IOException {
        // 3-D float64 channels-last: unpool reads --indices (an input), adaptive max writes it (an output).
        TensorShape in = TensorShape.channelsLast(1, 2, 2, 2, 2);
        Path x = dir.resolve("x.npy");
        Npy.write(x, new DoubleTensor(in, new double[in.size()]));
        Path i = dir.resolve("i.npy");
        Npy.writeInt64(i, in, new int[in.size()]);
        Path dy = dir.resolve("dy.npy");
        Npy.write(dy, new DoubleTensor(in.withSpatial(4, 4, 4), new double[2 * 64]));
        byte[] indices = Files.readAllBytes(i);
        String[] unpool = {"pool", "--op", "unpool", "--output-size", "4", "--layout", "nhwc", "--input", x.toString(),
            "--indices", i.toString()};
        for (String[] tail : List.of(new String[] {"--output", i.toString()},
                new String[] {"--output", dir.resolve("u.npy").toString(), "--grad-output", dy.toString(),
                    "--grad-input", dir.resolve(".").resolve("i.npy").toString()})) {
            List<String> args = new ArrayList<>(List.of(unpool));
            args.addAll(List.of(tail));
            Run r = run(args.toArray(String[]::new));
            assertRefused(r, "pooling pool: --");
            assertTrue(r.err().contains("is the same path as --indices (" + i + ")"), r.err());
            assertArrayEquals(indices, Files.readAllBytes(i), "unpool's indices intact after " + args);
        }
        assertFalse(Files.exists(dir.resolve("u.npy")), "nothing written");

        Path link = Files.createSymbolicLink(dir.resolve("link.npy"), i.getFileName());
        String[] adaptive = {"pool", "--op", "adaptive-max", "--output-size", "1", "--layout", "nhwc",
            "--input", x.toString(), "--output", dir.resolve("y.npy").toString()};
        List<String> args = new ArrayList<>(List.of(adaptive));
        args.addAll(List.of("--indices", link.toString()));
        assertRefused(run(args.toArray(String[]::new)),
                "pooling pool: --indices (" + link + ") is a symbolic link; refusing to replace it");
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(indices, Files.readAllBytes(i));

        Path probe = Files.createFile(dir.resolve("probe"));
        String umasked = PosixFilePermissions.toString(Files.getPosixFilePermissions(probe));
        Path written = dir.resolve("argmax.npy");
        args = new ArrayList<>(List.of(adaptive));
        args.addAll(List.of("--indices", written.toString()));
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        for (Path p : List.of(dir.resolve("y.npy"), written)) {
            assertEquals(umasked, PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
        }
        assertEquals(List.of(), listHidden(dir), "no temporary file left behind");
    }

    private static List<Path> listHidden(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    @Test
    void benchWithABadMasterIsOneLine() {
        assertRefused(run("bench", "--master", "garbage", "--blocks", "1", "--iterations", "1"),
                "pooling bench: --master (garbage) is not a Spark master URL");
    }

    @Test
    void benchInputThatIsNotTensorsIsRefusedBeforeTheJob(@TempDir Path dir) throws IOException {
        Path readme = Files.writeString(dir.resolve("README.md"), "# not a dataset\n");
        assertRefused(run("bench", "--input", readme.toString(), "--iterations", "1"),
                "pooling bench: --input (" + readme + ") is not a Parquet dataset: ");
        assertRefused(run("bench", "--input", dir.resolve("nonexistent").toString(), "--iterations", "1"),
                "pooling bench: --input (" + dir.resolve("nonexistent") + ") does not exist");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertRefused(run("bench", "--input", empty.toString(), "--iterations", "1"),
                "pooling bench: --input (" + empty + ") holds no Parquet files");
    }

    @Test
    void benchCountsAnEmptyNpyAmongOthersAsAnErrorBlock(@TempDir Path dir) throws IOException {
        Shape s = new Shape(2, 2, 8, 8);
        tensor(dir, "a.npy", s, 1);
        tensor(dir, "b.npy", s, 2);
        Files.write(dir.resolve("c-empty.npy"), new byte[0]);
        Run r = run("bench", "--input", dir.toString(), "--iterations", "1", "--impl", "fast");
        assertEquals(0, r.exit(), r.err() + r.out());
        assertTrue(r.out().contains("blocks: 3 in, 2 processed, 1 errors;"), r.out());
        assertTrue(r.out().matches("(?s).*error: block 2 \\(file:" + dir.resolve("c-empty.npy") + "\\): .*"), r.out());
    }

    @Test
    void benchReportAtAnExistingFileIsRefusedBeforeTheJob(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("rep"), "mine\n");
        Run r = run("bench", "--report", file.toString(), "--blocks", "1", "--iterations", "1");
        assertRefused(r, "pooling bench: --report (" + file + ") cannot be a directory: " + file + " is a file");
        assertEquals("", r.out(), "no job ran, so no table was printed");
        assertEquals("mine\n", Files.readString(file));
    }

    @Test
    void generateOverwriteOfADirectoryItDidNotWriteIsRefused(@TempDir Path dir) throws IOException {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(photos.resolve("a.jpg"), "pretend jpeg");
        assertRefused(run("generate", "--output", photos.toString(), "--overwrite", "--blocks", "1"),
                "pooling generate: --output (file:" + photos + ") is not a tensor dataset generate wrote");
        assertEquals("pretend jpeg", Files.readString(photos.resolve("a.jpg")));
        Path ours = dir.resolve("tensors");
        assertEquals(0, run("generate", "--output", ours.toString(), "--blocks", "2", "--shape", "1,1,4,4").exit());
        assertRefused(run("generate", "--output", ours.toString(), "--blocks", "1"),
                "pooling generate: --output (file:" + ours + ") exists; give --overwrite to replace it");
        Run again = run("generate", "--output", ours.toString(), "--overwrite", "--blocks", "3", "--shape", "1,1,4,4");
        assertEquals(0, again.exit(), again.err());
        assertEquals(3, spark.read().parquet(ours.toString()).count());
    }
}
