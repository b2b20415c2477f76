package org.sparkpooling.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.sparkpooling.io.ProjectVersion;

/**
 * What an output directory is: {@value #FILE} at its root, written before the first row, naming
 * the command that made it, the format version, the project version and every setting that shapes
 * its content. It is how a later run tells whether it continues the same work ({@code --resume})
 * and whether a directory is one the command made (and so may replace with {@code --overwrite}).
 * The leading underscore keeps it out of Spark's and pyarrow's Parquet readers.
 *
 * @param settings the settings that shape the output, in a stable order; compared as strings
 */
public record OutputManifest(String command, int formatVersion, String projectVersion, String createdAt,
        Map<String, String> settings) {

    public static final String FILE = "_pooling_manifest.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public OutputManifest {
        if (command == null || projectVersion == null || createdAt == null || settings == null) {
            throw new IllegalArgumentException("a manifest needs its command, versions, time and settings");
        }
        settings = new LinkedHashMap<>(settings);
    }

    /** A manifest for a run starting now, of this build. */
    public static OutputManifest of(String command, int formatVersion, Map<String, String> settings) {
        return new OutputManifest(command, formatVersion, ProjectVersion.get(), Instant.now().toString(), settings);
    }

    /**
     * Each way {@code other} (what a new run would make) differs from this manifest (what the
     * output holds), as {@code "factor 2 (now 3)"}; empty when the run continues the same work.
     */
    public List<String> differences(OutputManifest other) {
        List<String> d = new ArrayList<>();
        if (!command.equals(other.command)) {
            d.add("command " + command + " (now " + other.command + ")");
        }
        if (formatVersion != other.formatVersion) {
            d.add("format version " + formatVersion + " (now " + other.formatVersion + ")");
        }
        if (!projectVersion.equals(other.projectVersion)) {
            d.add("spark-pooling " + projectVersion + " (now " + other.projectVersion + ")");
        }
        Map<String, String> keys = new LinkedHashMap<>(settings);
        other.settings.forEach(keys::putIfAbsent);
        for (String key : keys.keySet()) {
            String was = settings.get(key);
            String now = other.settings.get(key);
            if (!Objects.equals(was, now)) {
                d.add(key + " " + (was == null ? "unset" : was) + " (now " + (now == null ? "unset" : now) + ")");
            }
        }
        return d;
    }

    /** Writes {@value #FILE} into {@code dir}, replacing one there. */
    public void write(FileSystem fs, Path dir) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(this);
        Path tmp = new Path(dir, "." + FILE + ".tmp");
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(bytes);
        }
        Path file = new Path(dir, FILE);
        fs.delete(file, false);
        if (!fs.rename(tmp, file)) {
            throw new IOException("cannot rename " + tmp + " to " + file);
        }
    }

    /**
     * The manifest in {@code dir}; {@code null} when it has none.
     *
     * @throws IllegalArgumentException when the file is there but not a manifest
     */
    public static OutputManifest read(FileSystem fs, Path dir) throws IOException {
        Path file = new Path(dir, FILE);
        try (InputStream in = fs.open(file)) {
            return JSON.readValue(in, OutputManifest.class);
        } catch (FileNotFoundException e) {
            return null;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(file + " is not a spark-pooling manifest: " + e.getOriginalMessage());
        }
    }
}
