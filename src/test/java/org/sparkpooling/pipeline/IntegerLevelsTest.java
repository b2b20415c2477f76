package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.pool.PoolKernels;
import org.sparkpooling.tensor.IntImage;

/**
 * Images are pooled in integers, channels-last; before, as float planes through the kernel and
 * then rounded. The levels must not change: on random images of every layout, both depths, awkward
 * sizes and extreme values, the integer level equals the {@code loops} kernel's rounded level sample
 * for sample, for every mode, edge rule and the factors where the float path was exact.
 */
class IntegerLevelsTest {

    private static final int[] SIDES = {1, 2, 3, 5, 7, 16, 17, 31};

    @Test
    void integerLevelsEqualTheReferenceKernelsRoundedLevels() {
        SplittableRandom rnd = new SplittableRandom(20261201);
        int cases = 0;
        for (DownsampleMode mode : TestImages.floatModes()) {
            for (EdgeMode edge : EdgeMode.values()) {
                for (int f = 2; f <= 7; f++) {
                    DownsampleSpec spec = new DownsampleSpec(mode, f, 0, edge, Long.MAX_VALUE);
                    Pyramid pyramid = new Pyramid(spec, Pyramid.defaultKernel());
                    Pyramid reference = new Pyramid(spec, PoolKernels.reference());
                    for (int bits : new int[] {8, 16}) {
                        for (int k = 0; k < 6; k++) {
                            int h = SIDES[rnd.nextInt(SIDES.length)];
                            int w = SIDES[rnd.nextInt(SIDES.length)];
                            if (spec.levelCount(h, w) == 0) {
                                continue;
                            }
                            IntImage img = random(rnd, h, w, 1 + rnd.nextInt(4), bits, k % 3);
                            String at = mode + " " + edge + " f=" + f + " " + img;
                            Planes want = reference.next(Planes.of(img));
                            IntImage got = pyramid.next(img);
                            assertEquals(want.height(), got.height(), at);
                            assertEquals(want.width(), got.width(), at);
                            assertArrayEquals(want.samples(), Planes.of(got).samples(), at);
                            cases++;
                        }
                    }
                }
            }
        }
        assertEquals(true, cases > 200, "cases run: " + cases);
    }

    /** Kind 0: uniform; 1: only the extremes 0 and max (sums and ties at their limits); 2: near max. */
    static IntImage random(SplittableRandom rnd, int h, int w, int c, int bits, int kind) {
        IntImage img = IntImage.allocate(h, w, c, bits);
        int max = (1 << bits) - 1;
        for (int i = 0; i < h * w * c; i++) {
            int v = switch (kind) {
                case 0 -> rnd.nextInt(max + 1);
                case 1 -> rnd.nextBoolean() ? max : 0;
                default -> max - rnd.nextInt(3);
            };
            if (bits == 8) {
                img.bytes()[i] = (byte) v;
            } else {
                img.shorts()[i] = (short) v;
            }
        }
        return img;
    }
}
