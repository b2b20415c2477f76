package org.sparkpooling.spark;

import com.esotericsoftware.kryo.Kryo;
import java.util.ServiceLoader;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers every class the Spark jobs ship: the {@link KryoClasses} of each feature, found with
 * {@link ServiceLoader} on the class loader that loaded this class (on an executor, the one that
 * holds the application jar). With {@code spark.kryo.registrationRequired=true}, a class missing
 * from every list fails the job at its first use, which tests catch.
 */
public final class PoolingKryoRegistrator implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        for (KryoClasses classes : ServiceLoader.load(KryoClasses.class, KryoClasses.class.getClassLoader())) {
            classes.register(kryo);
        }
    }
}
