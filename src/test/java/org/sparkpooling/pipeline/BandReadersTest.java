package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkpooling.pipeline.BandTestSupport.open;
import static org.sparkpooling.pipeline.BandTestSupport.reason;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The factory: the reader by the magic bytes, the reasons for everything else, and who closes the stream. */
class BandReadersTest {

    @Test
    void eachFormatOpensItsReader(@TempDir Path dir) throws Exception {
        Planes p = TestImages.random(3, 20, 30, 8, 1);
        try (BandReader r = open(TestImages.write(p, "png", dir.resolve("a.png")), Long.MAX_VALUE)) {
            assertInstanceOf(PngBandReader.class, r);
        }
        try (BandReader r = open(TestImages.write(p, "tiff", dir.resolve("a.tif")), Long.MAX_VALUE)) {
            assertInstanceOf(TiffBandReader.class, r);
            assertEquals(30, r.width());
            assertEquals(20, r.height());
            assertEquals(3, r.channels());
            assertEquals(8, r.bitDepth());
        }
        try (BandReader r = open(TestImages.writeRgb(p, "jpeg", dir.resolve("a.jpg")), Long.MAX_VALUE)) {
            assertInstanceOf(JpegBandReader.class, r);
        }
    }

    @Test
    void otherFilesAreRefusedWithTheReason(@TempDir Path dir) throws Exception {
        Path empty = Files.write(dir.resolve("empty.png"), new byte[0]);
        assertEquals("empty file (0 bytes)", reason(empty, Long.MAX_VALUE));
        Path text = Files.write(dir.resolve("notes.tif"), "not an image".getBytes(StandardCharsets.UTF_8));
        assertEquals("unsupported format for band reading: the first bytes are not TIFF, PNG or JPEG",
                reason(text, Long.MAX_VALUE));
        Planes p = TestImages.random(3, 20, 30, 8, 1);
        assertEquals("gif: not read in bands (only TIFF, PNG and JPEG are); decode it whole within the budget",
                reason(TestImages.writeRgb(p, "gif", dir.resolve("a.gif")), Long.MAX_VALUE));
        assertEquals("bmp: not read in bands (only TIFF, PNG and JPEG are); decode it whole within the budget",
                reason(TestImages.writeRgb(p, "bmp", dir.resolve("a.bmp")), Long.MAX_VALUE));
        Path tiny = Files.write(dir.resolve("tiny.tif"), new byte[] {'I', 'I', 42, 0, 100, 0, 0, 0});
        assertEquals("tif: unreadable header: first IFD offset 100 is outside the file (8 bytes)",
                reason(tiny, Long.MAX_VALUE));
        Path header = Files.write(dir.resolve("header.png"), java.util.Arrays.copyOf(
                Files.readAllBytes(TestImages.write(p, "png", dir.resolve("b.png"))), 20));
        assertTrue(reason(header, Long.MAX_VALUE).startsWith("png: unreadable header: "));
    }

    @Test
    void aFailedOpenClosesTheStreamAndBandsOutsideTheImageAreRefused(@TempDir Path dir) throws Exception {
        Path text = Files.write(dir.resolve("x.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        AtomicBoolean closed = new AtomicBoolean();
        ByteSource watched = BandTestSupport.watched(text, new AtomicLong(), new AtomicLong(), closed);
        assertThrows(BadImageException.class, () -> BandReaders.open(watched, Long.MAX_VALUE));
        assertTrue(closed.get(), "the factory closes the stream it could not open");

        Path png = TestImages.write(TestImages.random(1, 10, 12, 8, 1), "png", dir.resolve("a.png"));
        try (BandReader r = open(png, Long.MAX_VALUE)) {
            assertEquals("band rows [5, 15) must be a non-empty range within the image's 10 rows",
                    assertThrows(IllegalArgumentException.class, () -> r.readRows(5, 10)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> r.readRows(-1, 2));
            assertThrows(IllegalArgumentException.class, () -> r.readRows(0, 0));
            assertEquals(10, r.readRows(0, 10).height());
        }
    }
}
