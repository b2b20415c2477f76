package org.sparkpooling.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.zip.CRC32;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.spark.BlockInput;
import org.sparkpooling.spark.SyntheticBlocks;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The executor side of the bench job: turns a partition's blocks into reports, one block at a
 * time. The returned iterator is lazy, so a partition holds one block (and its buffers) at a
 * time however many it has: memory is bounded by the block size, not the partition size.
 */
public final class PartitionRunner implements FlatMapFunction<Iterator<BlockInput>, BlockReport> {

    private final BenchConfig config;

    public PartitionRunner(BenchConfig config) {
        this.config = config;
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
                BlockReport report = runBlock(config, blocks.next(), partition, attempt, executorId, host);
                if (failThisAttempt && ++done == 1) {
                    // After real work, so the retry has to redo it and this attempt's result must vanish.
                    throw new IllegalStateException("injected failure (spark.pooling.test.failPartition="
                            + partition + ") in attempt " + attempt);
                }
                return report;
            }
        };
    }

    /** Times, verifies and checksums every selected implementation on one block. */
    static BlockReport runBlock(BenchConfig config, BlockInput in, int partition, int attempt,
            String executorId, String host) {
        if (in.error() != null) {
            return new BlockReport(in.blockId(), in.source(), partition, attempt, executorId, host, null,
                    0, 0, 0, 0, 0, null, List.of(), in.error());
        }
        Tensor x = in.tensor();
        Shape shape = x.shape();
        PoolSpec spec = config.spec();
        Shape outShape;
        try {
            outShape = spec.geometry(shape.h(), shape.w()).outputShape(shape);
        } catch (IllegalArgumentException e) {
            return new BlockReport(in.blockId(), in.source(), partition, attempt, executorId, host, shape.toString(),
                    0, 0, 0, 0, 0, null, List.of(), e.getMessage());
        }
        boolean max = switch (spec.mode()) { // max has indices to keep between forward and backward
            case MAX -> true;
            case AVG -> false;
        };
        float[] gradOutput = SyntheticBlocks.gradOutput(config.seed(), in.blockId(), outShape.size());

        // The reference's results: from its own timed run when selected, else from one untimed call.
        List<String> names = new ArrayList<>(config.implementations());
        boolean referenceTimed = names.remove(PoolKernels.reference().name());
        Buffers ref = new Buffers(shape, outShape, max);
        List<ImplTiming> timings = new ArrayList<>();
        if (referenceTimed) {
            long nanos = timeLoop(PoolKernels.reference(), spec, x, gradOutput, ref, config);
            timings.add(new ImplTiming(PoolKernels.reference().name(), nanos, true, true, null));
        } else {
            runOnce(PoolKernels.reference(), spec, x, gradOutput, ref);
        }
        Buffers buf = names.isEmpty() ? null : new Buffers(shape, outShape, max);
        for (String name : names) {
            PoolKernel kernel = PoolKernels.byName(name);
            long nanos = timeLoop(kernel, spec, x, gradOutput, buf, config);
            String fwd = max ? Verify.bitEqual("output", ref.output, buf.output) : Verify.close("output", ref.output, buf.output);
            if (fwd == null && max) {
                fwd = Verify.equal("indices", ref.indices, buf.indices);
            }
            String bwd = max ? Verify.bitEqual("gradInput", ref.gradInput, buf.gradInput)
                    : Verify.close("gradInput", ref.gradInput, buf.gradInput);
            String mismatch = fwd != null ? "forward " + fwd + (bwd != null ? "; backward " + bwd : "")
                    : bwd != null ? "backward " + bwd : null;
            timings.add(new ImplTiming(name, nanos, fwd == null, bwd == null, mismatch));
        }
        // Report in the order the user asked for.
        timings.sort(java.util.Comparator.comparingInt(t -> config.implementations().indexOf(t.name())));

        long bytesIn = shape.bytes();
        long bytesOut = outShape.bytes();
        // forward reads x, writes y (+ indices); backward reads dy (+ indices), writes dx
        long bytesPerIteration = 2 * bytesIn + 2 * bytesOut + (max ? 2 * bytesOut : 0);
        long copyNanos = timeCopy(x.data(), config.copyReps());
        return new BlockReport(in.blockId(), in.source(), partition, attempt, executorId, host, shape.toString(),
                config.iterations(), bytesPerIteration, copyNanos, config.copyReps(), 2 * bytesIn,
                checksum(ref), timings, null);
    }

    private static long timeLoop(PoolKernel k, PoolSpec spec, Tensor x, float[] dy, Buffers b, BenchConfig config) {
        Shape s = x.shape();
        for (int i = 0; i < config.warmup(); i++) {
            k.forward(spec, x, b.output, b.indices);
            k.backward(spec, s, dy, b.indices, b.gradInput);
        }
        long start = System.nanoTime();
        for (int i = 0; i < config.iterations(); i++) {
            k.forward(spec, x, b.output, b.indices);
            k.backward(spec, s, dy, b.indices, b.gradInput);
        }
        return System.nanoTime() - start;
    }

    private static void runOnce(PoolKernel k, PoolSpec spec, Tensor x, float[] dy, Buffers b) {
        k.forward(spec, x, b.output, b.indices);
        k.backward(spec, x.shape(), dy, b.indices, b.gradInput);
    }

    /** The bound: a plain copy of the block's floats, warm, averaged over {@code reps}. */
    static long timeCopy(float[] x, int reps) {
        float[] dst = new float[x.length];
        for (int i = 0; i < 3; i++) {
            System.arraycopy(x, 0, dst, 0, x.length);
        }
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            System.arraycopy(x, 0, dst, 0, x.length);
        }
        long nanos = System.nanoTime() - start;
        if (Float.floatToRawIntBits(dst[dst.length - 1]) != Float.floatToRawIntBits(x[x.length - 1])) {
            throw new AssertionError("copy lost data"); // also keeps the copies from being optimised away
        }
        return nanos;
    }

    /** CRC32 of the raw little-endian bits of output, indices and input gradient, in that order. */
    static String checksum(Buffers b) {
        CRC32 crc = new CRC32();
        crc.update(littleEndian(b.output));
        if (b.indices != null) {
            ByteBuffer bb = ByteBuffer.allocate(4 * b.indices.length).order(ByteOrder.LITTLE_ENDIAN);
            bb.asIntBuffer().put(b.indices);
            crc.update(bb);
        }
        crc.update(littleEndian(b.gradInput));
        return String.format("%08x", crc.getValue());
    }

    private static ByteBuffer littleEndian(float[] values) {
        ByteBuffer bb = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < values.length; i++) {
            bb.putInt(4 * i, Float.floatToRawIntBits(values[i]));
        }
        return bb;
    }

    /** Output, indices (max only) and input gradient of one implementation, reused across iterations. */
    static final class Buffers {
        final float[] output;
        final int[] indices;
        final float[] gradInput;

        Buffers(Shape in, Shape out, boolean max) {
            output = new float[out.size()];
            indices = max ? new int[out.size()] : null;
            gradInput = new float[in.size()];
        }
    }
}
