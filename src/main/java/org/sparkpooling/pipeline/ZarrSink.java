package org.sparkpooling.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.sparkpooling.io.ProjectVersion;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.tensor.IntImage;

/**
 * OME-Zarr (NGFF 0.4 on Zarr v2): each input record becomes a store under {@code zarr/}, at its
 * relative path with the extension replaced ({@link ZarrClaims#store}): {@code zarr/a/b.zarr} for
 * {@code a/b.jpg}, a multiscales image whose arrays {@code 0} (the input itself), {@code 1}, ... are
 * its levels, each C x H x W, chunked {@code 1 x chunk x chunk} (smaller when the level is), with
 * the samples' own dtype (uint8, uint16, uint32 for label ids, float32 for float planes). A float
 * tensor's N images go into one store in the {@code bioformats2raw.layout} (images {@code 0} to
 * {@code N-1}, each a multiscales image), since they are one record.
 *
 * <p>Who writes what: a task writes the chunk rows that begin inside the rows it makes of a level
 * (its {@link LevelWriter} carries a chunk row begun by one band into the next, and refuses a first
 * band that begins inside a chunk row, which the task above owns), so a level split over tasks at
 * chunk rows has one writer per chunk; the task with row 0 of a level also writes the level's
 * {@code .zarray} and, at level 0, the group's metadata. An image that fits a task, or is made in bands by
 * one task, is written whole by that task; a large TIFF striped over tasks ({@link StripedImages})
 * is written by each stripe's task for the chunk rows of its stripe, and by the gathering task for
 * the small levels. Every file is written whole and deterministically ({@link ZarrStore}), so
 * a rerun rewrites the same bytes.
 *
 * <p>Whether an input may have its store at all (two inputs naming one store, a path that holds
 * something else) is decided on the driver before the batches ({@link ZarrClaims}).
 */
final class ZarrSink implements OutputSink {

    private static final long serialVersionUID = 1L;

    /** The directory under the output that holds the stores. */
    static final String DIR = "zarr";

    /** Default chunk side: 1 x 512 x 512 samples per channel plane. */
    public static final int DEFAULT_CHUNK = 512;

    /** The largest chunk side: a 1 x 8192 x 8192 float32 chunk is 256 MiB before compression. */
    public static final int MAX_CHUNK = 8192;

    /**
     * Tests only: the task fails (an {@link IOException}, as a full disk would) after writing this
     * many chunks, in its attempts below {@link #FAIL_ATTEMPTS} (default 1: the first attempt).
     * Read from the Hadoop configuration the tasks get, so a test sets it on the session.
     */
    static final String FAIL_AFTER_CHUNKS = "spark-pooling.zarr.test.failAfterChunks";
    static final String FAIL_ATTEMPTS = "spark-pooling.zarr.test.failAttempts";

    private final String outputDir;
    private final DownsampleSpec spec;
    private final int chunk;
    private final boolean labels;
    private final String version;

    /**
     * @param labels whether the images are label images (segmentations): their groups get NGFF's
     *               {@code image-label} metadata and no {@code omero} display settings
     */
    ZarrSink(String outputDir, DownsampleSpec spec, int chunk, boolean labels) {
        if (chunk < 1 || chunk > MAX_CHUNK) {
            throw new IllegalArgumentException("zarr chunk (" + chunk + ") must be 1 to " + MAX_CHUNK);
        }
        this.outputDir = outputDir;
        this.spec = spec;
        this.chunk = chunk;
        this.labels = labels;
        this.version = ProjectVersion.get();
    }

    /** The sink of a run: label metadata when the run's mode is a label mode. */
    static ZarrSink of(String outputDir, DownsampleJob.Options run) {
        return new ZarrSink(outputDir, run.spec(), run.zarrChunk(), labelMode(run.spec().mode()));
    }

