package org.sparkpooling.pipeline;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkpooling.tensor.IntImage;

/**
 * JPEG decoding through libjpeg-turbo's own Java binding (TurboJPEG, JNI: Debian's
 * {@code libturbojpeg-java}, whose native half is in {@code libturbojpeg0} and is found through the
 * unversioned {@code libturbojpeg.so} of {@code libturbojpeg0-dev}), straight into interleaved 8-bit
 * samples: no {@code BufferedImage}, no float copy. It is the same library Debian's OpenJDK links
 * for ImageIO's JPEG reader, so the pixels are the same; it decodes 2 to 3 times as fast.
 *
 * <p>The binding is not on Maven Central, so it is loaded at run time, by reflection, from the
 * class path or from {@value #DEFAULT_JAR} ({@code -Dpooling.turbojpeg.jar=PATH} elsewhere), on each
 * JVM that decodes (driver, executors). When it cannot be loaded {@link #available()} is false and
 * one log line says what to install; {@code -Dpooling.jpeg=imageio} turns it off.
 */
final class TurboJpeg {

    static final String DEFAULT_JAR = "/usr/share/java/turbojpeg.jar";

    private static final Logger LOG = LoggerFactory.getLogger(TurboJpeg.class);

    // TJ's constants (org.libjpegturbo.turbojpeg.TJ), stable since libjpeg-turbo 1.3.
    private static final int PF_RGB = 0;
    private static final int PF_GRAY = 6;
    private static final int CS_GRAY = 2;
    private static final int CS_CMYK = 3;
    private static final int CS_YCCK = 4;
    /** Refuse a progressive JPEG with more than 500 scans: a decompression bomb in time, not pixels. */
    private static final int FLAG_LIMITSCANS = 32768;

    private static final Binding BINDING = load();

    private TurboJpeg() {
    }

    /** Whether JPEGs decode through TurboJPEG on this JVM. */
    static boolean available() {
        return BINDING != null;
    }

    /** What decodes JPEGs here, for the run's report and log. */
    static String decoderName() {
        return available() ? "turbojpeg" : "imageio";
    }

    /**
     * Decodes the JPEG in {@code data[0, length)}: 8-bit gray or RGB, channels-last.
     *
     * @throws BadImageException for everything wrong with the file (its reason for the errors dataset)
     */
    static IntImage decode(byte[] data, int length, long maxPixels) throws BadImageException {
        try {
            return decode(data, length, maxPixels, Long.MAX_VALUE);
        } catch (TooLargeForTask e) {
            throw new IllegalStateException("no image exceeds a budget of Long.MAX_VALUE pixels", e);
        }
    }

    /** As {@link #decode(byte[], int, long)}, refusing (before decoding) an image above {@code taskPixels}. */
    static IntImage decode(byte[] data, int length, long maxPixels, long taskPixels)
            throws BadImageException, TooLargeForTask {
        Binding b = BINDING;
        if (b == null) {
            throw new IllegalStateException("TurboJPEG is not available; check available() first");
        }
        Object tj;
        try {
            tj = b.create.invoke(data, length);
        } catch (Throwable e) {
            throw new BadImageException("jpeg: unreadable header: " + message(e), e);
        }
        try {
            int w = (int) b.width.invoke(tj);
            int h = (int) b.height.invoke(tj);
            int space = (int) b.colorspace.invoke(tj);
            long pixels = (long) w * h;
            if (pixels > maxPixels) {
                throw new BadImageException("jpeg: " + w + "x" + h + " (" + pixels + " pixels) exceeds max pixels ("
                        + maxPixels + ")");
            }
            if (w < 1 || h < 1) {
                throw new BadImageException("jpeg: header size " + w + "x" + h + " is empty");
            }
            if (pixels > taskPixels) {
                throw new TooLargeForTask(w, h, taskPixels);
            }
            if (space == CS_CMYK || space == CS_YCCK) {
                throw new BadImageException("jpeg: unsupported colour space (CMYK); only gray and RGB");
            }
            int channels = space == CS_GRAY ? 1 : 3;
            if (pixels * channels > IntImage.MAX_SAMPLES) {
                throw new BadImageException("jpeg: " + w + "x" + h + "x" + channels + " samples exceed one Java array");
            }
            byte[] out = new byte[(int) (pixels * channels)];
            try {
                // Warnings (a truncated file, bad data the decoder papered over with gray) are thrown
                // too: such an image is an error row, as with ImageIO.
                b.decompress.invoke(tj, out, 0, 0, w, 0, h, channels == 1 ? PF_GRAY : PF_RGB, FLAG_LIMITSCANS);
            } catch (Throwable e) {
                throw new BadImageException("jpeg: truncated or corrupt: " + message(e), e);
            }
            return IntImage.of8(h, w, channels, out);
        } catch (BadImageException | TooLargeForTask e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new BadImageException("out of memory while decoding: raise the executor memory, or lower --task-pixels"
                    + " so it is read in bands");
        } catch (Throwable e) {
            throw new BadImageException("jpeg: unreadable header: " + message(e), e);
        } finally {
            try {
                b.close.invoke(tj);
            } catch (Throwable ignored) {
                // nothing held beyond the native handle, which close frees or the finalizer does
            }
        }
    }

