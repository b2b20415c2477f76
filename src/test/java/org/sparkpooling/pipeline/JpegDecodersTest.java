package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkpooling.tensor.IntImage;

/**
 * JPEG through TurboJPEG and through ImageIO (the fallback when the binding is missing) give the
 * same samples: on real photos (Debian's mate-backgrounds and ukui-wallpapers, which .ci/run
 * installs) and on generated JPEGs of every kind the pipeline meets (gray, 4:2:0, 4:4:4,
 * progressive, truncated). Under CI both the binding and the photos must be there.
 */
class JpegDecodersTest {

    static final Path PHOTOS = Path.of("/usr/share/backgrounds");

    private static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    static List<Path> photos() throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(PHOTOS)) {
            try (Stream<Path> walk = Files.walk(PHOTOS)) {
                walk.filter(p -> p.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jpg")).sorted()
                        .forEach(out::add);
            }
        }
        return out;
    }

    private static IntImage turbo(byte[] jpeg) throws BadImageException {
        return ImageDecoder.decode(new ByteArrayInputStream(jpeg), jpeg.length, Long.MAX_VALUE);
    }

    private static IntImage imageIo(byte[] jpeg) throws BadImageException {
        return ImageDecoder.decodeWithImageIo(new ByteArrayInputStream(jpeg), Long.MAX_VALUE);
    }

    private static void assertSameSamples(IntImage want, IntImage got, String what) {
        assertEquals(want.toString(), got.toString(), what);
        assertArrayEquals(want.bytes(), got.bytes(), what);
    }

    @Test
    void realPhotosDecodeToTheSameSamples() throws Exception {
        if (ci()) {
            assertTrue(TurboJpeg.available(), "CI installs libturbojpeg-java and libturbojpeg0-dev");
        }
        assumeTrue(TurboJpeg.available(), "TurboJPEG binding not installed: only the ImageIO path runs here");
        List<Path> photos = photos();
        if (ci()) {
            assertTrue(photos.size() >= 20, "CI installs mate-backgrounds and ukui-wallpapers: " + photos.size());
        }
        assumeTrue(!photos.isEmpty(), "no photos under " + PHOTOS);
        for (Path p : photos) {
            byte[] jpeg = Files.readAllBytes(p);
            assertSameSamples(imageIo(jpeg), turbo(jpeg), p.toString());
        }
    }

    @Test
    void generatedJpegsOfEveryKindDecodeToTheSameSamples(@TempDir Path dir) throws Exception {
        assumeTrue(TurboJpeg.available() || !ci(), "CI installs TurboJPEG");
        assumeTrue(TurboJpeg.available(), "TurboJPEG binding not installed");
        List<Path> files = new ArrayList<>();
        Planes rgb = TestImages.random(3, 61, 97, 8, 1);
        files.add(TestImages.writeRgb(rgb, "jpeg", dir.resolve("rgb.jpg")));
        files.add(TestImages.write(TestImages.random(1, 33, 20, 8, 2), "jpeg", dir.resolve("gray.jpg")));
        files.add(writeJpeg(rgb, false, false, dir.resolve("444.jpg")));
        files.add(writeJpeg(rgb, true, true, dir.resolve("420-progressive.jpg")));
        for (Path f : files) {
            byte[] jpeg = Files.readAllBytes(f);
            assertSameSamples(imageIo(jpeg), turbo(jpeg), f.getFileName().toString());
        }
    }

    /** A JPEG by ImageIO's writer: 4:2:0 or (no subsampling) 4:4:4, baseline or progressive. */
    private static Path writeJpeg(Planes p, boolean subsampled, boolean progressive, Path file) throws IOException {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(p.width(), p.height(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < p.height(); y++) {
            for (int x = 0; x < p.width(); x++) {
                img.setRGB(x, y, (int) p.get(0, y, x) << 16 | (int) p.get(1, y, x) << 8 | (int) p.get(2, y, x));
            }
        }
        javax.imageio.ImageWriter writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
        javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
        if (progressive) {
            param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
        }
        javax.imageio.ImageTypeSpecifier type = javax.imageio.ImageTypeSpecifier.createFromRenderedImage(img);
        javax.imageio.metadata.IIOMetadata meta = writer.getDefaultImageMetadata(type, param);
        if (!subsampled) {
            org.w3c.dom.Node tree = meta.getAsTree("javax_imageio_jpeg_image_1.0");
            org.w3c.dom.NodeList specs = ((org.w3c.dom.Element) tree).getElementsByTagName("componentSpec");
            for (int i = 0; i < specs.getLength(); i++) {
                org.w3c.dom.Element c = (org.w3c.dom.Element) specs.item(i);
                c.setAttribute("HsamplingFactor", "1");
                c.setAttribute("VsamplingFactor", "1");
            }
            meta.setFromTree("javax_imageio_jpeg_image_1.0", tree);
        }
        try (javax.imageio.stream.ImageOutputStream out = javax.imageio.ImageIO.createImageOutputStream(file.toFile())) {
            writer.setOutput(out);
            writer.write(null, new javax.imageio.IIOImage(img, null, meta), param);
        } finally {
            writer.dispose();
        }
        return file;
    }

    @Test
    void badJpegsAreErrorRowsOnBothPaths(@TempDir Path dir) throws Exception {
        byte[] whole = Files.readAllBytes(TestImages.writeRgb(TestImages.random(3, 64, 64, 8, 3), "jpeg",
                dir.resolve("x.jpg")));
        byte[] half = java.util.Arrays.copyOf(whole, whole.length / 2);
        byte[] garbage = "\u00ff\u00d8\u00ff not a JPEG".getBytes(StandardCharsets.ISO_8859_1);
        for (byte[] bad : new byte[][] {half, garbage}) {
            BadImageException a = org.junit.jupiter.api.Assertions.assertThrows(BadImageException.class,
                    () -> turbo(bad));
            BadImageException b = org.junit.jupiter.api.Assertions.assertThrows(BadImageException.class,
                    () -> imageIo(bad));
            assertTrue(a.getMessage().startsWith("jpeg: "), a.getMessage());
            assertTrue(b.getMessage().startsWith("jpeg: "), b.getMessage());
        }
        BadImageException big = org.junit.jupiter.api.Assertions.assertThrows(BadImageException.class,
                () -> ImageDecoder.decode(new ByteArrayInputStream(whole), whole.length, 100));
        assertEquals("jpeg: 64x64 (4096 pixels) exceeds max pixels (100)", big.getMessage());
    }
}
