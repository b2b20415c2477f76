package org.sparkpooling.spark.sql;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.unsafe.Platform;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.ImagePooling;
import org.sparkpooling.pool.NdPoolGeometry;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolKernel;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.pool.PoolOp;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.FloatTensor;
import org.sparkpooling.tensor.IntImage;
import org.sparkpooling.tensor.TensorShape;

/**
 * Pools one struct value after another for one {@link PoolCall} on one {@link PoolColumn}: checks
 * the row, hands its samples to the pooling code once, and writes the pooled struct. Not
 * thread-safe: each task thread gets its own (see {@link PoolExpression}); the float buffers are
 * kept from one row to the next when the sizes repeat (a tensor dataset's blocks, an image's bands,
 * photos of one camera).
 *
 * <p>Images and integer levels: a window's max is one of its samples; a mean (avg, adaptive avg) is
 * the exact mean rounded half to even, as the downsample pipeline stores its levels. The
 * pipeline's own case ({@code f x f} windows, stride {@code f}, no padding: floor mode is its trim
 * edge, ceil mode its partial edge) goes straight to {@link ImagePooling} on the interleaved
 * integers; every other spec through the float kernel, averages as exact float sums of the integer
 * samples (a divisor override of 1) divided in integers, so a mean that lies on a half is rounded
 * to even whatever the divisor. lp gives the kernel's float, rounded half to even. Every result is
 * clamped to the depth's range (a divisor override can push a mean out of it).
 */
final class RowPooler {

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** Input floats per band of an image: 256 KiB, so a band's planes, output and bytes fit a 1 MiB L2. */
    static final int BAND_FLOATS = 1 << 16;

    private static final String[][] TENSOR_DIMS = {{"l"}, {"h", "w"}, {"d", "h", "w"}};

    private final PoolCall call;
    private final NdPoolSpec spec;
    private final PoolOp op;
    private final PoolColumn column;
    private final PoolKernel kernel;
    /** The pipeline's case, pooled by {@link ImagePooling}: its mode, or null. */
    private final DownsampleMode downsample;
    /** avg of integer samples: the same windows summed (divisor override 1), divided exactly afterwards. */
    private final NdPoolSpec sums;
    /** avg in the 2-D API, for the divisor of each window ({@link org.sparkpooling.pool.PoolGeometry#avgDivisor}). */
    private final PoolSpec avg2d;

    /** Apart, so an input and an output of one size (a 1x1 kernel) are never one array. */
    private final Buffers inputs = new Buffers();
    private final Buffers outputs = new Buffers();

    RowPooler(PoolCall call, PoolColumn column) {
        this.call = call;
        this.spec = call.spec();
        this.op = spec.op();
        this.column = column;
        this.kernel = PoolKernels.byName(call.implementation());
        this.downsample = downsampleMode(spec, call.withIndices());
        if (op == PoolOp.AVG && spec.dims() == 2) {
            int[] k = spec.kernel();
            int[] s = spec.stride();
            int[] p = spec.padding();
            this.avg2d = PoolSpec.avg(k[0], k[1]).stride(s[0], s[1]).padding(p[0], p[1]).ceilMode(spec.ceilMode())
                    .countIncludePad(spec.countIncludePad()).divisorOverride(spec.divisorOverride()).build();
            this.sums = new NdPoolSpec(PoolOp.AVG, k, s, p, spec.dilation(), spec.ceilMode(), spec.countIncludePad(), 1,
                    null, null);
        } else {
            this.avg2d = null;
            this.sums = null;
        }
    }

    /** The pipeline's own downsampling step, or null: square windows as wide as their stride, nothing else. */
    private static DownsampleMode downsampleMode(NdPoolSpec spec, boolean withIndices) {
        if (spec.dims() != 2 || withIndices || !spec.op().windowed()) {
            return null;
        }
        int[] k = spec.kernel();
        int[] s = spec.stride();
        int[] p = spec.padding();
        int[] d = spec.dilation();
        boolean square = k[0] >= 2 && k[0] == k[1] && s[0] == k[0] && s[1] == k[0] && p[0] == 0 && p[1] == 0
                && d[0] == 1 && d[1] == 1;
        return switch (spec.op()) {
            case MAX -> square ? DownsampleMode.MAX : null;
            case AVG -> square && spec.divisorOverride() == null ? DownsampleMode.AVG : null;
            case LP, ADAPTIVE_MAX, ADAPTIVE_AVG, UNPOOL -> null;
        };
    }

