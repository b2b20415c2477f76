package org.sparkpooling.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.cli.PoolCommandTest.Run;
import org.sparkpooling.pool.NdPoolGeometry;
import org.sparkpooling.pool.NdPoolKernel;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.NdPooled;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.IndexTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.TensorShape;

/**
 * {@code pooling pool} on the whole family (issue 12): every PyTorch case of the family's golden
 * file through the command in both layouts, every op in float64, the output line per rank, layout
 * and dtype, and each new refusal's exit code and first line.
 */
class PoolCommandFamilyTest {

    @TempDir
    Path dir;

    private static final Layout FIRST = Layout.CHANNELS_FIRST;
    private static final Layout LAST = Layout.CHANNELS_LAST;

    private Path file(String name) {
        return dir.resolve(name);
    }

    private Path write(String name, NdTensor t) throws IOException {
        Npy.write(file(name), t);
        return file(name);
    }

    private Path writeIndices(String name, IndexTensor t) throws IOException {
        Npy.writeInt64(file(name), t.shape(), t.data());
        return file(name);
    }

    // ------------------------------------------------------------------ PyTorch's family cases

    /** The golden file: system property {@code goldenOps}, else the shared PyTorch cases; a missing file fails. */
    static Path goldenOps() {
        String p = System.getProperty("goldenOps");
        return Path.of(p == null || p.isBlank() || p.startsWith("${") ? "../shared/golden/pytorch-pool-ops.json" : p);
    }

