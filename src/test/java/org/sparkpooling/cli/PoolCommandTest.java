package org.sparkpooling.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.pool.Pooled;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** {@code pooling pool} end to end through {@link Main#commandLine()}, with its own writers. */
class PoolCommandTest {

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private Path file(String name) {
        return dir.resolve(name);
    }

    private Path write(String name, Tensor t) throws IOException {
        Path p = file(name);
        Npy.write(p, t);
        return p;
    }

    static Tensor random(Shape shape, long seed, int levels) {
        Random r = new Random(seed);
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            // Few levels make ties, which max pooling must break towards the first element.
            v[i] = levels > 0 ? r.nextInt(levels) : (float) r.nextGaussian();
        }
        return new Tensor(shape, v);
    }

    // ------------------------------------------------------------------ end to end

    @Test
    void maxForwardIndicesAndBackwardEqualTheLoopsKernel() throws IOException {
        Shape in = new Shape(2, 3, 9, 11);
        Tensor x = random(in, 1, 5);
        PoolSpec spec = PoolSpec.max(3, 2).stride(2, 1).padding(1, 0).dilation(1, 2).ceilMode(true).build();
        PoolKernel loops = PoolKernels.reference();
        Pooled expected = loops.forward(spec, x);
        Tensor dy = random(expected.output().shape(), 2, 0);
        Tensor expectedDx = loops.backward(spec, in, expected, dy);

        Run r = run("pool", "--mode", "max", "--kernel", "3,2", "--stride", "2,1", "--padding", "1,0",
                "--dilation", "1,2", "--ceil-mode", "--impl", "loops",
                "--input", write("x.npy", x).toString(), "--output", file("y.npy").toString(),
                "--indices", file("i.npy").toString(),
                "--grad-output", write("dy.npy", dy).toString(), "--grad-input", file("dx.npy").toString());

        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        assertTrue(r.out().startsWith("pool " + spec + ", impl loops: 2x3x9x11 -> " + expected.output().shape()
                + ", forward "), r.out());
        assertEquals(1, r.out().lines().count(), r.out());
        assertEquals(expected.output(), Npy.read(file("y.npy")));
        assertArrayEquals(Arrays.stream(expected.indices()).asLongStream().toArray(),
                readInt64(file("i.npy"), expected.output().shape()));
        assertEquals(expectedDx, Npy.read(file("dx.npy")));
    }

    @Test
    void avgWithEveryOptionEqualsTheLoopsKernel() throws IOException {
        Shape in = new Shape(1, 4, 8, 7);
        Tensor x = random(in, 3, 0);
        PoolSpec spec = PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).ceilMode(true).countIncludePad(false).build();
        PoolKernel loops = PoolKernels.reference();
        Pooled expected = loops.forward(spec, x);
        Tensor dy = random(expected.output().shape(), 4, 0);

        Run r = run("pool", "--mode", "avg", "--kernel", "3", "--stride", "2", "--padding", "1", "--ceil-mode",
                "--count-include-pad", "false", "--impl", "loops",
                "--input", write("x.npy", x).toString(), "--output", file("y.npy").toString(),
                "--grad-output", write("dy.npy", dy).toString(), "--grad-input", file("dx.npy").toString());

        assertEquals(0, r.exit(), r.err());
        assertEquals(expected.output(), Npy.read(file("y.npy")));
        assertEquals(loops.backward(spec, in, expected, dy), Npy.read(file("dx.npy")));

        PoolSpec divided = PoolSpec.avg(2, 3).divisorOverride(-5).build();
        r = run("pool", "--mode", "avg", "--kernel", "2,3", "--divisor-override", "-5", "--impl", "loops",
                "--input", file("x.npy").toString(), "--output", file("y2.npy").toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(loops.forward(divided, x).output(), Npy.read(file("y2.npy")));
    }

    @Test
    void keepsFloat64Input() throws IOException {
        // NumPy's float64 fixture: pooled in float64 and written as float64 (until issue 12 the
        // command rounded it to float32 and pooled that).
        Path f8 = resource("f8_1x2x3x3.npy");
        NdTensor x = Npy.readTensor(f8, Layout.CHANNELS_FIRST);
        Run r = run("pool", "--mode", "max", "--kernel", "2", "--stride", "1", "--impl", "loops",
                "--input", f8.toString(), "--output", file("y.npy").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(": 1x2x3x3 -> 1x2x2x2 (nchw, float64), forward "), r.out());
        NdTensor y = Npy.readTensor(file("y.npy"), Layout.CHANNELS_FIRST);
        assertEquals(Dtype.FLOAT64, y.dtype());
        assertEquals(PoolKernels.reference().forward(NdPoolSpec.max(2, 2).stride(1, 1).build(), x).output(), y);
    }

    @Test
    void defaultImplementationIsFastWhenRegisteredElseLoops() throws IOException {
        String expectedImpl = PoolKernels.names().contains("fast") ? "fast" : "loops";
        Tensor x = random(new Shape(2, 2, 6, 6), 5, 0);
        PoolSpec spec = PoolSpec.avg(2, 2).build();
        Run r = run("pool", "--mode", "avg", "--kernel", "2",
                "--input", write("x.npy", x).toString(), "--output", file("y.npy").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(", impl " + expectedImpl + ": "), r.out());
        assertClose(PoolKernels.reference().forward(spec, x).output().data(), Npy.read(file("y.npy")).data(), "y");
    }

    @TestFactory
    Stream<DynamicTest> everyPytorchGoldenCaseThroughTheCommand() throws IOException {
        String p = System.getProperty("golden");
        Path golden = Path.of(p == null || p.isBlank() || p.startsWith("${") ? "../shared/golden/pytorch-pool2d.json" : p);
        if (!Files.isRegularFile(golden)) {
            throw new IllegalArgumentException("golden file (" + golden + ") does not exist; pass -Dgolden=");
        }
        JsonNode cases = new ObjectMapper().readTree(golden.toFile()).get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases) {
            tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> checkGolden(c)));
        }
        assertFalse(tests.isEmpty(), "golden file holds no cases");
        return tests.stream();
    }

    private void checkGolden(JsonNode c) throws IOException {
        boolean max = c.get("mode").asText().equals("max");
        Shape in = shape(c.get("input_shape"));
        Shape out = shape(c.get("output_shape"));
        List<String> args = new ArrayList<>(List.of("pool", "--impl", "loops", "--mode", c.get("mode").asText(),
                "--kernel", pair(c.get("kernel")), "--stride", pair(c.get("stride")),
                "--padding", pair(c.get("padding"))));
        if (max) {
            args.addAll(List.of("--dilation", pair(c.get("dilation"))));
        } else {
            args.addAll(List.of("--count-include-pad", c.get("count_include_pad").asText()));
            if (c.hasNonNull("divisor_override")) {
                args.addAll(List.of("--divisor-override", c.get("divisor_override").asText()));
            }
        }
        if (c.get("ceil_mode").asBoolean()) {
            args.add("--ceil-mode");
        }
        args.addAll(List.of("--input", write("x.npy", new Tensor(in, floats(c.get("input")))).toString(),
                "--output", file("y.npy").toString(),
                "--grad-output", write("dy.npy", new Tensor(out, floats(c.get("grad_output")))).toString(),
                "--grad-input", file("dx.npy").toString()));
        if (max) {
            args.addAll(List.of("--indices", file("i.npy").toString()));
        }
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());

        Tensor y = Npy.read(file("y.npy"));
        assertEquals(out, y.shape());
        if (max) {
            float[] want = floats(c.get("output"));
            for (int i = 0; i < want.length; i++) {
                assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(y.data()[i]), "output[" + i + "]");
            }
            long[] indices = new long[c.get("indices").size()];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = c.get("indices").get(i).asLong();
            }
            assertArrayEquals(indices, readInt64(file("i.npy"), out));
        } else {
            assertClose(floats(c.get("output")), y.data(), "output");
        }
        assertClose(floats(c.get("grad_input")), Npy.read(file("dx.npy")).data(), "gradInput");
    }

    @Test
    void helpListsTheOptionsAndExitCodes() {
        Run r = run("pool", "--help");
        assertEquals(0, r.exit(), r.err());
        for (String option : List.of("--mode", "--kernel", "--stride", "--padding", "--dilation", "--ceil-mode",
                "--count-include-pad", "--divisor-override", "--impl", "--input", "--output", "--indices",
                "--grad-output", "--grad-input")) {
            assertTrue(r.out().contains("  " + option), option + " in\n" + r.out());
        }
        assertTrue(r.out().contains("Exit codes:"), r.out());
        assertTrue(run("--help").out().contains("pool"), "listed by pooling --help");
    }

    // ------------------------------------------------------------------ errors

    @Test
    void badOptionsAreParameterErrorsNamingOptionAndValue() throws IOException {
        String x = write("x.npy", random(new Shape(1, 1, 4, 4), 1, 0)).toString();
        String y = file("y.npy").toString();
        assertParameterError("Missing required option: '--input=X.npy'",
                "pool", "--mode", "max", "--kernel", "2", "--output", y);
        assertParameterError("Missing required option: '--output=Y.npy'",
                "pool", "--mode", "max", "--kernel", "2", "--input", x);
        assertParameterError("Missing required option: '--mode=max|avg' (or '--op=max|avg|adaptive-max|",
                "pool", "--kernel", "2", "--input", x, "--output", y);
        assertParameterError("Missing required option: '--kernel=K[,K[,K]]' (avg pooling needs it)",
                "pool", "--mode", "avg", "--input", x, "--output", y);
        assertParameterError("Invalid value for option '--mode': 'median' must be max or avg",
                "pool", "--mode", "median", "--kernel", "2", "--input", x, "--output", y);
        assertParameterError("Invalid value for option '--kernel': kernel (0) must be > 0",
                "pool", "--mode", "max", "--kernel", "0", "--input", x, "--output", y);
        assertParameterError("Invalid value for option '--kernel': kernel (a,b) must be one integer or up to three",
                "pool", "--mode", "max", "--kernel", "a,b", "--input", x, "--output", y);
        assertParameterError("--kernel (2,2,2) has 3 entries, but " + x + " (1x1x4x4, nchw) has 2 spatial dimensions",
                "pool", "--mode", "max", "--kernel", "2,2,2", "--input", x, "--output", y);
        assertParameterError("Invalid value for option '--stride': stride (2,0) must be > 0",
                "pool", "--mode", "max", "--kernel", "2", "--stride", "2,0", "--input", x, "--output", y);
        assertParameterError("Invalid value for option '--padding': padding (-1) must be >= 0",
                "pool", "--mode", "max", "--kernel", "2", "--padding", "-1", "--input", x, "--output", y);
        assertParameterError("Invalid value for option '--dilation': dilation (0) must be > 0",
                "pool", "--mode", "max", "--kernel", "2", "--dilation", "0", "--input", x, "--output", y);
        assertParameterError("Invalid value for option '--count-include-pad': 'yes' is not a boolean",
                "pool", "--mode", "avg", "--kernel", "2", "--count-include-pad", "yes", "--input", x, "--output", y);
        assertParameterError("--dilation (2) applies to max pooling only, not avg",
                "pool", "--mode", "avg", "--kernel", "2", "--dilation", "2", "--input", x, "--output", y);
        assertParameterError("--count-include-pad (false) applies to avg pooling only, not max",
                "pool", "--mode", "max", "--kernel", "2", "--count-include-pad", "false", "--input", x, "--output", y);
        assertParameterError("--divisor-override (3) applies to avg pooling only, not max",
                "pool", "--mode", "max", "--kernel", "2", "--divisor-override", "3", "--input", x, "--output", y);
        assertParameterError("--divisor-override (0) must not be zero",
                "pool", "--mode", "avg", "--kernel", "2", "--divisor-override", "0", "--input", x, "--output", y);
        assertParameterError("Invalid value for option '--impl': 'simd' is not one of " + PoolKernels.names(),
                "pool", "--mode", "max", "--kernel", "2", "--impl", "simd", "--input", x, "--output", y);
    }

    @Test
    void badFileOptionsAreParameterErrors() throws IOException {
        String x = write("x.npy", random(new Shape(1, 1, 4, 4), 1, 0)).toString();
        String y = file("y.npy").toString();
        String missing = file("missing.npy").toString();
        assertParameterError("--input (" + missing + "): no such file",
                "pool", "--mode", "max", "--kernel", "2", "--input", missing, "--output", y);
        assertParameterError("--input (" + dir + ") is not a regular file",
                "pool", "--mode", "max", "--kernel", "2", "--input", dir.toString(), "--output", y);
        String lost = file("no/such/dir/y.npy").toString();
        assertParameterError("--output (" + lost + "): directory " + file("no/such/dir") + " does not exist",
                "pool", "--mode", "max", "--kernel", "2", "--input", x, "--output", lost);
        assertParameterError("--indices (" + y + ") is the same file as --output",
                "pool", "--mode", "max", "--kernel", "2", "--input", x, "--output", y, "--indices", y);
        assertParameterError("--indices (" + file("i.npy") + ") applies to max and adaptive-max pooling (written)"
                + " and unpool (read), not avg",
                "pool", "--mode", "avg", "--kernel", "2", "--input", x, "--output", y, "--indices", file("i.npy").toString());
        assertParameterError("--grad-output (" + x + ") needs --grad-input",
                "pool", "--mode", "max", "--kernel", "2", "--input", x, "--output", y, "--grad-output", x);
        assertParameterError("--grad-input (" + file("dx.npy") + ") needs --grad-output",
                "pool", "--mode", "max", "--kernel", "2", "--input", x, "--output", y,
                "--grad-input", file("dx.npy").toString());
        assertParameterError("--grad-output (" + missing + "): no such file",
                "pool", "--mode", "max", "--kernel", "2", "--input", x, "--output", y,
                "--grad-output", missing, "--grad-input", file("dx.npy").toString());
    }

    @Test
    void badInputFilesAreOneLineErrorsNamingFileAndValue() throws IOException {
        Path text = file("x.txt");
        Files.writeString(text, "1 2 3 4\n");
        assertInputError(text, "not a .npy file: magic bytes (31 20 32 20 33 20) are not \\x93NUMPY");
        assertInputError(resource("bad_fortran.npy"), "fortran_order (True) is not supported");
        // Rank 3 is 1-D pooling since issue 12 (bad_rank3.npy pools as N,C,L); ranks 2 and 6 are refused.
        assertInputError(npyOfShape("rank2.npy", 3, 4), "rank (2) of shape (3, 4) must be 3, 4 or 5 (N, C and one"
                + " to three spatial dimensions)");
        assertInputError(npyOfShape("rank6.npy", 1, 1, 1, 1, 2, 2), "rank (6) of shape (1, 1, 1, 1, 2, 2) must be 3, 4 or 5");
        assertInputError(resource("bad_i4.npy"), "dtype ('<i4') is not supported");
        assertInputError(resource("bad_f4_big_endian.npy"), "dtype ('>f4') is not supported");
        byte[] good = Files.readAllBytes(resource("f4_2x3x4x5.npy"));
        Path cut = file("cut.npy");
        Files.write(cut, Arrays.copyOf(good, good.length - 10));
        assertInputError(cut, "truncated data: shape (2, 3, 4, 5) of '<f4' needs 480 bytes after the 128-byte header,"
                + " the file has 470");
    }

    @Test
    void invalidSpecsAndMismatchedGradientsAreOneLineErrors() throws IOException {
        String x = write("x.npy", random(new Shape(1, 2, 7, 9), 1, 0)).toString();
        String y = file("y.npy").toString();
        assertOneLineError("pooling pool: padding height (2) must be at most half the effective kernel size (2)",
                "pool", "--mode", "max", "--kernel", "2", "--padding", "2", "--input", x, "--output", y);
        assertOneLineError("pooling pool: output size 0x1 is too small for input 7x9 with max kernel 9x9",
                "pool", "--mode", "max", "--kernel", "9", "--input", x, "--output", y);
        String dy = write("dy.npy", random(new Shape(1, 2, 3, 3), 2, 0)).toString();
        assertOneLineError("pooling pool: " + dy + ": shape 1x2x3x3 does not match the output shape 1x2x3x4 of " + x,
                "pool", "--mode", "max", "--kernel", "2", "--input", x, "--output", y,
                "--grad-output", dy, "--grad-input", file("dx.npy").toString());
        assertFalse(Files.exists(file("y.npy")), "no output is written when the run fails");
    }

    private void assertInputError(Path input, String message) {
        Path y = file("y.npy");
        assertOneLineError("pooling pool: " + input + ": " + message,
                "pool", "--mode", "max", "--kernel", "2", "--input", input.toString(), "--output", y.toString());
        assertFalse(Files.exists(y), "no output is written when the input is refused");
    }

    private static void assertOneLineError(String messageStart, String... args) {
        Run r = run(args);
        assertEquals(2, r.exit(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith(messageStart), "expected '" + messageStart + "', got: " + r.err());
    }

    private static void assertParameterError(String message, String... args) {
        Run r = run(args);
        assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r.err());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().toList();
        assertTrue(lines.get(0).startsWith("pooling pool: " + message), "expected '" + message + "', got: " + r.err());
        assertEquals(1, lines.size(), "a refused value is one line: " + r.err());
    }

    // ------------------------------------------------------------------ helpers

    /** A float32 .npy file of any rank, zeros, written the way NumPy writes it (version 1.0). */
    private Path npyOfShape(String name, int... dims) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        long count = 1;
        for (int d : dims) {
            shape.append(d).append(", ");
            count *= d;
        }
        shape.setLength(shape.length() - 2);
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + "), }";
        int pad = 64 - (10 + dict.length() + 1) % 64;
        byte[] header = (dict + " ".repeat(pad % 64) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + header.length + (int) (4 * count)).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length).put(header);
        return Files.write(file(name), b.array());
    }

    static Path resource(String name) {
        try {
            return Path.of(PoolCommandTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads an int64 .npy array of version 1.0 as the command writes it, checking its header. */
    static long[] readInt64(Path file, Shape shape) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((byte) 0x93, b.get(0));
        assertEquals("NUMPY", new String(Arrays.copyOfRange(b.array(), 1, 6), StandardCharsets.US_ASCII));
        int headerLength = Short.toUnsignedInt(b.getShort(8));
        String header = new String(b.array(), 10, headerLength, StandardCharsets.ISO_8859_1);
        String dims = shape.n() + ", " + shape.c() + ", " + shape.h() + ", " + shape.w();
        assertTrue(header.startsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (" + dims + "), }"), header);
        assertEquals(0, (10 + headerLength) % 64, "header padded to 64 bytes");
        long[] v = new long[shape.size()];
        b.position(10 + headerLength);
        assertEquals(8L * v.length, b.remaining(), "data bytes");
        b.asLongBuffer().get(v);
        return v;
    }

    private static Shape shape(JsonNode a) {
        return new Shape(a.get(0).asInt(), a.get(1).asInt(), a.get(2).asInt(), a.get(3).asInt());
    }

    private static String pair(JsonNode a) {
        return a.get(0).asInt() + "," + a.get(1).asInt();
    }

    private static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(a.get(i).asText());
        }
        return v;
    }

    /** The golden files' rule: within {@code 1e-5 * max(1, |expected|)}, NaN and infinities exact. */
    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a)
                    : Float.isInfinite(e) ? e == a
                    : Math.abs((double) a - e) <= 1e-5 * Math.max(1.0, Math.abs(e));
            if (!ok) {
                fail(what + "[" + i + "] = " + a + ", expected " + e);
            }
        }
    }
}
