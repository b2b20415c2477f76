package org.sparkpooling.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.sparkpooling.tensor.ShapeTest.assertRejected;

import org.junit.jupiter.api.Test;

/** A tensor's data matches its shape exactly; equality is bit for bit. */
class TensorTest {

    private static final Shape SHAPE = new Shape(1, 1, 2, 3);

    @Test
    void rejectsDataShorterThanTheShape() {
        assertRejected(() -> new Tensor(SHAPE, new float[5]), "data length (5)", "1x1x2x3", "6 elements");
    }

    @Test
    void rejectsDataLongerThanTheShape() {
        assertRejected(() -> new Tensor(SHAPE, new float[7]), "data length (7)", "1x1x2x3");
    }

    @Test
    void rejectsNullData() {
        assertRejected(() -> new Tensor(SHAPE, null), "data", "null");
    }

    @Test
    void rejectsNullShape() {
        assertRejected(() -> new Tensor(null, new float[6]), "shape", "null");
    }

    @Test
    void equalityIsBitForBit() {
        assertEquals(new Tensor(SHAPE, new float[] {Float.NaN, 1, 2, 3, 4, 5}),
                new Tensor(SHAPE, new float[] {Float.NaN, 1, 2, 3, 4, 5}));
        assertNotEquals(new Tensor(SHAPE, new float[] {0f, 1, 2, 3, 4, 5}),
                new Tensor(SHAPE, new float[] {-0f, 1, 2, 3, 4, 5}));
    }

    @Test
    void getReadsNchwOrder() {
        Shape s = new Shape(2, 3, 4, 5);
        float[] d = new float[s.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        assertEquals(((1 * 3 + 2) * 4 + 3) * 5 + 4, new Tensor(s, d).get(1, 2, 3, 4));
    }
}
