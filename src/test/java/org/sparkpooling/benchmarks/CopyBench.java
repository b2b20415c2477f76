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

/**
 * The bandwidth bound of each {@link KernelCase}: {@code copyInput} copies the input once (the
 * peers' bound, {@code large_peers.py}); {@code copyTraffic} moves the same bytes a forward+backward
 * pass must move, at least: the input read and a gradInput-sized array written, plus the
 * output-sized arrays (gradOutput, and the indices for max) read and written once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class CopyBench {

    @Param({"textbook-max", "textbook-avg", "stem-max", "overlap-max", "large-max", "large-avg"})
    public String kernelCase;

    private KernelCase.Buffers buffers;
    private float[] inputCopy;
    private float[] outputCopy;
    private int[] indicesCopy;

    @Setup
    public void setup() {
        setup(KernelCase.byLabel(kernelCase).buffers());
    }

    /** For the unit test: reuses buffers it has already made for the case. */
    void setup(KernelCase.Buffers shared) {
        buffers = shared;
        inputCopy = new float[buffers.input.data().length];
        outputCopy = new float[buffers.gradOutput.length];
        indicesCopy = buffers.indices == null ? null : new int[buffers.indices.length];
    }

    @Benchmark
    public void copyInput(Blackhole bh) {
        float[] x = buffers.input.data();
        System.arraycopy(x, 0, inputCopy, 0, x.length);
        bh.consume(inputCopy);
    }

    @Benchmark
    public void copyTraffic(Blackhole bh) {
        float[] x = buffers.input.data();
        System.arraycopy(x, 0, inputCopy, 0, x.length);
        System.arraycopy(buffers.gradOutput, 0, outputCopy, 0, outputCopy.length);
        if (indicesCopy != null) {
            System.arraycopy(buffers.indices, 0, indicesCopy, 0, indicesCopy.length);
        }
        bh.consume(inputCopy);
        bh.consume(outputCopy);
    }

    float[] inputCopy() {
        return inputCopy;
    }
}
