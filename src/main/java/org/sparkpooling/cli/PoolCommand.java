package org.sparkpooling.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.sparkpooling.io.OutputGuard;
import org.sparkpooling.pool.NdPoolGeometry;
import org.sparkpooling.pool.NdPoolKernel;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.NdPooled;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.IndexTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.TensorShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pooling pool}: one call of the pooling family, forward and optionally backward, on NumPy .npy files. */
@Command(name = "pool",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs one pooling operation, forward and optionally backward, on NumPy .npy files, without Spark.",
            "Reads a rank-3, 4 or 5 array (1-D N,C,L; 2-D N,C,H,W; 3-D N,C,D,H,W; with --layout nhwc N,H,W,C and"
                + " N,D,H,W,C) of float32 ('<f4') or float64 ('<f8'), C order, little-endian; writes its results in"
                + " the input's dtype and int64 indices, as PyTorch returns them.",
            "Sizes are one value for every spatial dimension or one per dimension, outermost first. --op (or"
                + " --mode) is required, with --kernel for max, avg and lp, --output-size for adaptive-max,"
                + " adaptive-avg and unpool, --norm-type for lp, --indices for unpool."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "2:invalid options, spec or input file (one line on stderr says which)"})
public final class PoolCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    PoolOptions pooling;

    @Option(names = "--impl", paramLabel = "loops|im2col|fast",
            description = "Implementation (default: fast when available, else loops); im2col computes max and avg only.")
    String impl;

    @Option(names = "--input", required = true, paramLabel = "X.npy",
            description = "Input tensor; for unpool, the pooled tensor to unpool.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Output (the input's dtype).")
    Path output;

    @Option(names = "--indices", paramLabel = "I.npy",
            description = "max, adaptive-max: write the argmax of each output (int64, (d * H + h) * W + w within its"
                    + " (n, c) volume); unpool: read them, one per input element (required).")
    Path indices;

    @Option(names = "--grad-output", paramLabel = "DY.npy",
            description = "Gradient of the output (the output's shape and the input's dtype); runs the backward pass."
                    + " Needs --grad-input.")
    Path gradOutput;

    @Option(names = "--grad-input", paramLabel = "DX.npy",
            description = "Where the backward pass writes the gradient of the input (the input's dtype). Needs"
                    + " --grad-output.")
    Path gradInput;

    @Override
    public Integer call() throws IOException {
        PoolOp op = pooling.checkedOp(null);
        NdPoolKernel kernel = kernel(op);
        checkFiles(op);

        NdTensor x = Npy.readTensor(input, pooling.requestedLayout());
        TensorShape in = x.shape();
        Layout layout = pooling.layout(in.rank(), input + " (" + dims(in) + ")");
        NdPoolSpec poolSpec = pooling.toSpec(in.spatialRank(), input + " (" + dims(in) + ", " + letters(in) + ")", null);
        TensorShape out = NdPoolGeometry.of(poolSpec, in).output();
        int[] given = switch (op.indices()) {
            case READ -> readUnpoolIndices(in, out, layout);
            case WRITTEN, NONE -> null;
        };
        NdTensor dy = gradOutput == null ? null : readGradOutput(x, out, poolSpec, layout);

        long t0 = System.nanoTime();
        NdPooled y = kernel.forward(poolSpec, x, given);
        long forwardNanos = System.nanoTime() - t0;
        NdTensor dx = null;
        long backwardNanos = 0;
        if (dy != null) {
            t0 = System.nanoTime();
            dx = kernel.backward(poolSpec, x, y, dy);
            backwardNanos = System.nanoTime() - t0;
        }

        Npy.write(output, y.output());
        boolean writesIndices = indices != null && op.indices() == PoolOp.Indices.WRITTEN;
        if (writesIndices) {
            Npy.writeInt64(indices, out, y.indices());
        }
        if (dx != null) {
            Npy.write(gradInput, dx);
        }

        // The 2-D channels-first float32 line is the one this command has always printed; any other
        // rank, layout or dtype names both after the shapes.
        boolean classic = in.rank() == 4 && layout == Layout.CHANNELS_FIRST && x.dtype() == Dtype.FLOAT32;
        StringBuilder line = new StringBuilder("pool ").append(poolSpec).append(", impl ").append(kernel.name())
                .append(": ").append(dims(in)).append(" -> ").append(dims(out))
                .append(classic ? "" : " (" + letters(in) + ", " + x.dtype().label() + ")")
                .append(String.format(Locale.ROOT, ", forward %.3f ms", forwardNanos / 1e6));
        if (dx != null) {
            line.append(String.format(Locale.ROOT, ", backward %.3f ms", backwardNanos / 1e6));
        }
        line.append("; wrote ").append(output);
        if (writesIndices) {
            line.append(", ").append(indices);
        }
        if (dx != null) {
            line.append(", ").append(gradInput);
        }
        spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private NdPoolKernel kernel(PoolOp op) {
        String name = impl != null ? impl.trim()
                : PoolKernels.names().contains("fast") ? "fast" : "loops";
        if (!PoolKernels.names().contains(name)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--impl': '" + impl
                    + "' is not one of " + PoolKernels.names());
        }
        NdPoolKernel k = PoolKernels.byName(name);
        if (!k.supports(op)) {
            throw parameterError("--impl (" + name + ") does not compute " + op.description() + "; these do: "
                    + PoolKernels.all().stream().filter(c -> c.supports(op)).map(NdPoolKernel::name)
                            .collect(Collectors.joining(", ")));
        }
        return k;
    }

    /** Unpool's indices: one per input element, in the input's shape, each inside the output's volume. */
    private int[] readUnpoolIndices(TensorShape in, TensorShape out, Layout layout) throws IOException {
        IndexTensor read = Npy.readIndices(indices, layout);
        if (!read.shape().equals(in)) {
            throw parameterError("--indices (" + indices + "): shape " + dims(read.shape())
                    + " does not match the input shape " + dims(in) + " of " + input
                    + "; unpool reads one index per input element (arrays read as " + letters(in) + ")");
        }
        int[] v = read.data();
        int volume = out.volume();
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0 || v[i] >= volume) {
                throw parameterError("--indices (" + indices + "): index (" + v[i] + ") at element " + i
                        + " is outside the output volume " + out.spatialString() + " (" + volume
                        + " positions per (n, c), from --output-size)");
            }
        }
        return v;
    }

    private NdTensor readGradOutput(NdTensor x, TensorShape out, NdPoolSpec poolSpec, Layout layout)
            throws IOException {
        NdTensor dy = Npy.readTensor(gradOutput, layout);
        if (!dy.shape().equals(out)) {
            throw new IllegalArgumentException(gradOutput + ": shape " + dims(dy.shape())
                    + " does not match the output shape " + dims(out) + " of " + input + " under " + poolSpec
                    + " (arrays read as " + letters(out) + ")");
        }
        if (dy.dtype() != x.dtype()) {
            throw parameterError("--grad-output (" + gradOutput + ") is " + dy.dtype().label() + " but --input ("
                    + input + ") is " + x.dtype().label() + "; the gradient must have the input's dtype");
        }
        return dy;
    }

    /** The array's dimensions in file (memory) order, {@code 2x3x8x8}. */
    private static String dims(TensorShape s) {
        return Arrays.stream(s.dims()).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }

    /** {@code ncl}, {@code nchw}, {@code ndhwc}, ...: what the dimensions are. */
    private static String letters(TensorShape s) {
        return s.layout().letters(s.spatialRank());
    }

    /** Everything about the file options that can be known before reading a byte. */
    private void checkFiles(PoolOp op) {
        switch (op.indices()) {
            case WRITTEN -> { }
            case READ -> {
                if (indices == null) {
                    throw parameterError("Missing required option: '--indices=I.npy' (unpool reads the indices"
                            + " max pooling wrote)");
                }
            }
            case NONE -> {
                if (indices != null) {
                    throw parameterError("--indices (" + indices + ") applies to max and adaptive-max pooling"
                            + " (written) and unpool (read), not " + op.label());
                }
            }
        }
        if (gradOutput != null && gradInput == null) {
            throw parameterError("--grad-output (" + gradOutput + ") needs --grad-input, where the gradient goes");
        }
        if (gradInput != null && gradOutput == null) {
            throw parameterError("--grad-input (" + gradInput + ") needs --grad-output, the gradient to propagate");
        }
        boolean indicesRead = op.indices() == PoolOp.Indices.READ;
        Map<String, Path> read = new LinkedHashMap<>();
        read.put("--input", input);
        if (indicesRead) {
            read.put("--indices", indices);
        }
        if (gradOutput != null) {
            read.put("--grad-output", gradOutput);
        }
        read.forEach(this::requireReadable);
        Map<String, Path> written = new LinkedHashMap<>();
        written.put("--output", output);
        if (indices != null && !indicesRead) {
            written.put("--indices", indices);
        }
        if (gradInput != null) {
            written.put("--grad-input", gradInput);
        }
        Map<Path, String> seen = new LinkedHashMap<>();
        written.forEach((option, file) -> {
            requireWritable(option, file, seen);
            read.forEach((inputOption, inputFile) -> guard(() ->
                    OutputGuard.requireApart(option, file, inputOption, inputFile)));
        });
    }

    private void requireReadable(String option, Path file) {
        if (!Files.exists(file)) {
            throw parameterError(option + " (" + file + "): no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw parameterError(option + " (" + file + ") is not a regular file");
        }
    }

    /** The directory exists; the name holds a regular file or nothing; no two outputs are one file. */
    private void requireWritable(String option, Path file, Map<Path, String> seen) {
        Path absolute = file.toAbsolutePath().normalize();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw parameterError(option + " (" + file + "): directory " + dir + " does not exist");
        }
        guard(() -> OutputGuard.requireReplaceableFile(option, file));
        String other = seen.putIfAbsent(OutputGuard.canonical(file), option);
        if (other != null) {
            throw parameterError(option + " (" + file + ") is the same file as " + other);
        }
    }

    private void guard(Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw parameterError(e.getMessage());
        }
    }

    private ParameterException parameterError(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
