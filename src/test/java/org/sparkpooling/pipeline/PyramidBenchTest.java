package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** Runs the benchmark body once per kernel on a small image, so it cannot rot unnoticed. */
class PyramidBenchTest {

    @Test
    void bodyRunsAndKernelsAgree() {
        float[] first = null;
        for (String impl : new String[] {"loops", "fast"}) {
            PyramidBench b = new PyramidBench();
            b.image = "7x9x3x8";
            b.impl = impl;
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
