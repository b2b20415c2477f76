package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkpooling.pool.DownsampleMode;
import org.sparkpooling.tensor.IntImage;

/**
 * An image made band by band equals the same image made whole, sample for sample, at every level:
 * every mode, both edge rules, factors 2 to 4, both depths, and band heights that do and do not
 * divide the factor (1, a prime, one band for all rows).
 */
class BandPyramidTest {

    @Test
    void bandsGiveTheWholeImagesLevels() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        int cases = 0;
        for (DownsampleMode mode : DownsampleMode.values()) {
            for (EdgeMode edge : EdgeMode.values()) {
                for (int f = 2; f <= 4; f++) {
                    for (int bits : new int[] {8, 16}) {
                        int h = 17 + rnd.nextInt(40);
                        int w = 5 + rnd.nextInt(30);
                        DownsampleSpec spec = new DownsampleSpec(mode, f, 0, edge, Long.MAX_VALUE);
                        int levels = spec.levelCount(h, w);
                        IntImage img = IntegerLevelsTest.random(rnd, h, w, 1 + rnd.nextInt(4), bits, rnd.nextInt(3));
                        List<IntImage> whole = new ArrayList<>();
                        whole.add(img);
                        Pyramid pyramid = new Pyramid(spec, Pyramid.defaultKernel());
                        for (int l = 1; l <= levels; l++) {
                            whole.add(pyramid.next(whole.get(l - 1)));
                        }
                        for (int band : new int[] {1, 2, 3, 7, f * f, h}) {
                            String at = mode + " " + edge + " f=" + f + " " + img + " bands of " + band;
                            List<List<ImageLevel>> got = run(spec, img, levels, band);
                            for (int l = 0; l <= levels; l++) {
                                IntImage assembled = assemble(got.get(l), at + " level " + l);
                                assertEquals(whole.get(l).toString(), assembled.toString(), at + " level " + l);
                                assertArrayEquals(Planes.of(whole.get(l)).samples(), Planes.of(assembled).samples(),
                                        at + " level " + l);
                            }
                            cases++;
                        }
                    }
                }
            }
        }
        assertTrue(cases > 100, "cases: " + cases);
    }

    /** The bands of every level, as the pyramid emits them, from level-0 bands of {@code band} rows. */
    private static List<List<ImageLevel>> run(DownsampleSpec spec, IntImage img, int levels, int band) throws Exception {
        List<List<ImageLevel>> out = new ArrayList<>();
        for (int l = 0; l <= levels; l++) {
            out.add(new ArrayList<>());
        }
        BandPyramid p = new BandPyramid(spec, "x.png", img.height(), img.width(), levels,
                b -> out.get(b.level()).add(b));
        for (int y = 0; y < img.height(); y += band) {
            p.push(BandPyramid.slice(img, y, Math.min(band, img.height() - y)));
        }
        p.finish();
        return out;
    }

    /** The bands of one level joined, checking they come in order without gaps and end the level. */
    private static IntImage assemble(List<ImageLevel> bands, String at) {
        IntImage all = null;
        int y = 0;
        for (ImageLevel b : bands) {
            assertEquals(y, b.y0(), at + ": bands in order");
            IntImage rows = ((IntLevel) b.pixels()).image();
            all = all == null ? rows : BandPyramid.concat(all, rows);
            y += rows.height();
            assertEquals(y == b.height(), b.isLast(), at + ": the last band says so");
        }
        return all;
    }
}
