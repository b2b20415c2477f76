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
import java.nio.LongBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.sparkpooling.io.AtomicFiles;

/**
 * NumPy's {@code .npy} format for pooling tensors.
 *
 * <p>Reads C-order, little-endian arrays written in format version 1.0, 2.0 or 3.0: through
 * {@link #read} the 2-D API's rank-4 NCHW float32 tensors ({@code '<f4'}, or {@code '<f8'} rounded to
 * float32); through {@link #readTensor} rank-3, 4 or 5 arrays of either layout kept in their dtype
 * (float64 stays float64); through {@link #readIndices} int64 ({@code '<i8'}) pooling indices. Writes
 * float32 and float64 tensors and int64 index arrays (PyTorch's dtype for pooling indices) in
 * version 1.0, byte for byte as {@code numpy.save} does: the header padded with spaces to a
 * multiple of 64 bytes, so NumPy can memory-map the result.
 *
 * <p>Anything else is an {@link IllegalArgumentException} whose message starts with the file's
 * name and names the offending value: a wrong magic, an unsupported version or dtype, Fortran
 * order, a rank the entry point does not take, a non-positive or overflowing shape, a header that
 * does not parse, truncated data, bytes after the data, or an index past int. I/O failures stay
 * {@link IOException}s.
 *
 * <p>Data is streamed through one small buffer, so reading or writing a tensor needs its
 * array and about a megabyte more, never a second copy of the file.
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

    /** The element types of the files this class reads and writes, by their NumPy {@code descr}. */
    private enum Descr {
        F4("<f4", 4), F8("<f8", 8), I8("<i8", 8);

        final String text;
        final int bytes;

        Descr(String text, int bytes) {
            this.text = text;
            this.bytes = bytes;
        }
    }

    /** The element types one entry point accepts, and how it states them in a refusal. */
    private static final Set<Descr> FLOATS = EnumSet.of(Descr.F4, Descr.F8);
    private static final String FLOATS_EXPECTED = "expected little-endian float32 ('<f4') or float64 ('<f8')";
    private static final Set<Descr> INDICES = EnumSet.of(Descr.I8);
    private static final String INDICES_EXPECTED = "expected little-endian int64 ('<i8') indices";

    /** The ranks one entry point accepts, and how it states them in a refusal. */
    private record Ranks(int min, int max, String rule) {
        static final Ranks NCHW = new Ranks(4, 4, "must be 4 (N, C, H, W)");
        static final Ranks POOLING = new Ranks(3, 5, "must be 3, 4 or 5 (N, C and one to three spatial dimensions)");
    }

    /** A parsed header: what the data is and where it starts. */
    private record Header(Descr descr, int[] dims, long dataOffset) {
        long count() {
            long c = 1;
            for (int d : dims) {
                c *= d;
            }
            return c;
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads a rank-4 float32 or float64 array from {@code file}, float64 rounded to float32. */
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
        return fromBytes(bytes, name, channel -> read(channel, name, bytes.length));
    }

    /**
     * Reads a rank-4 float32 or float64 array from {@code in}, up to its end (which must follow
     * the data directly). Does not close {@code in}.
     */
    public static Tensor read(InputStream in, String name) throws IOException {
        return read(Channels.newChannel(in), name, -1);
    }

    /**
     * Reads a rank-3, 4 or 5 float array of the given layout from {@code file}, keeping its dtype:
     * a {@link FloatTensor} from {@code '<f4'}, a {@link DoubleTensor} from {@code '<f8'}. The file's
     * dimensions are read in {@code layout}'s order ({@code N,C,H,W} or {@code N,H,W,C}, and so on).
     */
    public static NdTensor readTensor(Path file, Layout layout) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readTensor(channel, file.toString(), channel.size(), layout);
        }
    }

    /** As {@link #readTensor(Path, Layout)}, from the whole of {@code bytes}. */
    public static NdTensor readTensor(byte[] bytes, String name, Layout layout) {
        return fromBytes(bytes, name, channel -> readTensor(channel, name, bytes.length, layout));
    }

    /** As {@link #readTensor(Path, Layout)}, from {@code in} up to its end; does not close it. */
    public static NdTensor readTensor(InputStream in, String name, Layout layout) throws IOException {
        return readTensor(Channels.newChannel(in), name, -1, layout);
    }

    /**
     * Reads rank-3, 4 or 5 int64 ({@code '<i8'}) pooling indices of the given layout from
     * {@code file}; every value must fit an int (indices are positions inside one volume).
     */
    public static IndexTensor readIndices(Path file, Layout layout) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readIndices(channel, file.toString(), channel.size(), layout);
        }
    }

    /** As {@link #readIndices(Path, Layout)}, from the whole of {@code bytes}. */
    public static IndexTensor readIndices(byte[] bytes, String name, Layout layout) {
        return fromBytes(bytes, name, channel -> readIndices(channel, name, bytes.length, layout));
    }

    private interface ChannelReader<T> {
        T read(ReadableByteChannel channel) throws IOException;
    }

    private static <T> T fromBytes(byte[] bytes, String name, ChannelReader<T> reader) {
        if (bytes == null) {
            throw new IllegalArgumentException(name + ": bytes must not be null");
        }
        try {
            return reader.read(new ByteBufferChannel(ByteBuffer.wrap(bytes)));
        } catch (IOException e) {
            // A channel over a byte array never fails.
            throw new UncheckedIOException(e);
        }
    }

    /** {@code size} is the stream's length when known (a file, an array), else -1. */
    private static Tensor read(ReadableByteChannel in, String name, long size) throws IOException {
        Header h = header(in, name, FLOATS, FLOATS_EXPECTED, Ranks.NCHW);
        float[] data = new float[(int) h.count()];
        readData(in, name, size, h, data);
        return new Tensor(new Shape(h.dims[0], h.dims[1], h.dims[2], h.dims[3]), data);
    }

    private static NdTensor readTensor(ReadableByteChannel in, String name, long size, Layout layout)
            throws IOException {
        requireLayout(layout);
        Header h = header(in, name, FLOATS, FLOATS_EXPECTED, Ranks.POOLING);
        TensorShape shape = TensorShape.ofDims(h.dims, layout);
        return switch (h.descr) {
            case F4 -> {
                float[] data = new float[(int) h.count()];
                readData(in, name, size, h, data);
                yield new FloatTensor(shape, data);
            }
            case F8 -> {
                double[] data = new double[(int) h.count()];
                readData(in, name, size, h, data);
                yield new DoubleTensor(shape, data);
            }
            case I8 -> throw new IllegalStateException("refused by the header check");
        };
    }

    private static IndexTensor readIndices(ReadableByteChannel in, String name, long size, Layout layout)
            throws IOException {
        requireLayout(layout);
        Header h = header(in, name, INDICES, INDICES_EXPECTED, Ranks.POOLING);
        int[] data = new int[(int) h.count()];
        readData(in, name, size, h, data);
        return new IndexTensor(TensorShape.ofDims(h.dims, layout), data);
    }

    private static void requireLayout(Layout layout) {
        if (layout == null) {
            throw new IllegalArgumentException("layout must be nchw or nhwc, not null");
        }
    }

    /** Reads and checks everything up to the data. */
    private static Header header(ReadableByteChannel in, String name, Set<Descr> accepted, String expected,
            Ranks ranks) throws IOException {
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
                    + ") is larger than the " + MAX_HEADER_LENGTH + " bytes a pooling array needs");
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
        Descr descr = descr(dict.get("descr"), name, accepted, expected);
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean)) {
            throw new IllegalArgumentException(name + ": fortran_order (" + repr(fortran) + ") must be True or False");
        }
        if ((Boolean) fortran) {
            throw new IllegalArgumentException(name + ": fortran_order (True) is not supported; only C-order arrays"
                    + " are read (save numpy.ascontiguousarray(x) instead)");
        }
        return new Header(descr, dims(dict.get("shape"), name, ranks), dataOffset);
    }

    /**
     * Fills {@code data} (a float[], double[] or int[] of the header's count) and checks that the
     * stream holds exactly the data: no fewer bytes, none after.
     */
    private static void readData(ReadableByteChannel in, String name, long size, Header h, Object data)
            throws IOException {
        long dataBytes = h.count() * h.descr.bytes;
        if (size >= 0 && size - h.dataOffset != dataBytes) {
            throw new IllegalArgumentException(name + ": " + (size - h.dataOffset < dataBytes ? "truncated data" : "trailing data")
                    + ": shape " + dimsRepr(h.dims) + " of '" + h.descr.text + "' needs " + dataBytes
                    + " bytes after the " + h.dataOffset + "-byte header, the file has " + (size - h.dataOffset));
        }
        long read = readElements(in, name, h.descr, data, (int) h.count());
        if (read < dataBytes) {
            throw new IllegalArgumentException(name + ": truncated data: shape " + dimsRepr(h.dims) + " of '"
                    + h.descr.text + "' needs " + dataBytes + " bytes after the header, the stream has " + read);
        }
        if (size < 0 && in.read(ByteBuffer.allocate(1)) > 0) {
            throw new IllegalArgumentException(name + ": trailing data: the stream continues after the "
                    + dataBytes + " bytes of shape " + dimsRepr(h.dims) + " of '" + h.descr.text + "'");
        }
    }

    /** Streams {@code count} elements into {@code data}; returns the bytes read, fewer only at end of stream. */
    private static long readElements(ReadableByteChannel in, String name, Descr descr, Object data, int count)
            throws IOException {
        long needed = (long) count * descr.bytes;
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, needed)).order(ByteOrder.LITTLE_ENDIAN);
        long total = 0;
        int done = 0;
        while (total < needed) {
            buffer.clear();
            buffer.limit((int) Math.min(buffer.capacity(), needed - total));
            int wanted = buffer.limit();
            int got = readFully(in, buffer);
            total += got;
            int elements = got / descr.bytes;
            buffer.flip();
            convert(name, descr, buffer, data, done, elements);
            done += elements;
            if (got < wanted) {
                break; // end of stream: the caller reports the truncation
            }
        }
        return total;
    }

    /** One chunk of elements from the file's type into the array's. */
    private static void convert(String name, Descr descr, ByteBuffer buffer, Object data, int done, int elements) {
        switch (descr) {
            case F4 -> buffer.asFloatBuffer().get((float[]) data, done, elements);
            case F8 -> {
                DoubleBuffer doubles = buffer.asDoubleBuffer();
                if (data instanceof double[] d) {
                    doubles.get(d, done, elements);
                } else {
                    float[] f = (float[]) data;
                    for (int i = 0; i < elements; i++) {
                        // Java's narrowing rounds to nearest even, as NumPy's astype(float32) does.
                        f[done + i] = (float) doubles.get(i);
                    }
                }
            }
            case I8 -> {
                LongBuffer longs = buffer.asLongBuffer();
                int[] v = (int[]) data;
                for (int i = 0; i < elements; i++) {
                    long x = longs.get(i);
                    if (x != (int) x) {
                        throw new IllegalArgumentException(name + ": index (" + x + ") at element " + (done + i)
                                + " does not fit an int");
                    }
                    v[done + i] = (int) x;
                }
            }
        }
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

    private static Descr descr(Object descr, String name, Set<Descr> accepted, String expected) {
        for (Descr d : accepted) {
            if (d.text.equals(descr)) {
                return d;
            }
        }
        throw new IllegalArgumentException(name + ": dtype (" + repr(descr) + ") is not supported; " + expected);
    }

    private static int[] dims(Object value, String name, Ranks ranks) {
        if (!(value instanceof List<?> dims) || value instanceof ListLiteral) {
            throw new IllegalArgumentException(name + ": shape (" + repr(value) + ") must be a tuple of integers");
        }
        for (Object d : dims) {
            if (!(d instanceof BigInteger)) {
                throw new IllegalArgumentException(name + ": shape (" + repr(value) + ") must be a tuple of integers");
            }
        }
        if (dims.size() < ranks.min() || dims.size() > ranks.max()) {
            throw new IllegalArgumentException(name + ": rank (" + dims.size() + ") of shape " + repr(value)
                    + " " + ranks.rule());
        }
        BigInteger count = BigInteger.ONE;
        for (int i = 0; i < dims.size(); i++) {
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
        int[] result = new int[dims.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = ((BigInteger) dims.get(i)).intValue();
        }
        return result;
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
        writeAtomically(file, channel -> writeFloats(channel, dims(tensor.shape()), tensor.data()));
    }

    /** Writes {@code tensor} as float32 .npy to {@code out}, which is not closed. */
    public static void write(OutputStream out, Tensor tensor) throws IOException {
        requireTensor(tensor);
        writeFloats(Channels.newChannel(out), dims(tensor.shape()), tensor.data());
    }

    /** {@code tensor} as the bytes of a float32 .npy file. */
    public static byte[] toBytes(Tensor tensor) {
        requireTensor(tensor);
        return toBytes(dims(tensor.shape()), Dtype.FLOAT32, out -> write(out, tensor));
    }

    /**
     * Writes {@code tensor} as a .npy file of its own dtype ({@code '<f4'} or {@code '<f8'}) and
     * its dimensions in memory order ({@link TensorShape#dims}), replacing {@code file}.
     */
    public static void write(Path file, NdTensor tensor) throws IOException {
        requireTensor(tensor);
        writeAtomically(file, channel -> writeTensor(channel, tensor));
    }

    /** As {@link #write(Path, NdTensor)}, to {@code out}, which is not closed. */
    public static void write(OutputStream out, NdTensor tensor) throws IOException {
        requireTensor(tensor);
        writeTensor(Channels.newChannel(out), tensor);
    }

    /** {@code tensor} as the bytes of a .npy file of its dtype. */
    public static byte[] toBytes(NdTensor tensor) {
        requireTensor(tensor);
        return toBytes(tensor.shape().dims(), tensor.dtype(), out -> write(out, tensor));
    }

    private interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    private static byte[] toBytes(int[] dims, Dtype dtype, StreamWriter writer) {
        long elements = 1;
        for (int d : dims) {
            elements *= d;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                Math.toIntExact(header("<f4", dims).length + elements * dtype.bytes()));
        try {
            writer.write(out);
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
        requireInts(shape, values, shape == null ? 0 : shape.size());
        writeAtomically(file, channel -> writeLongs(channel, dims(shape), values));
    }

    /** Writes {@code values} as an int64 .npy array of {@code shape} to {@code out}, which is not closed. */
    public static void writeInt64(OutputStream out, Shape shape, int[] values) throws IOException {
        requireInts(shape, values, shape == null ? 0 : shape.size());
        writeLongs(Channels.newChannel(out), dims(shape), values);
    }

    /** Writes int64 indices of any pooling shape, dimensions in its memory order, replacing {@code file}. */
    public static void writeInt64(Path file, TensorShape shape, int[] values) throws IOException {
        requireInts(shape, values, shape == null ? 0 : shape.size());
        writeAtomically(file, channel -> writeLongs(channel, shape.dims(), values));
    }

    /** As {@link #writeInt64(Path, TensorShape, int[])}, to {@code out}, which is not closed. */
    public static void writeInt64(OutputStream out, TensorShape shape, int[] values) throws IOException {
        requireInts(shape, values, shape == null ? 0 : shape.size());
        writeLongs(Channels.newChannel(out), shape.dims(), values);
    }

    private static void requireTensor(Object tensor) {
        if (tensor == null) {
            throw new IllegalArgumentException("tensor must not be null");
        }
    }

    private static void requireInts(Object shape, int[] values, int size) {
        if (shape == null || values == null) {
            throw new IllegalArgumentException("shape and values must not be null");
        }
        if (values.length != size) {
            throw new IllegalArgumentException("values length (" + values.length + ") does not match shape "
                    + shape + " (" + size + " elements)");
        }
    }

    private static int[] dims(Shape s) {
        return new int[] {s.n(), s.c(), s.h(), s.w()};
    }

    /**
     * Writes a sibling temporary file and moves it over {@code file}, so a failed or interrupted
     * run never leaves a truncated .npy behind that a later run would take for a result; refuses to
     * replace a symbolic link or anything else that is not a regular file.
     */
    private static void writeAtomically(Path file, AtomicFiles.ChannelWriter writer) throws IOException {
        AtomicFiles.write(file, "file", writer);
    }

    private static void writeTensor(WritableByteChannel out, NdTensor tensor) throws IOException {
        int[] dims = tensor.shape().dims();
        if (tensor instanceof FloatTensor f) {
            writeFloats(out, dims, f.data());
        } else {
            writeDoubles(out, dims, ((DoubleTensor) tensor).data());
        }
    }

    /*
     * The three writers differ only in the element put into the buffer; kept apart rather than
     * put a call through an interface into the copy loop of every element.
     */

    private static void writeFloats(WritableByteChannel out, int[] dims, float[] data) throws IOException {
        writeFully(out, ByteBuffer.wrap(header("<f4", dims)));
        ByteBuffer buffer = chunk(data.length, 4);
        int per = buffer.capacity() / 4;
        for (int done = 0; done < data.length; done += per) {
            int n = Math.min(per, data.length - done);
            buffer.clear();
            buffer.asFloatBuffer().put(data, done, n);
            buffer.limit(4 * n);
            writeFully(out, buffer);
        }
    }

    private static void writeDoubles(WritableByteChannel out, int[] dims, double[] data) throws IOException {
        writeFully(out, ByteBuffer.wrap(header("<f8", dims)));
        ByteBuffer buffer = chunk(data.length, 8);
        int per = buffer.capacity() / 8;
        for (int done = 0; done < data.length; done += per) {
            int n = Math.min(per, data.length - done);
            buffer.clear();
            buffer.asDoubleBuffer().put(data, done, n);
            buffer.limit(8 * n);
            writeFully(out, buffer);
        }
    }

    private static void writeLongs(WritableByteChannel out, int[] dims, int[] values) throws IOException {
        writeFully(out, ByteBuffer.wrap(header("<i8", dims)));
        ByteBuffer buffer = chunk(values.length, 8);
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

    private static ByteBuffer chunk(int elements, int bytes) {
        return ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, (long) bytes * elements)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void writeFully(WritableByteChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    static byte[] header(String descr, Shape shape) {
        return header(descr, dims(shape));
    }

    /**
     * The magic, version 1.0, header length and header, exactly as {@code numpy.save} writes them
     * ({@code numpy.lib.format._write_array_header}): sorted keys, Python reprs, growth room after
     * the dict, then spaces and a newline up to a multiple of 64 bytes.
     */
    static byte[] header(String descr, int[] dims) {
        StringBuilder h = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': ").append(dimsRepr(dims)).append(", }");
        h.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(dims[0]).length()));
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

    /** Python's repr of the shape tuple: {@code (2, 3, 4)}, or {@code (4,)} for one dimension. */
    private static String dimsRepr(int[] dims) {
        StringBuilder b = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            b.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return b.append(dims.length == 1 ? ",)" : ")").toString();
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
