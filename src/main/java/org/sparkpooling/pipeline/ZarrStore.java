package org.sparkpooling.pipeline;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.github.luben.zstd.Zstd;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The files of a Zarr v2 hierarchy on a Hadoop file system, and nothing of what they mean (that is
 * {@link ZarrSink}'s): a group's {@code .zgroup} and {@code .zattrs}, an array's {@code .zarray},
 * and its chunks: C order, little-endian, zstd-compressed (numcodecs' {@code "zstd"} codec, through
 * Spark's own zstd-jni), keys joined by {@code "/"} (so a chunk is the file {@code c/cy/cx}, as
 * NGFF 0.4 requires). Every file is written whole under a hidden temporary name in its directory
 * and renamed over the target, so a reader, a rerun of a failed task or a speculative twin sees
 * the old file or the new one, never half of one.
 *
 * <p>This is the one class that writes Zarr's format: no Java Zarr library resolves here
 * (docs/decisions.md), and a later one would replace this class alone.
 */
final class ZarrStore {

    /** zstd's own default level: about as fast as writing the raw bytes, and what numcodecs defaults to below 5. */
    static final int ZSTD_LEVEL = 3;

    /** The {@code compressor} of every array, as numcodecs spells it. */
    static final Map<String, Object> COMPRESSOR = Map.of("id", "zstd", "level", ZSTD_LEVEL);

    /**
     * Keys sorted, as zarr-python writes them (the same store is the same bytes whatever map made
     * it), and ASCII only: zarr-python 2 decodes every metadata document as ASCII, so a name such
     * as {@code grå.png} is written {@code gr\u00e5.png}.
     */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    private final FileSystem fs;
    private final Path root;
    /** The root on a local disk, written through java.nio; null elsewhere. */
    private final java.nio.file.Path local;
    /** Directories this store made or saw, so each chunk costs no more than its own file. */
    private final Set<java.nio.file.Path> dirs = new HashSet<>();

    private ZarrStore(FileSystem fs, Path root, java.nio.file.Path local) {
        this.fs = fs;
        this.root = root;
        this.local = local;
    }

    /**
     * The hierarchy under {@code root}. On a local disk the files are written through java.nio:
     * Hadoop's local file system sets every new file's permissions by running {@code chmod} when
     * its native library is absent (4.4 to 6.5 ms a file here, against 0.35 to 0.45 ms for the
     * java.nio write measured beside it), and would add a {@code .crc} file beside each.
     */
    static ZarrStore at(Path root, Configuration conf) throws IOException {
        FileSystem fs = root.getFileSystem(conf);
        java.nio.file.Path local = null;
        if (fs instanceof LocalFileSystem l) {
            fs = l.getRaw();
            local = java.nio.file.Path.of(fs.makeQualified(root).toUri());
        }
        return new ZarrStore(fs, root, local);
    }

    /**
     * A group at {@code path} (relative to the root) with {@code attrs}: {@code .zattrs} first, so a
     * directory that holds any finished file of ours names its owner ({@link ZarrClaims#foreign}).
     */
    void group(String path, Map<String, Object> attrs) throws IOException {
        put(path + "/.zattrs", json(attrs));
        put(path + "/.zgroup", json(Map.of("zarr_format", 2)));
    }

    /** The {@code .zarray} of a C x H x W array at {@code path}, chunked {@code 1 x chunkH x chunkW}. */
    void array(String path, int[] shape, int[] chunks, String dtype) throws IOException {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("chunks", chunks);
        a.put("compressor", COMPRESSOR);
        a.put("dimension_separator", "/");
        a.put("dtype", dtype);
        a.put("fill_value", 0);
        a.put("filters", null);
        a.put("order", "C");
        a.put("shape", shape);
        a.put("zarr_format", 2);
        put(path + "/.zarray", json(a));
    }

    /** One chunk of the array at {@code path}: {@code raw} is its samples, C order, little-endian, full size. */
    void chunk(String path, int[] index, byte[] raw) throws IOException {
        StringBuilder key = new StringBuilder(path);
        for (int i : index) {
            key.append('/').append(i);
        }
        put(key.toString(), Zstd.compress(raw, ZSTD_LEVEL));
    }

    /** The Zarr v2 dtype of samples of {@code bitDepth} bits: unsigned integers, or float32 for float planes. */
    static String dtype(LevelImage image) {
        if (image instanceof Planes p && p.bitDepth() == Planes.FLOAT_DEPTH) {
            return "<f4";
        }
        return switch (image.bitDepth()) {
            case 8 -> "|u1";
            case 16 -> "<u2";
            case 32 -> "<u4";
            default -> throw new IllegalArgumentException("bit depth (" + image.bitDepth() + ") has no Zarr dtype");
        };
    }

    /** The {@code .zattrs} at {@code dir} as JSON, or null when it does not exist or is not JSON. */
    static JsonNode attrs(FileSystem fs, Path dir) throws IOException {
        try (var in = fs.open(new Path(dir, ".zattrs"))) {
            return JSON.readTree(in);
        } catch (FileNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    private static byte[] json(Object value) throws IOException {
        return JSON.writeValueAsBytes(value);
    }

    /** Writes {@code bytes} at {@code key} whole: a hidden temporary sibling, then a rename over the target. */
    private void put(String key, byte[] bytes) throws IOException {
        if (local != null) {
            putLocal(local.resolve(key), bytes);
            return;
        }
        Path target = new Path(root, key);
        Path temp = OutputFiles.temp(target);
        try (OutputStream out = fs.create(temp, false)) {
            out.write(bytes);
        }
        if (!fs.rename(temp, target)) {
            // HDFS renames onto nothing only; the local disk replaces atomically and never gets here.
            OutputFiles.replace(fs, temp, target);
        }
    }

    /** {@link #put} on a local disk: no fsync (the Parquet files beside are not synced either). */
    private void putLocal(java.nio.file.Path target, byte[] bytes) throws IOException {
        java.nio.file.Path parent = target.getParent();
        if (dirs.add(parent)) {
            Files.createDirectories(parent);
        }
        java.nio.file.Path temp = parent.resolve("." + target.getFileName() + OutputFiles.TEMP_MARK
                + OutputFiles.tempId());
        try {
            Files.write(temp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
