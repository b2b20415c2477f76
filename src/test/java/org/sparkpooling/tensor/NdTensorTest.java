package org.sparkpooling.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.sparkpooling.tensor.ShapeTest.assertRejected;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Float and double tensors: data must fill the shape, layouts convert both ways, equality is bit for bit. */
class NdTensorTest {

    @Test
    void layoutConversionMovesEveryElementAndComesBack() {
        Random r = new Random(3);
        for (int[] spatial : new int[][] {{7}, {3, 5}, {2, 3, 4}}) {
            TensorShape first = TensorShape.channelsFirst(2, 3, spatial);
            double[] v = new double[first.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.nextGaussian();
            }
            DoubleTensor t = new DoubleTensor(first, v);
            DoubleTensor last = t.toLayout(Layout.CHANNELS_LAST);
            for (int n = 0; n < 2; n++) {
                for (int c = 0; c < 3; c++) {
                    for (int s = 0; s < first.volume(); s++) {
                        assertEquals(t.get(n, c, s), last.get(n, c, s));
                    }
                }
            }
            assertEquals(t, last.toLayout(Layout.CHANNELS_FIRST));
            assertSame(last, last.toLayout(Layout.CHANNELS_LAST));
        }
        FloatTensor f = new FloatTensor(TensorShape.channelsFirst(1, 2, 3), new float[] {1, 2, 3, 4, 5, 6});
        assertEquals(new FloatTensor(TensorShape.channelsLast(1, 2, 3), new float[] {1, 4, 2, 5, 3, 6}),
                f.toLayout(Layout.CHANNELS_LAST));
        IndexTensor i = new IndexTensor(TensorShape.channelsFirst(1, 2, 3), new int[] {0, 1, 2, 2, 1, 0});
        assertEquals(new IndexTensor(TensorShape.channelsLast(1, 2, 3), new int[] {0, 2, 1, 1, 2, 0}),
                i.toLayout(Layout.CHANNELS_LAST));
    }

    @Test
    void equalityIsBitForBit() {
        TensorShape s = TensorShape.channelsFirst(1, 1, 2);
        assertEquals(new DoubleTensor(s, new double[] {Double.NaN, 1}), new DoubleTensor(s, new double[] {Double.NaN, 1}));
        assertNotEquals(new DoubleTensor(s, new double[] {0.0, 1}), new DoubleTensor(s, new double[] {-0.0, 1}));
        assertNotEquals(new FloatTensor(s, new float[2]), new FloatTensor(s.withLayout(Layout.CHANNELS_LAST), new float[2]));
    }

    @Test
    void bridgesTheTwoDimensionalTensorSharingItsArray() {
        Tensor t = new Tensor(new Shape(1, 2, 3, 4), new float[24]);
        FloatTensor f = FloatTensor.of(t);
        assertSame(t.data(), f.data());
        assertEquals(t, f.toTensor());
        assertRejected(() -> f.toLayout(Layout.CHANNELS_LAST).toTensor(), "nhwc", "rank-4 nchw");
    }

    @Test
    void dataMustFillTheShape() {
        TensorShape s = TensorShape.channelsFirst(1, 2, 3);
        assertRejected(() -> new FloatTensor(s, new float[5]), "data length (5)", "1x2x3 (ncl)", "6 elements");
        assertRejected(() -> new DoubleTensor(s, null), "data must not be null");
        assertRejected(() -> new IndexTensor(null, new int[1]), "shape must not be null");
        assertRejected(() -> NdTensor.zeros(s, null), "dtype");
        assertEquals(Dtype.FLOAT64, NdTensor.zeros(s, Dtype.FLOAT64).dtype());
        assertEquals(new FloatTensor(s, new float[6]), NdTensor.zeros(s, Dtype.FLOAT32));
    }
}
