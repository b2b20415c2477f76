package org.sparkpooling.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.sparkpooling.tensor.IntImage;

/**
 * {@link ImagePooling} against a plain reference: each window's in-bounds samples gathered into a
 * list (the zeros left out when sparse), then summed in {@link BigInteger}s and the mean rounded half
 * to even, maxed, minned, sorted for the lower median, counted in a sorted map for the mode. Covered:
 * every mode, depth, edge rule and sparse rule, factors 2 to 5 and large ones (past the int-sum limit
 * and the insertion-sort limit), odd sizes; label images of few ids (ties everywhere), all-equal and
 * all-zero windows, 16-bit windows past 2^24, 32-bit ids above 2^24 and next to 2^32.
 */
class ImagePoolingTest {

    /** bits, factor. 16-bit f=200 and 8-bit f=3000 pass the int-sum limit; f >= 6 sorts with the JDK. */
    private static final int[][] CASES = {
        {8, 2}, {8, 3}, {8, 4}, {8, 5}, {8, 9}, {8, 3000},
        {16, 2}, {16, 3}, {16, 4}, {16, 5}, {16, 16}, {16, 200},
        {32, 2}, {32, 3}, {32, 4}, {32, 5}, {32, 17}};

    /** How {@link #random} fills an image. */
    private enum Content {
        /** Four ids, one of them 0: ties, all-equal and all-zero windows are common. */
        FEW_IDS,
        /** Any value of the depth. */
        UNIFORM,
        /** 0, max and max - 1: sums at their limits, neighbours a float would merge. */
        EXTREMES,
        /** 32-bit: ids 2^24, 2^24 + 1, 2^24 + 3 and 2^32 - 1, 2^32 - 2, which a float merges in pairs. */
        WIDE_IDS
    }

    @Test
    void everyModeDepthFactorEdgeAndSparseRuleEqualsTheReference() {
        SplittableRandom rnd = new SplittableRandom(7);
        int windows = 0;
        for (int[] c : CASES) {
            int bits = c[0];
            int f = c[1];
            for (Content content : Content.values()) {
                if (content == Content.WIDE_IDS && bits != 32) {
                    continue;
                }
                for (boolean partial : new boolean[] {true, false}) {
                    // many windows of the small factors; one or two rows and columns of the large
                    int h = f == 3000 ? 3001 : f <= 5 ? f * 12 + rnd.nextInt(f + 1) : f + 1 + rnd.nextInt(f);
                    int w = f == 3000 ? 2 : f <= 5 ? f * 10 + 1 + rnd.nextInt(f) : f + 1 + rnd.nextInt(f);
                    if (!partial && (h < f || w < f)) {
                        continue;
                    }
                    IntImage in = random(rnd, h, w, 1 + rnd.nextInt(3), bits, content);
                    for (DownsampleMode mode : DownsampleMode.values()) {
                        for (boolean sparse : new boolean[] {false, true}) {
                            windows += assertReference(mode, in, f, partial, sparse);
                        }
                    }
                }
            }
        }
        assertTrue(windows > 100_000, "windows checked: " + windows);
    }

    /**
     * Every 2 x 2 window of samples from {0, 1, 2, 3} (all 256: every pattern of equal pairs, so
     * every branch of the four-sample paths), at each depth, the four values placed so that 0 is the
     * background and, at 32 bits, the others are ids past 2^31.
     */
    @Test
    void everyPatternOfEqualSamplesIn2x2WindowsEqualsTheReference() {
        for (int bits : new int[] {8, 16, 32}) {
            for (int width : new int[] {2 * 256, 2 * 256 + 1}) { // even: straight from the rows; odd: the edge
                IntImage in = IntImage.allocate(2, width, 1, bits);
                long[] values = {0, 1, in.maxValue() - 1, in.maxValue()};
                for (int p = 0; p < 256; p++) {
                    set(in, 2 * p, values[p & 3]);
                    set(in, 2 * p + 1, values[p >> 2 & 3]);
                    set(in, in.width() + 2 * p, values[p >> 4 & 3]);
                    set(in, in.width() + 2 * p + 1, values[p >> 6 & 3]);
                }
                for (DownsampleMode mode : DownsampleMode.values()) {
                    for (boolean sparse : new boolean[] {false, true}) {
                        assertEquals((width + 1) / 2, assertReference(mode, in, 2, true, sparse));
                    }
                }
            }
        }
    }

