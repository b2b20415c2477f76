package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.spark.SparkSetup;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * The downsample dataset read by Parquet readers that share no code with Spark's parquet-mr:
 * DuckDB (C++) and hyparquet (JavaScript), through {@code scripts/parquet-check/check.mjs}. Every
 * row either reader returns must equal what Spark reads back from the same files: the same rows,
 * shapes, bit depths and every sample, decoded by the layout the README documents. This is what
 * "readable by pandas/pyarrow" can be checked against here, where pyarrow cannot be installed.
 *
 * <p>Needs node and the checker's packages ({@code npm ci --prefix scripts/parquet-check}, which
 * {@code scripts/test} runs); without them it fails, unless {@code -Dpooling.skipParquetReaders=true}.
 */
class ParquetReadersTest {

    static final String SKIP_PROPERTY = "pooling.skipParquetReaders";
    static final String INSTALL = "npm ci --prefix scripts/parquet-check --no-audit --no-fund";

    private static SparkSession spark;

    @TempDir
    static Path shared;

    /** One row as Spark reads it back, keyed "path level". */
    record Expected(String path, int level, int height, int width, int channels, int bitDepth, byte[] pixels) {
    }

    @BeforeAll
    static void start() {
        checkReadersInstalled();
        spark = SparkSetup.session("ParquetReadersTest", "local[2]", Map.of());
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static Path home() {
        return Path.of(System.getProperty("pooling.home", ".")).toAbsolutePath();
    }

    private static Path checker() {
        return home().resolve("scripts/parquet-check/check.mjs");
    }

    /** Fails (not skips) when the readers are missing: a silently skipped check proves nothing. */
    private static void checkReadersInstalled() {
        Assumptions.assumeFalse(Boolean.getBoolean(SKIP_PROPERTY), SKIP_PROPERTY + "=true");
        Path modules = home().resolve("scripts/parquet-check/node_modules");
        for (String pkg : List.of("@duckdb/node-api", "hyparquet")) {
            if (!Files.isDirectory(modules.resolve(pkg))) {
                fail("the Parquet reader " + pkg + " is not installed in " + modules + ": run `" + INSTALL
                        + "` (scripts/test does), or pass -D" + SKIP_PROPERTY + "=true to skip this check");
            }
        }
        try {
            Process p = new ProcessBuilder(node(), "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                fail("`" + node() + " --version` failed: " + version);
            }
        } catch (IOException | InterruptedException e) {
            fail("node (" + node() + ") cannot be run (" + e.getMessage() + "): install Node.js 18+ and run `"
                    + INSTALL + "`, or pass -D" + SKIP_PROPERTY + "=true to skip this check");
        }
    }

    private static String node() {
        return System.getProperty("pooling.node", "node");
    }

    /** Runs the checker on {@code dataset}; its JSON, after checking that it exited 0. */
    static JsonNode check(Path dataset) throws Exception {
        ExternalReader.Result r = ExternalReader.run(shared, "check", 300, node(), checker().toString(),
                dataset.toString(), "--samples");
        if (r.exit() != 0 || r.json() == null) {
            fail("parquet-check exited " + r.exit() + " on " + dataset + ": " + r.stderr()
                    + (r.json() == null ? "" : " disagreements " + r.json().get("disagreements") + " problems "
                            + r.json().get("problems")));
        }
        return r.json();
    }

    /** The level rows as Spark reads them back (the job's own reader), keyed "path level". */
    static TreeMap<String, Expected> sparkRows(Path dataset) {
        TreeMap<String, Expected> rows = new TreeMap<>();
        for (Row r : spark.read().option("basePath", dataset.toString()).parquet(dataset + "/level=*")
                .select("path", "level", "height", "width", "channels", "bitDepth", "pixels").collectAsList()) {
            Expected e = new Expected(r.getString(0), r.getInt(1), r.getInt(2), r.getInt(3), r.getInt(4), r.getInt(5),
                    (byte[]) r.get(6));
            assertTrue(rows.put(e.path() + " " + e.level(), e) == null, "duplicate row " + e.path() + " " + e.level());
        }
        return rows;
    }

    static List<String> sparkErrors(Path dataset) {
        List<String> rows = new ArrayList<>();
        for (Row r : spark.read().parquet(dataset + "/errors").orderBy("path").collectAsList()) {
            rows.add(r.getString(0) + ": " + r.getString(1));
        }
        return rows;
    }

    /** Sample {@code i} of the interleaved pixels by the README's layout, widened to double. */
    private static double sample(byte[] pixels, int bitDepth, int i) {
        return switch (bitDepth) {
            case 8 -> pixels[i] & 0xff;
            case 16 -> (pixels[2 * i] & 0xff) | (pixels[2 * i + 1] & 0xff) << 8;
            case 32 -> Float.intBitsToFloat((pixels[4 * i] & 0xff) | (pixels[4 * i + 1] & 0xff) << 8
                    | (pixels[4 * i + 2] & 0xff) << 16 | (pixels[4 * i + 3] & 0xff) << 24);
            default -> throw new AssertionFailedError("bitDepth " + bitDepth);
        };
    }

    /** A JSON number, or NaN/infinity spelled as a string (JSON has neither). */
    private static double number(JsonNode n) {
        return n.isTextual() ? Double.parseDouble(n.asText()) : n.asDouble();
    }

    /**
     * What one reader ({@code duckdb} or {@code hyparquet}) returned equals Spark's rows: the same
     * keys, shapes and bit depths, the same bytes (CRC-32) and every sample, and the same errors.
     */
    static void assertReaderSees(JsonNode reader, String name, Map<String, Expected> expected, List<String> errors) {
        JsonNode rows = reader.get("rows");
        assertEquals(expected.size(), rows.size(), name + ": row count");
        Map<String, Expected> left = new HashMap<>(expected);
        Map<Integer, Integer> perLevel = new TreeMap<>();
        for (JsonNode r : rows) {
            String key = r.get("path").asText() + " " + r.get("level").asInt();
            Expected e = left.remove(key);
            assertTrue(e != null, name + ": unexpected or duplicate row " + key);
            perLevel.merge(e.level(), 1, Integer::sum);
            assertEquals(e.height(), r.get("height").asInt(), name + " " + key + " height");
            assertEquals(e.width(), r.get("width").asInt(), name + " " + key + " width");
            assertEquals(e.channels(), r.get("channels").asInt(), name + " " + key + " channels");
            assertEquals(e.bitDepth(), r.get("bitDepth").asInt(), name + " " + key + " bitDepth");
            assertEquals(e.pixels().length, r.get("bytes").asInt(), name + " " + key + " bytes");
            CRC32 crc = new CRC32();
            crc.update(e.pixels());
            assertEquals(crc.getValue(), r.get("crc32").asLong(), name + " " + key + " crc32");
            JsonNode samples = r.get("samples");
            int count = e.height() * e.width() * e.channels();
            assertEquals(count, samples.size(), name + " " + key + " samples");
            double sum = 0;
            for (int i = 0; i < count; i++) {
                double want = sample(e.pixels(), e.bitDepth(), i);
                sum += want;
                double got = number(samples.get(i));
                // Bit-exact, NaN included: the same float32 (or integer) or a failure.
                if (Double.doubleToLongBits(want) != Double.doubleToLongBits(got)) {
                    fail(name + " " + key + " sample " + i + ": " + got + ", Spark " + want);
                }
            }
            assertEquals(Double.doubleToLongBits(sum), Double.doubleToLongBits(number(r.get("sum"))),
                    name + " " + key + " sum");
        }
        assertTrue(left.isEmpty(), name + ": missing rows " + left.keySet());
        Map<Integer, Integer> levels = new TreeMap<>();
        reader.get("levels").properties().forEach(f -> levels.put(Integer.parseInt(f.getKey()), f.getValue().asInt()));
        assertEquals(perLevel, levels, name + ": rows per level");
        List<String> got = new ArrayList<>();
        reader.get("errors").get("rows").forEach(r -> got.add(r.get("path").asText() + ": " + r.get("reason").asText()));
        assertEquals(errors, got, name + ": errors dataset");
    }

    private static DownsampleReport downsample(InputKind kind, Path in, Path out, OutputFormat... formats)
            throws IOException {
        DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, DownsampleSpec.PILLOW_MAX_PIXELS);
        StringWriter text = new StringWriter();
        return DownsampleJob.run(spark, DownsampleJob.Options.builder(in.toString(), out.toString(), spec)
                .formats(formats[0], java.util.Arrays.copyOfRange(formats, 1, formats.length)).partitions(2).batch(100)
                .kind(kind).build(), new PrintWriter(text));
    }

