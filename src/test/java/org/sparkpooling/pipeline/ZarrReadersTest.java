package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The OME-Zarr output read outside the JVM by zarr-python (Debian's {@code python3-zarr}, 2.13)
 * through {@code scripts/zarr-check}: every level of every store it reads must equal what the
 * pipeline computed (levels 1 and up: the Parquet rows of the same run; level 0: the decoded
 * input, or the tensor's floats), sample for sample, with the NGFF 0.4 structure the script checks
 * and the dtypes, chunks and compressor the docs name.
 *
 * <p>Needs {@code /usr/bin/python3} with zarr ({@code apt-get install python3-zarr}, which
 * {@code .ci/run} does); without it the test fails, unless {@code -Dpooling.skipZarrReaders=true}.
 */
class ZarrReadersTest {

    static final String SKIP_PROPERTY = "pooling.skipZarrReaders";

    private static SparkSession spark;

    @TempDir
    static Path shared;

    /** What the pipeline computed for one level: its C x H x W samples, little-endian, and their dtype. */
    record Level(int[] shape, String dtype, byte[] samples) {
    }

    @BeforeAll
    static void start() {
        checkReaderInstalled();
        spark = SparkSetup.session("ZarrReadersTest", "local[2]", Map.of());
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static String python() {
        return System.getProperty("pooling.python", "/usr/bin/python3");
    }

    private static Path script() {
        return Path.of(System.getProperty("pooling.home", ".")).toAbsolutePath().resolve("scripts/zarr-check");
    }

    /** Fails (not skips) when zarr-python is missing: a silently skipped check proves nothing. */
    private static void checkReaderInstalled() {
        Assumptions.assumeFalse(Boolean.getBoolean(SKIP_PROPERTY), SKIP_PROPERTY + "=true");
        String why;
        try {
            Process p = new ProcessBuilder(python(), "-c", "import zarr").redirectErrorStream(true).start();
            why = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return;
            }
        } catch (IOException | InterruptedException e) {
            why = e.toString();
        }
        fail("zarr-python cannot be imported by " + python() + " (" + why + "): apt-get install python3-zarr"
                + " (.ci/run does), or pass -D" + SKIP_PROPERTY + "=true to skip this check");
    }

    /** Runs the reader on {@code output}; its JSON, after checking that it exited 0. */
    static JsonNode check(Path output) throws Exception {
        ExternalReader.Result r = ExternalReader.run(shared, "zarr-check", 300, python(), script().toString(),
                output.toString(), "--samples");
        if (r.exit() != 0 || r.json() == null) {
            fail("zarr-check exited " + r.exit() + " on " + output + ": " + r.stderr()
                    + (r.json() == null ? "" : " problems " + r.json().get("problems")));
        }
        return r.json();
    }

    private static DownsampleReport downsample(InputKind kind, Path in, Path out) throws IOException {
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL,
                DownsampleSpec.DEFAULT_MAX_PIXELS);
        return DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                .formats(OutputFormat.PARQUET, OutputFormat.ZARR).zarrChunk(4).partitions(2).kind(kind).build(),
                new PrintWriter(new StringWriter()));
    }

    private static String dtype(int bitDepth, boolean floats) {
        return floats ? "float32" : bitDepth == 8 ? "uint8" : "uint16";
    }

    /** Levels 1 and up as the run's Parquet rows hold them, keyed "image level", transposed to C x H x W. */
    private static TreeMap<String, Level> pooledLevels(Path out, boolean floats) {
        TreeMap<String, Level> levels = new TreeMap<>();
        for (Row r : spark.read().option("basePath", out.toString()).parquet(out + "/level=*")
                .select("path", "level", "height", "width", "channels", "bitDepth", "pixels").collectAsList()) {
            int h = r.getInt(2);
            int w = r.getInt(3);
            int c = r.getInt(4);
            levels.put(r.getString(0) + " " + r.getInt(1), new Level(new int[] {c, h, w}, dtype(r.getInt(5), floats),
                    ZarrFiles.planar((byte[]) r.get(6), h, w, c, r.getInt(5) / 8)));
        }
        return levels;
    }

    /**
     * What the reader returned equals {@code expected}, keyed by the image's path under zarr/ and
     * level: the same images and levels, shapes, dtypes, bytes (CRC-32) and every sample, bit for bit.
     */
    static void assertReaderSees(JsonNode json, Map<String, Level> expected) {
        assertEquals(0, json.get("problems").size(), "NGFF problems: " + json.get("problems"));
        TreeMap<String, Level> left = new TreeMap<>(expected);
        for (JsonNode store : json.get("stores")) {
            for (JsonNode image : store.get("images")) {
                for (JsonNode level : image.get("levels")) {
                    String key = image.get("path").asText() + " " + level.get("path").asText();
                    Level want = left.remove(key);
                    assertTrue(want != null, "unexpected or duplicate level " + key + "; expected " + expected.keySet());
                    assertEquals(Arrays.toString(want.shape()), level.get("shape").toString().replace(",", ", "), key);
                    assertEquals(want.dtype(), level.get("dtype").asText(), key + " dtype");
                    assertEquals("{\"id\":\"zstd\",\"level\":3}", level.get("compressor").toString(), key);
                    assertEquals("/", level.get("dimension_separator").asText(), key);
                    assertEquals(List.of(1, Math.min(4, want.shape()[1]), Math.min(4, want.shape()[2])),
                            List.of(level.get("chunks").get(0).asInt(), level.get("chunks").get(1).asInt(),
                                    level.get("chunks").get(2).asInt()), key + " chunks");
                    CRC32 crc = new CRC32();
                    crc.update(want.samples());
                    assertEquals(crc.getValue(), level.get("crc32").asLong(), key + " crc32");
                    JsonNode samples = level.get("samples");
                    int bytes = want.dtype().equals("uint8") ? 1 : want.dtype().equals("uint16") ? 2 : 4;
                    ByteBuffer b = ByteBuffer.wrap(want.samples()).order(ByteOrder.LITTLE_ENDIAN);
                    assertEquals(want.samples().length / bytes, samples.size(), key + " samples");
                    for (int i = 0; i < samples.size(); i++) {
                        double w = bytes == 1 ? b.get(i) & 0xff : bytes == 2 ? b.getShort(2 * i) & 0xffff
                                : b.getFloat(4 * i);
                        JsonNode g = samples.get(i);
                        double got = g.isTextual() ? Double.parseDouble(g.asText()) : g.asDouble();
                        if (Double.doubleToLongBits(w) != Double.doubleToLongBits(got)) {
                            fail(key + " sample " + i + ": zarr-python " + got + ", the pipeline " + w);
                        }
                    }
                }
            }
        }
        assertTrue(left.isEmpty(), "levels zarr-python did not find: " + left.keySet());
    }

    private static Level decoded(Path file) throws Exception {
        try (InputStream s = Files.newInputStream(file)) {
            var img = ImageDecoder.decode(s, Files.size(file), DownsampleSpec.DEFAULT_MAX_PIXELS);
            return new Level(new int[] {img.channels(), img.height(), img.width()}, dtype(img.bitDepth(), false),
                    ZarrSinkTest.expected(img));
        }
    }

    private record Checked(TreeMap<String, Level> expected, JsonNode json) {
    }

    private static Checked images;

    /** Five PNGs of both depths and every channel layout, odd sizes, a non-ASCII name with a space, and a text file. */
    private static synchronized Checked images() throws Exception {
        if (images == null) {
            Path in = shared.resolve("images");
            Map<String, Planes> written = new TreeMap<>();
            written.put("rgb8.png", TestImages.random(3, 13, 17, 8, 21));
            written.put("gray16.png", TestImages.random(1, 11, 7, 16, 22));
            written.put("sub/rgba16.png", TestImages.random(4, 9, 5, 16, 23));
            written.put("sub dir/gr\u00e5 alpha.png", TestImages.random(2, 6, 5, 8, 24));
            written.put("gray8-wide.png", TestImages.random(1, 3, 31, 8, 25));
            for (Map.Entry<String, Planes> e : written.entrySet()) {
                TestImages.write(e.getValue(), "png", in.resolve(e.getKey()));
            }
            Files.writeString(in.resolve("notes.txt"), "not an image\n");
            Path out = shared.resolve("images-out");
            DownsampleReport report = downsample(InputKind.IMAGES, in, out);
            assertEquals(written.size(), report.pooled());
            assertEquals(1, report.errors());
            TreeMap<String, Level> expected = new TreeMap<>();
            pooledLevels(out, false).forEach((k, v) -> {
                int space = k.lastIndexOf(' ');
                expected.put(ZarrClaims.store(k.substring(0, space)).substring(5) + " " + k.substring(space + 1), v);
            });
            for (String name : written.keySet()) {
                expected.put(ZarrClaims.store(name).substring(5) + " 0", decoded(in.resolve(name)));
            }
            images = new Checked(expected, check(out));
        }
        return images;
    }

    @Test
    void zarrPythonReadsEveryLevelOfEveryImageAsThePipelineMadeIt() throws Exception {
        Checked c = images();
        assertReaderSees(c.json(), c.expected());
        assertEquals(5, c.json().get("stores").size(), "a store per pooled image, none for the text file");
        for (JsonNode store : c.json().get("stores")) {
            JsonNode attrs = store.get("images").get(0).get("attrs");
            JsonNode ms = attrs.get("multiscales").get(0);
            assertEquals("avg", ms.get("type").asText(), store.get("store").asText());
            assertEquals(2, ms.get("metadata").get("kwargs").get("factor").asInt());
            assertEquals(store.get("images").get(0).get("levels").get(0).get("shape").get(0).asInt(),
                    attrs.get("omero").get("channels").size(), "omero names every channel");
        }
    }

    @Test
    void zarrPythonReadsFloatTensorsBitForBitInTheBioformats2rawLayout() throws Exception {
        Path in = shared.resolve("npy");
        Files.createDirectories(in);
        float[] data = TestImages.randomFloats(2 * 5 * 7 * 9, 31);
        data[3] = Float.NaN;
        data[4] = Float.NEGATIVE_INFINITY;
        data[5] = -0.0f;
        Npy.write(in.resolve("a.npy"), new Tensor(new Shape(2, 5, 7, 9), data));
        Path out = shared.resolve("npy-out");
        assertEquals(1, downsample(InputKind.NPY, in, out).pooled());

        TreeMap<String, Level> expected = new TreeMap<>();
        pooledLevels(out, true).forEach((k, v) -> expected.put(k.replace("a.npy#", "a.zarr/"), v));
        int plane = 5 * 7 * 9;
        for (int n = 0; n < 2; n++) {
            ByteBuffer b = ByteBuffer.allocate(plane * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < plane; i++) {
                b.putFloat(data[n * plane + i]);
            }
            expected.put("a.zarr/" + n + " 0", new Level(new int[] {5, 7, 9}, "float32", b.array()));
        }
        JsonNode json = check(out);
        assertReaderSees(json, expected);
        assertEquals(3, json.get("stores").get(0).get("layout").asInt());
        assertEquals(2, json.get("stores").get(0).get("images").size());
    }

    /** The comparison is not vacuous: one changed sample, a level fewer, or a changed sample in the reader's JSON fails it. */
    @Test
    void theComparisonCatchesAChangedSampleAndAMissingLevel() throws Exception {
        Checked c = images();
        TreeMap<String, Level> changed = new TreeMap<>(c.expected());
        Level l = changed.get("gray16.zarr 2");
        byte[] s = Arrays.copyOf(l.samples(), l.samples().length);
        s[s.length - 1] ^= 1;
        changed.put("gray16.zarr 2", new Level(l.shape(), l.dtype(), s));
        assertThrows(AssertionFailedError.class, () -> assertReaderSees(c.json(), changed));

        TreeMap<String, Level> more = new TreeMap<>(c.expected());
        more.put("gray16.zarr 9", l);
        assertThrows(AssertionFailedError.class, () -> assertReaderSees(c.json(), more));

        JsonNode tampered = c.json().deepCopy();
        ArrayNode samples = (ArrayNode) tampered.get("stores").get(0).get("images").get(0).get("levels").get(0)
                .get("samples");
        samples.set(0, samples.get(0).asInt() + 1);
        assertThrows(AssertionFailedError.class, () -> assertReaderSees(tampered, c.expected()));
    }
}
