package org.sparkpooling.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
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
    void blockReportsTravelAsTaskResults() {
        BlockReport r = new BlockReport(7, "synthetic", 1, 2, "3", "127.0.0.1", "1x2x3x4", 5, 96, 1000, 20, 192,
                "0badcafe", List.of(new ImplTiming("loops", 123, true, true, null),
                        new ImplTiming("fast", 45, true, false, "backward gradInput[0] = 1.0, expected 2.0")), null);
        assertEquals(r, roundTrip(r));
        // collect() ships each task's results as one array
        BlockReport[] array = {r, new BlockReport(8, "f.npy", 1, 0, "3", "h", null, 0, 0, 0, 0, 0, null, List.of(), "bad")};
        assertEquals(List.of(array), List.of(roundTrip(array)));
    }

    @Test
    void unregisteredClassIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> roundTrip(new StringBuilder("x")));
    }
}