    @TestFactory
    Stream<DynamicTest> everyPytorchFamilyCaseThroughTheCommandInEachLayout() throws IOException {
        Path golden = goldenOps();
        if (!Files.isRegularFile(golden)) {
            throw new IllegalArgumentException("golden file (" + golden + ") does not exist; pass -DgoldenOps=");
        }
        JsonNode cases = new ObjectMapper().readTree(golden.toFile()).get("cases");
        List<DynamicTest> tests = new ArrayList<>();
        Set<PoolOp> ops = EnumSet.noneOf(PoolOp.class);
        for (JsonNode c : cases) {
            ops.add(op(c.get("op").asText()));
            tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " [nchw]", () -> checkGolden(c, FIRST)));
            if (c.get("dims").asInt() > 1) {
                tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " [nhwc]", () -> checkGolden(c, LAST)));
            }
        }
        assertEquals(EnumSet.allOf(PoolOp.class), ops, "the file covers every op");
        assertEquals(114, cases.size(), "cases in " + golden);
        return tests.stream();
    }

    private static PoolOp op(String golden) {
        return switch (golden) {
            case "max_pool" -> PoolOp.MAX;
            case "avg_pool" -> PoolOp.AVG;
            case "adaptive_max_pool" -> PoolOp.ADAPTIVE_MAX;
            case "adaptive_avg_pool" -> PoolOp.ADAPTIVE_AVG;
            case "lp_pool" -> PoolOp.LP;
            case "max_unpool" -> PoolOp.UNPOOL;
            default -> throw new IllegalArgumentException("op (" + golden + ") is not one of the family's");
        };
    }

    /** The case's arrays, channels-first in the file, written in {@code layout}; the command's files read back in it. */
    private void checkGolden(JsonNode c, Layout layout) throws IOException {
        PoolOp op = op(c.get("op").asText());
        Dtype dtype = Dtype.parse(c.get("dtype").asText());
        TensorShape in = TensorShape.ofDims(ints(c.get("input_shape")), FIRST);
        TensorShape out = TensorShape.ofDims(ints(c.get("output_shape")), FIRST);
        List<String> args = new ArrayList<>(List.of("pool", "--op", op.label(), "--layout", layout.label()));
        switch (op) {
            case MAX -> args.addAll(List.of("--kernel", list(c, "kernel"), "--stride", list(c, "stride"),
                    "--padding", list(c, "padding"), "--dilation", list(c, "dilation")));
            case AVG -> {
                args.addAll(List.of("--kernel", list(c, "kernel"), "--stride", list(c, "stride"),
                        "--padding", list(c, "padding"), "--count-include-pad", c.get("count_include_pad").asText()));
                if (c.hasNonNull("divisor_override")) {
                    args.addAll(List.of("--divisor-override", c.get("divisor_override").asText()));
                }
            }
            case LP -> args.addAll(List.of("--norm-type", c.get("norm_type").asText(), "--kernel", list(c, "kernel"),
                    "--stride", list(c, "stride")));
            case ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> args.addAll(List.of("--output-size", list(c, "output_size")));
        }
        if (c.path("ceil_mode").asBoolean()) {
            args.add("--ceil-mode");
        }
        args.addAll(List.of("--input", write("x.npy", tensor(in, dtype, c.get("input")).toLayout(layout)).toString(),
                "--output", file("y.npy").toString(),
                "--grad-output", write("dy.npy", tensor(out, dtype, c.get("grad_output")).toLayout(layout)).toString(),
                "--grad-input", file("dx.npy").toString()));
        switch (op.indices()) {
            case WRITTEN -> args.addAll(List.of("--indices", file("i.npy").toString()));
            case READ -> args.addAll(List.of("--indices", writeIndices("i.npy",
                    new IndexTensor(in, ints(c.get("indices"))).toLayout(layout)).toString()));
            case NONE -> { }
        }
        Run r = PoolCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r.err());
        assertEquals("", r.err());
        assertEquals(1, r.out().lines().count(), r.out());

        NdTensor y = Npy.readTensor(file("y.npy"), layout);
        assertEquals(dtype, y.dtype(), "the input's dtype is kept");
        NdTensor expected = tensor(out, dtype, c.get("output")).toLayout(layout);
        if (exact(op)) {
            assertBitEqual(expected, y, "output");
        } else {
            assertClose(expected, y, "output");
        }
        if (op.indices() == PoolOp.Indices.WRITTEN) {
            assertArrayEquals(new IndexTensor(out, ints(c.get("indices"))).toLayout(layout).data(),
                    Npy.readIndices(file("i.npy"), layout).data(), "indices");
        }
        assertClose(tensor(in, dtype, c.get("grad_input")).toLayout(layout), Npy.readTensor(file("dx.npy"), layout),
                "gradInput");
    }

    // ------------------------------------------------------------------ every op, rank, layout and dtype

    /**
     * Random data through the command with {@code --impl loops}, against the loops kernel called
     * directly on the same tensors: the files, the layout and the dtype change nothing, bit for bit.
     */
    @TestFactory
    Stream<DynamicTest> everyOpRankLayoutAndDtypeEqualsTheKernelOnTheSameTensors() {
        List<DynamicTest> tests = new ArrayList<>();
        for (PoolOp op : PoolOp.values()) {
            for (int dims = 1; dims <= 3; dims++) {
                for (Layout layout : dims == 1 ? List.of(FIRST) : List.of(FIRST, LAST)) {
                    for (Dtype dtype : Dtype.values()) {
                        int d = dims;
                        tests.add(DynamicTest.dynamicTest(op.label() + " " + d + "-D " + layout.label() + " "
                                + dtype.label(), () -> checkAgainstKernel(op, d, layout, dtype)));
                    }
                }
            }
        }
        return tests.stream();
    }

    private static final int[][] SPATIAL = {{9}, {7, 6}, {5, 4, 6}};

    /** The options and the spec of one call: an odd window with padding where the op has it. */
    private static List<String> options(PoolOp op, int dims) {
        return switch (op) {
            case MAX -> List.of("--kernel", "3", "--stride", "2", "--padding", "1", "--dilation", "1", "--ceil-mode");
            case AVG -> List.of("--kernel", "3", "--stride", "2", "--padding", "1", "--count-include-pad", "false");
            case LP -> List.of("--norm-type", "3", "--kernel", "2", "--stride", "1");
            case ADAPTIVE_MAX, ADAPTIVE_AVG -> List.of("--output-size", dims == 1 ? "4" : dims == 2 ? "3,8" : "2,3,4");
            case UNPOOL -> List.of("--output-size", "9");
        };
    }

    private static NdPoolSpec spec(PoolOp op, int dims) {
        int[] k3 = filled(dims, 3);
        return switch (op) {
            case MAX -> NdPoolSpec.max(k3).stride(filled(dims, 2)).padding(filled(dims, 1)).ceilMode(true).build();
            case AVG -> NdPoolSpec.avg(k3).stride(filled(dims, 2)).padding(filled(dims, 1)).countIncludePad(false).build();
            case LP -> NdPoolSpec.lp(3, filled(dims, 2)).stride(filled(dims, 1)).build();
            case ADAPTIVE_MAX -> NdPoolSpec.adaptiveMax(dims == 1 ? new int[] {4} : dims == 2 ? new int[] {3, 8}
                    : new int[] {2, 3, 4});
            case ADAPTIVE_AVG -> NdPoolSpec.adaptiveAvg(dims == 1 ? new int[] {4} : dims == 2 ? new int[] {3, 8}
                    : new int[] {2, 3, 4});
            case UNPOOL -> NdPoolSpec.unpool(filled(dims, 9));
        };
    }

    private void checkAgainstKernel(PoolOp op, int dims, Layout layout, Dtype dtype) throws IOException {
        TensorShape in = new TensorShape(2, 3, SPATIAL[dims - 1], layout);
        NdPoolSpec spec = spec(op, dims);
        TensorShape out = NdPoolGeometry.of(spec, in).output();
        Random random = new Random(31L * op.ordinal() + 7L * dims + layout.ordinal() + 3L * dtype.ordinal());
        // lp of odd powers wants positive inputs, as PyTorch's cases have.
        NdTensor x = random(in, dtype, random, op == PoolOp.LP);
        NdTensor dy = random(out, dtype, random, false);
        int[] given = null;
        List<String> args = new ArrayList<>(List.of("pool", "--impl", "loops", "--op", op.label(), "--layout",
                layout.label()));
        args.addAll(options(op, dims));
        args.addAll(List.of("--input", write("x.npy", x).toString(), "--output", file("y.npy").toString(),
                "--grad-output", write("dy.npy", dy).toString(), "--grad-input", file("dx.npy").toString()));
        switch (op.indices()) {
            case WRITTEN -> args.addAll(List.of("--indices", file("i.npy").toString()));
            case READ -> {
                given = new int[in.size()];
                for (int i = 0; i < given.length; i++) {
                    given[i] = random.nextInt(out.volume());
                }
                args.addAll(List.of("--indices", writeIndices("i.npy", new IndexTensor(in, given)).toString()));
            }
            case NONE -> { }
        }
        Run r = PoolCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), String.join(" ", args) + "\n" + r.err());
        String suffix = " (" + layout.letters(dims) + ", " + dtype.label() + ")";
        boolean classic = dims == 2 && layout == FIRST && dtype == Dtype.FLOAT32;
        assertTrue(r.out().startsWith("pool " + spec + ", impl loops: " + dims(in) + " -> " + dims(out)
                + (classic ? "" : suffix) + ", forward "), r.out());

        NdPoolKernel loops = PoolKernels.reference();
        NdPooled expected = loops.forward(spec, x, given);
        assertBitEqual(expected.output(), Npy.readTensor(file("y.npy"), layout), "output");
        if (op.indices() == PoolOp.Indices.WRITTEN) {
            IndexTensor indices = Npy.readIndices(file("i.npy"), layout);
            assertEquals(out, indices.shape(), "indices have the output's shape and layout");
            assertArrayEquals(expected.indices(), indices.data());
        }
        assertBitEqual(loops.backward(spec, x, expected, dy), Npy.readTensor(file("dx.npy"), layout), "gradInput");
    }

    @Test
    void maxIndicesFeedUnpoolThroughTheFiles() throws IOException {
        TensorShape in = TensorShape.channelsLast(1, 4, 4, 6, 6);
        NdTensor x = random(in, Dtype.FLOAT64, new Random(5), true); // positive, so zeros never beat a maximum
        Run max = PoolCommandTest.run("pool", "--op", "max", "--kernel", "2", "--layout", "nhwc",
                "--input", write("x.npy", x).toString(), "--output", file("y.npy").toString(),
                "--indices", file("i.npy").toString());
        assertEquals(0, max.exit(), max.err());
        Run unpool = PoolCommandTest.run("pool", "--op", "unpool", "--output-size", "4,6,6", "--layout", "nhwc",
                "--input", file("y.npy").toString(), "--indices", file("i.npy").toString(),
                "--output", file("u.npy").toString());
        assertEquals(0, unpool.exit(), unpool.err());
        assertTrue(unpool.out().startsWith("pool unpool outputSize 4x6x6, impl "), unpool.out());
        assertTrue(unpool.out().contains(": 1x2x3x3x4 -> 1x4x6x6x4 (ndhwc, float64), forward "), unpool.out());
        assertTrue(unpool.out().endsWith("; wrote " + file("u.npy") + "\n"), "the indices were read, not written");
        // Each window's maximum back at its place, zero elsewhere: max pooling the result gives y again.
        NdTensor u = Npy.readTensor(file("u.npy"), LAST);
        NdTensor again = PoolKernels.reference().forward(NdPoolSpec.max(2, 2, 2).build(), u).output();
        assertBitEqual(Npy.readTensor(file("y.npy"), LAST), again, "max of the unpooled");
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void everyNewRefusalIsOneLineWithExitTwoAndWritesNothing() throws IOException {
        String x = write("x.npy", random(TensorShape.channelsFirst(1, 2, 4, 4), Dtype.FLOAT32, new Random(1), false))
                .toString();
        String x64 = write("x64.npy", random(TensorShape.channelsFirst(1, 2, 4, 4), Dtype.FLOAT64, new Random(2), false))
                .toString();
        String x1 = write("x1.npy", random(TensorShape.channelsFirst(1, 2, 5), Dtype.FLOAT32, new Random(3), false))
                .toString();
        String dy = write("dy.npy", random(TensorShape.channelsFirst(1, 2, 2, 2), Dtype.FLOAT32, new Random(4), false))
                .toString();
        String i = writeIndices("i.npy", new IndexTensor(TensorShape.channelsFirst(1, 2, 4, 4),
                new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 64, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                    12, 13, 14, 15})).toString();
        String i3 = writeIndices("i3.npy", new IndexTensor(TensorShape.channelsFirst(1, 2, 4), new int[8])).toString();
        String y = file("y.npy").toString();
        String dx = file("dx.npy").toString();
        String[] io = {"--input", x, "--output", y};

        refused("Invalid value for option '--output-size': output size (0) must be > 0",
                "pool", "--op", "adaptive-avg", "--output-size", "0", "--input", x, "--output", y);
        refused("Invalid value for option '--output-size': output size (2,0) must be > 0",
                "pool", "--op", "adaptive-max", "--output-size", "2,0", "--input", x, "--output", y);
        refused("--indices (" + i + "): index (64) at element 15 is outside the output volume 8x8 (64 positions per"
                + " (n, c), from --output-size)", "pool", "--op", "unpool", "--output-size", "8", "--indices", i, io[0],
                x, io[2], y);
        for (String p : List.of("0", "-1", "NaN", "-0.5", "Infinity")) {
            refused("Invalid value for option '--norm-type': norm type (" + p + ") must be a finite number > 0",
                    "pool", "--op", "lp", "--kernel", "2", "--norm-type=" + p, "--input", x, "--output", y);
        }
        refused("--kernel (2,2,2) has 3 entries, but " + x + " (1x2x4x4, nchw) has 2 spatial dimensions; give one"
                + " value or 2", "pool", "--op", "max", "--kernel", "2,2,2", "--input", x, "--output", y);
        refused("--output-size (3,3) has 2 entries, but " + x1 + " (1x2x5, ncl) has 1 spatial dimension",
                "pool", "--op", "adaptive-max", "--output-size", "3,3", "--input", x1, "--output", y);
        refused("--layout (nhwc) applies to 2-D and 3-D data (rank 4 or 5), but " + x1 + " (1x2x5) is rank 3, which"
                + " is read channels-first (N,C,L) only",
                "pool", "--op", "max", "--kernel", "2", "--layout", "nhwc", "--input", x1, "--output", y);
        // Read as N,H,W,C, x (1x2x4x4) has H=2, W=4, C=4 and pools to 1x1x2x4: dy, which fits its nchw output, does not.
        refused(dy + ": shape 1x2x2x2 does not match the output shape 1x1x2x4 of " + x + " under max kernel 2x2"
                + " stride 2x2 padding 0x0 (arrays read as nhwc)", "pool", "--op", "max", "--kernel", "2",
                "--layout", "nhwc", "--input", x, "--output", y, "--grad-output", dy, "--grad-input", dx);
        refused("--indices (" + i3 + "): shape 1x2x4 does not match the input shape 1x2x4x4 of " + x
                + "; unpool reads one index per input element (arrays read as nchw)",
                "pool", "--op", "unpool", "--output-size", "8", "--indices", i3, "--input", x, "--output", y);
        refused("--grad-output (" + dy + ") is float32 but --input (" + x64 + ") is float64; the gradient must have"
                + " the input's dtype", "pool", "--op", "max", "--kernel", "2", "--input", x64, "--output", y,
                "--grad-output", dy, "--grad-input", dx);
        // Options the op does not take, and what an op needs.
        refused("--output-size (2) applies to adaptive-max, adaptive-avg and unpool, not max",
                "pool", "--op", "max", "--kernel", "2", "--output-size", "2", "--input", x, "--output", y);
        refused("--norm-type (2.0) applies to lp pooling only, not avg",
                "pool", "--op", "avg", "--kernel", "2", "--norm-type", "2", "--input", x, "--output", y);
        refused("--kernel (2) applies to max, avg and lp pooling, not adaptive-max, which takes --output-size",
                "pool", "--op", "adaptive-max", "--kernel", "2", "--output-size", "2", "--input", x, "--output", y);
        refused("--padding (1) applies to max and avg pooling, not lp (PyTorch's lp_pool has no padding)",
                "pool", "--op", "lp", "--norm-type", "2", "--kernel", "2", "--padding", "1", "--input", x, "--output", y);
        refused("--ceil-mode applies to max, avg and lp pooling, not unpool",
                "pool", "--op", "unpool", "--output-size", "8", "--ceil-mode", "--indices", i, "--input", x, "--output", y);
        refused("--indices (" + i + ") applies to max and adaptive-max pooling (written) and unpool (read), not"
                + " adaptive-avg", "pool", "--op", "adaptive-avg", "--output-size", "2", "--indices", i, "--input", x,
                "--output", y);
        refused("--mode (avg) contradicts --op (lp); give one of them",
                "pool", "--op", "lp", "--mode", "avg", "--norm-type", "2", "--kernel", "2", "--input", x, "--output", y);
        refused("Missing required option: '--output-size=O[,O[,O]]' (adaptive-avg pooling needs it)",
                "pool", "--op", "adaptive-avg", "--input", x, "--output", y);
        refused("Missing required option: '--norm-type=P' (lp pooling needs it)",
                "pool", "--op", "lp", "--kernel", "2", "--input", x, "--output", y);
        refused("Missing required option: '--indices=I.npy' (unpool reads the indices max pooling wrote)",
                "pool", "--op", "unpool", "--output-size", "8", "--input", x, "--output", y);
        refused("--impl (im2col) does not compute lp pooling; these do: loops, fast",
                "pool", "--op", "lp", "--norm-type", "2", "--kernel", "2", "--impl", "im2col", "--input", x, "--output", y);
        refused("Invalid value for option '--op': 'median' must be one of max, avg, adaptive-max, adaptive-avg, lp,"
                + " unpool", "pool", "--op", "median", "--input", x, "--output", y);
        refused("Invalid value for option '--layout': layout (nwhc) must be nchw or nhwc",
                "pool", "--op", "max", "--kernel", "2", "--layout", "nwhc", "--input", x, "--output", y);
        // Unpool reads --indices: it is an input, and no output may be it.
        refused("--output (" + i + ") is the same path as --indices (" + i + "); refusing to write over an input",
                "pool", "--op", "unpool", "--output-size", "8", "--indices", i, "--input", x, "--output", i);
        refused("--grad-input (" + i + ") is the same path as --indices (" + i + "); refusing to write over an input",
                "pool", "--op", "unpool", "--output-size", "8", "--indices", i, "--input", x, "--output", y,
                "--grad-output", dy, "--grad-input", i);
        // Adaptive max writes --indices: an output, which may not be an input.
        refused("--indices (" + x + ") is the same path as --input (" + x + "); refusing to write over an input",
                "pool", "--op", "adaptive-max", "--output-size", "2", "--input", x, "--output", y, "--indices", x);
        assertFalse(Files.exists(file("y.npy")) || Files.exists(file("dx.npy")), "a refused run writes nothing");
    }

    private static void refused(String firstLine, String... args) {
        Run r = PoolCommandTest.run(args);
        assertEquals(2, r.exit(), String.join(" ", args) + "\n" + r.out() + r.err());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "one line: " + r.err());
        assertTrue(lines.get(0).startsWith("pooling pool: " + firstLine),
                "expected 'pooling pool: " + firstLine + "', got: " + r.err());
    }

    // ------------------------------------------------------------------ helpers

    private static boolean exact(PoolOp op) {
        return switch (op) {
            case MAX, ADAPTIVE_MAX, UNPOOL -> true;
            case AVG, ADAPTIVE_AVG, LP -> false;
        };
    }

    private static String dims(TensorShape s) {
        return Arrays.stream(s.dims()).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    private static int[] filled(int length, int value) {
        int[] a = new int[length];
        Arrays.fill(a, value);
        return a;
    }

    private static int[] ints(JsonNode a) {
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).asInt();
        }
        return v;
    }

    private static String list(JsonNode c, String key) {
        return Arrays.stream(ints(c.get(key))).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static NdTensor tensor(TensorShape shape, Dtype dtype, JsonNode a) {
        return switch (dtype) {
            case FLOAT32 -> {
                float[] v = new float[a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Float.parseFloat(a.get(i).asText());
                }
                yield new FloatTensor(shape, v);
            }
            case FLOAT64 -> {
                double[] v = new double[a.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = Double.parseDouble(a.get(i).asText());
                }
                yield new DoubleTensor(shape, v);
            }
        };
    }

    private static NdTensor random(TensorShape shape, Dtype dtype, Random r, boolean positive) {
        double[] v = new double[shape.size()];
        for (int i = 0; i < v.length; i++) {
            // Few levels make ties, which max must break towards the first element.
            v[i] = positive ? 0.25 + r.nextInt(8) : r.nextInt(5) - 2 + (r.nextBoolean() ? r.nextGaussian() : 0);
        }
        return switch (dtype) {
            case FLOAT32 -> {
                float[] f = new float[v.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) v[i];
                }
                yield new FloatTensor(shape, f);
            }
            case FLOAT64 -> new DoubleTensor(shape, v);
        };
    }

    private static double value(NdTensor t, int i) {
        return t instanceof FloatTensor f ? f.data()[i] : ((DoubleTensor) t).data()[i];
    }

    /** Same shape and dtype; bit for bit, except that every NaN equals every NaN. */
    private static void assertBitEqual(NdTensor expected, NdTensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        for (int i = 0; i < expected.shape().size(); i++) {
            double e = value(expected, i);
            double a = value(actual, i);
            boolean same = Double.isNaN(e) ? Double.isNaN(a) : Double.doubleToRawLongBits(e) == Double.doubleToRawLongBits(a);
            if (!same) {
                fail(what + "[" + i + "] = " + a + ", expected exactly " + e);
            }
        }
    }

    /** The golden rule: within {@code 1e-5 * max(1, |e|)} in float32, {@code 1e-10 *} in float64; NaN and infinities exactly. */
    private static void assertClose(NdTensor expected, NdTensor actual, String what) {
        assertEquals(expected.shape(), actual.shape(), what + ": shape");
        assertEquals(expected.dtype(), actual.dtype(), what + ": dtype");
        double tolerance = expected.dtype() == Dtype.FLOAT32 ? 1e-5 : 1e-10;
        for (int i = 0; i < expected.shape().size(); i++) {
            double e = value(expected, i);
            double a = value(actual, i);
            boolean ok = Double.isNaN(e) ? Double.isNaN(a)
                    : Double.isInfinite(e) ? e == a
                    : Math.abs(a - e) <= tolerance * Math.max(1.0, Math.abs(e));
            if (!ok) {
                fail(what + "[" + i + "] = " + a + ", expected " + e);
            }
        }
    }
}
