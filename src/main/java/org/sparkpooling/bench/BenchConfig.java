package org.sparkpooling.bench;

import java.io.Serializable;
import java.util.List;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Shape;

/**
 * What every task of the bench job needs, shipped once in its closure: the pooling layer, the
 * shape of synthetic blocks, the implementations to time and how often.
 *
 * @param shape          the shape of each synthetic block (ignored for {@code --input}, where
 *                       each record carries its own)
 * @param implementations names from {@link PoolKernels}; {@code loops} is the reference either way
 * @param warmup         untimed forward+backward calls per implementation and block before timing
 * @param copyReps       timed copies of each block's bytes, the bandwidth bound
 * @param failPartition  test hook: attempt 0 of this partition fails after its first block; -1 for none
 */
public record BenchConfig(
        PoolSpec spec,
        Shape shape,
        List<String> implementations,
        int iterations,
        int warmup,
        int copyReps,
        long seed,
        int failPartition) implements Serializable {

    public BenchConfig {
        if (spec == null) {
            throw new IllegalArgumentException("spec must not be null");
        }
        if (shape == null) {
            throw new IllegalArgumentException("shape must not be null");
        }
        if (implementations == null || implementations.isEmpty()) {
            throw new IllegalArgumentException("implementations must name at least one of " + PoolKernels.names());
        }
        implementations = List.copyOf(implementations);
        for (String name : implementations) {
            PoolKernels.byName(name); // rejects unknown names with the list of known ones
        }
        if (implementations.stream().distinct().count() != implementations.size()) {
            throw new IllegalArgumentException("implementations (" + implementations + ") must not repeat a name");
        }
        if (iterations <= 0) {
            throw new IllegalArgumentException("iterations (" + iterations + ") must be > 0");
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("warmup (" + warmup + ") must be >= 0");
        }
        if (copyReps <= 0) {
            throw new IllegalArgumentException("copy repetitions (" + copyReps + ") must be > 0");
        }
        // Fails early, on the driver, when the layer does not fit the block.
        spec.geometry(shape.h(), shape.w());
    }

    /**
     * A config with the command's defaults: all implementations, 5000 iterations (warm-up and copies
     * from {@link #defaultWarmup}/{@link #defaultCopyReps}), seed 42, no fault hook.
     */
    public static Builder builder(PoolSpec spec, Shape shape) {
        return new Builder(spec, shape);
    }

    /** This config with the fault hook set: attempt 0 of {@code partition} fails after its first block. */
    public BenchConfig withFailPartition(int partition) {
        return new BenchConfig(spec, shape, implementations, iterations, warmup, copyReps, seed, partition);
    }

    /** Fluent {@link BenchConfig}; every setter returns {@code this}. */
    public static final class Builder {
        private final PoolSpec spec;
        private final Shape shape;
        private List<String> implementations = PoolKernels.names();
        private int iterations = 5000;
        private Integer warmup;
        private Integer copyReps;
        private long seed = 42;
        private int failPartition = -1;

        private Builder(PoolSpec spec, Shape shape) {
            this.spec = spec;
            this.shape = shape;
        }

        public Builder implementations(List<String> value) {
            implementations = value;
            return this;
        }

        /** Timed forward+backward calls per implementation and block; warm-up and copies follow unless set. */
        public Builder iterations(int value) {
            iterations = value;
            return this;
        }

        public Builder warmup(int value) {
            warmup = value;
            return this;
        }

        public Builder copyReps(int value) {
            copyReps = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Test hook: attempt 0 of this partition fails after its first block. */
        public Builder failPartition(int value) {
            failPartition = value;
            return this;
        }

        public BenchConfig build() {
            return new BenchConfig(spec, shape, implementations, iterations,
                    warmup != null ? warmup : defaultWarmup(iterations),
                    copyReps != null ? copyReps : defaultCopyReps(iterations), seed, failPartition);
        }
    }

    /** Warm-up long enough for the JIT on the first block, short next to the timed loop: 2%, at most 100. */
    public static int defaultWarmup(int iterations) {
        return Math.max(1, Math.min(100, iterations / 50));
    }

    /** Copies per block: about a tenth of the iterations, so the bound costs little next to the kernels. */
    public static int defaultCopyReps(int iterations) {
        return Math.max(20, Math.min(1000, iterations / 10));
    }
}
