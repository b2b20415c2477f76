package org.sparkpooling.pipeline;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.sparkpooling.pool.DownsampleMode;

/** Generated test images, written with ImageIO, and a plain reference for one pooling level. */
public final class TestImages {

    private TestImages() {
    }

    /**
     * The modes the float kernels also compute ({@link DownsampleMode#poolsFloats}): the ones a test
     * can hold against a kernel's level. The integer-only modes have their own reference in
     * {@code ImagePoolingTest}.
     */
    static List<DownsampleMode> floatModes() {
        return Arrays.stream(DownsampleMode.values()).filter(DownsampleMode::poolsFloats).toList();
    }

    /** Random samples; smooth-ish so JPEG keeps them near, with extremes (0, max) sprinkled in. */
    public static Planes random(int channels, int height, int width, int bitDepth, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int max = (1 << bitDepth) - 1;
        float[] s = new float[channels * height * width];
        for (int i = 0; i < s.length; i++) {
            int pick = r.nextInt(10);
            s[i] = pick == 0 ? 0 : pick == 1 ? max : r.nextInt(max + 1);
        }
        return new Planes(channels, height, width, bitDepth, s);
    }

    /** Floats in [-100, 100), with a few large and tiny magnitudes. */
    static float[] randomFloats(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(20);
            s[i] = pick == 0 ? 1e20f : pick == 1 ? -3e-20f : (float) (r.nextDouble() * 200 - 100);
        }
        return s;
    }

    /** Writes {@code p} as a PNG (or TIFF) of its own layout and depth. */
    static Path write(Planes p, String format, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        if (!ImageIO.write(PngEncoder.toImage(p), format, file.toFile())) {
            throw new IOException("no " + format + " writer for " + p.channels() + "x" + p.bitDepth());
        }
        return file;
    }

    /** Writes an 8-bit RGB image in a format whose writers want TYPE_3BYTE_BGR (JPEG, BMP, GIF). */
    static Path writeRgb(Planes p, String format, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage img = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
                int rgb = ((int) p.get(0, y, x) << 16) | ((int) p.get(1, y, x) << 8) | (int) p.get(2, y, x);
                img.setRGB(x, y, rgb);
            }
        }
        if (!ImageIO.write(img, format, file.toFile())) {
            throw new IOException("no " + format + " writer for RGB");
        }
        return file;
    }

    /** The pixels as an independent decoder sees them: ImageIO.read and getRGB (8-bit RGB only). */
    static Planes readRgb(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        int w = img.getWidth();
        int h = img.getHeight();
        float[] s = new float[3 * w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                s[(0 * h + y) * w + x] = (rgb >> 16) & 0xff;
                s[(1 * h + y) * w + x] = (rgb >> 8) & 0xff;
                s[(2 * h + y) * w + x] = rgb & 0xff;
            }
        }
        return new Planes(3, h, w, 8, s);
    }

    /**
     * PyTorch's avg_pool2d / max_pool2d with kernel = stride = f and no padding, ceil mode for
     * partial edges (an overhanging window averages its in-bounds pixels), floor mode for trim;
     * averages rounded half to even and clamped. Straight loops in double.
     */
    static double[] reference(Planes in, int f, boolean max, boolean ceil) {
        int h = in.height();
        int w = in.width();
        int oh = ceil ? (h + f - 1) / f : h / f;
        int ow = ceil ? (w + f - 1) / f : w / f;
        double[] out = new double[in.channels() * oh * ow];
        for (int c = 0; c < in.channels(); c++) {
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int n = 0;
                    for (int dy = 0; dy < f && y * f + dy < h; dy++) {
                        for (int dx = 0; dx < f && x * f + dx < w; dx++) {
                            double v = in.get(c, y * f + dy, x * f + dx);
                            acc = max ? Math.max(acc, v) : acc + v;
                            n++;
                        }
                    }
                    double v = max ? acc : Math.rint(acc / n);
                    out[(c * oh + y) * ow + x] = Math.min(in.maxValue(), Math.max(0, v));
                }
            }
        }
        return out;
    }
}
