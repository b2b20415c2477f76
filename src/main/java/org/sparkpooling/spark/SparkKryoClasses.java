package org.sparkpooling.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** What every job here ships: tensors, specs, the common arrays and collections, Spark SQL's schemas. */
public final class SparkKryoClasses implements KryoClasses {

    @Override
    public void register(Kryo kryo) {
        kryo.register(Tensor.class, new TensorSerializer());
        // Java serialization goes through the canonical constructor (and so through its validation).
        // Use it for small records shipped rarely.
        kryo.register(Shape.class, new JavaSerializer());
        kryo.register(PoolSpec.class, new JavaSerializer());
        kryo.register(PoolMode.class);
        kryo.register(float[].class);
        kryo.register(int[].class);
        kryo.register(long[].class);
        kryo.register(byte[].class);
        kryo.register(String[].class);
        kryo.register(Object[].class);
        kryo.register(java.util.ArrayList.class);
        kryo.register(java.util.HashMap.class);
        kryo.register(java.util.LinkedHashMap.class);
        // Spark SQL's own jobs (Parquet schema merging) return schemas as task results.
        kryo.register(org.apache.spark.sql.types.StructType.class, new JavaSerializer());
        kryo.register(org.apache.spark.sql.types.StructType[].class);
    }
}