    /**
     * Whether a run in {@code mode} makes a label pyramid, written with NGFF's {@code image-label}
     * metadata: {@code mode}, the label-safe mode. Min, max and median also keep a value of the
     * window, never a blend, but are as often run on intensity images (a max projection, a median
     * filter), so they write a plain image. No default: a new mode makes the compiler ask.
     */
    static boolean labelMode(DownsampleMode mode) {
        return switch (mode) {
            case MODE -> true;
            case AVG, MAX, MIN, MEDIAN -> false;
        };
    }

    @Override
    public LevelWriter open(Configuration conf) throws IOException {
        return new Writer(conf);
    }

    /** The record's store, whole: {@link ZarrClaims} gave it to this record, so nothing in it is another's. */
    @Override
    public void remove(String image, int levels, Configuration conf) throws IOException {
        Path store = new Path(outputDir, ZarrClaims.store(image));
        store.getFileSystem(conf).delete(store, true);
    }

    /** A chunk row begun but not yet full: its rows so far, copied out of the bands that brought them. */
    private static final class Carry {
        final String image;
        /** The next row of the level this task expects. */
        int next;
        /** The chunk row being filled ({@code null}: none), its first row, and how many rows it holds. */
        LevelImage rows;
        int start;
        int filled;

        Carry(String image, int next) {
            this.image = image;
            this.next = next;
        }
    }

    /**
     * One task's writer. Bands of a level come in order, top first; each full chunk row is written
     * as soon as its rows are here, from the band itself when it holds the whole chunk row, or
     * from a copy of the rows carried over from the bands before (at most one chunk row per level).
     * The first band this task gets of a level must start on a chunk row (else another task owns
     * the chunk row it begins inside), and a level's bottom chunk row is written with its last band.
     */
    private final class Writer implements LevelWriter {
        private final Configuration conf;
        private final ZarrStore store;
        private final Map<Integer, Carry> carries = new HashMap<>();
        private final int failAfter;
        private int chunksWritten;

        Writer(Configuration conf) throws IOException {
            this.conf = conf;
            this.store = ZarrStore.at(new Path(outputDir), conf);
            this.failAfter = conf.getInt(FAIL_AFTER_CHUNKS, 0) > 0 && attempt() < conf.getInt(FAIL_ATTEMPTS, 1)
                    ? conf.getInt(FAIL_AFTER_CHUNKS, 0) : Integer.MAX_VALUE;
        }

        @Override
        public void write(ImageLevel band) throws IOException {
            LevelImage rows = band.pixels();
            int chunkH = Math.min(chunk, band.height());
            int chunkW = Math.min(chunk, rows.width());
            String array = imagePath(band.image(), rows) + "/" + band.level();
            Carry carry = carries.get(band.level());
            if (carry == null || !carry.image.equals(band.image())) {
                if (band.y0() % chunkH != 0) {
                    throw new IllegalArgumentException("band rows " + band.y0() + ".." + (band.y0() + rows.height())
                            + " of " + band.image() + " level " + band.level() + " (" + band.height() + " rows) begin"
                            + " inside a chunk row (chunk height " + chunkH + "): the task with the rows above writes it");
                }
                if (band.y0() == 0) {
                    begin(band, array, chunkH, chunkW);
                }
                carry = new Carry(band.image(), band.y0());
                carries.put(band.level(), carry);
            } else if (band.y0() != carry.next) {
                throw new IllegalStateException("band at row " + band.y0() + " of " + band.image() + " level "
                        + band.level() + " came when row " + carry.next + " was due");
            }
            int at = 0; // rows of this band already taken
            if (carry.rows != null) {
                at = Math.min(carry.rows.height() - carry.filled, rows.height());
                copyRows(rows, 0, carry.rows, carry.filled, at);
                carry.filled += at;
                if (carry.filled == carry.rows.height()) {
                    chunkRow(array, carry.rows, 0, carry.start / chunkH, chunkH, chunkW);
                    carry.rows = null;
                }
            }
            while (at < rows.height()) {
                int y = band.y0() + at;
                int need = Math.min(chunkH, band.height() - y); // the bottom chunk row may be short
                if (rows.height() - at >= need) {
                    chunkRow(array, rows, at, y / chunkH, chunkH, chunkW);
                    at += need;
                } else {
                    carry.rows = allocate(rows, need);
                    carry.start = y;
                    carry.filled = rows.height() - at;
                    copyRows(rows, at, carry.rows, 0, carry.filled);
                    at = rows.height();
                }
            }
            carry.next = band.y0() + rows.height();
            if (band.isLast()) {
                carries.remove(band.level());
            }
        }

