package org.sparkpooling.spark.sql;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.unsafe.Platform;
import org.sparkpooling.pool.PoolGeometry;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Pools one struct value after another for one {@link PoolCall} on one {@link PoolColumn}: checks
 * the row, turns its bytes into the kernel's NCHW floats, runs the kernel once, and writes the
 * pooled struct. Not thread-safe: each task thread gets its own (see {@link PoolExpression}), and
 * the float buffers are kept from one row to the next when the sizes repeat (a tensor dataset's
 * blocks, an image's bands, photos of one camera).
 *
 * <p>Integer samples (images, 8- and 16-bit levels) are pooled as floats, exactly: a max is one of
 * the samples, and an average is the kernel's mean rounded half to even and clamped to the depth's
 * range, as the downsample pipeline stores its levels.
 */
final class RowPooler {

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final PoolCall call;
    private final PoolSpec spec;
    private final PoolColumn column;
    private final PoolKernel kernel;
    private final boolean max;

    /** Input floats per band of an image: 256 KiB, so a band's planes, output and bytes fit a 1 MiB L2. */
    static final int BAND_FLOATS = 1 << 16;

    /** Apart, so an input and an output of one size (a 1x1 kernel) are never one array. */
    private final Buffers inputs = new Buffers();
    private final Buffers outputs = new Buffers();

    RowPooler(PoolCall call, PoolColumn column) {
        this.call = call;
        this.spec = call.spec();
        this.column = column;
        this.kernel = PoolKernels.byName(call.implementation());
        this.max = switch (spec.mode()) {
            case MAX -> true;
            case AVG -> false;
        };
    }

    /** A row that cannot be pooled; the message says why, naming the value. No stack trace: try_ makes many. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /** The pooled struct of {@code struct} (or {@code struct<output, indices>}). */
    InternalRow pool(InternalRow struct) throws Malformed {
        return switch (column.kind()) {
            case TENSOR -> poolTensor(struct);
            case IMAGE -> poolImage(struct);
            case LEVEL -> poolLevel(struct);
        };
    }

    /** The value of the field that names the row in messages ({@code blockId}, {@code origin}, {@code path}), or null. */
    String label(InternalRow struct) {
        int at = column.label();
        if (at < 0 || struct.isNullAt(at)) {
            return null;
        }
        StructField f = column.type().fields()[at];
        Object v = struct.get(at, f.dataType());
        return f.name() + " " + v;
    }

    // ---- tensors: n, c, h, w, data (little-endian float32, NCHW)

    private InternalRow poolTensor(InternalRow struct) throws Malformed {
        int n = intField(struct, 0);
        int c = intField(struct, 1);
        int h = intField(struct, 2);
        int w = intField(struct, 3);
        Shape shape = shape(n, c, h, w, "n x c x h x w");
        PoolGeometry g = geometry(h, w, "h x w");
        int data = column.ordinal(4);
        if (struct.isNullAt(data)) {
            throw new Malformed("data is null");
        }
        Shape out = g.outputShape(shape);
        float[] x = inputs.floats(shape.size());
        readFloats(struct, data, shape, x);
        float[] y = outputs.floats(out.size());
        int[] ind = max && call.withIndices() ? outputs.ints(out.size()) : null;
        kernel.forward(spec, new Tensor(shape, x), y, ind);
        byte[] bytes = new byte[4 * out.size()];
        writeFloats(y, bytes);
        return result(struct, out.h(), out.w(), bytes, ind);
    }

    /** The struct's little-endian floats into {@code x}, straight from an UnsafeRow's memory when it is one. */
    private static void readFloats(InternalRow struct, int ordinal, Shape shape, float[] x) throws Malformed {
        long expected = shape.bytes();
        if (LITTLE_ENDIAN && struct instanceof UnsafeRow u) {
            long offsetAndSize = u.getLong(ordinal);
            int offset = (int) (offsetAndSize >> 32);
            int size = (int) offsetAndSize;
            requireBytes(size, expected, shape);
            Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + offset, x, Platform.FLOAT_ARRAY_OFFSET, size);
            return;
        }
        byte[] b = struct.getBinary(ordinal);
        requireBytes(b.length, expected, shape);
        if (LITTLE_ENDIAN) {
            Platform.copyMemory(b, Platform.BYTE_ARRAY_OFFSET, x, Platform.FLOAT_ARRAY_OFFSET, b.length);
        } else {
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x);
        }
    }

    private static void requireBytes(long size, long expected, Shape shape) throws Malformed {
        if (size != expected) {
            throw new Malformed("data has " + size + " bytes, but n x c x h x w = " + shape + " float32 needs "
                    + expected);
        }
    }

    private static void writeFloats(float[] y, byte[] bytes) {
        if (LITTLE_ENDIAN) {
            Platform.copyMemory(y, Platform.FLOAT_ARRAY_OFFSET, bytes, Platform.BYTE_ARRAY_OFFSET, bytes.length);
        } else {
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(y, 0, bytes.length / 4);
        }
    }

    // ---- Spark's images: height, width, nChannels, mode, data (interleaved BGR(A) bytes)

    private InternalRow poolImage(InternalRow struct) throws Malformed {
        int h = intField(struct, 0);
        int w = intField(struct, 1);
        int channels = intField(struct, 2);
        int mode = intField(struct, 3);
        int data = column.ordinal(4);
        if (h == -1 && w == -1 && channels == -1 && mode == -1) {
            throw new Malformed("it is the image source's invalid-image row (height, width, nChannels and mode"
                    + " -1): Spark could not decode the file");
        }
        int expectedChannels = switch (mode) {
            case PoolColumn.CV_8UC1 -> 1;
            case PoolColumn.CV_8UC3 -> 3;
            case PoolColumn.CV_8UC4 -> 4;
            default -> throw new Malformed("mode (" + mode + ") must be an 8-bit OpenCV type: CV_8UC1 ("
                    + PoolColumn.CV_8UC1 + "), CV_8UC3 (" + PoolColumn.CV_8UC3 + ") or CV_8UC4 (" + PoolColumn.CV_8UC4
                    + ")");
        };
        if (channels != expectedChannels) {
            throw new Malformed("nChannels (" + channels + ") does not match mode " + mode + " (" + expectedChannels
                    + " channels)");
        }
        return poolInterleaved(struct, h, w, channels, 8, data, "data", "nChannels");
    }

    // ---- downsample levels: height, width, channels, bitDepth, pixels (interleaved, 8/16-bit LE or float32 LE)

    private InternalRow poolLevel(InternalRow struct) throws Malformed {
        int h = intField(struct, 0);
        int w = intField(struct, 1);
        int channels = intField(struct, 2);
        int depth = intField(struct, 3);
        if (depth != 8 && depth != 16 && depth != 32) {
            throw new Malformed("bitDepth (" + depth + ") must be 8, 16 or 32");
        }
        return poolInterleaved(struct, h, w, channels, depth, column.ordinal(4), "pixels", "channels");
    }

    /**
     * Interleaved samples (HWC) of 8, 16 or 32 (float) bits in, the same layout out. With no vertical
     * padding the image goes through the kernel in bands of whole windows, each band's planes small
     * enough to stay in the core's cache between the conversion and the kernel: a photo's float
     * planes are four times its bytes, and writing them all to memory and reading them back cost
     * more than the pooling. Each band is a tensor of its own rows; its windows are the whole
     * image's (same rows, same edge rule: no padding, the last band ends where the image does), so
     * the results are the whole-image call's. With vertical padding, one band: the whole image.
     */
    private InternalRow poolInterleaved(InternalRow struct, int h, int w, int channels, int depth, int data,
            String dataName, String channelsName) throws Malformed {
        Shape shape = shape(1, channels, h, w, "1 x " + channelsName + " x height x width");
        PoolGeometry g = geometry(h, w, "height x width");
        if (struct.isNullAt(data)) {
            throw new Malformed(dataName + " is null");
        }
        int bytesPerSample = depth / 8;
        long expected = (long) bytesPerSample * shape.size();
        Object base;
        long offset;
        long length;
        if (struct instanceof UnsafeRow u) {
            long offsetAndSize = u.getLong(data);
            base = u.getBaseObject();
            offset = u.getBaseOffset() + (int) (offsetAndSize >> 32);
            length = (int) offsetAndSize;
        } else {
            byte[] b = struct.getBinary(data);
            base = b;
            offset = Platform.BYTE_ARRAY_OFFSET;
            length = b.length;
        }
        if (length != expected) {
            throw new Malformed(dataName + " has " + length + " bytes, but height x width x " + channelsName
                    + " = " + h + "x" + w + "x" + channels + (depth == 32 ? " float32" : " " + depth + "-bit")
                    + " samples need " + expected);
        }
        int outH = g.outH();
        int outW = g.outW();
        int rowBytes = w * channels * bytesPerSample;
        int outPlane = outH * outW;
        byte[] pooled = new byte[bytesPerSample * channels * outPlane];
        boolean withIndices = max && call.withIndices();
        int[] pooledIndices = withIndices ? new int[channels * outPlane] : null;
        boolean round = !max && depth != 32;
        int strideH = spec.strideH();
        int bandOut = spec.padH() > 0 ? outH
                : (int) Math.max(1, Math.min(outH, BAND_FLOATS / ((long) channels * w * strideH)));
        for (int o0 = 0; o0 < outH; o0 += bandOut) {
            int o1 = Math.min(outH, o0 + bandOut);
            int r0 = spec.padH() > 0 ? 0 : o0 * strideH;
            int r1 = spec.padH() > 0 ? h : (int) Math.min(h, (long) (o1 - 1) * strideH + spec.effectiveKernelH());
            int rows = r1 - r0;
            byte[] src;
            int srcOffset;
            if (base instanceof byte[] b) { // a byte[] row or an on-heap UnsafeRow: read it where it is
                src = b;
                srcOffset = (int) (offset - Platform.BYTE_ARRAY_OFFSET) + r0 * rowBytes;
            } else { // off-heap: the band's bytes into a buffer first
                src = inputs.bytes(rows * rowBytes);
                srcOffset = 0;
                Platform.copyMemory(base, offset + (long) r0 * rowBytes, src, Platform.BYTE_ARRAY_OFFSET,
                        (long) rows * rowBytes);
            }
            Shape band = new Shape(1, channels, rows, w);
            float[] x = inputs.floats(band.size());
            Interleaved.toPlanes(src, srcOffset, depth, channels, rows * w, x);
            int bandPlane = (o1 - o0) * outW;
            float[] y = outputs.floats(channels * bandPlane);
            int[] ind = withIndices ? outputs.ints(channels * bandPlane) : null;
            kernel.forward(spec, new Tensor(band, x), y, ind);
            Interleaved.fromPlanes(y, depth, channels, bandPlane, round, pooled,
                    o0 * outW * channels * bytesPerSample);
            if (ind != null) {
                Interleaved.interleave(ind, channels, bandPlane, r0 * w, pooledIndices, o0 * outW * channels);
            }
        }
        return result(struct, outH, outW, pooled, pooledIndices);
    }

    // ---- shared

    /** The input struct with its height, width and data replaced; wrapped with the indices when asked. */
    private InternalRow result(InternalRow struct, int outH, int outW, byte[] data, int[] ind) {
        StructField[] fields = column.type().fields();
        Object[] values = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            values[i] = struct.isNullAt(i) ? null : struct.get(i, fields[i].dataType());
        }
        int hAt = column.kind() == PoolColumn.Kind.TENSOR ? 2 : 0;
        values[column.ordinal(hAt)] = outH;
        values[column.ordinal(hAt + 1)] = outW;
        values[column.ordinal(4)] = data;
        GenericInternalRow pooled = new GenericInternalRow(values);
        if (!call.withIndices()) {
            return pooled;
        }
        byte[] indexBytes = new byte[4 * ind.length];
        if (LITTLE_ENDIAN) {
            Platform.copyMemory(ind, Platform.INT_ARRAY_OFFSET, indexBytes, Platform.BYTE_ARRAY_OFFSET, indexBytes.length);
        } else {
            ByteBuffer.wrap(indexBytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(ind);
        }
        return new GenericInternalRow(new Object[] {pooled, indexBytes});
    }

    private int intField(InternalRow struct, int i) throws Malformed {
        int at = column.ordinal(i);
        if (struct.isNullAt(at)) {
            throw new Malformed(column.type().fields()[at].name() + " is null");
        }
        return struct.getInt(at);
    }

    private static Shape shape(int n, int c, int h, int w, String dims) throws Malformed {
        try {
            return new Shape(n, c, h, w);
        } catch (IllegalArgumentException e) {
            throw new Malformed(dims + " = " + n + "x" + c + "x" + h + "x" + w + " is no tensor shape: " + e.getMessage());
        }
    }

    private PoolGeometry geometry(int h, int w, String dims) throws Malformed {
        try {
            return spec.geometry(h, w);
        } catch (IllegalArgumentException e) {
            throw new Malformed(dims + " = " + h + "x" + w + " is too small for " + spec);
        }
    }

}
