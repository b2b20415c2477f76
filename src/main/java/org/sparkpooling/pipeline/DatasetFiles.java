package org.sparkpooling.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.apache.spark.sql.Row;

/**
 * The dataset's files of a batch whose rows hold no pixels (no {@code parquet} among the formats:
 * the rows are the record of what was made, a few dozen bytes each), written on the driver with
 * Parquet's own writer instead of a Spark write: the tasks' rows come back with the job, and a Spark
 * write would plan a query and run a second round of tasks for a few kilobytes. On 12 photos that
 * planning cost 0.9 s before the first task started, a third of the run.
 *
 * <p>Files are those a Spark write makes, one per level of the batch: {@code level=L/part-ID-bN.parquet}
 * (columns path, height, width, channels, bitDepth, pixels; {@code level} is the directory), and
 * {@code errors/part-ID-bN.parquet}. Each is written under a hidden name and renamed. A batch is
 * committed level 2 and up first, then its errors, then level 1 last: {@code --resume} counts an
 * image done by its level-1 row (or error row), so a run killed between the renames leaves the
 * batch's images not done, and {@link #removeOrphans} deletes the higher levels' files that lost
 * their level-1 file, so no row is written twice.
 */
final class DatasetFiles {

    private static final Pattern OURS = Pattern.compile("part-([0-9a-f-]{36})-b\\d+\\.parquet");

    private static final MessageType LEVEL = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("path")
            .required(PrimitiveTypeName.INT32).named("height")
            .required(PrimitiveTypeName.INT32).named("width")
            .required(PrimitiveTypeName.INT32).named("channels")
            .required(PrimitiveTypeName.INT32).named("bitDepth")
            .optional(PrimitiveTypeName.BINARY).named("pixels")
            .named("spark_schema");

    private static final MessageType ERRORS = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("path")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("reason")
            .named("spark_schema");

    private DatasetFiles() {
    }

    /**
     * Writes batch {@code b}: {@code rows} (the job's, in {@link DownsampleJob#SCHEMA}'s order, no
     * pixels) and {@code errors}, committed in the order the class comment gives.
     */
    static void writeBatch(Configuration conf, String output, int b, List<Row> rows, List<ErrorRecord> errors)
            throws IOException {
        String name = "part-" + UUID.randomUUID() + "-b" + b + ".parquet";
        Map<Integer, List<Row>> byLevel = new TreeMap<>();
        for (Row r : rows) {
            if (!r.isNullAt(6)) {
                throw new IllegalStateException("a row of " + r.getString(0) + " holds pixels: it is the Parquet"
                        + " sink's, written by a Spark write");
            }
            byLevel.computeIfAbsent(r.getInt(1), l -> new ArrayList<>()).add(r);
        }
        List<Path[]> renames = new ArrayList<>(); // {temp, target}, level 1 last
        Path levelOne = null;
        Path levelOneTemp = null;
        for (Map.Entry<Integer, List<Row>> e : byLevel.entrySet()) {
            Path target = new Path(output, "level=" + e.getKey() + "/" + name);
            Path temp = OutputFiles.temp(target);
            SimpleGroupFactory groups = new SimpleGroupFactory(LEVEL);
            try (ParquetWriter<Group> w = writer(conf, temp, LEVEL)) {
                for (Row r : e.getValue()) {
                    w.write(groups.newGroup().append("path", r.getString(0)).append("height", r.getInt(2))
                            .append("width", r.getInt(3)).append("channels", r.getInt(4))
                            .append("bitDepth", r.getInt(5)));
                }
            }
            if (e.getKey() == 1) {
                levelOne = target;
                levelOneTemp = temp;
            } else {
                renames.add(new Path[] {temp, target});
            }
        }
        if (!errors.isEmpty()) {
            Path target = new Path(output, "errors/" + name);
            Path temp = OutputFiles.temp(target);
            SimpleGroupFactory groups = new SimpleGroupFactory(ERRORS);
            try (ParquetWriter<Group> w = writer(conf, temp, ERRORS)) {
                for (ErrorRecord err : errors) {
                    w.write(groups.newGroup().append("path", err.path()).append("reason", err.reason()));
                }
            }
            renames.add(new Path[] {temp, target});
        }
        if (levelOne != null) {
            renames.add(new Path[] {levelOneTemp, levelOne});
        }
        FileSystem fs = new Path(output).getFileSystem(conf);
        for (Path[] r : renames) {
            OutputFiles.replace(fs, r[0], r[1]);
        }
    }

    /** An empty errors dataset: its schema, no rows. */
    static void writeEmptyErrors(Configuration conf, String output) throws IOException {
        Path target = new Path(output, "errors/part-00000-empty.parquet");
        Path temp = OutputFiles.temp(target);
        try (ParquetWriter<Group> w = writer(conf, temp, ERRORS)) {
            // no rows: the footer holds the schema
        }
        OutputFiles.replace(target.getFileSystem(conf), temp, target);
    }

    /**
     * Removes what a run killed while committing a batch left: hidden temporary files, and the files of
     * levels 2 and up whose batch has no level-1 file (its images are not done, and will be made again).
     */
    static void removeOrphans(FileSystem fs, Path dir) throws IOException {
        Set<String> committed = new HashSet<>();
        Path one = new Path(dir, "level=1");
        if (fs.exists(one)) {
            for (FileStatus s : fs.listStatus(one)) {
                Matcher m = OURS.matcher(s.getPath().getName());
                if (m.matches()) {
                    committed.add(m.group(1));
                }
            }
        }
        for (FileStatus level : fs.listStatus(dir)) {
            String sub = level.getPath().getName();
            if (!level.isDirectory() || !(sub.startsWith("level=") || sub.equals("errors"))) {
                continue;
            }
            for (FileStatus s : fs.listStatus(level.getPath())) {
                String n = s.getPath().getName();
                Matcher m = OURS.matcher(n);
                boolean orphan = !sub.equals("level=1") && !sub.equals("errors") && m.matches()
                        && !committed.contains(m.group(1));
                if (orphan || OutputFiles.isTemp(n)) {
                    fs.delete(s.getPath(), false);
                }
            }
        }
    }

    private static ParquetWriter<Group> writer(Configuration conf, Path file, MessageType schema) throws IOException {
        return ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf)).withConf(conf).withType(schema)
                .build();
    }
}