    /** A row that cannot be pooled; the message says why, naming the value. No stack trace: try_ makes many. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The pooled struct of {@code struct} (or {@code struct<output, indices>}).
     *
     * @param unpoolIndices unpool's input indices (little-endian int32, one per input element), else null
     */
    InternalRow pool(InternalRow struct, byte[] unpoolIndices) throws Malformed {
        return switch (column.kind()) {
            case TENSOR -> poolTensor(struct, unpoolIndices);
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

    // ---- tensors: n, c, spatial sizes, data (little-endian float32, channels-first)

    private InternalRow poolTensor(InternalRow struct, byte[] unpoolIndices) throws Malformed {
        int rank = column.rank();
        int n = intField(struct, 0);
        int c = intField(struct, 1);
        int[] spatial = new int[rank];
        for (int a = 0; a < rank; a++) {
            spatial[a] = intField(struct, 2 + a);
        }
        String dims = "n x c x " + String.join(" x ", TENSOR_DIMS[rank - 1]);
        TensorShape shape;
        try {
            shape = TensorShape.channelsFirst(n, c, spatial);
        } catch (IllegalArgumentException e) {
            throw new Malformed(dims + " = " + n + "x" + c + "x" + join(spatial) + " is no tensor shape: "
                    + e.getMessage());
        }
        NdPoolGeometry g;
        try {
            g = NdPoolGeometry.of(spec, shape);
        } catch (IllegalArgumentException e) {
            throw new Malformed(String.join(" x ", TENSOR_DIMS[rank - 1]) + " = " + join(spatial)
                    + " is too small for " + spec);
        }
        if (struct.isNullAt(column.data())) {
            throw new Malformed("data is null");
        }
        TensorShape out = g.output();
        float[] x = inputs.floats(shape.size());
        readFloats(struct, column.data(), shape, dims, x);
        float[] y = outputs.floats(out.size());
        int[] ind = switch (op.indices()) {
            case WRITTEN -> call.withIndices() ? outputs.ints(out.size()) : null;
            case READ -> readIndices(unpoolIndices, shape.size());
            case NONE -> null;
        };
        try {
            kernel.forward(spec, new FloatTensor(shape, x), y, ind);
        } catch (IllegalArgumentException e) {
            if (op.indices() == PoolOp.Indices.READ) {
                throw new Malformed("indices: " + e.getMessage()); // an index outside the unpooled volume
            }
            throw e;
        }
        byte[] bytes = new byte[4 * out.size()];
        writeFloats(y, bytes);
        int[] sizes = out.spatial();
        int[] replace = new int[rank];
        for (int a = 0; a < rank; a++) {
            replace[a] = column.intField(2 + a);
        }
        return result(struct, replace, sizes, bytes, op.indices() == PoolOp.Indices.WRITTEN ? ind : null);
    }

    private static int[] readIndices(byte[] bytes, int count) throws Malformed {
        if (bytes.length != 4L * count) {
            throw new Malformed("indices have " + bytes.length + " bytes, but the input's " + count
                    + " elements need " + 4L * count + " (one little-endian int32 each)");
        }
        int[] ind = new int[count];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(ind);
        return ind;
    }

    /** The struct's little-endian floats into {@code x}, straight from an UnsafeRow's memory when it is one. */
    private static void readFloats(InternalRow struct, int ordinal, TensorShape shape, String dims, float[] x)
            throws Malformed {
        long expected = 4L * shape.size();
        if (LITTLE_ENDIAN && struct instanceof UnsafeRow u) {
            long offsetAndSize = u.getLong(ordinal);
            int offset = (int) (offsetAndSize >> 32);
            int size = (int) offsetAndSize;
            requireBytes(size, expected, shape, dims);
            Platform.copyMemory(u.getBaseObject(), u.getBaseOffset() + offset, x, Platform.FLOAT_ARRAY_OFFSET, size);
            return;
        }
        byte[] b = struct.getBinary(ordinal);
        requireBytes(b.length, expected, shape, dims);
        if (LITTLE_ENDIAN) {
            Platform.copyMemory(b, Platform.BYTE_ARRAY_OFFSET, x, Platform.FLOAT_ARRAY_OFFSET, b.length);
        } else {
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x);
        }
    }

    private static void requireBytes(long size, long expected, TensorShape shape, String dims) throws Malformed {
        if (size != expected) {
            throw new Malformed("data has " + size + " bytes, but " + dims + " = " + shape.n() + "x" + shape.c() + "x"
                    + join(shape.spatial()) + " float32 needs " + expected);
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
        return poolInterleaved(struct, h, w, channels, 8, "data", "nChannels");
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
        return poolInterleaved(struct, h, w, channels, depth, "pixels", "channels");
    }

    /**
     * Interleaved samples (HWC) of 8, 16 or 32 (float) bits in, the same layout out. Through the float
     * kernel, a windowed op with no vertical padding goes in bands of whole windows, each band's
     * planes small enough to stay in the core's cache between the conversion and the kernel: a
     * photo's float planes are four times its bytes, and writing them all to memory and reading them
     * back cost more than the pooling. Each band is a tensor of its own rows whose windows are the
     * whole image's (same rows, same edge rule: no padding, the last band ends where the image
     * does), so the results are the whole-image call's. Otherwise one band: the whole image.
     */
    private InternalRow poolInterleaved(InternalRow struct, int h, int w, int channels, int depth, String dataName,
            String channelsName) throws Malformed {
        if (op == PoolOp.UNPOOL) {
            throw new Malformed(call.function() + " unpools tensor structs only, not " + column.describe() + "s");
        }
        TensorShape shape;
        try {
            shape = TensorShape.channelsFirst(1, channels, h, w);
        } catch (IllegalArgumentException e) {
            throw new Malformed("height x width x " + channelsName + " = " + h + "x" + w + "x" + channels
                    + " is no image shape: " + e.getMessage());
        }
        NdPoolGeometry g;
        try {
            g = NdPoolGeometry.of(spec, shape);
        } catch (IllegalArgumentException e) {
            throw new Malformed("height x width = " + h + "x" + w + " is too small for " + spec);
        }
        int data = column.data();
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
        int outH = g.output().spatial(0);
        int outW = g.output().spatial(1);
        int[] hw = {column.intField(0), column.intField(1)};
        if (downsample != null && depth != 32) {
            byte[] pooled = downsample(struct, base, offset, (int) length, h, w, channels, depth);
            return result(struct, hw, new int[] {outH, outW}, pooled, null);
        }
        if (depth != 32 && wideMeans(h, w, outH, outW, depth)) {
            byte[] pooled = wideMeans(base, offset, (int) length, h, w, channels, depth, outH, outW);
            return result(struct, hw, new int[] {outH, outW}, pooled, null);
        }
        int rowBytes = w * channels * bytesPerSample;
        int outPlane = outH * outW;
        byte[] pooled = new byte[bytesPerSample * channels * outPlane];
        boolean withIndices = call.withIndices();
        int[] pooledIndices = withIndices ? new int[channels * outPlane] : null;
        boolean integers = depth != 32;
        NdPoolSpec run = integers && sums != null ? sums : spec;
        boolean bands = op.windowed() && spec.padding()[0] == 0;
        int strideH = bands ? spec.stride()[0] : 1;
        int bandOut = !bands ? outH
                : (int) Math.max(1, Math.min(outH, BAND_FLOATS / ((long) channels * w * strideH)));
        for (int o0 = 0; o0 < outH; o0 += bandOut) {
            int o1 = Math.min(outH, o0 + bandOut);
            int r0 = bands ? o0 * strideH : 0;
            int r1 = bands ? (int) Math.min(h, (long) (o1 - 1) * strideH + effectiveKernelH()) : h;
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
            TensorShape band = TensorShape.channelsFirst(1, channels, rows, w);
            float[] x = inputs.floats(band.size());
            Interleaved.toPlanes(src, srcOffset, depth, channels, rows * w, x);
            int bandRows = o1 - o0;
            int bandPlane = bandRows * outW;
            float[] y = outputs.floats(channels * bandPlane);
            int[] ind = withIndices ? outputs.ints(channels * bandPlane) : null;
            kernel.forward(run, new FloatTensor(band, x), y, ind);
            if (integers) {
                toSamples(y, channels, bandRows, outW, rows, w, o0, h, depth);
            }
            Interleaved.fromPlanes(y, depth, channels, bandPlane, pooled, o0 * outW * channels * bytesPerSample);
            if (ind != null) {
                Interleaved.interleave(ind, channels, bandPlane, r0 * w, pooledIndices, o0 * outW * channels);
            }
        }
        return result(struct, hw, new int[] {outH, outW}, pooled, pooledIndices);
    }

    /** 2^24: below it every float sum of integers is exact, whatever the order. */
    private static final long FLOAT_EXACT = 1L << 24;

    /**
     * Whether a mean's window may sum past what a float holds exactly: avg windows of more than
     * 65,793 8-bit or 256 16-bit samples, or adaptive bins that large (a global average of a photo).
     */
    private boolean wideMeans(int h, int w, int outH, int outW, int depth) {
        long largest = switch (op) {
            case AVG -> (long) spec.kernel()[0] * spec.kernel()[1];
            case ADAPTIVE_AVG -> ((long) h / outH + 2) * ((long) w / outW + 2); // a bin spans at most ceil(in/out) + 1
            case MAX, LP, ADAPTIVE_MAX, UNPOOL -> 0;
        };
        return largest * ((1L << depth) - 1) >= FLOAT_EXACT;
    }

    /**
     * Means of wide windows through the float64 kernel, whose sums of integers are exact to 2^53: the
     * whole image at once (such windows are rare: a global average, 16-bit windows past 16x16).
     */
    private byte[] wideMeans(Object base, long offset, int length, int h, int w, int channels, int depth, int outH,
            int outW) {
        byte[] src;
        int srcOffset;
        if (base instanceof byte[] b) {
            src = b;
            srcOffset = (int) (offset - Platform.BYTE_ARRAY_OFFSET);
        } else {
            src = new byte[length];
            srcOffset = 0;
            Platform.copyMemory(base, offset, src, Platform.BYTE_ARRAY_OFFSET, length);
        }
        TensorShape shape = TensorShape.channelsFirst(1, channels, h, w);
        double[] x = new double[shape.size()];
        Interleaved.toPlanes(src, srcOffset, depth, channels, h * w, x);
        int plane = outH * outW;
        double[] y = new double[channels * plane];
        kernel.forward(sums != null ? sums : spec, new DoubleTensor(shape, x), y, null);
        float[] samples = new float[y.length];
        long max = (1L << depth) - 1;
        means(y, samples, channels, outH, outW, h, w, 0, h, max);
        byte[] pooled = new byte[depth / 8 * samples.length];
        Interleaved.fromPlanes(samples, depth, channels, plane, pooled, 0);
        return pooled;
    }

    private int effectiveKernelH() {
        return spec.dilation()[0] * (spec.kernel()[0] - 1) + 1;
    }

    /** The pipeline's step on the interleaved integers themselves: no floats, exact means. */
    private byte[] downsample(InternalRow struct, Object base, long offset, int length, int h, int w, int channels,
            int depth) {
        int f = spec.kernel()[0];
        boolean partial = spec.ceilMode();
        if (depth == 8 && base instanceof byte[] b) {
            // An on-heap UnsafeRow (a scan's, the cache's) or a plain row's array: pooled where the bytes lie.
            return ImagePooling.pool8(downsample, b, (int) (offset - Platform.BYTE_ARRAY_OFFSET), h, w, channels, f,
                    partial, false).bytes();
        }
        byte[] src;
        if (base instanceof byte[] b && offset == Platform.BYTE_ARRAY_OFFSET && b.length == length) {
            src = b; // a plain row's own array: ImagePooling only reads it
        } else { // off-heap, or 16-bit samples, which become shorts below anyway
            src = new byte[length];
            Platform.copyMemory(base, offset, src, Platform.BYTE_ARRAY_OFFSET, length);
        }
        if (depth == 8) {
            return ImagePooling.pool(downsample, IntImage.of8(h, w, channels, src), f, partial).bytes();
        }
        short[] samples = new short[length / 2];
        ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
        short[] out = ImagePooling.pool(downsample, IntImage.of16(h, w, channels, samples), f, partial).shorts();
        byte[] bytes = new byte[2 * out.length];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(out);
        return bytes;
    }

    /**
     * A band's kernel output as integer samples, in place: avg's exact sums divided exactly (its
     * window divisors, or the override), adaptive avg's means back to their exact bin sums first,
     * lp rounded; each rounded half to even and clamped to {@code [0, 2^depth - 1]}. Max values are
     * samples already.
     *
     * @param rows the band's input rows, {@code o0} its first output row, {@code h} the image's height
     */
    private void toSamples(float[] y, int channels, int bandRows, int outW, int rows, int w, int o0, int h, int depth) {
        long max = (1L << depth) - 1;
        switch (op) {
            case MAX, ADAPTIVE_MAX, UNPOOL -> { }
            case AVG, ADAPTIVE_AVG -> {
                double[] wide = new double[y.length];
                for (int i = 0; i < y.length; i++) {
                    wide[i] = y[i];
                }
                means(wide, y, channels, bandRows, outW, rows, w, o0, h, max);
            }
            case LP -> {
                for (int i = 0; i < y.length; i++) {
                    y[i] = Interleaved.toDepth(y[i], (float) max);
                }
            }
        }
    }

    /**
     * Exact means as samples into {@code out}: avg's {@code sums} divided by each window's divisor
     * (or the override), adaptive avg's means times their bin's size back to the exact sum first;
     * each rounded half to even and clamped to {@code [0, max]}.
     *
     * @param rows the band's input rows, {@code o0} its first output row, {@code h} the image's height
     */
    private void means(double[] sums, float[] out, int channels, int bandRows, int outW, int rows, int w, int o0, int h,
            long max) {
        int plane = bandRows * outW;
        switch (op) {
            case AVG -> {
                Integer override = spec.divisorOverride();
                org.sparkpooling.pool.PoolGeometry geometry = avg2d.geometry(rows, w);
                for (int oh = 0; oh < bandRows; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        long d = override != null ? override : geometry.avgDivisor(oh, ow);
                        for (int c = 0; c < channels; c++) {
                            int i = c * plane + oh * outW + ow;
                            out[i] = mean(Math.round(sums[i]), d, max);
                        }
                    }
                }
            }
            case ADAPTIVE_AVG -> {
                int[] size = spec.outputSize();
                for (int oh = 0; oh < bandRows; oh++) {
                    int binH = binEnd(o0 + oh, h, size[0]) - binStart(o0 + oh, h, size[0]);
                    for (int ow = 0; ow < outW; ow++) {
                        long n = (long) binH * (binEnd(ow, w, size[1]) - binStart(ow, w, size[1]));
                        for (int c = 0; c < channels; c++) {
                            int i = c * plane + oh * outW + ow;
                            out[i] = mean(Math.round(sums[i] * n), n, max);
                        }
                    }
                }
            }
            case MAX, LP, ADAPTIVE_MAX, UNPOOL -> throw new IllegalStateException(op + " has no mean");
        }
    }

    /** {@code s / d} rounded half to even and clamped to {@code [0, max]}, for a sum {@code s >= 0} of samples. */
    static float mean(long s, long d, long max) {
        if (d < 0) {
            return 0; // a negative divisor override: every mean of samples is <= 0
        }
        long q = s / d;
        long r2 = 2 * (s - q * d);
        long m = r2 > d || (r2 == d && (q & 1) == 1) ? q + 1 : q;
        return Math.min(m, max);
    }

    /** PyTorch's adaptive bins: output {@code o} of {@code out} covers {@code [floor(o*in/out), ceil((o+1)*in/out))}. */
    private static int binStart(int o, int in, int out) {
        return (int) ((long) o * in / out);
    }

    private static int binEnd(int o, int in, int out) {
        return (int) (((long) (o + 1) * in + out - 1) / out);
    }

    // ---- shared

    /** The input struct with its size fields and data replaced; wrapped with the indices when asked. */
    private InternalRow result(InternalRow struct, int[] sizeFields, int[] sizes, byte[] data, int[] ind) {
        StructField[] fields = column.type().fields();
        Object[] values = new Object[fields.length];
        int dataField = column.data();
        for (int i = 0; i < fields.length; i++) {
            // Not the data: an UnsafeRow's getBinary copies it, megabytes for a photo, only to be replaced.
            values[i] = i == dataField || struct.isNullAt(i) ? null : struct.get(i, fields[i].dataType());
        }
        for (int a = 0; a < sizeFields.length; a++) {
            values[sizeFields[a]] = sizes[a];
        }
        values[dataField] = data;
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
        int at = column.intField(i);
        if (struct.isNullAt(at)) {
            throw new Malformed(column.type().fields()[at].name() + " is null");
        }
        return struct.getInt(at);
    }

    private static String join(int[] values) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : "x").append(values[i]);
        }
        return b.toString();
    }
}
