package org.sparkpooling.bench;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.sparkpooling.pool.NdPoolGeometry;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.BlockInput;
import org.sparkpooling.spark.SyntheticBlocks;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.Dtype;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.IndexTensor;
import org.sparkpooling.tensor.Layout;
import org.sparkpooling.tensor.NdTensor;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;
import org.sparkpooling.tensor.TensorShape;

/**
 * The executor side of the bench job: turns a partition's blocks into reports, one block at a
 * time. The returned iterator is lazy, so a partition holds one block (and its buffers) at a
 * time however many it has: memory is bounded by the block size, not the partition size.
 */
public final class PartitionRunner implements FlatMapFunction<Iterator<BlockInput>, BlockReport> {

    /** Distinguishes unpool's index stream from the block's values and its gradient. */
    private static final long INDEX_SALT = 0xbb67ae8584caa73bL;

    private final BenchConfig config;
    private final boolean synthetic;

    /**
     * @param synthetic whether the blocks come from {@link #carrier}: their values are then the
     *                  config's shape, else each record's own N,C,H,W
     */
    public PartitionRunner(BenchConfig config, boolean synthetic) {
        this.config = config;
        this.synthetic = synthetic;
    }

    @Override
    public Iterator<BlockReport> call(Iterator<BlockInput> blocks) {
        TaskContext task = TaskContext.get();
        int partition = task == null ? 0 : task.partitionId();
        int attempt = task == null ? 0 : task.attemptNumber();
        SparkEnv env = SparkEnv.get();
        String executorId = env == null ? "none" : env.executorId();
        String host = env == null ? "localhost" : env.blockManager().blockManagerId().host();
        boolean failThisAttempt = partition == config.failPartition() && attempt == 0;
        return new Iterator<>() {
            private int done;

            @Override
            public boolean hasNext() {
                return blocks.hasNext();
            }

            @Override
            public BlockReport next() {
                if (!blocks.hasNext()) {
                    throw new NoSuchElementException();
                }
                BlockReport report = runBlock(config, synthetic, blocks.next(), partition, attempt, executorId, host);
                if (failThisAttempt && ++done == 1) {
                    // After real work, so the retry has to redo it and this attempt's result must vanish.
                    throw new IllegalStateException("injected failure (spark.pooling.test.failPartition="
                            + partition + ") in attempt " + attempt);
                }
                return report;
            }
        };
    }

    /**
     * The rank-4 shape whose synthetic block ({@link SyntheticBlocks#block}) holds the values of a
     * block of {@code shape}: the shape itself in 2-D, else one of the same element count. A block's
     * values depend on its element count alone, so every rank draws the same stream; the runner
     * reads them as {@code shape} channels-first.
     */
    public static Shape carrier(TensorShape shape) {
        int[] s = shape.spatial();
        return switch (s.length) {
            case 1 -> new Shape(shape.n(), shape.c(), 1, s[0]);
            case 2 -> new Shape(shape.n(), shape.c(), s[0], s[1]);
            case 3 -> new Shape(shape.n(), shape.c(), s[0], s[1] * s[2]);
            default -> throw new IllegalArgumentException("spatial rank (" + s.length + ") must be 1, 2 or 3");
        };
    }

    /** Times, verifies and checksums every selected implementation on one block. */
    static BlockReport runBlock(BenchConfig config, boolean synthetic, BlockInput in, int partition, int attempt,
            String executorId, String host) {
        if (in.error() != null) {
            return new BlockReport(in.blockId(), in.source(), partition, attempt, executorId, host, null,
                    0, 0, 0, 0, 0, null, List.of(), in.error());
        }
        TensorShape logical = synthetic ? config.shape().withLayout(Layout.CHANNELS_FIRST)
                : TensorShape.of(in.tensor().shape());
        Block block;
        try {
            block = Block.of(config, in.blockId(), new FloatTensor(logical, in.tensor().data()));
        } catch (IllegalArgumentException e) {
            return new BlockReport(in.blockId(), in.source(), partition, attempt, executorId, host, shapeText(logical),
                    0, 0, 0, 0, 0, null, List.of(), e.getMessage());
        }

        // The reference's results: from its own timed run when selected, else from one untimed call.
        List<String> names = new ArrayList<>(config.implementations());
        PoolKernel reference = PoolKernels.reference();
        boolean referenceTimed = names.remove(reference.name());
        Buffers ref = new Buffers(block);
        List<ImplTiming> timings = new ArrayList<>();
        Runnable refPass = pass(config, reference, block, ref);
        if (referenceTimed) {
            timings.add(new ImplTiming(reference.name(), timeLoop(refPass, config), true, true, null));
        } else {
            refPass.run();
        }
        Buffers buf = names.isEmpty() ? null : new Buffers(block);
        for (String name : names) {
            long nanos = timeLoop(pass(config, PoolKernels.byName(name), block, buf), config);
            String fwd = Verify.forward(config.spec().op(), ref, buf);
            String bwd = Verify.backward(config.spec().op(), ref, buf);
            String mismatch = fwd != null ? "forward " + fwd + (bwd != null ? "; backward " + bwd : "")
                    : bwd != null ? "backward " + bwd : null;
            timings.add(new ImplTiming(name, nanos, fwd == null, bwd == null, mismatch));
        }
        // Report in the order the user asked for.
        timings.sort(java.util.Comparator.comparingInt(t -> config.implementations().indexOf(t.name())));

        TensorShape inShape = block.x.shape();
        long bytesIn = (long) inShape.size() * config.dtype().bytes();
        long copyNanos = timeCopy(block.values(), config.copyReps());
        return new BlockReport(in.blockId(), in.source(), partition, attempt, executorId, host, shapeText(logical),
                config.iterations(), bytesPerIteration(config.spec().op(), config.dtype(), inShape, block.out),
                copyNanos, config.copyReps(), 2 * bytesIn, checksum(block, ref), timings, null);
    }

