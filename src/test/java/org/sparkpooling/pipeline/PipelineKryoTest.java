package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.PoolMode;
import org.sparkpooling.spark.KryoRoundTrip;

/** Every class the pipeline ships goes through Kryo with registration required, as the job runs it. */
class PipelineKryoTest {

    private final KryoRoundTrip kryo = new KryoRoundTrip();

    private <T> T roundTrip(T value) {
        return kryo.roundTrip(value);
    }

    @Test
    void pipelineValuesSurvive() {
        InputFile f = new InputFile("file:/in/a/b.jpg", "a/b.jpg", 123);
        assertEquals(f, roundTrip(f));
        ErrorRecord e = new ErrorRecord("a/b.jpg", "empty file (0 bytes)");
        assertEquals(e, roundTrip(e));
        DownsampleSpec s = new DownsampleSpec(DownsampleMode.MAX, 3, 4, EdgeMode.TRIM, 77);
        assertEquals(s, roundTrip(s));
        assertEquals(EdgeMode.TRIM, roundTrip(EdgeMode.TRIM));
        assertEquals(OutputFormat.PNG, roundTrip(OutputFormat.PNG));
        assertEquals(DownsampleJob.SCHEMA, roundTrip(DownsampleJob.SCHEMA));
        assertEquals(DownsampleJob.ERROR_SCHEMA, roundTrip(new StructType[] {DownsampleJob.ERROR_SCHEMA})[0]);
        RunStats.Totals t = new RunStats.Totals();
        t.pooled = 5;
        t.levelPixels[3] = 9;
        RunStats.Totals back = roundTrip(t);
        assertEquals(5, back.pooled);
        assertArrayEquals(t.levelPixels, back.levelPixels);
    }
}
