package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Real photos as PNG files (lossless, so every decoder agrees on their samples): crops of Debian's
 * mate-backgrounds at odd sizes (so floor and ceil edge rules differ), 8-bit RGB, RGBA and gray.
 * A test that needs them is skipped where the package is not installed.
 */
public final class TestPhotos {

    public static final Path BACKGROUNDS = Path.of("/usr/share/backgrounds/mate");

    private TestPhotos() {
    }

    /** One photo to make: its source, the crop, the layout. */
    private record Photo(String source, String name, int x, int y, int width, int height, int type) {
    }

    private static final Photo[] PHOTOS = {
        new Photo("nature/Dune.jpg", "dune.png", 100, 51, 1023, 767, BufferedImage.TYPE_3BYTE_BGR),
        new Photo("nature/GreenMeadow.jpg", "meadow.png", 7, 300, 641, 479, BufferedImage.TYPE_3BYTE_BGR),
        new Photo("nature/FreshFlower.jpg", "flower-gray.png", 600, 400, 333, 251, BufferedImage.TYPE_BYTE_GRAY),
        new Photo("abstract/Flow.png", "flow-rgba.png", 901, 13, 517, 389, BufferedImage.TYPE_4BYTE_ABGR),
        new Photo("desktop/Ubuntu-Mate-Warm-no-logo.png", "warm.png", 0, 0, 1920, 1280, BufferedImage.TYPE_3BYTE_BGR),
    };

    /** Writes the five photos into {@code dir} (created) and returns it; skips the calling test without the backgrounds. */
    public static Path write(Path dir) throws IOException {
        return write(dir, PHOTOS.length);
    }

    /** The three small ones (RGB, gray, RGBA; at most 641x479), for tests that pool them many times. */
    public static Path writeSmall(Path dir) throws IOException {
        return write(dir, -3);
    }

    /** {@code count} > 0: the first {@code count}; < 0: the {@code -count} small ones. */
    private static Path write(Path dir, int count) throws IOException {
        assumeTrue(Files.isDirectory(BACKGROUNDS), "needs Debian's mate-backgrounds in " + BACKGROUNDS);
        Files.createDirectories(dir);
        for (Photo p : PHOTOS) {
            if (count < 0 ? (long) p.width() * p.height() > 641 * 479 : java.util.Arrays.asList(PHOTOS).indexOf(p) >= count) {
                continue;
            }
            BufferedImage src = ImageIO.read(BACKGROUNDS.resolve(p.source()).toFile());
            if (src == null) {
                throw new IOException("ImageIO cannot read " + BACKGROUNDS.resolve(p.source()));
            }
            BufferedImage out = new BufferedImage(p.width(), p.height(), p.type());
            WritableRaster dst = out.getRaster();
            int srcBands = src.getRaster().getNumBands();
            int[] px = new int[srcBands];
            for (int y = 0; y < p.height(); y++) {
                for (int x = 0; x < p.width(); x++) {
                    src.getRaster().getPixel(p.x() + x, p.y() + y, px);
                    switch (p.type()) {
                        case BufferedImage.TYPE_BYTE_GRAY -> dst.setSample(x, y, 0,
                                (299 * px[0] + 587 * px[1] + 114 * px[2] + 500) / 1000);
                        case BufferedImage.TYPE_4BYTE_ABGR -> dst.setPixel(x, y, px);
                        default -> dst.setPixel(x, y, new int[] {px[0], px[1], px[2]});
                    }
                }
            }
            if (!ImageIO.write(out, "png", dir.resolve(p.name()).toFile())) {
                throw new IOException("no PNG writer for " + p.name());
            }
        }
        return dir;
    }
}
