package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sparkpooling.pipeline.BandTestSupport.haveVips;
import static org.sparkpooling.pipeline.BandTestSupport.vips;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory per band, in a child JVM with a 64 MiB heap (a test JVM's own heap cannot be made small):
 * a 20000 x 20000 8-bit tiled Deflate TIFF (400 MB of samples, about 0.6 MB on disk, made by vips
 * from {@code vips black}) and a 20000 x 5000 PNG (100 MB of samples) are read band by band, in
 * bands of 256 and 1000 rows (5 and 20 MB), from the middle and the bottom; the same JVM cannot
 * decode the PNG whole (ImageDecoder fails with an OutOfMemoryError as the root cause), so the
 * bands really are read within a heap the whole image does not fit in. Needs vips (skips without it).
 */
class BandMemoryTest {

    private static String run(Path file, String... bands) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx64m");
        cmd.add("-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", ""));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BandReadMain.class.getName());
        cmd.add(file.toString());
        cmd.addAll(List.of(bands));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the reading JVM ends");
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void bandsOfImagesFarLargerThanTheHeapAreReadInA64MiBJvm(@TempDir Path dir) throws Exception {
        assumeTrue(haveVips(), "vips not installed (.ci/run installs libvips-tools)");
        Path tif = dir.resolve("big.tif");
        vips("black", tif + "[tile,tile-width=256,tile-height=256,compression=deflate,predictor=horizontal]", "20000",
                "20000");
        assertTrue(Files.size(tif) < 2_000_000, "small on disk: " + Files.size(tif));
        String out = run(tif, "10000:256", "19000:1000", "123:1000");
        assertTrue(out.contains("opened 20000x20000x1 8-bit, max heap "), out);
        assertTrue(out.contains("band 10000:256 20000x256x1 8-bit sum 0"), out);
        assertTrue(out.contains("band 19000:1000 20000x1000x1 8-bit sum 0"), out);
        assertTrue(out.contains("band 123:1000 20000x1000x1 8-bit sum 0"), out);

        Path png = dir.resolve("big.png");
        vips("black", png.toString(), "20000", "5000");
        String whole = run(png, "3000:1000", "4744:256", "whole");
        assertTrue(whole.contains("band 3000:1000 20000x1000x1 8-bit sum 0"), whole);
        assertTrue(whole.contains("band 4744:256 20000x256x1 8-bit sum 0"), whole);
        // ImageIO's PNG reader wraps the OutOfMemoryError ("Caught exception during read"), so ImageDecoder
        // reports it as corrupt rather than as out of memory: the root cause says what it was.
        assertTrue(whole.contains("whole: ") && whole.contains("OutOfMemoryError"), "the whole image does not fit: "
                + whole);
    }
}
