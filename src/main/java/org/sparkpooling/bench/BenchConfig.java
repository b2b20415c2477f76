package org.sparkpooling.bench;

import java.io.Serializable;
import java.util.List;
import org.sparkpooling.pool.NdPoolGeometry;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.TensorShape;

/**
 * What every task of the bench job needs, shipped once in its closure: the operation, the shape,
 * layout and dtype of the blocks, the implementations to time and how often.
 *
 * @param spec           the operation of the pooling family and its parameters
 * @param shape          the shape of each synthetic block, in the layout the kernels run (for
 *                       {@code --input}, where each record carries its own N,C,H,W shape, only the
 *                       layout is used)
 * @param dtype          the element type the kernels run; {@code --input} blocks are float32
 * @param implementations names from {@link PoolKernels}, each computing the op; {@code loops} is the
 *                       reference either way
 * @param warmup         untimed forward+backward calls per implementation and block before timing
 * @param copyReps       timed copies of each block's bytes, the bandwidth bound
 * @param failPartition  test hook: attempt 0 of this partition fails after its first block; -1 for none
 */
public record BenchConfig(
        NdPoolSpec spec,
        TensorShape shape,
        Dtype dtype,
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
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must be float32 or float64, not null");
        }
        if (implementations == null || implementations.isEmpty()) {
            throw new IllegalArgumentException("implementations must name at least one of " + supporting(spec));
        }
        implementations = List.copyOf(implementations);
        for (String name : implementations) {
            if (!PoolKernels.byName(name).supports(spec.op())) { // byName rejects unknown names, listing the known
                throw new IllegalArgumentException("implementation (" + name + ") does not compute "
                        + spec.op().description() + "; these do: " + supporting(spec));
            }
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
        // Fails early, on the driver, when the layer does not fit the block (ranks included).
        NdPoolGeometry.of(spec, shape);
    }

    /** The implementations that compute the spec's op, in registration order. */
    public static List<String> supporting(NdPoolSpec spec) {
        return PoolKernels.all().stream().filter(k -> k.supports(spec.op())).map(k -> k.name()).toList();
    }

    /**
     * A config with the command's defaults: every implementation that computes the op, float32,
     * 5000 iterations (warm-up and copies from {@link #defaultWarmup}/{@link #defaultCopyReps}),
     * seed 42, no fault hook.
     */
    public static Builder builder(NdPoolSpec spec, TensorShape shape) {
        return new Builder(spec, shape);
    }

    /** The 2-D layer on N,C,H,W float32 blocks, as the job was first written. */
    public static Builder builder(PoolSpec spec, Shape shape) {
        return new Builder(spec == null ? null : NdPoolSpec.of(spec), shape == null ? null : TensorShape.of(shape));
    }

    /** This config with the fault hook set: attempt 0 of {@code partition} fails after its first block. */
    public BenchConfig withFailPartition(int partition) {
        return new BenchConfig(spec, shape, dtype, implementations, iterations, warmup, copyReps, seed, partition);
    }

    /** The layout the kernels run. */
    public Layout layout() {
        return shape.layout();
    }

    /**
     * The 2-D API's spec when this run is one the job ran before the family existed (2-D max or
     * avg, channels-first, float32), else {@code null}: such runs time the same calls as then, so
     * their numbers stay comparable with the earlier measurements.
     */
    PoolSpec planarSpec() {
        PoolMode mode = switch (spec.op()) {
            case MAX -> PoolMode.MAX;
            case AVG -> PoolMode.AVG;
            case ADAPTIVE_MAX, ADAPTIVE_AVG, LP, UNPOOL -> null;
        };
        if (mode == null || spec.dims() != 2 || layout() != Layout.CHANNELS_FIRST || dtype != Dtype.FLOAT32) {
            return null;
        }
        int[] k = spec.kernel();
        int[] s = spec.stride();
        int[] p = spec.padding();
        int[] d = spec.dilation();
        return new PoolSpec(mode, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], spec.ceilMode(),
                spec.countIncludePad(), spec.divisorOverride());
    }

    /** Fluent {@link BenchConfig}; every setter returns {@code this}. */
    public static final class Builder {
        private final NdPoolSpec spec;
        private final TensorShape shape;
        private Dtype dtype = Dtype.FLOAT32;
        private List<String> implementations;
        private int iterations = 5000;
        private Integer warmup;
        private Integer copyReps;
        private long seed = 42;
        private int failPartition = -1;

        private Builder(NdPoolSpec spec, TensorShape shape) {
            this.spec = spec;
            this.shape = shape;
        }

        public Builder dtype(Dtype value) {
            dtype = value;
            return this;
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
            List<String> names = implementations != null ? implementations
                    : spec == null ? PoolKernels.names() : supporting(spec);
            return new BenchConfig(spec, shape, dtype, names, iterations,
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