        /** What the band at row 0 writes before its chunks: the level's .zarray, and at level 0 the groups. */
        private void begin(ImageLevel band, String array, int chunkH, int chunkW) throws IOException {
            LevelImage rows = band.pixels();
            if (band.level() == 0) {
                String record = record(band.image(), rows);
                if (tensorIndex(band.image(), rows) == 0) {
                    store.group(ZarrClaims.store(record), layoutAttrs(record));
                }
                store.group(imagePath(band.image(), rows), imageAttrs(band.image(), band.levels(), rows));
            }
            store.array(array, new int[] {rows.channels(), band.height(), rows.width()},
                    new int[] {1, chunkH, chunkW}, ZarrStore.dtype(rows));
        }

        /**
         * The chunks of chunk row {@code cy}, whose rows start at row {@code y} of {@code rows} (all
         * of its rows are there: {@code chunkH}, or fewer at the level's bottom).
         */
        private void chunkRow(String array, LevelImage rows, int y, int cy, int chunkH, int chunkW) throws IOException {
            for (int cx = 0; cx * chunkW < rows.width(); cx++) {
                for (int c = 0; c < rows.channels(); c++) {
                    if (chunksWritten >= failAfter) {
                        throw new IOException("injected failure after " + chunksWritten + " chunks (" + FAIL_AFTER_CHUNKS
                                + ")");
                    }
                    store.chunk(array, new int[] {c, cy, cx}, chunk(rows, c, y, cx * chunkW, chunkH, chunkW));
                    chunksWritten++;
                }
            }
        }

        /** A chunk row that did not end its level when the task ended: the task failed part-way; its rerun writes it. */
        @Override
        public void close() {
            carries.clear();
        }
    }

    /** An empty image of {@code rows} rows like {@code like}: the carried chunk row's. */
    static LevelImage allocate(LevelImage like, int rows) {
        if (like instanceof IntLevel il) {
            return new IntLevel(IntImage.allocate(rows, like.width(), like.channels(), il.bitDepth()));
        }
        Planes p = (Planes) like;
        return new Planes(p.channels(), rows, p.width(), p.bitDepth(), new float[p.channels() * rows * p.width()]);
    }

    /** Copies {@code n} rows from row {@code from} of {@code src} to row {@code to} of {@code dst} (same width and kind). */
    static void copyRows(LevelImage src, int from, LevelImage dst, int to, int n) {
        if (src instanceof IntLevel s && dst instanceof IntLevel d) {
            int row = s.width() * s.channels();
            Object a = switch (s.bitDepth()) {
                case 8 -> s.image().bytes();
                case 16 -> s.image().shorts();
                default -> s.image().ints();
            };
            Object b = switch (d.bitDepth()) {
                case 8 -> d.image().bytes();
                case 16 -> d.image().shorts();
                default -> d.image().ints();
            };
            System.arraycopy(a, from * row, b, to * row, n * row);
            return;
        }
        Planes s = (Planes) src;
        Planes d = (Planes) dst;
        for (int c = 0; c < s.channels(); c++) {
            System.arraycopy(s.samples(), (c * s.height() + from) * s.width(), d.samples(),
                    (c * d.height() + to) * d.width(), n * s.width());
        }
    }

    private static int attempt() {
        TaskContext task = TaskContext.get();
        return task == null ? 0 : task.attemptNumber();
    }

