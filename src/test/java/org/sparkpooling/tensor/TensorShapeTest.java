package org.sparkpooling.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.sparkpooling.tensor.ShapeTest.assertRejected;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Shapes of every rank and layout: memory order, offsets, and refusals that name the value. */
class TensorShapeTest {

    @Test
    void dimsFollowTheLayout() {
        assertArrayEquals(new int[] {2, 3, 4, 5, 6}, TensorShape.channelsFirst(2, 3, 4, 5, 6).dims());
        assertArrayEquals(new int[] {2, 4, 5, 6, 3}, TensorShape.channelsLast(2, 3, 4, 5, 6).dims());
        assertArrayEquals(new int[] {2, 7, 3}, TensorShape.channelsLast(2, 3, 7).dims());
        assertEquals(TensorShape.channelsLast(2, 3, 4, 5), TensorShape.ofDims(new int[] {2, 4, 5, 3}, Layout.CHANNELS_LAST));
        assertEquals(TensorShape.channelsFirst(2, 3, 7), TensorShape.ofDims(new int[] {2, 3, 7}, Layout.CHANNELS_FIRST));
        assertEquals("2x4x5x3 (nhwc)", TensorShape.channelsLast(2, 3, 4, 5).toString());
        assertEquals("1x2x3x4x5 (ncdhw)", TensorShape.channelsFirst(1, 2, 3, 4, 5).toString());
    }

    @Test
    void everyElementHasItsOwnOffsetInBothLayouts() {
        for (Layout layout : Layout.values()) {
            TensorShape s = new TensorShape(2, 3, new int[] {2, 3, 5}, layout);
            Set<Integer> seen = new HashSet<>();
            for (int n = 0; n < s.n(); n++) {
                for (int c = 0; c < s.c(); c++) {
                    for (int i = 0; i < s.volume(); i++) {
                        int o = s.offset(n, c, i);
                        assertEquals(true, o >= 0 && o < s.size() && seen.add(o), layout + " offset " + o);
                    }
                }
            }
        }
        // Channels-last: the channels of one position are neighbours.
        TensorShape last = TensorShape.channelsLast(1, 4, 3, 3);
        assertEquals(last.offset(0, 0, 5) + 1, last.offset(0, 1, 5));
    }

    @Test
    void bridgesTheTwoDimensionalShape() {
        Shape s = new Shape(2, 3, 4, 5);
        assertEquals(s, TensorShape.of(s).toShape());
        assertRejected(() -> TensorShape.channelsLast(2, 3, 4, 5).toShape(), "2x4x5x3 (nhwc)", "rank-4 nchw");
        assertRejected(() -> TensorShape.channelsFirst(2, 3, 4).toShape(), "2x3x4 (ncl)");
    }

    @Test
    void spatialSizesAreCopiedInAndOut() {
        int[] sizes = {4, 5};
        TensorShape s = TensorShape.channelsFirst(1, 1, sizes);
        sizes[0] = 99;
        s.spatial()[1] = 99;
        assertArrayEquals(new int[] {4, 5}, s.spatial());
        assertNotEquals(s, s.withLayout(Layout.CHANNELS_LAST));
        assertEquals(s.hashCode(), TensorShape.channelsFirst(1, 1, 4, 5).hashCode());
    }

    @Test
    void refusesBadShapesNamingTheValue() {
        assertRejected(() -> TensorShape.channelsFirst(0, 1, 4), "batch (N) (0) must be > 0");
        assertRejected(() -> TensorShape.channelsFirst(1, -2, 4), "channels (C) (-2)");
        assertRejected(() -> TensorShape.channelsFirst(1, 1, 0), "length (L) (0)");
        assertRejected(() -> TensorShape.channelsFirst(1, 1, 3, 0, 2), "height (H) (0)");
        assertRejected(() -> TensorShape.channelsFirst(1, 1, 3, 2, -1), "width (W) (-1)");
        assertRejected(() -> TensorShape.channelsFirst(1, 1), "spatial rank (0)", "1, 2 or 3");
        assertRejected(() -> TensorShape.channelsFirst(1, 1, 1, 1, 1, 1), "spatial rank (4)");
        assertRejected(() -> new TensorShape(1, 1, new int[] {2}, null), "layout");
        assertRejected(() -> TensorShape.channelsFirst(65536, 65536, 1, 1, 2), "more elements than a Java array");
        assertRejected(() -> TensorShape.channelsFirst(2, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, 3),
                "more elements");
        assertRejected(() -> TensorShape.ofDims(new int[] {1, 2}, Layout.CHANNELS_FIRST), "rank (2)", "3, 4 or 5");
    }

    @Test
    void layoutAndDtypeParseTheirLabels() {
        assertEquals(Layout.CHANNELS_LAST, Layout.parse(" NHWC "));
        assertEquals(Layout.CHANNELS_FIRST, Layout.parse("channels-first"));
        assertEquals("ndhwc", Layout.CHANNELS_LAST.letters(3));
        assertRejected(() -> Layout.parse("hwcn"), "layout (hwcn) must be nchw or nhwc");
        assertEquals(Dtype.FLOAT64, Dtype.parse("float64"));
        assertRejected(() -> Dtype.parse("int8"), "dtype (int8) must be float32 or float64");
    }
}
