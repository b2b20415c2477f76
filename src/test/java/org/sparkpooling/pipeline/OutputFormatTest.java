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
    void eachFormatHasItsSink() {
        Planes p = TestImages.random(3, 4, 6, 8, 1);
        ImageLevel level = new ImageLevel("a/b.jpg", 1, 2, p);
        assertEquals(null, OutputFormat.PNG.sink("/out").rowPixels(level), "PNG writes files, not row pixels");
        assertArrayEquals(p.samples(),
                Planes.fromInterleaved(3, 4, 6, 8, OutputFormat.PARQUET.sink("/out").rowPixels(level)).samples());
        assertEquals("png/level=1/a/b.png", PngSink.path("a/b.jpg", 1));
        assertEquals("png/level=2/.hidden.png", PngSink.path(".hidden", 2), "a leading dot is not an extension");

        DownsampleSpec spec = new DownsampleSpec(org.sparkpooling.pool.DownsampleMode.AVG, 2, 0, EdgeMode.PARTIAL, 100);
        DownsampleJob.Options run = DownsampleJob.Options.builder("in", "out", spec)
                .formats(OutputFormat.parse("parquet,zarr")).zarrChunk(64).build();
        assertEquals(EnumSet.of(OutputFormat.PARQUET, OutputFormat.ZARR), run.formats());
        assertEquals("parquet,zarr", OutputFormat.label(run.formats()));
        assertEquals(null, OutputFormat.ZARR.sink("/out", run).rowPixels(level), "Zarr writes stores, not row pixels");
        assertThrows(IllegalStateException.class, () -> OutputFormat.ZARR.sink("/out"), "it needs the run's settings");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DownsampleJob.Options.builder("in", "out", spec).zarrChunk(0).build());
        assertEquals("zarr chunk (0) must be 1 to 8192", e.getMessage());
    }
}
