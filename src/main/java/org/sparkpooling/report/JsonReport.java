package org.sparkpooling.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sparkpooling.io.AtomicFiles;

/** Writes a report object (records, lists, maps) as indented JSON with Jackson. */
public final class JsonReport {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private JsonReport() {
    }

    public static void write(Path file, Object report) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        byte[] json = MAPPER.writeValueAsBytes(report);
        AtomicFiles.writeStream(file, "report file", out -> out.write(json));
    }

    public static String toJson(Object report) throws IOException {
        return MAPPER.writeValueAsString(report);
    }
}
