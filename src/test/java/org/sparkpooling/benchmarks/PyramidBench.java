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
import org.sparkpooling.pipeline.DownsampleSpec;
import org.sparkpooling.pipeline.EdgeMode;
import org.sparkpooling.pipeline.Planes;
import org.sparkpooling.pipeline.Pyramid;
import org.sparkpooling.pipeline.TestImages;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolMode;

/**
 * The pooling step of the pipeline alone: one 2x2 average level of a photo-sized image (pooling,
 * rounding, output allocation), as skimage's block_reduce is timed by
 * {@code ../shared/peers/image_peers.py}. Input megapixels per second = H*W / 1e6 / (ms / 1000).
 * {@code path} names the pool kernel: {@code fast} is what the pipeline runs (its tiled rows),
 * {@code loops} the reference. Before every level went through the kernel, integer images took
 * direct row loops in {@code Pyramid} ({@code path=direct} in the README's older numbers).
 * {@code java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) org.openjdk.jmh.Main PyramidBench}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A pre-touched heap: each op allocates a fresh output (54 MB for the 18 MP image) and, with no GC
// recycling eden, first-touching it made whole forks run 190 ms instead of 27, whichever path.
@Fork(value = 1, jvmArgsAppend = {"-Xms6g", "-Xmx6g", "-XX:+AlwaysPreTouch"})
public class PyramidBench {

    /** height x width x channels x bits: a 2.3 MP and an 18 MP RGB photo, a 16-bit RGBA image. */
    @Param({"1200x1920x3x8", "3172x5640x3x8", "1200x1920x4x16"})
    public String image;

    @Param({"fast"})
    public String path;

    private Planes base;
    private Pyramid pyramid;

    @Setup
    public void setup() {
        String[] p = image.split("x");
        base = TestImages.random(Integer.parseInt(p[2]), Integer.parseInt(p[0]), Integer.parseInt(p[1]),
                Integer.parseInt(p[3]), 42);
        pyramid = new Pyramid(new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, Long.MAX_VALUE),
                PoolKernels.byName(path));
    }

    @Benchmark
    public Planes level() {
        return pyramid.next(base);
    }
}