    /** Odd sizes, both depths, every channel layout, a non-ASCII name with a space, and a bad file. */
    private static Map<String, Planes> writeImages(Path in) throws IOException {
        Map<String, Planes> images = new TreeMap<>();
        images.put("rgb8.png", TestImages.random(3, 13, 17, 8, 21));
        images.put("gray16.png", TestImages.random(1, 11, 7, 16, 22));
        images.put("sub/rgba16.png", TestImages.random(4, 9, 5, 16, 23));
        images.put("sub dir/gr\u00e5 alpha.png", TestImages.random(2, 6, 5, 8, 24));
        images.put("gray8-wide.png", TestImages.random(1, 3, 31, 8, 25));
        for (Map.Entry<String, Planes> e : images.entrySet()) {
            TestImages.write(e.getValue(), "png", in.resolve(e.getKey()));
        }
        Files.writeString(in.resolve("notes.txt"), "not an image\n");
        return images;
    }

    /** The image dataset: written once, read back by Spark, and checked by the readers. */
    private record Checked(TreeMap<String, Expected> expected, List<String> errors, JsonNode json) {
    }

    private static Checked images;

    private static synchronized Checked images() throws Exception {
        if (images == null) {
            Path in = shared.resolve("images");
            Map<String, Planes> written = writeImages(in);
            Path out = shared.resolve("images-out");
            // Parquet and PNG both: the png/ folder beside the levels must not disturb the readers.
            DownsampleReport report = downsample(InputKind.IMAGES, in, out, OutputFormat.PARQUET, OutputFormat.PNG);
            assertEquals(written.size(), report.pooled());
            assertEquals(1, report.errors());

            TreeMap<String, Expected> expected = sparkRows(out);
            DownsampleSpec spec = new DownsampleSpec(DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL,
                    DownsampleSpec.PILLOW_MAX_PIXELS);
            int rows = 0;
            for (Map.Entry<String, Planes> e : written.entrySet()) {
                Planes p = e.getValue();
                int levels = spec.levelCount(p.height(), p.width());
                rows += levels;
                // Level 1 against the plain reference, so "Spark and the readers agree" is about a right dataset.
                Expected first = expected.get(e.getKey() + " 1");
                assertTrue(first != null, "Spark has no level 1 of " + e.getKey() + ": " + expected.keySet());
                double[] want = TestImages.reference(p, 2, false, true);
                Planes got = Planes.fromInterleaved(p.channels(), first.height(), first.width(), p.bitDepth(),
                        first.pixels());
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got.samples()[i], e.getKey() + " level 1 sample " + i);
                }
                assertTrue(expected.containsKey(e.getKey() + " " + levels), e.getKey() + " level " + levels);
            }
            assertEquals(rows, expected.size());
            List<String> errors = sparkErrors(out);
            assertEquals(List.of("notes.txt: unsupported format: no ImageIO reader recognises the content"), errors);
            images = new Checked(expected, errors, check(out));
        }
        return images;
    }

    @Test
    void duckdbAndHyparquetReadEveryImageRowAsSparkWroteIt() throws Exception {
        Checked c = images();
        assertTrue(c.json().get("agree").asBoolean(), "readers disagree: " + c.json().get("disagreements"));
        assertReaderSees(c.json().get("duckdb"), "duckdb", c.expected(), c.errors());
        assertReaderSees(c.json().get("hyparquet"), "hyparquet", c.expected(), c.errors());
        assertSchema(c.json());
    }

    /**
     * Without {@code parquet} among the formats the rows hold no pixels and are written on the
     * driver ({@link DatasetFiles}), not by a Spark write: Spark, DuckDB and hyparquet must see the
     * same rows and the same Parquet schema as in the dataset a Spark write made, pixels null.
     */
    @Test
    void aDatasetWithoutPixelsWrittenOnTheDriverReadsAsASparkWriteWould() throws Exception {
        Checked c = images();
        Path out = shared.resolve("images-png-only");
        DownsampleReport report = downsample(InputKind.IMAGES, shared.resolve("images"), out, OutputFormat.PNG);
        assertEquals(1, report.errors());
        TreeMap<String, Expected> rows = sparkRows(out);
        assertEquals(c.expected().keySet(), rows.keySet());
        c.expected().forEach((k, want) -> {
            Expected got = rows.get(k);
            assertEquals(List.of(want.height(), want.width(), want.channels(), want.bitDepth()),
                    List.of(got.height(), got.width(), got.channels(), got.bitDepth()), k);
            assertEquals(null, got.pixels(), k);
        });
        assertEquals(c.errors(), sparkErrors(out));
        JsonNode json = check(out);
        assertTrue(json.get("agree").asBoolean(), "readers disagree: " + json.get("disagreements"));
        assertSchema(json);
    }

    /**
     * The columns and Parquet types the README documents, as the readers see them: plain types
     * (no INT96, no lists), and no {@code level} column inside the files to clash with the
     * {@code level=N} directories.
     */
    private static void assertSchema(JsonNode json) {
        List<String> duck = new ArrayList<>();
        json.get("duckdb").get("columns").forEach(c -> duck.add(c.get("name").asText() + " " + c.get("type").asText()));
        assertEquals(List.of("path VARCHAR", "height INTEGER", "width INTEGER", "channels INTEGER", "bitDepth INTEGER",
                "pixels BLOB", "level BIGINT"), duck);
        List<String> physical = new ArrayList<>();
        json.get("duckdb").get("parquetSchema").forEach(c -> {
            if (!c.get("physicalType").isNull()) {
                physical.add(c.get("name").asText() + " " + c.get("physicalType").asText() + " "
                        + c.get("repetition").asText() + " " + c.get("convertedType").asText());
            }
        });
        assertEquals(List.of("path BYTE_ARRAY REQUIRED UTF8", "height INT32 REQUIRED null",
                "width INT32 REQUIRED null", "channels INT32 REQUIRED null", "bitDepth INT32 REQUIRED null",
                "pixels BYTE_ARRAY OPTIONAL null"), physical);
        List<String> hyp = new ArrayList<>();
        json.get("hyparquet").get("columns").forEach(c -> hyp.add(c.get("name").asText() + " " + c.get("type").asText()));
        assertEquals(List.of("path BYTE_ARRAY", "height INT32", "width INT32", "channels INT32", "bitDepth INT32",
                "pixels BYTE_ARRAY"), hyp);
    }

    @Test
    void duckdbAndHyparquetReadFloatTensorRowsBitForBit() throws Exception {
        Path in = shared.resolve("npy");
        Files.createDirectories(in);
        float[] data = TestImages.randomFloats(2 * 5 * 7 * 9, 31);
        data[3] = Float.NaN;
        data[4] = Float.NEGATIVE_INFINITY;
        data[5] = -0.0f;
        Npy.write(in.resolve("a.npy"), new Tensor(new Shape(2, 5, 7, 9), data));
        Path out = shared.resolve("npy-out");
        DownsampleReport report = downsample(InputKind.NPY, in, out, OutputFormat.PARQUET);
        assertEquals(1, report.pooled());

        TreeMap<String, Expected> expected = sparkRows(out);
        assertEquals(2 * 3, expected.size()); // 7x9 -> 4x5 -> 2x3 -> 1x2, for each of the 2 images
        assertTrue(expected.values().stream().allMatch(e -> e.bitDepth() == 32 && e.channels() == 5));
        JsonNode json = check(out);
        assertReaderSees(json.get("duckdb"), "duckdb", expected, List.of());
        assertReaderSees(json.get("hyparquet"), "hyparquet", expected, List.of());
    }

    /** The comparison above is not vacuous: one changed sample, one row fewer, or a lost error fails it. */
    @Test
    void theComparisonCatchesAChangedSampleAMissingRowAndALostError() throws Exception {
        Checked c = images();
        TreeMap<String, Expected> changed = new TreeMap<>(c.expected());
        Expected e = changed.get("gray16.png 2");
        byte[] pixels = Arrays.copyOf(e.pixels(), e.pixels().length);
        pixels[pixels.length - 1] ^= 1; // the high byte of the last 16-bit sample
        changed.put("gray16.png 2", new Expected(e.path(), e.level(), e.height(), e.width(), e.channels(),
                e.bitDepth(), pixels));
        assertThrows(AssertionFailedError.class,
                () -> assertReaderSees(c.json().get("hyparquet"), "hyparquet", changed, c.errors()));

        // The samples alone, bytes and checksums left as they were: a reader that decoded one wrong.
        JsonNode tampered = c.json().get("duckdb").deepCopy();
        ArrayNode samples = (ArrayNode) tampered.get("rows").get(0).get("samples");
        samples.set(samples.size() - 1, samples.get(samples.size() - 1).asInt() + 1);
        assertThrows(AssertionFailedError.class, () -> assertReaderSees(tampered, "duckdb", c.expected(), c.errors()));

        TreeMap<String, Expected> fewer = new TreeMap<>(c.expected());
        fewer.pollLastEntry();
        assertThrows(AssertionFailedError.class,
                () -> assertReaderSees(c.json().get("duckdb"), "duckdb", fewer, c.errors()));
        assertThrows(AssertionFailedError.class,
                () -> assertReaderSees(c.json().get("duckdb"), "duckdb", c.expected(), List.of()));
    }
}