    /**
     * One chunk of channel {@code c}: rows {@code y .. y + h} and columns {@code x .. x + w} of
     * {@code image} (channels-last samples, or float planes), C order, little-endian, full chunk
     * size with the part past the image's edge left zero (the arrays' fill value).
     */
    static byte[] chunk(LevelImage image, int c, int y, int x, int h, int w) {
        int bytes = image instanceof Planes p && p.bitDepth() == Planes.FLOAT_DEPTH ? 4 : image.bitDepth() / 8;
        byte[] out = new byte[h * w * bytes];
        int rows = Math.min(h, image.height() - y);
        int cols = Math.min(w, image.width() - x);
        int width = image.width();
        int channels = image.channels();
        if (image instanceof IntLevel il) {
            IntImage img = il.image();
            // One strided pass per channel over the chunk's rows: they are at most chunk x width x C
            // samples, so the C passes of one chunk column read them from cache.
            for (int r = 0; r < rows; r++) {
                int src = ((y + r) * width + x) * channels + c;
                int dst = r * w * bytes;
                switch (img.bitDepth()) {
                    case 8 -> {
                        byte[] s = img.bytes();
                        for (int i = 0; i < cols; i++, src += channels) {
                            out[dst + i] = s[src];
                        }
                    }
                    case 16 -> {
                        short[] s = img.shorts();
                        for (int i = 0; i < cols; i++, src += channels, dst += 2) {
                            out[dst] = (byte) s[src];
                            out[dst + 1] = (byte) (s[src] >>> 8);
                        }
                    }
                    default -> {
                        int[] s = img.ints();
                        for (int i = 0; i < cols; i++, src += channels, dst += 4) {
                            putInt(out, dst, s[src]);
                        }
                    }
                }
            }
        } else {
            Planes p = (Planes) image; // the sealed interface's other kind; integer planes are the reference path's
            float[] s = p.samples();
            for (int r = 0; r < rows; r++) {
                int src = (c * p.height() + y + r) * width + x;
                int dst = r * w * bytes;
                for (int i = 0; i < cols; i++, src++, dst += bytes) {
                    switch (bytes) {
                        case 1 -> out[dst] = (byte) (int) s[src];
                        case 2 -> {
                            int v = (int) s[src];
                            out[dst] = (byte) v;
                            out[dst + 1] = (byte) (v >>> 8);
                        }
                        default -> putInt(out, dst, Float.floatToRawIntBits(s[src]));
                    }
                }
            }
        }
        return out;
    }

    private static void putInt(byte[] out, int at, int v) {
        out[at] = (byte) v;
        out[at + 1] = (byte) (v >>> 8);
        out[at + 2] = (byte) (v >>> 16);
        out[at + 3] = (byte) (v >>> 24);
    }

    /** A float tensor's image ({@code path#n}); every other image is a file's, named by its path. */
    private static boolean isTensorImage(LevelImage pixels) {
        return pixels instanceof Planes p && p.bitDepth() == Planes.FLOAT_DEPTH;
    }

    /** {@code n} of a tensor's image {@code path#n}; -1 for any other image. */
    private static int tensorIndex(String name, LevelImage pixels) {
        int hash = name.lastIndexOf('#');
        if (!isTensorImage(pixels) || hash < 1 || hash == name.length() - 1) {
            return -1;
        }
        for (int i = hash + 1; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(name.substring(hash + 1));
    }

    /** The record an image came from: the file (or tensor row), without a tensor image's {@code #n}. */
    private static String record(String name, LevelImage pixels) {
        return tensorIndex(name, pixels) < 0 ? name : name.substring(0, name.lastIndexOf('#'));
    }

    /** The image's group under the output: its record's store, or image {@code n} inside it for a tensor. */
    static String imagePath(String name, LevelImage pixels) {
        String store = ZarrClaims.store(record(name, pixels));
        int n = tensorIndex(name, pixels);
        return n < 0 ? store : store + "/" + n;
    }

    /** Who made the store and from what: how a later run tells its own store from something else. */
    private Map<String, Object> creator(String source) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", ZarrClaims.CREATOR);
        m.put("version", version);
        m.put("source", source);
        return m;
    }

