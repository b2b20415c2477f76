package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Zarr stores read back in the JVM, for the tests: arrays whole, JSON documents, and file trees. */
final class ZarrFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ZarrFiles() {
    }

    static JsonNode json(Path file) throws IOException {
        return JSON.readTree(file.toFile());
    }

    /**
     * The array at {@code dir} as its samples' little-endian bytes in C order (c, y, x), assembled
     * from its chunk files by its {@code .zarray} (3 dimensions, "/" keys, zstd): what a Zarr
     * reader returns, byte for byte.
     */
    static byte[] array(Path dir) throws IOException {
        JsonNode meta = json(dir.resolve(".zarray"));
        assertEquals("/", meta.get("dimension_separator").asText(), dir + " dimension_separator");
        assertEquals("zstd", meta.get("compressor").get("id").asText(), dir + " compressor");
        assertEquals("C", meta.get("order").asText(), dir + " order");
        int[] shape = ints(meta.get("shape"));
        int[] chunks = ints(meta.get("chunks"));
        int bytes = switch (meta.get("dtype").asText()) {
            case "|u1" -> 1;
            case "<u2" -> 2;
            case "<u4", "<f4" -> 4;
            default -> throw new AssertionError("dtype " + meta.get("dtype"));
        };
        assertEquals(1, chunks[0], dir + " one channel per chunk");
        int c = shape[0];
        int h = shape[1];
        int w = shape[2];
        byte[] out = new byte[c * h * w * bytes];
        for (int ch = 0; ch < c; ch++) {
            for (int cy = 0; cy * chunks[1] < h; cy++) {
                for (int cx = 0; cx * chunks[2] < w; cx++) {
                    byte[] raw = Zstd.decompress(Files.readAllBytes(dir.resolve(ch + "/" + cy + "/" + cx)),
                            chunks[1] * chunks[2] * bytes);
                    int rows = Math.min(chunks[1], h - cy * chunks[1]);
                    int cols = Math.min(chunks[2], w - cx * chunks[2]);
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(raw, r * chunks[2] * bytes, out,
                                ((ch * h + cy * chunks[1] + r) * w + cx * chunks[2]) * bytes, cols * bytes);
                    }
                }
            }
        }
        return out;
    }

    /** Interleaved H x W x C sample bytes (the dataset's pixels column) as C x H x W. */
    static byte[] planar(byte[] interleaved, int h, int w, int c, int bytes) {
        byte[] out = new byte[interleaved.length];
        for (int i = 0; i < h * w; i++) {
            for (int b = 0; b < c; b++) {
                System.arraycopy(interleaved, (i * c + b) * bytes, out, (b * h * w + i) * bytes, bytes);
            }
        }
        return out;
    }

    /** Every file under {@code root}, relative path to bytes. */
    static TreeMap<String, byte[]> tree(Path root) throws IOException {
        TreeMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    /** The two trees hold the same files with the same bytes. */
    static void assertSameTree(Path expected, Path actual) throws IOException {
        TreeMap<String, byte[]> a = tree(expected);
        TreeMap<String, byte[]> b = tree(actual);
        assertEquals(a.keySet(), b.keySet(), "files under " + actual + " against " + expected);
        a.forEach((k, v) -> assertArrayEquals(v, b.get(k), k));
    }

    private static int[] ints(JsonNode n) {
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }
}
