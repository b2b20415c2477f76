package org.sparkpooling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sparkpooling.spark.KryoRoundTrip;

/** The bench job's task results through Spark's KryoSerializer with registration required, as the job runs it. */
class BenchKryoTest {

    private final KryoRoundTrip kryo = new KryoRoundTrip();

    private <T> T roundTrip(T value) {
        return kryo.roundTrip(value);
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
}
