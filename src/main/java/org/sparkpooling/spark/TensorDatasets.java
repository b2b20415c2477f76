package org.sparkpooling.spark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** Writes the Parquet tensor dataset ({@link BlockSources#TENSOR_SCHEMA}) that {@code bench --input} reads. */
public final class TensorDatasets {

    private static final String GENERATE = "generate";

    private TensorDatasets() {
    }

    /**
     * Writes the synthetic blocks {@code 0..blocks-1} of {@code seed}, made on the executors, so a
     * bench over the dataset gives the same checksums as a synthetic bench with the same seed.
     */
    public static void generate(SparkSession spark, String output, long blocks, int partitions, Shape shape,
            long seed, boolean overwrite) throws IOException {
        if (blocks <= 0) {
            throw new IllegalArgumentException("blocks (" + blocks + ") must be > 0");
        }
        if (shape.bytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + shape + " (" + shape.bytes()
                    + " bytes) is too large for one Parquet value (at most 2 GiB)");
        }
        Path out = new Path(output);
        FileSystem fs = out.getFileSystem(spark.sparkContext().hadoopConfiguration());
        out = fs.makeQualified(out);
        requireReplaceable(fs, out, overwrite);
        int p = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
        p = (int) Math.max(1, Math.min(p, blocks));
        JavaRDD<Object> ids = spark.sparkContext().range(0, blocks, 1, p).toJavaRDD();
        JavaRDD<Row> rows = ids.mapPartitions(it -> new Iterator<Row>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Row next() {
                long id = (Long) it.next();
                return toRow(id, SyntheticBlocks.block(seed, id, shape));
            }
        });
        spark.createDataFrame(rows, BlockSources.TENSOR_SCHEMA).write()
                .mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(out.toString());
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("blocks", Long.toString(blocks));
        settings.put("shape", shape.toString());
        settings.put("seed", Long.toString(seed));
        OutputManifest.of(GENERATE, 1, settings).write(fs, out);
    }

    /**
     * An existing output is replaced only with {@code overwrite}, and only when it is a dataset
     * this command wrote (its manifest says so): Spark's overwrite mode deletes whatever the path
     * names, a user's photo folder as readily as an old dataset.
     */
    private static void requireReplaceable(FileSystem fs, Path out, boolean overwrite) throws IOException {
        if (!fs.exists(out) || (fs.getFileStatus(out).isDirectory() && fs.listStatus(out).length == 0)) {
            return;
        }
        if (!overwrite) {
            throw new IllegalArgumentException("--output (" + out + ") exists; give --overwrite to replace it");
        }
        OutputManifest found = fs.getFileStatus(out).isDirectory() ? OutputManifest.read(fs, out) : null;
        if (found == null || !GENERATE.equals(found.command())) {
            throw new IllegalArgumentException("--output (" + out + ") is not a tensor dataset generate wrote (it has"
                    + " no " + OutputManifest.FILE + " naming generate): --overwrite would delete something else;"
                    + " choose another --output");
        }
    }

    /**
     * Refuses, naming the file, a {@code path} that is not a Parquet dataset: missing, empty, or
     * holding a data file that does not start with Parquet's magic {@code PAR1} (a folder of PNGs, a
     * README). Spark itself would fail inside a job, with a long trace, or read nothing. Hidden
     * names ({@code _SUCCESS}, {@code .crc} files) are skipped, as Spark skips them.
     *
     * @param role how the message names the path, e.g. {@code "--input"}
     */
    public static void requireParquet(Configuration hadoop, String role, String path) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(hadoop);
        FileStatus[] matches = fs.globStatus(p);
        if (matches == null || matches.length == 0) {
            throw new IllegalArgumentException(role + " (" + path + ") does not exist");
        }
        int files = 0;
        for (FileStatus m : matches) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                if (hiddenBelow(m.getPath(), f.getPath())) {
                    continue;
                }
                files++;
                if (!startsWithParquetMagic(fs, f)) {
                    throw new IllegalArgumentException(role + " (" + path + ") is not a Parquet dataset: "
                            + f.getPath() + " is not a Parquet file (it does not start with PAR1)");
                }
            }
        }
        if (files == 0) {
            throw new IllegalArgumentException(role + " (" + path + ") holds no Parquet files");
        }
    }

    /** Spark's listing skips names starting with . or _ (InMemoryFileIndex), below the given root. */
    private static boolean hiddenBelow(Path root, Path file) {
        for (Path p = file; p != null && !p.equals(root) && p.depth() > root.depth(); p = p.getParent()) {
            String name = p.getName();
            if ((name.startsWith("_") && !name.contains("=")) || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithParquetMagic(FileSystem fs, FileStatus f) throws IOException {
        if (f.getLen() < 12) { // magic, footer length, magic
            return false;
        }
        byte[] head = new byte[4];
        try (FSDataInputStream in = fs.open(f.getPath())) {
            in.readFully(0, head);
        }
        return head[0] == 'P' && head[1] == 'A' && head[2] == 'R' && head[3] == '1';
    }

    /** One row of the tensor dataset ({@link BlockSources#TENSOR_SCHEMA}): the shape and little-endian float32 data. */
    public static Row toRow(long blockId, Tensor t) {
        Shape s = t.shape();
        ByteBuffer bytes = ByteBuffer.allocate((int) s.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(t.data());
        return RowFactory.create(blockId, s.n(), s.c(), s.h(), s.w(), bytes.array());
    }
}
