package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sparkpooling.pipeline.BandTestSupport.assertBandsEqualWhole;
import static org.sparkpooling.pipeline.BandTestSupport.haveVips;
import static org.sparkpooling.pipeline.BandTestSupport.photo;
import static org.sparkpooling.pipeline.BandTestSupport.vips;
import static org.sparkpooling.pipeline.BandTestSupport.whole;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TiffBandReaderTest {

    @Test
    void smoke(@TempDir Path dir) throws Exception {
        assumeTrue(haveVips(), "vips not installed");
        Path src = photo("mate/nature/Dune.jpg");
        assumeTrue(src != null);
        Path crop = dir.resolve("crop.v");
        vips("extract_area", src.toString(), crop.toString(), "100", "50", "601", "457");
        Path tif = dir.resolve("t.tif");
        vips("tiffsave", crop.toString(), tif.toString(), "--tile", "--tile-width", "256", "--tile-height", "256",
                "--compression", "deflate", "--predictor", "horizontal");
        assertBandsEqualWhole(tif, whole(tif), "deflate");
    }
}
