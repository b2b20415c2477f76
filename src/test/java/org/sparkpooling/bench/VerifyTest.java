package org.sparkpooling.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.PoolOp;

class VerifyTest {

    private static final float NAN = Float.NaN;
    private static final float INF = Float.POSITIVE_INFINITY;

    @Test
    void bitEqualTreatsNaNsAlikeButSignedZerosApart() {
        assertNull(Verify.bitEqual("y", new float[] {1, NAN, INF}, new float[] {1, Float.intBitsToFloat(0x7fc00001), INF}));
        assertEquals("y[1] = -0.0, expected 0.0", Verify.bitEqual("y", new float[] {1, 0.0f}, new float[] {1, -0.0f}));
    }

    @Test
    void closeUsesTheGoldenTolerance() {
        assertNull(Verify.close("g", new float[] {1000f, 0.5f}, new float[] {1000.009f, 0.500009f}));
        assertNotNull(Verify.close("g", new float[] {1000f}, new float[] {1000.02f}));
        assertNotNull(Verify.close("g", new float[] {0.5f}, new float[] {0.50002f}));
        assertNull(Verify.close("g", new float[] {INF, NAN}, new float[] {INF, NAN}));
        assertNotNull(Verify.close("g", new float[] {INF}, new float[] {-INF}));
        assertNotNull(Verify.close("g", new float[] {1f}, new float[] {NAN}));
    }

    @Test
    void float64HasItsOwnTolerance() {
        assertNull(Verify.close("g", new double[] {1000, 0.5, INF, Double.NaN}, new double[] {1000 + 9e-8, 0.5 + 9e-11, INF,
            Double.NaN}));
        assertEquals("g[0] = 1000.0000002, expected 1000.0 (tolerance 1e-10 relative)",
                Verify.close("g", new double[] {1000}, new double[] {1000.0000002}));
        assertNotNull(Verify.close("g", new double[] {-INF}, new double[] {INF}));
        assertNull(Verify.bitEqual("y", new double[] {Double.NaN}, new double[] {Double.longBitsToDouble(0x7ff8000000000001L)}));
        assertEquals("y[0] = -0.0, expected 0.0", Verify.bitEqual("y", new double[] {0.0}, new double[] {-0.0}));
    }

    @Test
    void whatMustBeExactFollowsTheOp() {
        for (PoolOp op : PoolOp.values()) {
            boolean movesValues = op == PoolOp.MAX || op == PoolOp.ADAPTIVE_MAX || op == PoolOp.UNPOOL;
            assertEquals(movesValues, Verify.exact(op), op.label());
        }
    }

    @Test
    void indicesMustBeEqual() {
        assertNull(Verify.equal("i", new int[] {3, 4}, new int[] {3, 4}));
        assertEquals("i[0] = 2, expected 3", Verify.equal("i", new int[] {3}, new int[] {2}));
    }
}
