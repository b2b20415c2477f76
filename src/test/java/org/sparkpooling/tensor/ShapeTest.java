package org.sparkpooling.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** A shape is positive in every dimension and small enough for one Java array; messages name role and value. */
class ShapeTest {

    static void assertRejected(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" should contain \"" + f + "\"");
        }
    }

    @Test
    void rejectsNonPositiveBatch() {
        assertRejected(() -> new Shape(0, 3, 4, 5), "batch", "(0)", "> 0");
    }

    @Test
    void rejectsNonPositiveChannels() {
        assertRejected(() -> new Shape(1, -3, 4, 5), "channels", "(-3)", "> 0");
    }

    @Test
    void rejectsNonPositiveHeight() {
        assertRejected(() -> new Shape(1, 3, 0, 5), "height", "(0)", "> 0");
    }

    @Test
    void rejectsNonPositiveWidth() {
        assertRejected(() -> new Shape(1, 3, 4, Integer.MIN_VALUE), "width", "(" + Integer.MIN_VALUE + ")", "> 0");
    }

    @Test
    void rejectsMoreElementsThanAnArrayHolds() {
        assertRejected(() -> new Shape(65536, 65536, 1, 1), "65536x65536x1x1", "more elements");
    }

    @Test
    void rejectsAnElementCountThatOverflowsEvenLong() {
        int m = Integer.MAX_VALUE;
        assertRejected(() -> new Shape(m, m, m, m), m + "x" + m + "x" + m + "x" + m, "more elements");
    }

    @Test
    void theLargestArrayIsTheLimit() {
        assertEquals(Shape.MAX_ELEMENTS, new Shape(1, 1, 1, Shape.MAX_ELEMENTS).size());
        assertRejected(() -> new Shape(1, 1, 1, Shape.MAX_ELEMENTS + 1), "more elements");
    }

    @Test
    void parsesBothSeparators() {
        assertEquals(new Shape(2, 3, 4, 5), Shape.parse(" 2,3,4,5 "));
        assertEquals(new Shape(2, 3, 4, 5), Shape.parse("2x3x4x5"));
    }

    @Test
    void parseRejectsAWrongNumberOfDimensions() {
        assertRejected(() -> Shape.parse("2,3,4"), "(2,3,4)", "four dimensions");
    }

    @Test
    void parseRejectsANonInteger() {
        assertRejected(() -> Shape.parse("2,3,four,5"), "(2,3,four,5)", "four");
    }

    @Test
    void parseRejectsANonPositiveDimension() {
        assertRejected(() -> Shape.parse("2,3,0,5"), "height", "(0)");
    }
}
