package org.sparkpooling.job;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/**
 * Registers every class the Spark jobs ship (with {@code spark.kryo.registrationRequired=true}, a
 * class missing here fails the job at its first use, which tests catch). Add new shipped classes
 * here, with the arrays and collections they contain. Records need a serializer that calls their
 * constructor ({@link JavaSerializer} for small ones, or a hand-written one like
 * {@link TensorSerializer} for bulk data).
 */
public final class PoolingKryoRegistrator implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(Tensor.class, new TensorSerializer());
        // Kryo 4 cannot set a record's final fields; Java serialization goes through the canonical
        // constructor (and so through its validation). Use it for small records shipped rarely.
        kryo.register(Shape.class, new JavaSerializer());
        kryo.register(PoolSpec.class, new JavaSerializer());
        kryo.register(PoolMode.class);
        // The bench job's task results: an array of block reports per task. Small and once per
        // block, so Java serialization (through the records' constructors) costs nothing that matters.
        kryo.register(BlockReport.class, new JavaSerializer());
        kryo.register(BlockReport[].class);
        kryo.register(ImplTiming.class, new JavaSerializer());
        kryo.register(float[].class);
        kryo.register(int[].class);
        kryo.register(long[].class);
        kryo.register(byte[].class);
        kryo.register(String[].class);
        kryo.register(Object[].class);
        kryo.register(java.util.ArrayList.class);
        kryo.register(java.util.HashMap.class);
        kryo.register(java.util.LinkedHashMap.class);
        // downsample pipeline: the listed files travel in parallelize()'s partitions, the rest in
        // closures and task results
        kryo.register(org.sparkpooling.pipeline.InputFile.class, new JavaSerializer());
        kryo.register(org.sparkpooling.pipeline.ErrorRecord.class, new JavaSerializer());
        kryo.register(org.sparkpooling.pipeline.DownsampleSpec.class, new JavaSerializer());
        kryo.register(org.sparkpooling.pipeline.RunStats.class, new JavaSerializer());
        kryo.register(org.sparkpooling.pipeline.RunStats.Totals.class, new JavaSerializer());
        kryo.register(org.sparkpooling.pipeline.EdgeMode.class);
        kryo.register(org.sparkpooling.pipeline.OutputFormat.class);
        // Spark SQL's own jobs (Parquet schema merging) return schemas as task results.
        kryo.register(org.apache.spark.sql.types.StructType.class, new JavaSerializer());
        kryo.register(org.apache.spark.sql.types.StructType[].class);
    }
}