    private static String message(Throwable e) {
        Throwable t = e instanceof InvocationTargetException i && i.getCause() != null ? i.getCause() : e;
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m.trim());
    }

    /** The binding's methods, bound once. */
    private record Binding(MethodHandle create, MethodHandle width, MethodHandle height, MethodHandle colorspace,
            MethodHandle decompress, MethodHandle close) {
    }

    private static Binding load() {
        if ("imageio".equalsIgnoreCase(System.getProperty("pooling.jpeg", "").trim())) {
            LOG.info("JPEG decoding uses ImageIO (-Dpooling.jpeg=imageio)");
            return null;
        }
        String jar = System.getProperty("pooling.turbojpeg.jar", DEFAULT_JAR);
        try {
            Class<?> c = find(jar);
            MethodHandles.Lookup l = MethodHandles.publicLookup();
            Binding b = new Binding(
                    l.findConstructor(c, MethodType.methodType(void.class, byte[].class, int.class))
                            .asType(MethodType.methodType(Object.class, byte[].class, int.class)),
                    l.findVirtual(c, "getWidth", MethodType.methodType(int.class)).asType(
                            MethodType.methodType(int.class, Object.class)),
                    l.findVirtual(c, "getHeight", MethodType.methodType(int.class)).asType(
                            MethodType.methodType(int.class, Object.class)),
                    l.findVirtual(c, "getColorspace", MethodType.methodType(int.class)).asType(
                            MethodType.methodType(int.class, Object.class)),
                    l.findVirtual(c, "decompress", MethodType.methodType(void.class, byte[].class, int.class, int.class,
                            int.class, int.class, int.class, int.class, int.class)).asType(MethodType.methodType(
                                    void.class, Object.class, byte[].class, int.class, int.class, int.class, int.class,
                                    int.class, int.class, int.class)),
                    l.findVirtual(c, "close", MethodType.methodType(void.class)).asType(
                            MethodType.methodType(void.class, Object.class)));
            // Loading the class does not load the native library; a first call does. Make it now,
            // so a missing libturbojpeg.so is a log line at start, not an error row per image.
            probe(b);
            LOG.info("JPEG decoding uses libjpeg-turbo's TurboJPEG binding ({})", c.getProtectionDomain()
                    .getCodeSource() == null ? "class path" : c.getProtectionDomain().getCodeSource().getLocation());
            return b;
        } catch (Throwable e) {
            LOG.warn("JPEG decoding falls back to ImageIO, 2 to 3 times slower: libjpeg-turbo's Java binding cannot"
                    + " be loaded ({}); install Debian's packages libturbojpeg-java and libturbojpeg0-dev, or give"
                    + " -Dpooling.turbojpeg.jar=PATH", message(e));
            return null;
        }
    }

    private static Class<?> find(String jar) throws ClassNotFoundException, java.io.IOException {
        String name = "org.libjpegturbo.turbojpeg.TJDecompressor";
        try {
            return Class.forName(name, true, TurboJpeg.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            Path p = Path.of(jar);
            if (!Files.isRegularFile(p)) {
                throw new ClassNotFoundException(name + " is not on the class path and " + jar + " does not exist");
            }
            // Parent: this class's loader, so nothing of the binding shadows the application's classes.
            URLClassLoader loader = new URLClassLoader(new URL[] {p.toUri().toURL()}, TurboJpeg.class.getClassLoader());
            return Class.forName(name, true, loader);
        }
    }

    /** A 1x1 gray JPEG through the whole binding: loads the native library and proves it works. */
    private static void probe(Binding b) throws Throwable {
        byte[] jpeg = java.util.Base64.getDecoder().decode(ONE_GRAY_PIXEL);
        Object tj = b.create.invoke(jpeg, jpeg.length);
        try {
            byte[] out = new byte[1];
            b.decompress.invoke(tj, out, 0, 0, 1, 0, 1, PF_GRAY, 0);
        } finally {
            b.close.invoke(tj);
        }
    }

    /** A 1x1 8-bit grayscale baseline JPEG (sample 128, written by Pillow through libjpeg). */
    private static final String ONE_GRAY_PIXEL = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoMDAsKCwsNDhIQDQ4R" +
            "DgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/wAALCAABAAEBAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcI" +
            "CQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcY" +
            "GRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKj" +
            "pKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/ACv/" +
            "2Q==";
}
