package org.sparkpooling.tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sparkpooling.io.AtomicFiles;

/**
 * NumPy's {@code .npy} format for NCHW tensors.
 *
 * <p>Reads a rank-4, C-order, little-endian array of float32 ({@code '<f4'}) or float64
 * ({@code '<f8'}, rounded to float32) written in format version 1.0, 2.0 or 3.0. Writes float32
 * tensors and int64 index arrays ({@code '<i8'}, PyTorch's dtype for pooling indices) in version
 * 1.0, byte for byte as {@code numpy.save} does: the header padded with spaces to a multiple of
 * 64 bytes, so NumPy can memory-map the result.
 *
 * <p>Anything else is an {@link IllegalArgumentException} whose message starts with the file's
 * name and names the offending value: a wrong magic, an unsupported version or dtype, Fortran
 * order, a rank other than 4, a non-positive or overflowing shape, a header that does not parse,
 * truncated data, or bytes after the data. I/O failures stay {@link IOException}s.
 *
 * <p>Data is streamed through one small buffer, so reading or writing a tensor needs its
 * {@code float[]} and about a megabyte more, never a second copy of the file.
 */
public final class Npy {

    /** {@code \x93NUMPY}: every .npy file starts with it. */
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** NumPy aligns the data to this many bytes ({@code numpy.lib.format.ARRAY_ALIGN}). */
    private static final int ARRAY_ALIGN = 64;

    /**
     * NumPy leaves room to rewrite the first dimension in place ({@code GROWTH_AXIS_MAX_DIGITS});
     * we copy it so our files are byte-identical to {@code numpy.save}'s.
     */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;

    /**
     * A rank-4 header is under 128 bytes; refusing longer ones keeps a corrupt length field from
     * allocating gigabytes. NumPy's own default limit ({@code max_header_size}) is 10000.
     */
    static final int MAX_HEADER_LENGTH = 10_000;

    /** Streaming buffer: large enough to amortise each system call, small next to any tensor. */
    private static final int CHUNK_BYTES = 1 << 20;

    private static final Set<String> KEYS = Set.of("descr", "fortran_order", "shape");

    private Npy() {
    }

    /** The element types this class reads. */
    private enum Dtype {
        F4(4), F8(8);

        final int bytes;

        Dtype(int bytes) {
            this.bytes = bytes;
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads a rank-4 float32 or float64 array from {@code file}. */
    public static Tensor read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(channel, file.toString(), channel.size());
        }
    }