    /**
     * Bytes one forward+backward must move: forward reads x and writes y, backward reads dy and
     * writes dx, each once; int32 indices are written by forward and read by backward (max,
     * adaptive max) or read by both (unpool); lp's backward reads x again.
     */
    static long bytesPerIteration(PoolOp op, Dtype dtype, TensorShape in, TensorShape out) {
        long x = (long) in.size() * dtype.bytes();
        long y = (long) out.size() * dtype.bytes();
        long extra = switch (op) {
            case MAX, ADAPTIVE_MAX -> 2L * Integer.BYTES * out.size();
            case UNPOOL -> 2L * Integer.BYTES * in.size();
            case LP -> x;
            case AVG, ADAPTIVE_AVG -> 0;
        };
        return 2 * x + 2 * y + extra;
    }

    /** {@code NxCx[D x]HxW}: a block's shape channels-first, whatever the layout the kernels run. */
    static String shapeText(TensorShape shape) {
        StringBuilder b = new StringBuilder().append(shape.n()).append('x').append(shape.c());
        for (int d : shape.spatial()) {
            b.append('x').append(d);
        }
        return b.toString();
    }

    private static long timeLoop(Runnable pass, BenchConfig config) {
        for (int i = 0; i < config.warmup(); i++) {
            pass.run();
        }
        long start = System.nanoTime();
        for (int i = 0; i < config.iterations(); i++) {
            pass.run();
        }
        return System.nanoTime() - start;
    }

    /**
     * One forward+backward of {@code k} on the block into {@code b}. A run the job made before the
     * family existed ({@link BenchConfig#planarSpec}) calls the 2-D API as it did then.
     */
    static Runnable pass(BenchConfig config, PoolKernel k, Block block, Buffers b) {
        PoolSpec planar = config.planarSpec();
        if (planar != null) {
            Tensor x = ((FloatTensor) block.x).toTensor();
            Shape s = x.shape();
            float[] dy = ((FloatTensor) block.gradOutput).data();
            float[] y = ((FloatTensor) b.output).data();
            float[] dx = ((FloatTensor) b.gradInput).data();
            int[] indices = b.indices;
            return () -> {
                k.forward(planar, x, y, indices);
                k.backward(planar, s, dy, indices, dx);
            };
        }
        NdPoolSpec spec = config.spec();
        int[] indices = b.indices;
        return switch (block.x.dtype()) {
            case FLOAT32 -> {
                FloatTensor x = (FloatTensor) block.x;
                float[] dy = ((FloatTensor) block.gradOutput).data();
                float[] y = ((FloatTensor) b.output).data();
                float[] dx = ((FloatTensor) b.gradInput).data();
                yield () -> {
                    k.forward(spec, x, y, indices);
                    k.backward(spec, x, dy, indices, dx);
                };
            }
            case FLOAT64 -> {
                DoubleTensor x = (DoubleTensor) block.x;
                double[] dy = ((DoubleTensor) block.gradOutput).data();
                double[] y = ((DoubleTensor) b.output).data();
                double[] dx = ((DoubleTensor) b.gradInput).data();
                yield () -> {
                    k.forward(spec, x, y, indices);
                    k.backward(spec, x, dy, indices, dx);
                };
            }
        };
    }