    /** A tensor record's store: the bioformats2raw layout, whose images are the groups 0 to N-1. */
    private Map<String, Object> layoutAttrs(String record) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bioformats2raw.layout", 3);
        m.put("_creator", creator(record));
        return m;
    }

    /** An image group's {@code .zattrs}: multiscales (axes c, y, x; a scale per level), and display or label metadata. */
    Map<String, Object> imageAttrs(String name, int levels, LevelImage level0) {
        List<Object> datasets = new ArrayList<>();
        double scale = 1;
        for (int l = 0; l <= levels; l++) {
            datasets.add(Map.of("path", Integer.toString(l), "coordinateTransformations",
                    List.of(Map.of("type", "scale", "scale", List.of(1.0, scale, scale)))));
            scale *= spec.factor();
        }
        Map<String, Object> ms = new LinkedHashMap<>();
        ms.put("version", "0.4");
        ms.put("name", name);
        ms.put("axes", List.of(Map.of("name", "c", "type", "channel"), Map.of("name", "y", "type", "space"),
                Map.of("name", "x", "type", "space")));
        ms.put("datasets", datasets);
        ms.put("type", spec.mode().label());
        ms.put("metadata", method(level0));
        Map<String, Object> attrs = new LinkedHashMap<>();
        attrs.put("multiscales", List.of(ms));
        if (labels) {
            attrs.put("image-label", Map.of("version", "0.4"));
        } else if (level0 instanceof IntLevel && level0.bitDepth() <= 16 && level0.channels() <= 4) {
            attrs.put("omero", omero(level0.channels(), (1 << level0.bitDepth()) - 1));
        }
        attrs.put("_creator", creator(name));
        return attrs;
    }

    /** The downscaling method, as NGFF's {@code metadata} describes it. */
    private Map<String, Object> method(LevelImage level0) {
        boolean floats = isTensorImage(level0);
        Map<String, Object> kwargs = new LinkedHashMap<>();
        kwargs.put("mode", spec.mode().label());
        kwargs.put("factor", spec.factor());
        kwargs.put("edge", spec.edge().label());
        kwargs.put("sparse", spec.sparse());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("description", spec.factor() + "x" + spec.factor() + " " + spec.mode().label() + " pooling, stride "
                + spec.factor() + ", each level from the one before; edge " + spec.edge().label()
                + (spec.edge() == EdgeMode.PARTIAL ? " (overhanging windows pool their in-bounds pixels)"
                        : " (the remainder rows and columns are dropped)")
                + (spec.sparse() ? "; sparse (zero is background: only nonzero samples count unless all are zero)" : "")
                + (floats ? "; float32, not rounded" : "; integer samples, means rounded half to even"));
        m.put("method", "spark-pooling downsample");
        m.put("version", version);
        m.put("kwargs", kwargs);
        return m;
    }

    /** Display settings: gray, gray + alpha, RGB or RGBA, each channel's window the full sample range. */
    private static Map<String, Object> omero(int channels, int max) {
        String[][] layouts = {{"gray"}, {"gray", "alpha"}, {"R", "G", "B"}, {"R", "G", "B", "A"}};
        Map<String, String> colors = Map.of("gray", "FFFFFF", "alpha", "FFFFFF", "R", "FF0000", "G", "00FF00",
                "B", "0000FF", "A", "FFFFFF");
        List<Object> list = new ArrayList<>();
        for (String label : layouts[channels - 1]) {
            Map<String, Object> ch = new LinkedHashMap<>();
            ch.put("label", label);
            ch.put("color", colors.get(label));
            ch.put("active", !label.equals("alpha") && !label.equals("A"));
            ch.put("coefficient", 1);
            ch.put("family", "linear");
            ch.put("inverted", false);
            ch.put("window", Map.of("min", 0, "max", max, "start", 0, "end", max));
            list.add(ch);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("channels", list);
        m.put("rdefs", Map.of("model", channels >= 3 ? "color" : "greyscale"));
        return m;
    }
}
