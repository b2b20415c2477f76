package org.sparkpooling.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Runs the benchmark body once per path on a small image, so it cannot rot unnoticed. */
class PyramidBenchTest {

    @Test
    void bodyRunsAndPathsAgree() {
        float[] first = null;
        for (String impl : new String[] {"loops", "fast"}) {
            PyramidBench b = new PyramidBench();
            b.image = "7x9x3x8";
            b.path = impl;
            b.setup();
            float[] got = b.level().samples();
            if (first == null) {
                first = got;
            } else {
                assertArrayEquals(first, got, impl);
            }
        }
    }
}
