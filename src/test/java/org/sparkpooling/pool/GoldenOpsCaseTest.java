package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkpooling.pool.Rejections.assertRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.tensor.DoubleTensor;
import org.sparkpooling.tensor.TensorShape;

/** The family's golden file fails loudly when it cannot be checked, and reads what it holds. */
class GoldenOpsCaseTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFileFailsRatherThanSkips() {
        Path missing = dir.resolve("missing.json");
        assertRejected(() -> GoldenOpsCase.load(missing), "golden file (" + missing + ")", "does not exist");
    }

    @Test
    void rejectsAnUnknownOpAndAMissingField() throws IOException {
        Path f = Files.writeString(dir.resolve("bad.json"), """
                {"cases": [{"name": "x", "op": "median_pool", "dims": 1, "dtype": "float32",
                  "input_shape": [1, 1, 2], "output_shape": [1, 1, 1], "input": ["1", "2"], "output": ["2"],
                  "grad_output": ["1"], "grad_input": ["0", "1"]}]}
                """);
        assertRejected(() -> GoldenOpsCase.load(f), "case x", "op (median_pool)");
        Path g = Files.writeString(dir.resolve("partial.json"), "{\"cases\": [{\"name\": \"y\", \"op\": \"max_pool\"}]}");
        assertRejected(() -> GoldenOpsCase.load(g), "case y", "\"dims\"");
    }

    @Test
    void readsAFloat64UnpoolCaseAndChecksIt() throws IOException {
        Path f = Files.writeString(dir.resolve("one.json"), """
                {"cases": [{"name": "tiny-unpool", "op": "max_unpool", "dims": 1, "dtype": "float64",
                  "kernel": [2], "stride": [2], "padding": [0], "output_size": [4],
                  "input_shape": [1, 1, 2], "output_shape": [1, 1, 4], "indices": [1, 2],
                  "input": ["0.1", "-Infinity"], "output": ["0.0", "0.1", "-Infinity", "0.0"],
                  "grad_output": ["1", "2", "3", "4"], "grad_input": ["2", "3"]}]}
                """);
        GoldenOpsCase c = GoldenOpsCase.load(f).get(0);
        assertEquals(NdPoolSpec.unpool(4), c.spec());
        assertEquals(new DoubleTensor(TensorShape.channelsFirst(1, 1, 2), new double[] {0.1, Double.NEGATIVE_INFINITY}),
                c.input());
        assertArrayEquals(new int[] {1, 2}, c.indices());
        for (PoolKernel k : PoolKernels.all()) {
            if (k.supports(PoolOp.UNPOOL)) {
                PytorchOpsGoldenTest.check(c, k);
            }
        }
    }
}
