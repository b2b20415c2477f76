package org.sparkpooling.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.Layout;

/**
 * The bandwidth bound of each {@link KernelCase}: {@code copyInput} copies the input once (the
 * peers' bound, {@code case_peers.py}); {@code copyTraffic} moves the same bytes a forward+backward
 * pass must move, at least: the input read and a gradInput-sized array written, plus the
 * output-sized arrays (gradOutput, and the indices for max) read and written once. The same in
 * either layout, so it has no layout parameter: one measurement serves both.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class CopyBench {

    @Param({"textbook-max", "textbook-avg", "stem-max", "stem-avg", "overlap-max", "inception-max", "large-max",
        "large-avg", "global-avg", "c3d-max", "c3d-avg"})
    public String kernelCase;

    @Param({"float32"})
    public String dtype;

    private KernelCase.Buffers buffers;
    private Object inputCopy;
    private Object outputCopy;
    private int[] indicesCopy;
    private int outLength;

    @Setup
    public void setup() {
        setup(KernelCase.byLabel(kernelCase).buffers(Layout.CHANNELS_FIRST, Dtype.parse(dtype)));
    }

    /** For the unit test: reuses buffers it has already made for the case. */
    void setup(KernelCase.Buffers shared) {
        buffers = shared;
        int in = buffers.shape.size();
        int out = buffers.floatGradOutput != null ? buffers.floatGradOutput.length : buffers.doubleGradOutput.length;
        outLength = out;
        boolean single = buffers.floatInput != null;
        inputCopy = single ? new float[in] : new double[in];
        outputCopy = single ? new float[out] : new double[out];
        indicesCopy = buffers.indices == null ? null : new int[buffers.indices.length];
    }

    private Object input() {
        return buffers.floatInput != null ? buffers.floatInput.data() : buffers.doubleInput.data();
    }

    private Object gradOutput() {
        return buffers.floatGradOutput != null ? buffers.floatGradOutput : buffers.doubleGradOutput;
    }

    @Benchmark
    public void copyInput(Blackhole bh) {
        Object x = input();
        System.arraycopy(x, 0, inputCopy, 0, buffers.shape.size());
        bh.consume(inputCopy);
    }

    @Benchmark
    public void copyTraffic(Blackhole bh) {
        System.arraycopy(input(), 0, inputCopy, 0, buffers.shape.size());
        Object gy = gradOutput();
        System.arraycopy(gy, 0, outputCopy, 0, outLength);
        if (indicesCopy != null) {
            System.arraycopy(buffers.indices, 0, indicesCopy, 0, indicesCopy.length);
        }
        bh.consume(inputCopy);
        bh.consume(outputCopy);
    }

    Object inputCopy() {
        return inputCopy;
    }
}
