package org.sparkpooling.spark;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkpooling.tensor.Npy;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Where blocks come from. Every source makes or reads its tensors on the executors, inside the
 * partition iterator, one at a time: the driver only ever handles block ids and file names.
 */
public final class BlockSources {

    /** The Parquet tensor dataset's columns: one row per block, data as little-endian float32. */
    public static final StructType TENSOR_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("blockId", DataTypes.LongType, false),
        DataTypes.createStructField("n", DataTypes.IntegerType, false),
        DataTypes.createStructField("c", DataTypes.IntegerType, false),
        DataTypes.createStructField("h", DataTypes.IntegerType, false),
        DataTypes.createStructField("w", DataTypes.IntegerType, false),
        DataTypes.createStructField("data", DataTypes.BinaryType, false),
    });

    private BlockSources() {
    }

    /** Blocks {@code 0..blocks-1} made from the seed, in {@code partitions} contiguous ranges. */
    public static JavaRDD<BlockInput> synthetic(SparkSession spark, long blocks, int partitions, Shape shape, long seed) {
        // range ships no ids: each task counts out its own from its partition index.
        JavaRDD<Object> ids = spark.sparkContext().range(0, blocks, 1, partitions).toJavaRDD();
        return ids.mapPartitions(it -> map(it, id -> {
            long blockId = (Long) id;
            return BlockInput.of(blockId, "synthetic", SyntheticBlocks.block(seed, blockId, shape));
        }));
    }

    /**
     * A Parquet tensor dataset (see {@link #TENSOR_SCHEMA}); spread over {@code partitions} by block
     * id when given (> 0), else as Spark splits the files.
     */
    public static JavaRDD<BlockInput> parquet(SparkSession spark, String path, int partitions) {
        // The schema is given, not inferred: inference ships file schemas back through the
        // serializer, and Kryo with registration required would need every SQL type registered.
        // A column the files lack reads as null, which becomes an error record per block.
        Dataset<Row> rows = spark.read().schema(TENSOR_SCHEMA).parquet(path);
        rows = rows.select("blockId", "n", "c", "h", "w", "data");
        if (partitions > 0) {
            rows = rows.repartition(partitions, col("blockId"));
        }
        String source = path;
        return rows.javaRDD().mapPartitions(it -> map(it, row -> fromRow(row, source)));
    }

    /** Decodes one Parquet row; anything wrong with it becomes an error record. */
    static BlockInput fromRow(Row row, String source) {
        if (row.isNullAt(0)) {
            return BlockInput.failed(-1, source, "blockId is null");
        }
        long blockId = row.getLong(0);
        for (int i = 1; i < 6; i++) {
            if (row.isNullAt(i)) {
                return BlockInput.failed(blockId, source, TENSOR_SCHEMA.fields()[i].name() + " is null");
            }
        }
        Shape shape;
        try {
            shape = new Shape(row.getInt(1), row.getInt(2), row.getInt(3), row.getInt(4));
        } catch (IllegalArgumentException e) {
            return BlockInput.failed(blockId, source, e.getMessage());
        }
        byte[] data = (byte[]) row.get(5);
        if (data.length != shape.bytes()) {
            return BlockInput.failed(blockId, source, "data has " + data.length + " bytes, shape " + shape
                    + " needs " + shape.bytes());
        }
        float[] x = new float[shape.size()];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(x);
        return BlockInput.of(blockId, source, new Tensor(shape, x));
    }

    /**
     * {@code .npy} files: a file, a directory (its {@code *.npy} files, recursively) or a glob,
     * listed on the driver and each read by the executor that runs it (only names travel). Block
     * ids number the files in path order, so a rerun over the same files gives the same ids; a file
     * that is not a rank-4 float array, an empty one included, is an error record.
     *
     * @throws IllegalArgumentException when the path does not exist or holds no .npy file
     */
    public static JavaRDD<BlockInput> npy(SparkSession spark, String path, int partitions) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        List<String> paths = listNpy(conf, path);
        Map<String, Long> ids = new HashMap<>();
        for (int i = 0; i < paths.size(); i++) {
            ids.put(paths.get(i), (long) i);
        }
        int p = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
        SerializableWritable<Configuration> hadoop = new SerializableWritable<>(new Configuration(conf));
        return JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(paths, Math.max(1, Math.min(p, paths.size())))
                .mapPartitions(it -> map(it, file -> readNpy(hadoop.value(), file, ids.getOrDefault(file, -1L))));
    }

    /** The .npy files under {@code path}, qualified and sorted; names starting with . or _ skipped. */
    static List<String> listNpy(Configuration conf, String path) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(p);
        if (matches == null || matches.length == 0) {
            throw new IllegalArgumentException("input (" + path + ") does not exist");
        }
        List<String> paths = new ArrayList<>();
        for (FileStatus m : matches) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
            while (it.hasNext()) {
                Path f = it.next().getPath();
                String name = f.getName();
                if (name.toLowerCase(Locale.ROOT).endsWith(".npy") && !name.startsWith(".") && !name.startsWith("_")) {
                    paths.add(fs.makeQualified(f).toString());
                }
            }
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("input (" + path + ") has no .npy files");
        }
        paths.sort(null);
        return paths;
    }

    private static BlockInput readNpy(Configuration conf, String file, long blockId) {
        Path p = new Path(file);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            return BlockInput.of(blockId, file, Npy.read(in, file));
        } catch (IOException | RuntimeException e) {
            return BlockInput.failed(blockId, file, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** A lazy map, so each element is made only when the runner asks for it. */
    private static <A, B> Iterator<B> map(Iterator<A> in, Function<A, B> f) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return in.hasNext();
            }

            @Override
            public B next() {
                try {
                    return f.call(in.next());
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        };
    }
}