    /**
     * Reads a rank-4 float32 or float64 array from the whole of {@code bytes}, for example a
     * record of Spark's {@code binaryFile} source; {@code name} (its path) goes into messages.
     */
    public static Tensor read(byte[] bytes, String name) {
        if (bytes == null) {
            throw new IllegalArgumentException(name + ": bytes must not be null");
        }
        try {
            return read(new ByteBufferChannel(ByteBuffer.wrap(bytes)), name, bytes.length);
        } catch (IOException e) {
            // A channel over a byte array never fails.
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads a rank-4 float32 or float64 array from {@code in}, up to its end (which must follow
     * the data directly). Does not close {@code in}.
     */
    public static Tensor read(InputStream in, String name) throws IOException {
        return read(Channels.newChannel(in), name, -1);
    }

    /** {@code size} is the stream's length when known (a file, an array), else -1. */
    private static Tensor read(ReadableByteChannel in, String name, long size) throws IOException {
        ByteBuffer preamble = ByteBuffer.allocate(MAGIC.length + 2).order(ByteOrder.LITTLE_ENDIAN);
        int got = readFully(in, preamble);
        if (got < MAGIC.length || !startsWithMagic(preamble)) {
            throw new IllegalArgumentException(name + ": not a .npy file: magic bytes ("
                    + hex(preamble, Math.min(got, MAGIC.length)) + ") are not \\x93NUMPY");
        }
        if (got < preamble.capacity()) {
            throw new IllegalArgumentException(name + ": truncated header: the file ends after " + got + " bytes");
        }
        int major = Byte.toUnsignedInt(preamble.get(6));
        int minor = Byte.toUnsignedInt(preamble.get(7));
        if (minor != 0 || major < 1 || major > 3) {
            throw new IllegalArgumentException(name + ": format version (" + major + "." + minor
                    + ") is not supported; expected 1.0, 2.0 or 3.0");
        }
        // Version 1.0 stores the header length in two bytes; 2.0 and 3.0 in four.
        ByteBuffer lengthField = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (readFully(in, lengthField) < lengthField.capacity()) {
            throw new IllegalArgumentException(name + ": truncated header: the file ends inside the header length");
        }
        long headerLength = major == 1 ? Short.toUnsignedInt(lengthField.getShort(0))
                : Integer.toUnsignedLong(lengthField.getInt(0));
        if (headerLength > MAX_HEADER_LENGTH) {
            throw new IllegalArgumentException(name + ": header length (" + headerLength
                    + ") is larger than the " + MAX_HEADER_LENGTH + " bytes a rank-4 array needs");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        int headerGot = readFully(in, headerBytes);
        if (headerGot < headerLength) {
            throw new IllegalArgumentException(name + ": truncated header: expected " + headerLength
                    + " bytes, found " + headerGot);
        }
        // 1.0 and 2.0 headers are latin-1; 3.0 introduced UTF-8 (for structured field names).
        String header = new String(headerBytes.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        long dataOffset = preamble.capacity() + lengthField.capacity() + headerLength;

        Map<String, Object> dict = parseHeader(header, name);
        Dtype dtype = dtype(dict.get("descr"), name);
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw new IllegalArgumentException(name + ": fortran_order (" + repr(fortran) + ") must be True or False");
        }
        if ((Boolean) fortran) {
            throw new IllegalArgumentException(name + ": fortran_order (True) is not supported; only C-order arrays"
                    + " are read (save numpy.ascontiguousarray(x) instead)");
        }
        Shape shape = shape(dict.get("shape"), name);

        long dataBytes = (long) shape.size() * dtype.bytes;
        if (size >= 0 && size - dataOffset != dataBytes) {
            throw new IllegalArgumentException(name + ": " + (size - dataOffset < dataBytes ? "truncated data" : "trailing data")
                    + ": shape " + shapeRepr(shape) + " of '" + descr(dtype) + "' needs " + dataBytes
                    + " bytes after the " + dataOffset + "-byte header, the file has " + (size - dataOffset));
        }
        float[] data = new float[shape.size()];
        long read = readData(in, dtype, data);
        if (read < dataBytes) {
            throw new IllegalArgumentException(name + ": truncated data: shape " + shapeRepr(shape) + " of '"
                    + descr(dtype) + "' needs " + dataBytes + " bytes after the header, the stream has " + read);
        }
        if (size < 0 && in.read(ByteBuffer.allocate(1)) > 0) {
            throw new IllegalArgumentException(name + ": trailing data: the stream continues after the "
                    + dataBytes + " bytes of shape " + shapeRepr(shape) + " of '" + descr(dtype) + "'");
        }
        return new Tensor(shape, data);
    }

    /** Fills {@code data}; returns the number of bytes read, less than needed only at end of stream. */
    private static long readData(ReadableByteChannel in, Dtype dtype, float[] data) throws IOException {
        long needed = (long) data.length * dtype.bytes;
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, needed)).order(ByteOrder.LITTLE_ENDIAN);
        long total = 0;
        int done = 0;
        while (total < needed) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), needed - total));
            int wanted = buffer.limit();
            int got = readFully(in, buffer);
            total += got;
            int elements = got / dtype.bytes;
            buffer.flip();
            if (dtype == Dtype.F4) {
                buffer.asFloatBuffer().get(data, done, elements);
            } else {
                DoubleBuffer doubles = buffer.asDoubleBuffer();
                for (int i = 0; i < elements; i++) {
                    // Java's narrowing rounds to nearest even, as NumPy's astype(float32) does.
                    data[done + i] = (float) doubles.get(i);
                }
            }
            done += elements;
            if (got < wanted) {
                break; // end of stream: the caller reports the truncation
            }
        }
        return total;
    }

    /** Reads until {@code buffer} is full or the stream ends; returns the bytes read. */
    private static int readFully(ReadableByteChannel in, ByteBuffer buffer) throws IOException {
        int total = 0;
        while (buffer.hasRemaining()) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    private static boolean startsWithMagic(ByteBuffer preamble) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (preamble.get(i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(ByteBuffer b, int count) {
        if (count == 0) {
            return "none: the file is empty";
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < count; i++) {
            s.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%02x", b.get(i)));
        }
        return s.toString();
    }

    private static Dtype dtype(Object descr, String name) {
        if ("<f4".equals(descr)) {
            return Dtype.F4;
        }
        if ("<f8".equals(descr)) {
            return Dtype.F8;
        }
        throw new IllegalArgumentException(name + ": dtype (" + repr(descr) + ") is not supported; expected"
                + " little-endian float32 ('<f4') or float64 ('<f8')");
    }

    private static String descr(Dtype dtype) {
        return dtype == Dtype.F4 ? "<f4" : "<f8";
    }

    private static Shape shape(Object value, String name) {
        if (!(value instanceof List<?> dims) || value instanceof ListLiteral) {
            throw new IllegalArgumentException(name + ": shape (" + repr(value) + ") must be a tuple of integers");
        }
        for (Object d : dims) {
            if (!(d instanceof BigInteger)) {
                throw new IllegalArgumentException(name + ": shape (" + repr(value) + ") must be a tuple of integers");
            }
        }
        if (dims.size() != 4) {
            throw new IllegalArgumentException(name + ": rank (" + dims.size() + ") of shape " + repr(value)
                    + " must be 4 (N, C, H, W)");
        }
        BigInteger count = BigInteger.ONE;
        for (int i = 0; i < 4; i++) {
            BigInteger d = (BigInteger) dims.get(i);
            if (d.signum() <= 0) {
                throw new IllegalArgumentException(name + ": dimension " + i + " (" + d + ") of shape " + repr(value)
                        + " must be > 0");
            }
            count = count.multiply(d);
        }
        if (count.compareTo(BigInteger.valueOf(Shape.MAX_ELEMENTS)) > 0) {
            throw new IllegalArgumentException(name + ": shape " + repr(value) + " has " + count
                    + " elements, more than a Java array holds (" + Shape.MAX_ELEMENTS + ")");
        }
        return new Shape(((BigInteger) dims.get(0)).intValue(), ((BigInteger) dims.get(1)).intValue(),
                ((BigInteger) dims.get(2)).intValue(), ((BigInteger) dims.get(3)).intValue());
    }

    // ---------------------------------------------------------------- the header's Python literal

    /** A Python list literal, told apart from a tuple: NumPy's shape is always a tuple. */
    private static final class ListLiteral extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Parses the header, the {@code repr} of a Python dict, with the few literals NumPy writes
     * there: strings, {@code True}/{@code False}, integers (with Python 2's {@code L} suffix),
     * tuples and lists. Structured dtypes (lists of tuples) parse, and are then refused as dtypes.
     */
    static Map<String, Object> parseHeader(String header, String name) {
        HeaderParser p = new HeaderParser(header, name);
        Object value = p.value();
        p.skipSpace();
        if (p.pos != header.length()) {
            throw p.error("unexpected text after the dictionary");
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw p.error("the header is not a dictionary");
        }
        Map<String, Object> dict = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            dict.put((String) e.getKey(), e.getValue());
        }
        for (String key : dict.keySet()) {
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(name + ": header key ('" + key
                        + "') is not one of 'descr', 'fortran_order', 'shape'");
            }
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw new IllegalArgumentException(name + ": header (" + header.strip() + ") has no '" + key + "'");
            }
        }
        return dict;
    }

    private static final class HeaderParser {
        private final String s;
        private final String name;
        private int pos;

        HeaderParser(String s, String name) {
            this.s = s;
            this.name = name;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException(name + ": header (" + s.strip() + ") does not parse: " + what
                    + " at character " + pos);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        boolean accept(char c) {
            skipSpace();
            if (pos < s.length() && s.charAt(pos) == c) {
                pos++;
                return true;
            }
            return false;
        }

        Object value() {
            skipSpace();
            if (pos >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(pos);
            if (c == '{') {
                pos++;
                Map<Object, Object> map = new LinkedHashMap<>();
                while (!accept('}')) {
                    Object key = value();
                    if (!(key instanceof String)) {
                        throw error("a key that is not a string");
                    }
                    if (!accept(':')) {
                        throw error("missing ':'");
                    }
                    map.put(key, value());
                    if (!accept(',')) {
                        if (!accept('}')) {
                            throw error("missing ',' or '}'");
                        }
                        break;
                    }
                }
                return map;
            }
            if (c == '(' || c == '[') {
                char close = c == '(' ? ')' : ']';
                pos++;
                List<Object> items = c == '(' ? new ArrayList<>() : new ListLiteral();
                boolean sawComma = false;
                while (!accept(close)) {
                    items.add(value());
                    sawComma = accept(',');
                    if (!sawComma) {
                        if (!accept(close)) {
                            throw error("missing ',' or '" + close + "'");
                        }
                        break;
                    }
                }
                if (c == '(' && items.size() == 1 && !sawComma) {
                    return items.get(0); // (x) is x in Python, not a tuple
                }
                return items;
            }
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, pos + 1);
                if (end < 0) {
                    throw error("an unterminated string");
                }
                String text = s.substring(pos + 1, end);
                if (text.indexOf('\\') >= 0) {
                    throw error("an escape in a string");
                }
                pos = end + 1;
                return text;
            }
            if (c == '-' || c == '+' || Character.isDigit(c)) {
                int start = pos++;
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) {
                    pos++;
                }
                String digits = s.substring(start, pos);
                if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                    pos++; // Python 2 long literal, e.g. (2L, 3L), still found in old files
                }
                try {
                    return new BigInteger(digits);
                } catch (NumberFormatException e) {
                    throw error("a malformed integer '" + digits + "'");
                }
            }
            for (String word : List.of("True", "False", "None")) {
                if (s.startsWith(word, pos)) {
                    pos += word.length();
                    return word.equals("None") ? NONE : Boolean.valueOf(word.equals("True"));
                }
            }
            throw error("unexpected character '" + c + "'");
        }
    }

    private static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** Python's repr of a parsed header value, so messages show what the file says. */
    private static String repr(Object v) {
        if (v == null) {
            return "missing";
        }
        if (v instanceof String str) {
            return "'" + str + "'";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v instanceof List<?> list) {
            boolean tuple = !(v instanceof ListLiteral);
            StringBuilder b = new StringBuilder(tuple ? "(" : "[");
            for (int i = 0; i < list.size(); i++) {
                b.append(i == 0 ? "" : ", ").append(repr(list.get(i)));
            }
            return b.append(tuple && list.size() == 1 ? ",)" : tuple ? ")" : "]").toString();
        }
        if (v instanceof Map<?, ?> map) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<?, ?> e : map.entrySet()) {
                b.append(b.length() == 1 ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
            }
            return b.append('}').toString();
        }
        return v.toString();
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code tensor} as a float32 ({@code '<f4'}) .npy file, replacing {@code file}. */
    public static void write(Path file, Tensor tensor) throws IOException {
        requireTensor(tensor);
        writeAtomically(file, channel -> writeFloats(channel, tensor));
    }

    /** Writes {@code tensor} as float32 .npy to {@code out}, which is not closed. */
    public static void write(OutputStream out, Tensor tensor) throws IOException {
        requireTensor(tensor);
        writeFloats(Channels.newChannel(out), tensor);
    }

    /** {@code tensor} as the bytes of a float32 .npy file. */
    public static byte[] toBytes(Tensor tensor) {
        requireTensor(tensor);
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                Math.toIntExact(header("<f4", tensor.shape()).length + tensor.shape().bytes()));
        try {
            write(out, tensor);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream never fails
        }
        return out.toByteArray();
    }

    /**
     * Writes {@code values} as an int64 ({@code '<i8'}) .npy array of {@code shape}, replacing
     * {@code file}: pooling indices, in PyTorch's dtype.
     */
    public static void writeInt64(Path file, Shape shape, int[] values) throws IOException {
        requireInts(shape, values);
        writeAtomically(file, channel -> writeLongs(channel, shape, values));
    }

    /** Writes {@code values} as an int64 .npy array of {@code shape} to {@code out}, which is not closed. */
    public static void writeInt64(OutputStream out, Shape shape, int[] values) throws IOException {
        requireInts(shape, values);
        writeLongs(Channels.newChannel(out), shape, values);
    }

    private static void requireTensor(Tensor tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException("tensor must not be null");
        }
    }

    private static void requireInts(Shape shape, int[] values) {
        if (shape == null || values == null) {
            throw new IllegalArgumentException("shape and values must not be null");
        }
        if (values.length != shape.size()) {
            throw new IllegalArgumentException("values length (" + values.length + ") does not match shape "
                    + shape + " (" + shape.size() + " elements)");
        }
    }

    /**
     * Writes a sibling temporary file and moves it over {@code file}, so a failed or interrupted
     * run never leaves a truncated .npy behind that a later run would take for a result; refuses to
     * replace a symbolic link or anything else that is not a regular file.
     */
    private static void writeAtomically(Path file, AtomicFiles.ChannelWriter writer) throws IOException {
        AtomicFiles.write(file, "file", writer);
    }

    private static void writeFloats(WritableByteChannel out, Tensor tensor) throws IOException {
        writeFully(out, ByteBuffer.wrap(header("<f4", tensor.shape())));
        float[] data = tensor.data();
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, 4L * data.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        int per = buffer.capacity() / 4;
        for (int done = 0; done < data.length; done += per) {
            int n = Math.min(per, data.length - done);
            buffer.clear();
            buffer.asFloatBuffer().put(data, done, n);
            buffer.limit(4 * n);
            writeFully(out, buffer);
        }
    }

    private static void writeLongs(WritableByteChannel out, Shape shape, int[] values) throws IOException {
        writeFully(out, ByteBuffer.wrap(header("<i8", shape)));
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, 8L * values.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        int per = buffer.capacity() / 8;
        for (int done = 0; done < values.length; done += per) {
            int n = Math.min(per, values.length - done);
            buffer.clear();
            for (int i = 0; i < n; i++) {
                buffer.putLong(values[done + i]);
            }
            buffer.flip();
            writeFully(out, buffer);
        }
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /**
     * The magic, version 1.0, header length and header, exactly as {@code numpy.save} writes them
     * ({@code numpy.lib.format._write_array_header}): sorted keys, Python reprs, growth room after
     * the dict, then spaces and a newline up to a multiple of 64 bytes.
     */
    static byte[] header(String descr, Shape shape) {
        String dims = shape.n() + ", " + shape.c() + ", " + shape.h() + ", " + shape.w();
        StringBuilder h = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': (").append(dims).append("), }");
        h.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape.n()).length()));
        int preamble = MAGIC.length + 2 + 2;
        int withNewline = h.length() + 1;
        // As NumPy: a full block of padding when already aligned, never zero.
        int pad = ARRAY_ALIGN - (preamble + withNewline) % ARRAY_ALIGN;
        h.append(" ".repeat(pad)).append('\n');
        byte[] text = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(preamble + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return b.array();
    }

    private static String shapeRepr(Shape s) {
        return "(" + s.n() + ", " + s.c() + ", " + s.h() + ", " + s.w() + ")";
    }

    /** A read-only channel over a buffer, so byte arrays take the same path as files and streams. */
    private static final class ByteBufferChannel implements ReadableByteChannel {
        private final ByteBuffer source;

        ByteBufferChannel(ByteBuffer source) {
            this.source = source;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (!source.hasRemaining()) {
                return -1;
            }
            int n = Math.min(dst.remaining(), source.remaining());
            dst.put(source.slice(source.position(), n));
            source.position(source.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
