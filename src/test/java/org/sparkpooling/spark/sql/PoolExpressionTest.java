package org.sparkpooling.spark.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.ml.image.ImageSchema;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.types.UTF8String;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.NdPoolSpec;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.pool.Pooled;
import org.sparkpooling.spark.BlockSources;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The expression without a session, on each way a struct reaches it: a plain row, an UnsafeRow in a
 * byte array at an offset (what shuffles and the image source give), and an UnsafeRow off the heap.
 * Images wide enough for dozens of bands, so every band edge (and the indices' shift across bands)
 * is compared with the kernel called once on the whole image.
 */
class PoolExpressionTest {

    static final StructType LEVEL = new StructType().add("path", DataTypes.StringType).add("height", DataTypes.IntegerType)
            .add("width", DataTypes.IntegerType).add("channels", DataTypes.IntegerType)
            .add("bitDepth", DataTypes.IntegerType).add("pixels", DataTypes.BinaryType);

    static Stream<PoolSpec> specs() {
        return Stream.of(PoolSpec.max(2, 2).build(), PoolSpec.avg(2, 2).ceilMode(true).build(),
                PoolSpec.max(3, 2).stride(2, 3).dilation(2, 2).ceilMode(true).build(),
                PoolSpec.avg(3, 3).stride(1, 1).build(),
                PoolSpec.avg(3, 3).stride(2, 2).padding(1, 1).countIncludePad(false).build(),
                PoolSpec.max(1, 1).build());
    }

    /** The three forms of one outer row holding {@code struct} at field 0. */
    private static List<InternalRow> forms(StructType type, InternalRow struct, List<Long> toFree) {
        InternalRow plain = new GenericInternalRow(new Object[] {struct});
        UnsafeRow unsafe = UnsafeProjection.create(new DataType[] {type}).apply(plain).copy();
        byte[] bytes = unsafe.getBytes();
        byte[] shifted = new byte[bytes.length + 40];
        System.arraycopy(bytes, 0, shifted, 40, bytes.length);
        UnsafeRow onHeap = new UnsafeRow(1);
        onHeap.pointTo(shifted, Platform.BYTE_ARRAY_OFFSET + 40, bytes.length);
        long address = Platform.allocateMemory(bytes.length);
        toFree.add(address);
        Platform.copyMemory(bytes, Platform.BYTE_ARRAY_OFFSET, null, address, bytes.length);
        UnsafeRow offHeap = new UnsafeRow(1);
        offHeap.pointTo(null, address, bytes.length);
        return List.of(plain, onHeap, offHeap);
    }

    private static void check(StructType type, InternalRow struct, PoolCall call, int dataField, int heightField,
            byte[] wantData, int wantH, int wantW, int[] wantIndices) {
        check(type, struct, call, dataField, heightField, wantData, wantH, wantW, wantIndices, false);
    }

    /** {@code floats}: the data are float32 means, compared as {@link Expected#assertSameFloats} does. */
    private static void check(StructType type, InternalRow struct, PoolCall call, int dataField, int heightField,
            byte[] wantData, int wantH, int wantW, int[] wantIndices, boolean floats) {
        List<Long> toFree = new ArrayList<>();
        try {
            PoolExpression e = new PoolExpression(new BoundReference(0, type, true), call);
            String[] names = {"plain row", "UnsafeRow at an offset", "UnsafeRow off the heap"};
            List<InternalRow> rows = forms(type, struct, toFree);
            for (int i = 0; i < rows.size(); i++) {
                InternalRow got = (InternalRow) e.eval(rows.get(i));
                InternalRow pooled = call.withIndices() ? got.getStruct(0, type.size()) : got;
                String what = call.function() + " " + call.spec() + " on a " + names[i];
                assertEquals(wantH, pooled.getInt(heightField), what + " height");
                assertEquals(wantW, pooled.getInt(heightField + 1), what + " width");
                if (floats && call.spec().op() != org.sparkpooling.pool.PoolOp.MAX) {
                    Expected.assertSameFloats(wantData, pooled.getBinary(dataField), what + " data");
                } else {
                    assertArrayEquals(wantData, pooled.getBinary(dataField), what + " data");
                }
                if (call.withIndices()) {
                    assertArrayEquals(Expected.littleEndian(wantIndices), got.getBinary(1), what + " indices");
                }
            }
        } finally {
            toFree.forEach(Platform::freeMemory);
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @MethodSource("specs")
    void imagesOfOneThreeAndFourChannels(PoolSpec spec) {
        int[][] sizes = {{1, 333, 2001}, {3, 301, 1999}, {4, 97, 1201}, {3, 2, 3}};
        for (int[] s : sizes) {
            int c = s[0];
            int h = s[1];
            int w = s[2];
            if (h < spec.effectiveKernelH() - 2 * spec.padH()) {
                continue;
            }
            byte[] data = randomBytes(c * h * w, c * 1000 + h);
            int mode = c == 1 ? PoolColumn.CV_8UC1 : c == 3 ? PoolColumn.CV_8UC3 : PoolColumn.CV_8UC4;
            InternalRow image = new GenericInternalRow(new Object[] {UTF8String.fromString("file:/x.png"), h, w, c, mode, data});
            Expected.Image want = Expected.interleaved(spec, data, h, w, c, 8);
            check(ImageSchema.columnSchema(), image, PoolCall.of(NdPoolSpec.of(spec), false, false), 5, 1, want.data(), want.height(),
                    want.width(), null);
            if (spec.mode() == PoolMode.MAX) {
                check(ImageSchema.columnSchema(), image, PoolCall.of(NdPoolSpec.of(spec), true, false), 5, 1, want.data(),
                        want.height(), want.width(), want.indices());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("specs")
    void levelsOf16BitsAndFloats(PoolSpec spec) {
        int h = 203;
        int w = 1601;
        byte[] sixteen = randomBytes(2 * 3 * h * w, 16);
        InternalRow level16 = new GenericInternalRow(new Object[] {UTF8String.fromString("a/b.png"), h, w, 3, 16, sixteen});
        Expected.Image want = Expected.interleaved(spec, sixteen, h, w, 3, 16);
        check(LEVEL, level16, PoolCall.of(NdPoolSpec.of(spec), spec.mode() == PoolMode.MAX, false), 5, 1, want.data(), want.height(),
                want.width(), want.indices());
        Tensor t = Expected.awkward(new Shape(1, 2, h, w), 32);
        ByteBuffer f = ByteBuffer.allocate(4 * 2 * h * w).order(ByteOrder.LITTLE_ENDIAN);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int c = 0; c < 2; c++) {
                    f.putFloat(t.get(0, c, y, x));
                }
            }
        }
        InternalRow level32 = new GenericInternalRow(new Object[] {UTF8String.fromString("t#0"), h, w, 2, 32, f.array()});
        Expected.Image wantFloat = Expected.interleaved(spec, f.array(), h, w, 2, 32);
        check(LEVEL, level32, PoolCall.of(NdPoolSpec.of(spec), spec.mode() == PoolMode.MAX, false), 5, 1, wantFloat.data(),
                wantFloat.height(), wantFloat.width(), wantFloat.indices(), true);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void tensors(PoolSpec spec) {
        Tensor t = Expected.awkward(new Shape(3, 2, 29, 31), 7);
        InternalRow row = new GenericInternalRow(new Object[] {7L, 3, 2, 29, 31, Expected.littleEndian(t.data())});
        Pooled want = Expected.tensor(spec, t);
        check(BlockSources.TENSOR_SCHEMA, row, PoolCall.of(NdPoolSpec.of(spec), spec.mode() == PoolMode.MAX, false), 5, 3,
                Expected.littleEndian(want.output().data()), want.output().shape().h(), want.output().shape().w(),
                want.indices(), true);
    }

    @Test
    void sizesFromRowToRowReuseNothingStale() {
        // rows of alternating sizes through one expression: each must be its own, whatever buffers it reuses
        PoolSpec spec = PoolSpec.avg(2, 2).build();
        PoolExpression e = new PoolExpression(new BoundReference(0, ImageSchema.columnSchema(), true),
                PoolCall.of(NdPoolSpec.of(spec), false, false));
        for (int i = 0; i < 12; i++) {
            int h = 40 + (i % 3) * 17;
            int w = 700 + (i % 2) * 301;
            byte[] data = randomBytes(3 * h * w, i);
            InternalRow image = new GenericInternalRow(new Object[] {UTF8String.fromString("f" + i), h, w, 3,
                PoolColumn.CV_8UC3, data});
            InternalRow got = (InternalRow) e.eval(new GenericInternalRow(new Object[] {image}));
            assertArrayEquals(Expected.interleaved(spec, data, h, w, 3, 8).data(), got.getBinary(5), "row " + i);
        }
    }

    @Test
    void nullStructGivesNullAndMalformedNamesTheRow() {
        PoolExpression e = new PoolExpression(new BoundReference(0, ImageSchema.columnSchema(), true),
                PoolCall.of(NdPoolSpec.of(PoolSpec.max(2, 2).build()), false, false));
        assertNull(e.eval(new GenericInternalRow(new Object[] {null})));
        InternalRow bad = new GenericInternalRow(new Object[] {UTF8String.fromString("file:/b.png"), 2, 2, 3,
            PoolColumn.CV_8UC3, new byte[11]});
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> e.eval(new GenericInternalRow(new Object[] {bad})));
        assertEquals("max_pool2d: image row 2 (origin file:/b.png): data has 11 bytes, but height x width x nChannels"
                + " = 2x2x3 8-bit samples need 12 (try_max_pool2d gives null for such rows)", thrown.getMessage());
        InternalRow mode = new GenericInternalRow(new Object[] {UTF8String.fromString("file:/c.png"), 2, 2, 3, 7,
            new byte[12]});
        assertTrue(assertThrows(IllegalArgumentException.class, () -> e.eval(new GenericInternalRow(new Object[] {mode})))
                .getMessage().contains("mode (7) must be an 8-bit OpenCV type: CV_8UC1 (0), CV_8UC3 (16) or CV_8UC4 (24)"));
        InternalRow channels = new GenericInternalRow(new Object[] {UTF8String.fromString("file:/d.png"), 2, 2, 4,
            PoolColumn.CV_8UC3, new byte[16]});
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> e.eval(new GenericInternalRow(new Object[] {channels}))).getMessage()
                .contains("nChannels (4) does not match mode 16 (3 channels)"));
        PoolExpression level = new PoolExpression(new BoundReference(0, LEVEL, true),
                PoolCall.of(NdPoolSpec.of(PoolSpec.avg(2, 2).build()), false, true));
        InternalRow depth = new GenericInternalRow(new Object[] {UTF8String.fromString("x.png"), 2, 2, 1, 12, new byte[8]});
        assertNull(level.eval(new GenericInternalRow(new Object[] {depth})), "try_: null for bitDepth 12");
    }
}