    /**
     * The sorting networks sort: by the 0-1 principle a comparator network sorts every input if it
     * sorts every sequence of zeros and ones, and for up to 16 elements there are 2^16 of them.
     */
    @Test
    void sortingNetworksSortEveryZeroOneSequence() {
        for (int n = 0; n <= WindowRanks.NETWORK_LIMIT; n++) {
            int[] net = WindowRanks.sortingNetwork(n);
            for (int bits = 0; bits < 1 << n; bits++) {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = bits >> i & 1;
                }
                for (int q = 0; q < net.length; q += 2) {
                    assertTrue(net[q] < net[q + 1] && net[q + 1] < n, "comparator " + net[q] + "," + net[q + 1]);
                    int x = a[net[q]];
                    int y = a[net[q + 1]];
                    a[net[q]] = Math.min(x, y);
                    a[net[q + 1]] = Math.max(x, y);
                }
                for (int i = 1; i < n; i++) {
                    assertTrue(a[i - 1] <= a[i], "n=" + n + " input " + Integer.toBinaryString(bits));
                }
            }
        }
    }

    /** Hand-worked windows, so the reference itself is checked against the words of the docs. */
    @Test
    void handWorkedWindows() {
        // mode: a pair beats singles; of two pairs, and of four singles, the smallest wins
        assertEquals(5, only(DownsampleMode.MODE, false, 9, 5, 5, 1));
        assertEquals(3, only(DownsampleMode.MODE, false, 5, 3, 5, 3));
        assertEquals(2, only(DownsampleMode.MODE, false, 7, 2, 9, 4));
        // sparse: zeros do not count unless every sample is zero
        assertEquals(0, only(DownsampleMode.MODE, false, 0, 0, 5, 6));
        assertEquals(5, only(DownsampleMode.MODE, true, 0, 0, 5, 6));
        assertEquals(6, only(DownsampleMode.MODE, true, 0, 0, 6, 0));
        assertEquals(0, only(DownsampleMode.MODE, true, 0, 0, 0, 0));
        // median: the lower of the middle two for an even count; sparse: of the nonzero samples
        assertEquals(2, only(DownsampleMode.MEDIAN, false, 4, 1, 3, 2));
        assertEquals(0, only(DownsampleMode.MEDIAN, false, 0, 0, 9, 7));
        assertEquals(7, only(DownsampleMode.MEDIAN, true, 0, 0, 9, 7));
        assertEquals(8, only(DownsampleMode.MEDIAN, true, 0, 8, 9, 7));
        // min and avg, sparse: the nonzero samples
        assertEquals(0, only(DownsampleMode.MIN, false, 0, 8, 9, 7));
        assertEquals(7, only(DownsampleMode.MIN, true, 0, 8, 9, 7));
        assertEquals(6, only(DownsampleMode.AVG, false, 0, 8, 9, 7)); // 24 / 4
        assertEquals(8, only(DownsampleMode.AVG, true, 0, 8, 9, 7)); // 24 / 3
        assertEquals(9, only(DownsampleMode.MAX, true, 0, 8, 9, 0));
        // a partial edge counts only its in-bounds samples: a 1 x 2 window {4, 9}
        IntImage edge = IntImage.of8(1, 2, 1, new byte[] {4, 9});
        assertEquals(4, ImagePooling.pool(DownsampleMode.MODE, edge, 2, true).get(0, 0, 0));
        assertEquals(4, ImagePooling.pool(DownsampleMode.MEDIAN, edge, 2, true).get(0, 0, 0));
        assertEquals(6, ImagePooling.pool(DownsampleMode.AVG, edge, 2, true).get(0, 0, 0)); // 6.5, half to even
        // a 3 x 3 window: 7 three times, 1 three times, 2 three times: the smallest of the three, 1
        IntImage nine = IntImage.of16(3, 3, 1, new short[] {7, 1, 2, 2, 7, 1, 1, 2, 7});
        assertEquals(1, ImagePooling.pool(DownsampleMode.MODE, nine, 3, false).get(0, 0, 0));
        assertEquals(2, ImagePooling.pool(DownsampleMode.MEDIAN, nine, 3, false).get(0, 0, 0));
    }

    /** 32-bit ids are unsigned and exact: neighbours past 2^24 and next to 2^32 stay apart. */
    @Test
    void wideLabelIdsStayExact() {
        int a = (1 << 24) + 1; // as a float, 2^24
        int[] ids = {a, 1 << 24, a, 1 << 24 | 3};
        assertEquals(a, pool32(DownsampleMode.MODE, ids));
        int top = -1; // 2^32 - 1
        int[] high = {top, top - 1, top - 1, 1};
        assertEquals(0xFFFFFFFEL, pool32(DownsampleMode.MODE, high) & 0xFFFFFFFFL);
        assertEquals(1, pool32(DownsampleMode.MIN, high));
        assertEquals(top, pool32(DownsampleMode.MAX, high));
        assertEquals(top - 1, pool32(DownsampleMode.MEDIAN, high));
        // the mean of 2^32 - 1 three times and 2^32 - 2: 2^32 - 1.25, below 2^32 - 1 by a quarter
        assertEquals(top, pool32(DownsampleMode.AVG, new int[] {top, top, top, top - 1}));
    }

    @Test
    void withoutSparseTheFourArgumentCallIsTheFiveArgumentOne() {
        IntImage in = random(new SplittableRandom(3), 11, 13, 2, 16, Content.FEW_IDS);
        for (DownsampleMode mode : DownsampleMode.values()) {
            IntImage four = ImagePooling.pool(mode, in, 3, true);
            IntImage five = ImagePooling.pool(mode, in, 3, true, false);
            assertArrayEquals(four.shorts(), five.shorts(), mode.label());
        }
    }

    @Test
    void integerOnlyModesRefuseTheFloatKernels() {
        assertEquals(PoolMode.AVG, DownsampleMode.AVG.kernelMode());
        assertEquals(PoolMode.MAX, DownsampleMode.MAX.kernelMode());
        assertTrue(DownsampleMode.AVG.poolsFloats());
        assertTrue(DownsampleMode.MAX.poolsFloats());
        for (DownsampleMode m : new DownsampleMode[] {DownsampleMode.MIN, DownsampleMode.MODE, DownsampleMode.MEDIAN}) {
            assertFalse(m.poolsFloats());
            assertEquals("mode (" + m.label() + ") applies to integer images only, not float tensors",
                    assertThrows(IllegalArgumentException.class, m::kernelMode).getMessage());
        }
        assertEquals(DownsampleMode.MEDIAN, DownsampleMode.parse(" Median "));
        assertEquals("mode (mean) must be avg, max, min, mode or median",
                assertThrows(IllegalArgumentException.class, () -> DownsampleMode.parse("mean")).getMessage());
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
                        () -> ImagePooling.pool(DownsampleMode.MODE, in, 4, false, true)).getMessage());
    }

    /**
     * {@link ImagePooling#pool8} reading samples in the middle of a larger array (random bytes
     * before and after, so a read past either end shows) equals the plain entry on a copy of them:
     * every mode, edge and sparse rule, gray, BGR and BGRA, odd and even sizes down to 1, factors
     * that take the 2x2 pairs, the general fold and (3000) the copy past the int-sum limit.
     */
    @Test
    void pool8AtAnOffsetEqualsThePlainEntry() {
        SplittableRandom rnd = new SplittableRandom(11);
        int levels = 0;
        for (int f : new int[] {2, 3, 5, 3000}) {
            for (int channels : new int[] {1, 3, 4}) {
                for (int trial = 0; trial < 6; trial++) {
                    int h = f == 3000 ? 1 + rnd.nextInt(3) : 1 + rnd.nextInt(4 * f + 3);
                    int w = f == 3000 ? 3001 : 1 + rnd.nextInt(6 * f + 3);
                    Content content = Content.values()[trial % 3];
                    IntImage in = random(rnd, h, w, channels, 8, content);
                    int before = rnd.nextInt(40);
                    byte[] wide = new byte[before + in.bytes().length + rnd.nextInt(40)];
                    rnd.nextBytes(wide);
                    System.arraycopy(in.bytes(), 0, wide, before, in.bytes().length);
                    for (DownsampleMode mode : DownsampleMode.values()) {
                        for (boolean partial : new boolean[] {true, false}) {
                            if (!partial && (h < f || w < f)) {
                                continue;
                            }
                            for (boolean sparse : new boolean[] {false, true}) {
                                IntImage want = ImagePooling.pool(mode, in, f, partial, sparse);
                                IntImage got = ImagePooling.pool8(mode, wide, before, h, w, channels, f, partial,
                                        sparse);
                                String at = mode.label() + (sparse ? " sparse" : "") + " f=" + f
                                        + (partial ? " partial " : " trim ") + in + " at offset " + before;
                                assertEquals(want.toString(), got.toString(), at);
                                assertArrayEquals(want.bytes(), got.bytes(), at);
                                levels++;
                            }
                        }
                    }
                }
            }
        }
        assertTrue(levels > 1000, "levels checked: " + levels);
    }

    @Test
    void pool8RefusesARangeOutsideItsArray() {
        byte[] samples = new byte[12];
        assertEquals("offset (1) and length (12) lie outside the 12 samples", assertThrows(
                IllegalArgumentException.class, () -> ImagePooling.pool8(DownsampleMode.AVG, samples, 1, 2, 2, 3, 2,
                        true, false)).getMessage());
        assertEquals("offset (-1) and length (4) lie outside the 12 samples", assertThrows(
                IllegalArgumentException.class, () -> ImagePooling.pool8(DownsampleMode.AVG, samples, -1, 2, 2, 1, 2,
                        true, false)).getMessage());
        assertEquals("2x2x3 8-bit is too small for one 3x3 level without partial edges", assertThrows(
                IllegalArgumentException.class, () -> ImagePooling.pool8(DownsampleMode.MAX, samples, 0, 2, 2, 3, 3,
                        false, false)).getMessage());
    }

    /** Checks every output sample of one level against {@link #reference}; returns how many. */
    private static int assertReference(DownsampleMode mode, IntImage in, int f, boolean partial, boolean sparse) {
        IntImage got = ImagePooling.pool(mode, in, f, partial, sparse);
        String at = mode.label() + (sparse ? " sparse" : "") + " f=" + f + (partial ? " partial " : " trim ") + in;
        assertEquals(in.bitDepth(), got.bitDepth(), at);
        assertEquals(ImagePooling.outputSize(in.height(), f, partial), got.height(), at);
        assertEquals(ImagePooling.outputSize(in.width(), f, partial), got.width(), at);
        for (int oy = 0; oy < got.height(); oy++) {
            for (int ox = 0; ox < got.width(); ox++) {
                for (int k = 0; k < in.channels(); k++) {
                    assertEquals(reference(mode, sparse, window(in, f, oy, ox, k)), got.get(oy, ox, k),
                            at + " at " + oy + "," + ox + "," + k);
                }
            }
        }
        return got.height() * got.width() * in.channels();
    }

    /** Channel {@code k} of window {@code (oy, ox)}: its in-bounds samples, unsigned. */
    private static List<Long> window(IntImage in, int f, int oy, int ox, int k) {
        List<Long> w = new ArrayList<>();
        for (int y = oy * f; y < Math.min(oy * f + f, in.height()); y++) {
            for (int x = ox * f; x < Math.min(ox * f + f, in.width()); x++) {
                w.add(in.get(y, x, k));
            }
        }
        return w;
    }

    private static long reference(DownsampleMode mode, boolean sparse, List<Long> window) {
        List<Long> w = new ArrayList<>(window);
        if (sparse) {
            w.removeIf(v -> v == 0);
        }
        if (w.isEmpty()) {
            return 0;
        }
        Collections.sort(w);
        return switch (mode) {
            case MAX -> w.get(w.size() - 1);
            case MIN -> w.get(0);
            case MEDIAN -> w.get((w.size() - 1) / 2);
            case MODE -> {
                Map<Long, Integer> counts = new TreeMap<>();
                w.forEach(v -> counts.merge(v, 1, Integer::sum));
                long best = -1;
                int bestCount = 0;
                for (Map.Entry<Long, Integer> e : counts.entrySet()) { // ascending: a tie keeps the smaller
                    if (e.getValue() > bestCount) {
                        best = e.getKey();
                        bestCount = e.getValue();
                    }
                }
                yield best;
            }
            case AVG -> {
                BigInteger sum = BigInteger.ZERO;
                for (long v : w) {
                    sum = sum.add(BigInteger.valueOf(v));
                }
                BigInteger n = BigInteger.valueOf(w.size());
                BigInteger[] qr = sum.divideAndRemainder(n);
                int cmp = qr[1].shiftLeft(1).compareTo(n);
                long q = qr[0].longValueExact();
                yield cmp > 0 || (cmp == 0 && (q & 1) == 1) ? q + 1 : q;
            }
        };
    }

    /** One 2 x 2 window of 8-bit samples, pooled. */
    private static long only(DownsampleMode mode, boolean sparse, int a, int b, int c, int d) {
        IntImage in = IntImage.of8(2, 2, 1, new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        long got = ImagePooling.pool(mode, in, 2, false, sparse).get(0, 0, 0);
        assertEquals(reference(mode, sparse, List.of((long) a, (long) b, (long) c, (long) d)), got, "the reference");
        return got;
    }

    /** One 2 x 2 window of 32-bit samples, pooled, as the int it stores. */
    private static int pool32(DownsampleMode mode, int[] ids) {
        return ImagePooling.pool(mode, IntImage.of32(2, 2, 1, ids.clone()), 2, false).ints()[0];
    }

    private static IntImage random(SplittableRandom rnd, int h, int w, int ch, int bits, Content content) {
        IntImage img = IntImage.allocate(h, w, ch, bits);
        long max = img.maxValue();
        long[] few = {0, 1 + rnd.nextLong(max), 1 + rnd.nextLong(max), 1 + rnd.nextLong(max)};
        long[] wide = {0, 1 << 24, (1 << 24) + 1, (1 << 24) + 3, max, max - 1};
        for (int i = 0; i < h * w * ch; i++) {
            long v = switch (content) {
                case FEW_IDS -> few[rnd.nextInt(few.length)];
                case UNIFORM -> rnd.nextLong(max + 1);
                case EXTREMES -> rnd.nextBoolean() ? max - rnd.nextInt(2) : 0;
                case WIDE_IDS -> wide[rnd.nextInt(wide.length)];
            };
            set(img, i, v);
        }
        return img;
    }

    private static void set(IntImage img, int i, long v) {
        switch (img.bitDepth()) {
            case 8 -> img.bytes()[i] = (byte) v;
            case 16 -> img.shorts()[i] = (short) v;
            default -> img.ints()[i] = (int) v;
        }
    }
}
