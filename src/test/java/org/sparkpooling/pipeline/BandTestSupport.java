package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.sparkpooling.tensor.IntImage;

/**
 * What the band reader tests share: files opened as the pipeline opens them (Hadoop's local file
 * system), Debian's {@code vips} to make TIFFs and PNGs (tests that need it skip when it is absent;
 * .ci/run installs libvips-tools), the whole-image reference ({@link ImageDecoder}), and bands read
 * back and assembled in any order.
 */
final class BandTestSupport {

    static final Path PHOTOS = Path.of("/usr/share/backgrounds");

    private static Boolean vips;

    private BandTestSupport() {
    }

    static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    /** Whether {@code vips} runs here (under CI it must: .ci/run installs it). */
    static synchronized boolean haveVips() {
        if (vips == null) {
            try {
                Process p = new ProcessBuilder("vips", "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                vips = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                vips = false;
            }
            if (!vips && ci()) {
                throw new AssertionError("CI installs libvips-tools (.ci/run); vips does not run");
            }
        }
        return vips;
    }

    /** Runs {@code vips args...}; fails the test with vips's output when it fails. */
    static void vips(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("vips");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** A photo under /usr/share/backgrounds, or null when the package is not installed (required under CI). */
    static Path photo(String relative) {
        Path p = PHOTOS.resolve(relative);
        if (!Files.isRegularFile(p)) {
            if (ci()) {
                throw new AssertionError("CI installs mate-backgrounds and ukui-wallpapers: " + p + " is missing");
            }
            return null;
        }
        return p;
    }

    /** The whole-image decoder's samples: the reference every band reader must equal. */
    static IntImage whole(Path file) throws IOException, BadImageException {
        try (InputStream in = Files.newInputStream(file)) {
            return ImageDecoder.decode(in, Files.size(file), Long.MAX_VALUE);
        }
    }

    static FSDataInputStream hadoopOpen(Path file) throws IOException {
        return FileSystem.getLocal(new Configuration()).open(new org.apache.hadoop.fs.Path(file.toUri()));
    }

    /** Opens {@code file} as the pipeline would: a Hadoop stream, the factory. */
    static BandReader open(Path file, long maxPixels) throws IOException, BadImageException {
        return BandReaders.open(hadoopOpen(file), Files.size(file), maxPixels);
    }

    /** {@code file} as a source that counts the bytes read (and the reads) and notes its closing. */
    static ByteSource watched(Path file, AtomicLong bytes, AtomicLong reads, AtomicBoolean closed)
            throws IOException {
        ByteSource in = ByteSource.of(hadoopOpen(file), Files.size(file));
        return new ByteSource() {
            @Override
            public long length() {
                return in.length();
            }

            @Override
            public void readFully(long position, byte[] b, int off, int len) throws IOException {
                bytes.addAndGet(len);
                reads.incrementAndGet();
                in.readFully(position, b, off, len);
            }

            @Override
            public void close() throws IOException {
                closed.set(true);
                in.close();
            }
        };
    }

    /** Opens {@code file} counting the bytes the reader reads. */
    static BandReader openCounting(Path file, AtomicLong bytes, AtomicLong reads) throws IOException,
            BadImageException {
        return BandReaders.open(watched(file, bytes, reads, new AtomicBoolean()), Long.MAX_VALUE);
    }

    /** A photo and vips, both required (the test skips without them, and fails under CI). */
    static Path photoAndVips(String relative) {
        org.junit.jupiter.api.Assumptions.assumeTrue(haveVips(), "vips not installed (.ci/run installs libvips-tools)");
        Path p = photo(relative);
        org.junit.jupiter.api.Assumptions.assumeTrue(p != null, "photo packages not installed");
        return p;
    }

    /** The reason the factory, or the first band, gives for {@code file}. */
    static String reason(Path file, long maxPixels) throws IOException {
        try (BandReader r = open(file, maxPixels)) {
            r.readRows(0, r.height());
        } catch (BadImageException e) {
            return e.getMessage();
        }
        throw new AssertionError(file + " was read without error");
    }

    /**
     * Bands of the given heights (cycled until the image is covered, the last one cut short), read in
     * the given order of band indices ("forward", "reverse", or "shuffled"), assembled into one image.
     */
    static IntImage assemble(BandReader r, int[] heights, String order) throws BadImageException {
        List<int[]> bands = new ArrayList<>();
        for (int y = 0, i = 0; y < r.height(); i++) {
            int h = Math.min(heights[i % heights.length], r.height() - y);
            bands.add(new int[] {y, h});
            y += h;
        }
        List<int[]> todo = new ArrayList<>(bands);
        if (order.equals("reverse")) {
            java.util.Collections.reverse(todo);
        } else if (order.equals("shuffled")) {
            java.util.Collections.shuffle(todo, new java.util.Random(bands.size()));
        }
        IntImage out = IntImage.allocate(r.height(), r.width(), r.channels(), r.bitDepth());
        int rowSamples = r.width() * r.channels();
        for (int[] b : todo) {
            IntImage band = r.readRows(b[0], b[1]);
            assertEquals(b[1] + "x" + r.width(), band.height() + "x" + band.width(), "band shape");
            assertEquals(r.channels(), band.channels());
            assertEquals(r.bitDepth(), band.bitDepth());
            Object src = switch (r.bitDepth()) {
                case 8 -> band.bytes();
                case 16 -> band.shorts();
                default -> band.ints();
            };
            Object dst = switch (r.bitDepth()) {
                case 8 -> out.bytes();
                case 16 -> out.shorts();
                default -> out.ints();
            };
            System.arraycopy(src, 0, dst, b[0] * rowSamples, b[1] * rowSamples);
        }
        return out;
    }

    static void assertSameSamples(IntImage want, IntImage got, String what) {
        assertEquals(want.toString(), got.toString(), what + ": shape");
        switch (want.bitDepth()) {
            case 8 -> assertArrayEquals(want.bytes(), got.bytes(), what);
            case 16 -> assertArrayEquals(want.shorts(), got.shorts(), what);
            default -> assertArrayEquals(want.ints(), got.ints(), what);
        }
    }

    /**
     * The band layouts the tests use, each assembled and compared with {@code want}: the whole image
     * as one band; bands of one row, a prime and the alignment plus or minus one, in shuffled order
     * (TIFF, whose bands cost the same in any order); forward bands of 1, 13 and 97 rows and then
     * three bands from the bottom up (PNG, where a band above the last restarts); a prime height
     * bottom to top (JPEG, every band decoded from the top). The last band is short in each.
     */
    static void assertBandsEqualWhole(Path file, IntImage want, String what) throws IOException,
            BadImageException {
        try (BandReader r = open(file, Long.MAX_VALUE)) {
            assertEquals(want.width() + "x" + want.height(), r.width() + "x" + r.height(), what + ": header size");
            int a = r.rowAlignment();
            assertTrue(a >= 1, what + ": alignment " + a);
            assertSameSamples(want, assemble(r, new int[] {r.height()}, "forward"), what + ", one band");
            if (r instanceof PngBandReader) {
                assertSameSamples(want, assemble(r, new int[] {1, 13, 97}, "forward"), what + ", bands of 1, 13, 97");
                assertSameSamples(want, assemble(r, new int[] {r.height() / 3 + 1}, "reverse"),
                        what + ", three bands bottom up");
            } else if (r instanceof JpegBandReader) {
                assertSameSamples(want, assemble(r, new int[] {Math.max(1, r.height() / 7 + 3)}, "reverse"),
                        what + ", about seven bands bottom up");
            } else {
                assertSameSamples(want, assemble(r, new int[] {97}, "forward"), what + ", bands of 97");
                assertSameSamples(want, assemble(r, new int[] {a + 1, 1, 2 * a - 1}, "shuffled"),
                        what + ", bands of " + (a + 1) + ", 1, " + (2 * a - 1) + " shuffled");
                assertSameSamples(want, assemble(r, new int[] {a, 3 * a}, "reverse"), what + ", aligned bands reversed");
            }
        }
    }
}
