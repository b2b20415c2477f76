package org.sparkpooling.spark;

import com.esotericsoftware.kryo.Kryo;

/**
 * The classes one feature ships through Spark (task closures' contents, partitions, task results),
 * registered with Kryo. Each feature (the bench job, the pipeline, this layer itself) lists its own
 * in one implementation, named in {@code META-INF/services/org.sparkpooling.spark.KryoClasses};
 * {@link PoolingKryoRegistrator} collects them all, so it names no feature's classes and
 * {@code spark.kryo.registrationRequired=true} still catches a class nobody listed.
 *
 * <p>Records need a serializer that calls their constructor (Kryo 4 cannot set a record's final
 * fields): {@code JavaSerializer} for small ones, or a hand-written one like
 * {@link TensorSerializer} for bulk data.
 */
public interface KryoClasses {

    void register(Kryo kryo);
}
