package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.PoolSpec;
import org.sparkpooling.tensor.Shape;
import org.sparkpooling.tensor.Tensor;

/** The registrator under Spark's own KryoSerializer with registration required, as the job runs it. */
class KryoRegistrationTest {

    private final KryoRoundTrip kryo = new KryoRoundTrip();

    private <T> T roundTrip(T value) {
        return kryo.roundTrip(value);
    }

    @Test
    void tensorTravelsAsRawFloats() {
        Tensor t = new Tensor(new Shape(1, 2, 3, 4), new float[24]);
        t.data()[5] = Float.NaN;
        t.data()[7] = -0.0f;
        assertEquals(t, roundTrip(t));
        int bytes = kryo.serialize(t).remaining();
        // class id + four ints + 24 floats: no field names, no per-element tags
        assertEquals(true, bytes <= 4 + 16 + 24 * 4 + 4, "serialized size " + bytes);
    }

    @Test
    void specsKeepEveryParameter() {
        PoolSpec s = PoolSpec.avg(3, 2).stride(2, 1).padding(1, 1).ceilMode(true).countIncludePad(false)
                .divisorOverride(-3).build();
        assertEquals(s, roundTrip(s));
    }

    @Test
    void unregisteredClassIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> roundTrip(new StringBuilder("x")));
    }
}
