package org.sparkpooling.spark;

import java.nio.ByteBuffer;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import scala.reflect.ClassTag$;

/** Spark's KryoSerializer with the project's registrator and registration required, as the jobs run it. */
public final class KryoRoundTrip {

    private final SerializerInstance kryo = new KryoSerializer(new SparkConf(false)
            .set("spark.kryo.registrator", PoolingKryoRegistrator.class.getName())
            .set("spark.kryo.registrationRequired", "true")).newInstance();

    public ByteBuffer serialize(Object value) {
        return kryo.serialize(value, ClassTag$.MODULE$.apply(value.getClass()));
    }

    /** Serializes and reads back {@code value}; throws if any class in it is not registered. */
    public <T> T roundTrip(T value) {
        return kryo.deserialize(serialize(value), ClassTag$.MODULE$.apply(value.getClass()));
    }
}
