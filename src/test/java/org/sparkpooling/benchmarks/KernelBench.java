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
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.tensor.Dtype;

/**
 * Forward + backward of one implementation on one case per invocation ({@link #forwardBackward},
 * what {@link BenchKernels} runs by default), or either alone ({@link #forward}, {@link #backward}:
 * {@code scripts/bench-kernels 'KernelBench\.(forward|backward)$' CopyBench ...}), to see which half
 * of a case is far from its copy bound. {@link CopyBench} measures the bandwidth bound of the same
 * cases in the same run; {@link BenchKernels} prints the ratios.
 * The {@code impl} list here is only the default of a bare JMH run: {@link BenchKernels} passes every
 * registered implementation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class KernelBench {

    @Param({"loops", "fast"})
    public String impl;

    @Param({"textbook-max", "textbook-avg", "stem-max", "stem-avg", "overlap-max", "inception-max", "large-max",
        "large-avg", "global-avg", "c3d-max", "c3d-avg"})
    public String kernelCase;

    /** {@code nchw} (channels-first) or {@code nhwc} (channels-last), whatever the rank. */
    @Param({"nchw", "nhwc"})
    public String layout;

    @Param({"float32"})
    public String dtype;

    private PoolKernel kernel;
    private KernelCase.Buffers buffers;

    @Setup
    public void setup() {
        setup(KernelCase.byLabel(kernelCase).buffers(KernelCase.layout(layout), Dtype.parse(dtype)));
    }

    /** For the unit test: shares one case's 300 MB of buffers among the implementations. */
    void setup(KernelCase.Buffers shared) {
        kernel = PoolKernels.byName(impl);
        buffers = shared;
        // The indices backward alone reads
        buffers.forward(kernel);
    }

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        buffers.forwardBackward(kernel);
        bh.consume(buffers.output());
        bh.consume(buffers.gradInput());
    }

    @Benchmark
    public void forward(Blackhole bh) {
        buffers.forward(kernel);
        bh.consume(buffers.output());
    }

    @Benchmark
    public void backward(Blackhole bh) {
        buffers.backward(kernel);
        bh.consume(buffers.gradInput());
    }
}
