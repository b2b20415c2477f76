package org.sparkpooling.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Npy} against files written by NumPy 2.4.6 ({@code src/test/resources/npy/make_fixtures.py}),
 * its own round trips, and one test per kind of file it must refuse.
 */
class NpyTest {

    @TempDir
    Path dir;

    static Path fixture(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixtures' float32 values: {@code i * 0.25 - 7} in float32, special values in front. */
    static float[] f4Values(int count) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = i * 0.25f - 7f;
        }
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE,
            Float.MAX_VALUE};
        System.arraycopy(specials, 0, v, 0, Math.min(count, specials.length));
        return v;
    }

    @Test
    void readsFloat32WrittenByNumpy() throws IOException {
        Tensor t = Npy.read(fixture("f4_2x3x4x5.npy"));
        assertEquals(new Tensor(new Shape(2, 3, 4, 5), f4Values(120)), t);
    }

    @Test
    void readsFloat64WrittenByNumpyRoundingToFloat32() throws IOException {
        Tensor t = Npy.read(fixture("f8_1x2x3x3.npy"));
        float[] expected = new float[18];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (float) (i * 0.1 - 0.35);
        }
        // 1e300 overflows float32 to infinity, 1e-50 and -1e-300 underflow to signed zeros.
        expected[0] = Float.POSITIVE_INFINITY;
        expected[1] = 0.0f;
        expected[2] = Float.NaN;
        expected[3] = -0.0f;
        assertEquals(new Tensor(new Shape(1, 2, 3, 3), expected), t);
    }

    @ParameterizedTest
    @CsvSource({"f4_v2_1x1x2x3.npy", "f4_v3_1x1x2x3.npy"})
    void readsFormatVersions2And3(String file) throws IOException {
        assertEquals(new Tensor(new Shape(1, 1, 2, 3), f4Values(6)), Npy.read(fixture(file)));
    }

    @Test
    void writesFloat32ByteForByteAsNumpy() throws IOException {
        Tensor t = new Tensor(new Shape(2, 3, 4, 5), f4Values(120));
        Path out = dir.resolve("out.npy");
        Npy.write(out, t);
        assertArrayEquals(Files.readAllBytes(fixture("f4_2x3x4x5.npy")), Files.readAllBytes(out));
        assertArrayEquals(Files.readAllBytes(fixture("f4_2x3x4x5.npy")), Npy.toBytes(t));
    }

    @Test
    void writesInt64ByteForByteAsNumpy() throws IOException {
        int[] values = new int[24];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 7 % 13;
        }
        Path out = dir.resolve("indices.npy");
        Npy.writeInt64(out, new Shape(2, 3, 2, 2), values);
        assertArrayEquals(Files.readAllBytes(fixture("i8_2x3x2x2.npy")), Files.readAllBytes(out));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        Npy.writeInt64(stream, new Shape(2, 3, 2, 2), values);
        assertArrayEquals(Files.readAllBytes(out), stream.toByteArray());
    }

    @Test
    void headersAreAlignedTo64BytesForEveryWidthOfShape() {
        for (int n : new int[] {1, 9, 10, 99, 12345, 1 << 20, Integer.MAX_VALUE / 16}) {
            for (String descr : new String[] {"<f4", "<i8"}) {
                byte[] h = Npy.header(descr, new Shape(n, 1, 1, 8));
                assertEquals(0, h.length % 64, "header length for N=" + n);
                assertEquals('\n', h[h.length - 1]);
                int declared = ByteBuffer.wrap(h, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
                assertEquals(h.length - 10, declared);
            }
        }
    }

    @Test
    void roundTripsThroughFilesBytesAndStreamsAcrossSeveralBuffers() throws IOException {
        // 350,000 floats are 1.4 MB: more than one 1 MiB streaming buffer, with a partial last one.
        Tensor t = random(new Shape(1, 1, 700, 500), 7);
        Path file = dir.resolve("big.npy");
        Npy.write(file, t);
        assertEquals(t, Npy.read(file));
        assertEquals(t, Npy.read(Npy.toBytes(t), "big"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, t);
        assertEquals(t, Npy.read(new ByteArrayInputStream(out.toByteArray()), "stream"));
        assertEquals(t, Npy.read(new TrickleInputStream(new ByteArrayInputStream(out.toByteArray())), "trickle"));
    }

    @Test
    void readsLargeFloat64AcrossSeveralBuffers() throws IOException {
        int count = 3 * 200_001;
        ByteBuffer data = ByteBuffer.allocate(8 * count).order(ByteOrder.LITTLE_ENDIAN);
        float[] expected = new float[count];
        Random r = new Random(11);
        for (int i = 0; i < count; i++) {
            double d = r.nextGaussian() * 1e3;
            data.putDouble(d);
            expected[i] = (float) d;
        }
        byte[] bytes = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3, 1, 200001), }", data.array());
        Path file = dir.resolve("f8.npy");
        Files.write(file, bytes);
        Tensor want = new Tensor(new Shape(1, 3, 1, 200_001), expected);
        assertEquals(want, Npy.read(file));
        assertEquals(want, Npy.read(new TrickleInputStream(new ByteArrayInputStream(bytes)), "f8"));
    }

    @Test
    void writeReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("y.npy");
        Files.writeString(file, "old contents, much longer than nothing at all ".repeat(100));
        Tensor t = random(new Shape(1, 2, 3, 4), 3);
        Npy.write(file, t);
        assertEquals(t, Npy.read(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void acceptsHeadersNumpyReadsThoughItNoLongerWritesThem() throws IOException {
        float[] v = {1, 2, 3, 4};
        byte[] data = floats(v);
        Tensor want = new Tensor(new Shape(1, 1, 2, 2), v);
        // Python 2 long literals, double quotes, other key order, no trailing comma, no padding.
        assertEquals(want, Npy.read(npy(1, "{'shape': (1L, 1L, 2L, 2L), 'fortran_order': False, 'descr': '<f4'}",
                data), "py2"));
        assertEquals(want, Npy.read(npy(2, "{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(1,1,2,2,)}\n",
                data), "compact"));
    }

    // ------------------------------------------------------------------ the pooling family's ranks and dtypes

    /** The fixtures' float64 values: {@code i * 0.1 - 0.35}, special values in front. */
    static double[] f8Values(int count) {
        double[] v = new double[count];
        for (int i = 0; i < count; i++) {
            v[i] = i * 0.1 - 0.35;
        }
        System.arraycopy(new double[] {1e300, 1e-50, Double.NaN, -1e-300}, 0, v, 0, Math.min(count, 4));
        return v;
    }

    @Test
    void readsRank3Float32InEitherLayout() throws IOException {
        NdTensor first = Npy.readTensor(fixture("f4_2x3x7.npy"), Layout.CHANNELS_FIRST);
        assertEquals(new FloatTensor(TensorShape.channelsFirst(2, 3, 7), f4Values(42)), first);
        // The same bytes read as N, L, C: only the meaning of the dimensions changes.
        NdTensor last = Npy.readTensor(fixture("f4_2x3x7.npy"), Layout.CHANNELS_LAST);
        assertEquals(new FloatTensor(TensorShape.channelsLast(2, 7, 3), f4Values(42)), last);
    }

    @Test
    void readsRank5Float64KeepingEveryDoubleBit() throws IOException {
        NdTensor t = Npy.readTensor(fixture("f8_1x2x2x3x4.npy"), Layout.CHANNELS_FIRST);
        // 1e300 and 1e-50 survive: no rounding to float32 on the way.
        assertEquals(new DoubleTensor(TensorShape.channelsFirst(1, 2, 2, 3, 4), f8Values(48)), t);
        assertEquals(Dtype.FLOAT64, t.dtype());
    }

    @Test
    void readsRank5Int64Indices() throws IOException {
        int[] expected = new int[24];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = i * 5 % 11;
        }
        IndexTensor t = Npy.readIndices(fixture("i8_1x2x2x2x3.npy"), Layout.CHANNELS_FIRST);
        assertEquals(new IndexTensor(TensorShape.channelsFirst(1, 2, 2, 2, 3), expected), t);
        assertEquals(t, Npy.readIndices(Files.readAllBytes(fixture("i8_1x2x2x2x3.npy")), "i8", Layout.CHANNELS_FIRST));
    }

    @Test
    void writesEveryRankAndDtypeByteForByteAsNumpy() throws IOException {
        FloatTensor f4 = new FloatTensor(TensorShape.channelsFirst(2, 3, 7), f4Values(42));
        DoubleTensor f8 = new DoubleTensor(TensorShape.channelsFirst(1, 2, 2, 3, 4), f8Values(48));
        Path out = dir.resolve("t.npy");
        Npy.write(out, f4);
        assertArrayEquals(Files.readAllBytes(fixture("f4_2x3x7.npy")), Files.readAllBytes(out));
        assertArrayEquals(Files.readAllBytes(fixture("f4_2x3x7.npy")), Npy.toBytes(f4));
        Npy.write(out, f8);
        assertArrayEquals(Files.readAllBytes(fixture("f8_1x2x2x3x4.npy")), Files.readAllBytes(out));
        assertArrayEquals(Files.readAllBytes(fixture("f8_1x2x2x3x4.npy")), Npy.toBytes(f8));
        IndexTensor i8 = Npy.readIndices(fixture("i8_1x2x2x2x3.npy"), Layout.CHANNELS_FIRST);
        Npy.writeInt64(out, i8.shape(), i8.data());
        assertArrayEquals(Files.readAllBytes(fixture("i8_1x2x2x2x3.npy")), Files.readAllBytes(out));
    }

    @Test
    void writesChannelsLastInItsMemoryOrderAndReadsItBack() throws IOException {
        Random r = new Random(5);
        double[] v = new double[2 * 3 * 4 * 5 * 6];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian();
        }
        DoubleTensor t = new DoubleTensor(TensorShape.channelsLast(2, 6, 3, 4, 5), v);
        byte[] bytes = Npy.toBytes(t);
        assertTrue(new String(bytes, StandardCharsets.ISO_8859_1).contains("'shape': (2, 3, 4, 5, 6)"));
        assertEquals(t, Npy.readTensor(bytes, "cl", Layout.CHANNELS_LAST));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        Npy.write(stream, t);
        assertEquals(t, Npy.readTensor(new TrickleInputStream(new ByteArrayInputStream(stream.toByteArray())), "s",
                Layout.CHANNELS_LAST));
    }

    @Test
    void theFamilyEntryPointsRefuseWhatTheyDoNotRead() {
        Path rank4 = fixture("f4_2x3x4x5.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.readIndices(rank4, Layout.CHANNELS_FIRST));
        assertTrue(e.getMessage().contains("dtype ('<f4') is not supported; expected little-endian int64"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Npy.readTensor(fixture("i8_2x3x2x2.npy"), Layout.CHANNELS_FIRST));
        assertTrue(e.getMessage().contains("dtype ('<i8') is not supported"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Npy.readTensor(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }",
                        floats(new float[4])), "r2", Layout.CHANNELS_FIRST));
        assertTrue(e.getMessage().contains("rank (2) of shape (2, 2) must be 3, 4 or 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Npy.readIndices(fixture("bad_i8_past_int.npy"), Layout.CHANNELS_FIRST));
        assertTrue(e.getMessage().contains("index (1099511627776) at element 2 does not fit an int"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Npy.readTensor(rank4, null));
        assertTrue(e.getMessage().contains("layout"), e.getMessage());
        // The 2-D API still takes rank 4 alone.
        e = assertThrows(IllegalArgumentException.class, () -> Npy.read(fixture("f4_2x3x7.npy")));
        assertTrue(e.getMessage().contains("rank (3) of shape (2, 3, 7) must be 4"), e.getMessage());
    }

    // ------------------------------------------------------------------ rejections

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
        "bad_i4.npy             => dtype ('<i4') is not supported",
        "bad_f4_big_endian.npy  => dtype ('>f4') is not supported",
        "bad_u1.npy             => dtype ('|u1') is not supported",
        "bad_fortran.npy        => fortran_order (True) is not supported",
        "bad_rank3.npy          => rank (3) of shape (3, 4, 5) must be 4",
        "bad_zero_dim.npy       => dimension 0 (0) of shape (0, 1, 2, 2) must be > 0"})
    void refusesNumpyFilesOfTheWrongKind(String file, String message) {
        Path path = fixture(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(path));
        assertTrue(e.getMessage().startsWith(path + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void refusesAWrongMagic() throws IOException {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0};
        assertRefused(png, "x.png", "not a .npy file: magic bytes (89 50 4e 47 0d 0a) are not \\x93NUMPY");
        assertRefused(new byte[0], "empty.npy", "magic bytes (none: the file is empty)");
        assertRefused(new byte[] {(byte) 0x93, 'N', 'U'}, "short.npy", "magic bytes (93 4e 55)");
    }

    @Test
    void refusesAnUnknownVersion() throws IOException {
        byte[] b = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1), }", floats(new float[1]));
        b[6] = 4;
        assertRefused(b, "v4.npy", "format version (4.0) is not supported");
        b[6] = 1;
        b[7] = 1;
        assertRefused(b, "v11.npy", "format version (1.1) is not supported");
    }

    @Test
    void refusesTruncatedHeaders() throws IOException {
        byte[] b = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1), }", floats(new float[1]));
        assertRefused(Arrays.copyOf(b, 7), "a.npy", "truncated header: the file ends after 7 bytes");
        assertRefused(Arrays.copyOf(b, 9), "b.npy", "truncated header: the file ends inside the header length");
        assertRefused(Arrays.copyOf(b, 40), "c.npy", "truncated header: expected ");
    }

    @Test
    void refusesAnImplausiblyLongHeader() throws IOException {
        byte[] b = npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1), }", floats(new float[1]));
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 0x7fff_fff0);
        assertRefused(b, "long.npy", "header length (2147483632) is larger than the 10000 bytes");
    }

    @Test
    void refusesTruncatedAndTrailingData() throws IOException {
        byte[] good = Files.readAllBytes(fixture("f4_2x3x4x5.npy"));
        assertRefused(Arrays.copyOf(good, good.length - 1), "cut.npy",
                "truncated data: shape (2, 3, 4, 5) of '<f4' needs 480 bytes after the 128-byte header, the file has 479");
        assertRefused(Arrays.copyOf(good, 128), "nodata.npy", "truncated data");
        assertRefused(Arrays.copyOf(good, good.length + 4), "long.npy",
                "trailing data: shape (2, 3, 4, 5) of '<f4' needs 480 bytes after the 128-byte header, the file has 484");
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '`', value = {
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 2}   => does not parse: missing ',' or ')'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 2),  => does not parse: unexpected end",
        "{'descr': '<f4', 'fortran_order': Flase, 'shape': (1, 1, 2, 2)}  => does not parse: unexpected character 'F'",
        "{'descr': '<f4, 'fortran_order': False, 'shape': (1, 1, 2, 2)}   => does not parse",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 2)} x => unexpected text after the dictionary",
        "('<f4', False, (1, 1, 2, 2))                                     => the header is not a dictionary",
        "{1: '<f4'}                                                       => a key that is not a string",
        "{'descr': '<f4', 'shape': (1, 1, 2, 2)}                          => has no 'fortran_order'",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, 2), 'x': 1} => header key ('x') is not one of",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (1, 1, 2, 2)}      => fortran_order (0) must be True or False",
        "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 1, 2, 2)} => dtype ([('a', '<f4')]) is not supported",
        "{'descr': '<f4', 'fortran_order': False, 'shape': [1, 1, 2, 2]}  => shape ([1, 1, 2, 2]) must be a tuple of integers",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 2, '2')} => must be a tuple of integers",
        "{'descr': '<f4', 'fortran_order': False, 'shape': 4}             => shape (4) must be a tuple of integers",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (4,)}          => rank (1) of shape (4,) must be 4",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 2, 2)} => rank (5) of shape (1, 1, 1, 2, 2) must be 4",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1, -1, 2, 2)} => dimension 1 (-1) of shape (1, -1, 2, 2) must be > 0",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536, 1, 1)} => has 4294967296 elements, more than a Java array holds",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1180591620717411303424, 1, 1, 1)} => has 1180591620717411303424 elements"})
    void refusesBadHeaders(String header, String message) throws IOException {
        assertRefused(npy(1, header, floats(new float[4])), "h.npy", message.strip());
    }

    /** Checks the message through all three entry points: file, byte array and stream. */
    private void assertRefused(byte[] bytes, String name, String message) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(message), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Npy.read(bytes, name));
        assertTrue(e.getMessage().startsWith(name + ": ") && e.getMessage().contains(message), e.getMessage());
        // A stream's length is unknown up front, so its size messages word the count differently.
        String streamMessage = message.replaceAll(" after the \\d+-byte header.*", "");
        e = assertThrows(IllegalArgumentException.class,
                () -> Npy.read(new TrickleInputStream(new ByteArrayInputStream(bytes)), name));
        assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(streamMessage)
                || streamMessage.startsWith("trailing data") && e.getMessage().contains("trailing data"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    static Tensor random(Shape shape, long seed) {
        Random r = new Random(seed);
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return new Tensor(shape, v);
    }

    static byte[] floats(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b.array();
    }

    /** A .npy file with any header text, unpadded, with a 2-byte (1.0) or 4-byte (2.0, 3.0) length. */
    static byte[] npy(int major, String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        int lengthBytes = major == 1 ? 2 : 4;
        ByteBuffer b = ByteBuffer.allocate(8 + lengthBytes + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) h.length);
        } else {
            b.putInt(h.length);
        }
        return b.put(h).put(data).array();
    }

    /** Returns at most 3 bytes per read, as a slow network stream may. */
    static final class TrickleInputStream extends FilterInputStream {
        TrickleInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 3));
        }
    }
}