    /** The bound: a plain copy of the block's values (a float[] or double[]), warm, averaged over {@code reps}. */
    static long timeCopy(Object values, int reps) {
        int length = Array.getLength(values);
        Object dst = Array.newInstance(values.getClass().getComponentType(), length);
        for (int i = 0; i < 3; i++) {
            System.arraycopy(values, 0, dst, 0, length);
        }
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            System.arraycopy(values, 0, dst, 0, length);
        }
        long nanos = System.nanoTime() - start;
        if (!Array.get(dst, length - 1).equals(Array.get(values, length - 1))) {
            throw new AssertionError("copy lost data"); // also keeps the copies from being optimised away
        }
        return nanos;
    }

    /**
     * CRC32 of the raw little-endian bits of the reference's output, indices (written or, for
     * unpool, read) and input gradient, in that order, each channels-first: the same numbers give
     * the same checksum in either layout.
     */
    static String checksum(Block block, Buffers b) {
        CRC32 crc = new CRC32();
        crc.update(littleEndian(b.output.toLayout(Layout.CHANNELS_FIRST)));
        if (b.indices != null) {
            TensorShape of = switch (block.op.indices()) {
                case WRITTEN -> block.out;
                case READ -> block.x.shape();
                case NONE -> throw new IllegalStateException(block.op.label() + " has no indices");
            };
            int[] v = new IndexTensor(of, b.indices).toLayout(Layout.CHANNELS_FIRST).data();
            ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            bb.asIntBuffer().put(v);
            crc.update(bb);
        }
        crc.update(littleEndian(b.gradInput.toLayout(Layout.CHANNELS_FIRST)));
        return String.format("%08x", crc.getValue());
    }

    private static ByteBuffer littleEndian(NdTensor t) {
        if (t instanceof FloatTensor f) {
            float[] v = f.data();
            ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < v.length; i++) {
                bb.putInt(4 * i, Float.floatToRawIntBits(v[i]));
            }
            return bb;
        }
        double[] v = ((DoubleTensor) t).data();
        ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < v.length; i++) {
            bb.putLong(8 * i, Double.doubleToRawLongBits(v[i]));
        }
        return bb;
    }

    /**
     * One block as the kernels take it, in the run's layout and dtype: the input, the output's
     * shape, the gradient fed to backward, and unpool's indices (null for the other ops).
     */
    static final class Block {
        final PoolOp op;
        final NdTensor x;
        final TensorShape out;
        final NdTensor gradOutput;
        final int[] unpoolIndices;

        private Block(PoolOp op, NdTensor x, TensorShape out, NdTensor gradOutput, int[] unpoolIndices) {
            this.op = op;
            this.x = x;
            this.out = out;
            this.gradOutput = gradOutput;
            this.unpoolIndices = unpoolIndices;
        }

        /**
         * From a block's float32 values channels-first; the gradient comes from the block's second
         * stream ({@link SyntheticBlocks#gradOutput}), unpool's indices from a third, uniform over
         * the output's volume. float64 runs take the same float32 values, widened.
         *
         * @throws IllegalArgumentException when the op does not fit the block (rank, size)
         */
        static Block of(BenchConfig config, long blockId, FloatTensor values) {
            NdPoolSpec spec = config.spec();
            Layout layout = config.layout();
            NdPoolGeometry g = NdPoolGeometry.of(spec, values.shape());
            TensorShape out = g.output();
            float[] dy = SyntheticBlocks.gradOutput(config.seed(), blockId, out.size());
            int[] unpool = switch (spec.op().indices()) {
                case READ -> {
                    int volume = out.volume();
                    // The golden ratio's odd multiplier spreads neighbouring block ids over the seed space.
                    SplittableRandom r = new SplittableRandom(config.seed() ^ (blockId ^ INDEX_SALT) * 0x9e3779b97f4a7c15L);
                    int[] v = new int[values.shape().size()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = r.nextInt(volume);
                    }
                    yield new IndexTensor(values.shape(), v).toLayout(layout).data();
                }
                case WRITTEN, NONE -> null;
            };
            return new Block(spec.op(), as(values, config.dtype()).toLayout(layout), out.withLayout(layout),
                    as(new FloatTensor(out, dy), config.dtype()).toLayout(layout), unpool);
        }

        /** The input's array, float[] or double[]. */
        Object values() {
            return x instanceof FloatTensor f ? f.data() : ((DoubleTensor) x).data();
        }

        private static NdTensor as(FloatTensor t, Dtype dtype) {
            return switch (dtype) {
                case FLOAT32 -> t;
                case FLOAT64 -> {
                    float[] f = t.data();
                    double[] d = new double[f.length];
                    for (int i = 0; i < f.length; i++) {
                        d[i] = f[i];
                    }
                    yield new DoubleTensor(t.shape(), d);
                }
            };
        }
    }

    /**
     * Output, indices and input gradient of one implementation, reused across iterations. Indices
     * are the forward's own for max and adaptive max, the block's (read only) for unpool, else null.
     */
    static final class Buffers {
        final NdTensor output;
        final int[] indices;
        final NdTensor gradInput;

        Buffers(Block block) {
            output = NdTensor.zeros(block.out, block.x.dtype());
            indices = switch (block.op.indices()) {
                case WRITTEN -> new int[block.out.size()];
                case READ -> block.unpoolIndices;
                case NONE -> null;
            };
            gradInput = NdTensor.zeros(block.x.shape(), block.x.dtype());
        }
    }
}
