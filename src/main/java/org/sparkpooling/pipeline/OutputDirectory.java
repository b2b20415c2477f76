package org.sparkpooling.pipeline;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.spark.OutputLock;
import org.sparkpooling.spark.OutputManifest;

/**
 * A run's output directory, owned by the run from {@link #open} to {@link #close}: locked
 * ({@link OutputLock}), described by its manifest ({@link OutputManifest}), and prepared by the
 * existing-output rule:
 * <ul>
 *   <li>{@code REFUSE}: an existing non-empty directory is refused;</li>
 *   <li>{@code OVERWRITE}: replaced, but only when it is a directory this command made (its
 *       manifest says so); anything else is refused, never deleted;</li>
 *   <li>{@code RESUME}: continued, only when its manifest matches this run's in everything that
 *       shapes the output; each difference is named. The leftovers of a killed write
 *       ({@code _temporary}, and a batch {@link DatasetFiles} was committing) are removed, which is safe
 *       because the lock says no run is live.</li>
 * </ul>
 */
final class OutputDirectory implements AutoCloseable {

    static final String COMMAND = "downsample";

    private final FileSystem fs;
    private final Path dir;
    private final OutputLock lock;
    private final Set<String> done;

    private OutputDirectory(FileSystem fs, Path dir, OutputLock lock, Set<String> done) {
        this.fs = fs;
        this.dir = dir;
        this.lock = lock;
        this.done = done;
    }

    /**
     * Takes {@code dir} for this run.
     *
     * @throws IllegalArgumentException for every refusal (locked, exists, not ours, different options)
     */
    static OutputDirectory open(SparkSession spark, FileSystem fs, Path dir, DownsampleJob.Existing existing,
            OutputManifest manifest) throws IOException {
        FileStatus status = statusOrNull(fs, dir);
        if (status != null && !status.isDirectory()) {
            throw new IllegalArgumentException("output (" + dir + ") is a file, not a directory");
        }
        if (status == null && !mkdirs(fs, dir)) {
            throw new IllegalArgumentException("output (" + dir + ") cannot be created");
        }
        OutputLock lock = OutputLock.acquire(fs, dir, COMMAND);
        try {
            Set<String> done = prepare(spark, fs, dir, existing, manifest);
            return new OutputDirectory(fs, dir, lock, done);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Relative paths an earlier run finished (pooled, or recorded as errors); empty unless resuming. */
    Set<String> done() {
        return done;
    }

    Path path() {
        return dir;
    }

    /** Marks the dataset complete: {@code _SUCCESS} at the root and in {@code errors/}. */
    void markSuccess() throws IOException {
        fs.create(new Path(dir, "_SUCCESS"), true).close();
        fs.create(new Path(dir, "errors/_SUCCESS"), true).close();
    }

    @Override
    public void close() throws IOException {
        lock.close();
    }

    private static Set<String> prepare(SparkSession spark, FileSystem fs, Path dir, DownsampleJob.Existing existing,
            OutputManifest manifest) throws IOException {
        List<FileStatus> content = contentBesidesLock(fs, dir);
        Set<String> done = new HashSet<>();
        if (content.isEmpty()) {
            manifest.write(fs, dir);
            return done;
        }
        OutputManifest found = OutputManifest.read(fs, dir);
        switch (existing) {
            case REFUSE -> throw new IllegalArgumentException("output (" + dir
                    + ") exists and is not empty: --overwrite replaces it, --resume continues it");
            case OVERWRITE -> {
                requireOurs(found, dir, "--overwrite would delete");
                for (FileStatus s : content) {
                    if (!fs.delete(s.getPath(), true)) {
                        throw new IOException("cannot delete " + s.getPath());
                    }
                }
                manifest.write(fs, dir);
            }
            case RESUME -> {
                requireOurs(found, dir, "--resume would add to");
                List<String> differences = found.differences(manifest);
                if (!differences.isEmpty()) {
                    throw new IllegalArgumentException("--resume: output (" + dir + ") was made with other settings: "
                            + String.join(", ", differences) + "; rerun with the same settings, or --overwrite");
                }
                fs.delete(new Path(dir, "_SUCCESS"), false);
                fs.delete(new Path(dir, "errors/_SUCCESS"), false);
                fs.delete(new Path(dir, "_temporary"), true);
                fs.delete(new Path(dir, "errors/_temporary"), true);
                DatasetFiles.removeOrphans(fs, dir);
                for (String sub : new String[] {"level=1", "errors"}) {
                    Path p = new Path(dir, sub);
                    if (fs.exists(p) && hasData(fs, p)) {
                        for (Row r : spark.read().parquet(p.toString()).select("path").distinct().collectAsList()) {
                            done.add(r.getString(0));
                        }
                    }
                }
            }
        }
        return done;
    }

    private static void requireOurs(OutputManifest found, Path dir, String action) {
        if (found == null) {
            throw new IllegalArgumentException("output (" + dir + ") has no " + OutputManifest.FILE
                    + ", so it is not a directory downsample made: " + action + " something else; choose another"
                    + " --output (or, for an output made before manifests existed, add none and start afresh)");
        }
        if (!COMMAND.equals(found.command())) {
            throw new IllegalArgumentException("output (" + dir + ") was made by " + found.command() + ", not "
                    + COMMAND + ": " + action + " it; choose another --output");
        }
    }

    private static List<FileStatus> contentBesidesLock(FileSystem fs, Path dir) throws IOException {
        List<FileStatus> out = new java.util.ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            String name = s.getPath().getName();
            // The lock and its checksum file (Hadoop's local file system writes .NAME.crc) are the run's own.
            if (!name.equals(OutputLock.FILE) && !name.equals("." + OutputLock.FILE + ".crc")
                    && !name.startsWith("." + OutputLock.FILE + ".")) {
                out.add(s);
            }
        }
        return out;
    }

    private static boolean hasData(FileSystem fs, Path dir) throws IOException {
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isFile() && s.getPath().getName().endsWith(".parquet")) {
                return true;
            }
        }
        return false;
    }

    private static FileStatus statusOrNull(FileSystem fs, Path p) throws IOException {
        try {
            return fs.getFileStatus(p);
        } catch (java.io.FileNotFoundException e) {
            return null;
        }
    }

    private static boolean mkdirs(FileSystem fs, Path dir) {
        try {
            return fs.mkdirs(dir);
        } catch (IOException e) {
            throw new IllegalArgumentException("output (" + dir + ") cannot be created: " + e.getMessage(), e);
        }
    }
}
