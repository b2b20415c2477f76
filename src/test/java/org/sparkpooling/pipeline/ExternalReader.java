package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A reader outside the JVM run as a process that prints one JSON document (the readers' tests). */
final class ExternalReader {

    /** How it ended: its exit code, its JSON (null when stdout was not JSON), and its stderr. */
    record Result(int exit, JsonNode json, String stderr) {
    }

    private ExternalReader() {
    }

    /** Runs {@code command} with stdout and stderr in files under {@code scratch}; fails the test on a timeout. */
    static Result run(Path scratch, String name, int timeoutSeconds, String... command) throws Exception {
        Path out = Files.createTempFile(scratch, name, ".json");
        Path err = Files.createTempFile(scratch, name, ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(name + " did not finish in " + timeoutSeconds + " s: " + String.join(" ", command));
        }
        JsonNode json = null;
        try {
            json = new ObjectMapper().readTree(out.toFile());
        } catch (IOException e) {
            // the caller reports it with the exit code and stderr
        }
        return new Result(p.exitValue(), json, Files.readString(err));
    }
}
