package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkpooling.pool.Rejections.assertRejected;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A golden file that cannot be checked fails loudly, naming the file, rather than passing with nothing checked. */
class GoldenCaseTest {

    @TempDir
    Path dir;

    @Test
    void rejectsAFileThatDoesNotExist() {
        Path missing = dir.resolve("missing.json");
        assertRejected(() -> GoldenCase.load(missing), "golden file (" + missing + ")", "does not exist");
    }

    @Test
    void rejectsAFileWithoutACasesArray() throws IOException {
        Path f = Files.writeString(dir.resolve("nocases.json"), "{\"generator\": \"x\"}");
        assertRejected(() -> GoldenCase.load(f), "golden file (" + f + ")", "no \"cases\" array");
    }

    @Test
    void rejectsAFileWithAnEmptyCasesArray() throws IOException {
        Path f = Files.writeString(dir.resolve("empty.json"), "{\"cases\": []}");
        assertRejected(() -> GoldenCase.load(f), "golden file (" + f + ")", "no cases");
    }

    @Test
    void rejectsAFileThatIsNotJson() throws IOException {
        Path f = Files.writeString(dir.resolve("broken.json"), "{\"cases\": [");
        assertRejected(() -> GoldenCase.load(f), "golden file (" + f + ")", "not valid JSON");
    }

    @Test
    void rejectsACaseWithoutAField() throws IOException {
        Path f = Files.writeString(dir.resolve("partial.json"), "{\"cases\": [{\"name\": \"a\", \"mode\": \"max\"}]}");
        assertRejected(() -> GoldenCase.load(f), "case a", "\"kernel\"");
    }

    @Test
    void readsAWellFormedCase() throws IOException {
        Path f = Files.writeString(dir.resolve("one.json"), """
                {"cases": [{"name": "tiny", "mode": "max", "dtype": "float32",
                  "kernel": [1, 2], "stride": [1, 2], "padding": [0, 0], "dilation": [1, 1], "ceil_mode": false,
                  "input_shape": [1, 1, 1, 2], "output_shape": [1, 1, 1, 1],
                  "input": ["-Infinity", "NaN"], "output": ["NaN"], "indices": [1],
                  "grad_output": ["0.5"], "grad_input": ["0", "0.5"]}]}
                """);
        GoldenCase c = GoldenCase.load(f).get(0);
        assertEquals("tiny", c.name());
        assertEquals(PoolSpec.max(1, 2).build(), c.spec());
        assertEquals(Float.NEGATIVE_INFINITY, c.input().data()[0]);
        PytorchGoldenTest.check(c, PoolKernels.reference());
    }
}
