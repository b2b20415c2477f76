package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sparkpooling.pipeline.BandTestSupport.assertBandsEqualWhole;
import static org.sparkpooling.pipeline.BandTestSupport.haveVips;
import static org.sparkpooling.pipeline.BandTestSupport.open;
import static org.sparkpooling.pipeline.BandTestSupport.openCounting;
import static org.sparkpooling.pipeline.BandTestSupport.photo;
import static org.sparkpooling.pipeline.BandTestSupport.reason;
import static org.sparkpooling.pipeline.BandTestSupport.vips;
import static org.sparkpooling.pipeline.BandTestSupport.whole;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JPEG bands (ImageIO source regions), assembled, equal ImageDecoder's whole-image samples (TurboJPEG
 * when installed, else ImageIO) on Debian's baseline photos of every chroma subsampling (4:4:4 with
 * restart markers, 4:2:2, 4:2:0) and on generated gray and RGB JPEGs of odd sizes; a top band reads
 * only the top of the file; progressive and CMYK files are refused with the reason, a truncated file
 * fails the band that reaches the cut, and the max-pixels reason is ImageDecoder's, word for word.
 */
class JpegBandReaderTest {

    @Test
    void baselinePhotosOfEverySubsamplingGiveImageDecodersSamples() throws Exception {
        for (String name : new String[] {"mate/desktop/GreenTraditional.jpg", "mate/nature/Dune.jpg",
            "mate/nature/Aqua.jpg", "mate/nature/Wood.jpg"}) {
            Path p = photo(name);
            assumeTrue(p != null, "photo packages not installed");
            assertBandsEqualWhole(p, whole(p), name);
        }
    }

    @Test
    void generatedGrayAndRgbJpegsOfOddSizesGiveImageDecodersSamples(@TempDir Path dir) throws Exception {
        Path gray = TestImages.write(TestImages.random(1, 77, 53, 8, 3), "jpeg", dir.resolve("gray.jpg"));
        Path rgb = TestImages.writeRgb(TestImages.random(3, 61, 97, 8, 4), "jpeg", dir.resolve("rgb.jpg"));
        for (Path p : new Path[] {gray, rgb}) {
            assertBandsEqualWhole(p, whole(p), p.getFileName().toString());
            try (BandReader r = open(p, Long.MAX_VALUE)) {
                assertEquals(p == gray ? 1 : 3, r.channels());
                assertEquals(p == gray ? 8 : 16, r.rowAlignment(), "ImageIO writes 4:2:0: MCUs of 16 rows");
            }
        }
    }

    @Test
    void aTopBandReadsOnlyTheTopOfTheFile() throws Exception {
        Path p = photo("mate/nature/Wood.jpg");
        assumeTrue(p != null, "photo packages not installed");
        AtomicLong bytes = new AtomicLong();
        AtomicLong reads = new AtomicLong();
        long size = Files.size(p);
        try (BandReader r = openCounting(p, bytes, reads)) {
            r.readRows(0, 64);
            assertTrue(bytes.get() < size / 3, "64 of " + r.height() + " rows read " + bytes.get() + " of " + size
                    + " bytes: the decoder stops after the band");
        }
    }

    @Test
    void progressiveAndCmykJpegsAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path progressive = photo("mate/nature/GreenMeadow.jpg");
        assumeTrue(progressive != null, "photo packages not installed");
        assertEquals("jpeg: progressive JPEG (SOF2) cannot be read in bands: libjpeg keeps every coefficient of the"
                + " image to decode it (about 2 bytes a sample); decode it whole (within the budget) or re-save it as"
                + " baseline", reason(progressive, Long.MAX_VALUE));
        assumeTrue(haveVips(), "vips not installed");
        Path cmyk = dir.resolve("cmyk.jpg");
        vips("extract_area", progressive.toString(), dir.resolve("c.v").toString(), "0", "0", "64", "48");
        vips("colourspace", dir.resolve("c.v").toString(), cmyk.toString(), "cmyk");
        assertEquals("jpeg: unsupported colour space (CMYK); only gray and RGB", reason(cmyk, Long.MAX_VALUE));
        if (TurboJpeg.available()) {
            assertEquals(reason(cmyk, Long.MAX_VALUE), assertThrows(BadImageException.class, () -> whole(cmyk))
                    .getMessage(), "ImageDecoder's reason");
        }
    }

    @Test
    void aTruncatedJpegFailsTheBandThatReachesTheCut(@TempDir Path dir) throws Exception {
        Path p = TestImages.writeRgb(TestImages.random(3, 160, 120, 8, 9), "jpeg", dir.resolve("ok.jpg"));
        byte[] all = Files.readAllBytes(p);
        Path cut = dir.resolve("cut.jpg");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        try (BandReader r = open(cut, Long.MAX_VALUE)) {
            r.readRows(0, 16);
            String m = assertThrows(BadImageException.class, () -> r.readRows(128, 32)).getMessage();
            assertTrue(m.startsWith("jpeg: truncated or corrupt: "), m);
        }
        assertTrue(assertThrows(BadImageException.class, () -> whole(cut)).getMessage()
                .startsWith("jpeg: truncated or corrupt: "), "ImageDecoder's reason is of the same kind");
    }

    @Test
    void theMaxPixelsReasonIsImageDecodersWordForWord() throws Exception {
        Path p = photo("mate/nature/Dune.jpg");
        assumeTrue(p != null, "photo packages not installed");
        String want;
        try (var in = Files.newInputStream(p)) {
            want = assertThrows(BadImageException.class, () -> ImageDecoder.decode(in, Files.size(p), 1000))
                    .getMessage();
        }
        assertEquals(want, reason(p, 1000));
        assertEquals("jpeg: 1680x1050 (1764000 pixels) exceeds max pixels (1000)", want);
    }
}
