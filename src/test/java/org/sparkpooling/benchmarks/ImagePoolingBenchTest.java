package org.sparkpooling.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.ImagePooling;
import org.sparkpooling.tensor.IntImage;

/** Runs the benchmark body once per parameter value on a small image, so it cannot rot unnoticed. */
class ImagePoolingBenchTest {

    @Test
    void bodyRunsForEveryModeDepthContentAndSparseRule() {
        for (String image : new String[] {"7x9x1x16", "7x9x2x8", "5x6x1x32"}) {
            for (String content : new String[] {"labels", "noise"}) {
                for (DownsampleMode mode : DownsampleMode.values()) {
                    for (boolean sparse : new boolean[] {false, true}) {
                        ImagePoolingBench b = new ImagePoolingBench();
                        b.image = image;
                        b.mode = mode.label();
                        b.factor = 2;
                        b.sparse = sparse;
                        b.content = content;
                        b.setup();
                        ImagePoolingBench.CpuTime cpu = new ImagePoolingBench.CpuTime();
                        IntImage got = b.level(cpu);
                        assertEquals(1, cpu.calls);
                        String[] p = image.split("x");
                        IntImage in = ImagePoolingBench.labels(Integer.parseInt(p[0]), Integer.parseInt(p[1]),
                                Integer.parseInt(p[2]), Integer.parseInt(p[3]), content, 42);
                        IntImage want = ImagePooling.pool(mode, in, 2, true, sparse);
                        String at = image + " " + content + " " + mode.label() + " sparse=" + sparse;
                        assertEquals(want.toString(), got.toString(), at);
                        assertArrayEquals(want.interleavedBytes(), got.interleavedBytes(), at);
                    }
                }
            }
        }
    }
}
