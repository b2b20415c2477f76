package org.sparkpooling.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.spark.TestPhotos;

/** Runs the benchmark once on a few rows and three small photos, so it cannot rot unnoticed. */
class ColumnPoolingBenchTest {

    @TempDir
    Path dir;

    @Test
    void bodyRunsAndPrintsItsRatios() throws Exception {
        Path photos = TestPhotos.writeSmall(dir.resolve("photos"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ColumnPoolingBench.run(new ColumnPoolingBench.Options(photos, 16, 1, 20, dir, true), new PrintStream(bytes, true,
                StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("ratio query / bench job") && out.contains("ratio query / pipeline pool"), out);
    }
}
