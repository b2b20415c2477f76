package org.sparkpooling.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sparkpooling.io.OutputGuard;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code pooling pool}: one pooling call, forward and optionally backward, on NumPy .npy files. */
@Command(name = "pool",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Runs one pooling call on NumPy .npy files, without Spark.",
            "Reads a rank-4 NCHW array of float32 ('<f4') or float64 ('<f8', rounded to float32), C order,"
                + " little-endian; writes float32 results and int64 indices, as PyTorch returns them.",
            "Sizes are H,W or one value for both. --mode and --kernel are required."},
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
            description = "Implementation (default: fast when available, else loops).")
    String impl;

    @Option(names = "--input", required = true, paramLabel = "X.npy", description = "Input tensor, N x C x H x W.")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "Y.npy", description = "Pooled output (float32).")
    Path output;

    @Option(names = "--indices", paramLabel = "I.npy",
            description = "max only: write the argmax of each output (int64, h * W + w within its plane).")
    Path indices;

    @Option(names = "--grad-output", paramLabel = "DY.npy",
            description = "Gradient of the output (the output's shape); runs the backward pass. Needs --grad-input.")
    Path gradOutput;

    @Option(names = "--grad-input", paramLabel = "DX.npy",
            description = "Where the backward pass writes the gradient of the input (float32). Needs --grad-output.")
    Path gradInput;

    @Override
    public Integer call() throws IOException {
        PoolSpec poolSpec = pooling.toSpec();
        PoolKernel kernel = kernel();
        checkFiles(poolSpec);

        Tensor x = Npy.read(input);
        Shape outShape = poolSpec.geometry(x.shape().h(), x.shape().w()).outputShape(x.shape());
        Tensor dy = null;
        if (gradOutput != null) {
            dy = Npy.read(gradOutput);
            if (!dy.shape().equals(outShape)) {
                throw new IllegalArgumentException(gradOutput + ": shape " + dy.shape()
                        + " does not match the output shape " + outShape + " of " + input + " under " + poolSpec);
            }
        }

        int[] argmax = switch (poolSpec.mode()) {
            case MAX -> new int[outShape.size()];
            case AVG -> null;
        };
        float[] y = new float[outShape.size()];
        long t0 = System.nanoTime();
        kernel.forward(poolSpec, x, y, argmax);
        long forwardNanos = System.nanoTime() - t0;
        float[] dx = null;
        long backwardNanos = 0;
        if (dy != null) {
            dx = new float[x.shape().size()];
            t0 = System.nanoTime();
            kernel.backward(poolSpec, x.shape(), dy.data(), argmax, dx);
            backwardNanos = System.nanoTime() - t0;
        }

        Npy.write(output, new Tensor(outShape, y));
        if (indices != null) {
            Npy.writeInt64(indices, outShape, argmax);
        }
        if (dx != null) {
            Npy.write(gradInput, new Tensor(x.shape(), dx));
        }

        StringBuilder line = new StringBuilder("pool ").append(poolSpec).append(", impl ").append(kernel.name())
                .append(": ").append(x.shape()).append(" -> ").append(outShape)
                .append(String.format(Locale.ROOT, ", forward %.3f ms", forwardNanos / 1e6));
        if (dx != null) {
            line.append(String.format(Locale.ROOT, ", backward %.3f ms", backwardNanos / 1e6));
        }
        line.append("; wrote ").append(output);
        if (indices != null) {
            line.append(", ").append(indices);
        }
        if (gradInput != null) {
            line.append(", ").append(gradInput);
        }
        spec.commandLine().getOut().println(line);
        spec.commandLine().getOut().flush();
        return 0;
    }

    private PoolKernel kernel() {
        String name = impl != null ? impl.trim()
                : PoolKernels.names().contains("fast") ? "fast" : "loops";
        if (!PoolKernels.names().contains(name)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--impl': '" + impl
                    + "' is not one of " + PoolKernels.names());
        }
        return PoolKernels.byName(name);
    }

    /** Everything about the file options that can be known before reading a byte. */
    private void checkFiles(PoolSpec poolSpec) {
        if (indices != null) {
            switch (poolSpec.mode()) {
                case MAX -> { }
                case AVG -> throw parameterError("--indices (" + indices + ") applies to max pooling only, not avg");
            }
        }
        if (gradOutput != null && gradInput == null) {
            throw parameterError("--grad-output (" + gradOutput + ") needs --grad-input, where the gradient goes");
        }
        if (gradInput != null && gradOutput == null) {
            throw parameterError("--grad-input (" + gradInput + ") needs --grad-output, the gradient to propagate");
        }
        Map<String, Path> read = new LinkedHashMap<>();
        read.put("--input", input);
        if (gradOutput != null) {
            read.put("--grad-output", gradOutput);
        }
        read.forEach(this::requireReadable);
        Map<String, Path> written = new LinkedHashMap<>();
        written.put("--output", output);
        if (indices != null) {
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
