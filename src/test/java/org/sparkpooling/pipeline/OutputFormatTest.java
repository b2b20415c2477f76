package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** --format as a set: the CLI's values (parquet, png, both) and comma lists, each format its own sink. */
class OutputFormatTest {

    @Test
    void theCommandLineValuesAreSets() {
        assertEquals(EnumSet.of(OutputFormat.PARQUET), OutputFormat.parse("parquet"));
        assertEquals(EnumSet.of(OutputFormat.PNG), OutputFormat.parse(" PNG "));
        assertEquals(EnumSet.of(OutputFormat.PARQUET, OutputFormat.PNG), OutputFormat.parse("both"));
        assertEquals(EnumSet.of(OutputFormat.PARQUET, OutputFormat.PNG), OutputFormat.parse("png,parquet"));
        assertEquals("both", OutputFormat.label(OutputFormat.parse("png,parquet")), "report.json keeps its value");
        assertEquals("png", OutputFormat.label(EnumSet.of(OutputFormat.PNG)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutputFormat.parse("png,gif"));
        assertTrue(e.getMessage().startsWith("format (png,gif) must be parquet, png, both or a comma list"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OutputFormat.parse(""));
    }

    @Test
    void eachFormatHasItsSink() throws Exception {
        Planes p = TestImages.random(3, 4, 6, 8, 1);
        ImageLevel level = ImageLevel.whole("a/b.jpg", 1, 2, new IntLevel(p.toIntImage()));
        try (LevelWriter png = OutputFormat.PNG.sink("/out").open(new org.apache.hadoop.conf.Configuration());
                LevelWriter parquet = OutputFormat.PARQUET.sink("/out").open(new org.apache.hadoop.conf.Configuration())) {
            assertEquals(null, png.rowPixels(level), "PNG writes files, not row pixels");
            assertArrayEquals(p.samples(), Planes.fromInterleaved(3, 4, 6, 8, parquet.rowPixels(level)).samples());
        }
        assertEquals("png/level=1/a/b.png", PngSink.path("a/b.jpg", 1));
        assertEquals("png/level=2/.hidden.png", PngSink.path(".hidden", 2), "a leading dot is not an extension");
    }

    @Test
    void aPngWrittenInBandsDecodesToTheWholeImage() throws Exception {
        for (int bits : new int[] {8, 16}) {
            for (int c = 1; c <= 4; c++) {
                Planes p = TestImages.random(c, 23, 9, bits, 10 * bits + c);
                org.sparkpooling.tensor.IntImage img = p.toIntImage();
                java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
                PngEncoder.write(img, whole);
                java.io.ByteArrayOutputStream banded = new java.io.ByteArrayOutputStream();
                try (PngEncoder.Stream s = new PngEncoder.Stream(banded, 23, 9, c, bits)) {
                    int y = 0;
                    for (int rows : new int[] {1, 7, 10, 5}) {
                        s.rows(rows(img, y, rows));
                        y += rows;
                    }
                }
                Planes back = Planes.of(ImageDecoder.decode(new java.io.ByteArrayInputStream(banded.toByteArray()),
                        banded.size(), 1000));
                assertArrayEquals(p.samples(), back.samples(), c + " channels " + bits + "-bit");
                assertArrayEquals(whole.toByteArray(), banded.toByteArray(), "the same deflate stream, band by band");
            }
        }
        org.sparkpooling.tensor.IntImage one = TestImages.random(1, 2, 2, 8, 1).toIntImage();
        PngEncoder.Stream s = new PngEncoder.Stream(java.io.OutputStream.nullOutputStream(), 3, 2, 1, 8);
        s.rows(one);
        assertThrows(IllegalStateException.class, s::close, "a PNG closed before its last row");
    }

    /** Rows {@code [y, y + n)} of {@code img}. */
    static org.sparkpooling.tensor.IntImage rows(org.sparkpooling.tensor.IntImage img, int y, int n) {
        int rowLen = img.width() * img.channels();
        if (img.bitDepth() == 8) {
            return org.sparkpooling.tensor.IntImage.of8(n, img.width(), img.channels(),
                    java.util.Arrays.copyOfRange(img.bytes(), y * rowLen, (y + n) * rowLen));
        }
        return org.sparkpooling.tensor.IntImage.of16(n, img.width(), img.channels(),
                java.util.Arrays.copyOfRange(img.shorts(), y * rowLen, (y + n) * rowLen));
    }
}
