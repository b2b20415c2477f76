package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.IntImage;

/**
 * {@link ImagePooling} against a plain reference in {@link BigInteger}s: every window's samples
 * summed (or maxed) exactly and the mean rounded half to even, including the cases the float path
 * could not hold: 16-bit windows past 2^24, 32-bit label ids, factors past the int-sum limit.
 */
class ImagePoolingTest {

    @Test
    void everyDepthAndFactorEqualsTheExactReference() {
        SplittableRandom rnd = new SplittableRandom(7);
        int[][] cases = {{8, 2}, {8, 3}, {8, 9}, {16, 2}, {16, 5}, {16, 16}, {16, 200}, {32, 2}, {32, 3}, {8, 3000}};
        for (int[] c : cases) {
            int bits = c[0];
            int f = c[1];
            for (boolean partial : new boolean[] {true, false}) {
                for (DownsampleMode mode : DownsampleMode.values()) {
                    int h = f == 3000 ? 3001 : f * 3 + rnd.nextInt(f + 1);
                    int w = f == 3000 ? 2 : f * 2 + 1 + rnd.nextInt(f);
                    if (!partial && (h < f || w < f)) {
                        continue;
                    }
                    int ch = 1 + rnd.nextInt(3);
                    IntImage in = IntImage.allocate(h, w, ch, bits);
                    for (int i = 0; i < h * w * ch; i++) {
                        long v = rnd.nextBoolean() ? in.maxValue() - rnd.nextInt(2) : rnd.nextLong(in.maxValue() + 1);
                        set(in, i, v);
                    }
                    IntImage got = ImagePooling.pool(mode, in, f, partial);
                    String at = bits + "-bit f=" + f + " " + mode + (partial ? " partial " : " trim ") + in;
                    assertEquals(ImagePooling.outputSize(h, f, partial), got.height(), at);
                    assertEquals(ImagePooling.outputSize(w, f, partial), got.width(), at);
                    for (int oy = 0; oy < got.height(); oy++) {
                        for (int ox = 0; ox < got.width(); ox++) {
                            for (int k = 0; k < ch; k++) {
                                assertEquals(reference(mode, in, f, oy, ox, k), got.get(oy, ox, k),
                                        at + " at " + oy + "," + ox + "," + k);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void roundsHalfToEven() {
        assertEquals(0, ImagePooling.roundHalfEven(2, 4)); // 0.5
        assertEquals(2, ImagePooling.roundHalfEven(6, 4)); // 1.5
        assertEquals(2, ImagePooling.roundHalfEven(10, 4)); // 2.5
        assertEquals(1, ImagePooling.roundHalfEven(5, 9)); // 0.56
        IntImage in = IntImage.of8(1, 4, 1, new byte[] {1, 2, 3, 4});
        IntImage out = ImagePooling.pool(DownsampleMode.AVG, in, 2, true); // windows of 1x2
        assertEquals(2, out.get(0, 0, 0), "1.5 rounds to 2");
        assertEquals(4, out.get(0, 1, 0), "3.5 rounds to 4");
    }

    @Test
    void refusalsNameTheValue() {
        IntImage in = IntImage.allocate(3, 3, 1, 8);
        assertEquals("factor (1) must be >= 2", assertThrows(IllegalArgumentException.class,
                () -> ImagePooling.pool(DownsampleMode.MAX, in, 1, true)).getMessage());
        assertEquals("3x3x1 8-bit is too small for one 4x4 level without partial edges",
                assertThrows(IllegalArgumentException.class,
                        () -> ImagePooling.pool(DownsampleMode.MAX, in, 4, false)).getMessage());
    }

    private static long reference(DownsampleMode mode, IntImage in, int f, int oy, int ox, int k) {
        BigInteger sum = BigInteger.ZERO;
        long max = 0;
        long n = 0;
        for (int y = oy * f; y < Math.min(oy * f + f, in.height()); y++) {
            for (int x = ox * f; x < Math.min(ox * f + f, in.width()); x++) {
                long v = in.get(y, x, k);
                sum = sum.add(BigInteger.valueOf(v));
                max = Math.max(max, v);
                n++;
            }
        }
        return switch (mode) {
            case MAX -> max;
            case AVG -> {
                BigInteger[] qr = sum.divideAndRemainder(BigInteger.valueOf(n));
                int cmp = qr[1].shiftLeft(1).compareTo(BigInteger.valueOf(n));
                long q = qr[0].longValueExact();
                yield cmp > 0 || (cmp == 0 && (q & 1) == 1) ? q + 1 : q;
            }
        };
    }

    private static void set(IntImage img, int i, long v) {
        switch (img.bitDepth()) {
            case 8 -> img.bytes()[i] = (byte) v;
            case 16 -> img.shorts()[i] = (short) v;
            default -> img.ints()[i] = (int) v;
        }
    }
}
