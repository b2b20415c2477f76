package org.sparkpooling.bench;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.sparkpooling.spark.KryoClasses;

/**
 * The bench job's task results: an array of block reports per task. Small and once per block, so
 * Java serialization (through the records' constructors) costs nothing that matters.
 */
public final class BenchKryoClasses implements KryoClasses {

    @Override
    public void register(Kryo kryo) {
        kryo.register(BlockReport.class, new JavaSerializer());
        kryo.register(BlockReport[].class);
        kryo.register(ImplTiming.class, new JavaSerializer());
    }
}
