package org.sparkpooling.pipeline;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.util.Arrays;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.sparkpooling.tensor.IntImage;

/**
 * Guarded decoding of one image file into an {@link IntImage} (interleaved integer samples): JPEG
 * through {@link TurboJpeg} when its binding is installed, everything else (and JPEG without it)
 * through ImageIO. Every way a file can be
 * bad ends as a {@link BadImageException} whose message is the reason for the errors dataset:
 * empty, not an image ImageIO knows, an unreadable header, a header claiming more pixels than
 * allowed (checked before any pixel is decoded, so a decompression bomb costs a header read),
 * truncated or corrupt data (including the JPEG reader's "premature end" warnings, which it would
 * otherwise paper over with gray), and colour models with no place in the channel layouts.
 *
 * <p>Samples are the file's raw values: 8-bit stays 0..255, 16-bit 0..65535; palettes are looked
 * up (a gray palette gives gray); other depths (1, 2, 4-bit gray, 5-6-5 RGB, 12-bit) are scaled
 * to 8 or 16 bits by {@code rint(v * max_out / max_in)}. Multi-image files (GIF animations,
 * multi-page TIFF) contribute their first image.
 */
public final class ImageDecoder {

    static {
        // A disk cache per stream is slower and leaves files behind on a killed executor.
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {
    }

    /** Decodes {@code in} (of {@code length} bytes, for the empty-file reason) into samples, whatever its size. */
    public static IntImage decode(InputStream in, long length, long maxPixels) throws BadImageException {
        try {
            return decode(in, length, maxPixels, Long.MAX_VALUE);
        } catch (TooLargeForTask e) {
            throw new IllegalStateException("no image exceeds a budget of Long.MAX_VALUE pixels", e);
        }
    }

    /**
     * Decodes {@code in} whole, unless its header claims more than {@code taskPixels} pixels: then
     * {@link TooLargeForTask} is thrown before any pixel is decoded, and the caller reads it in bands.
     */
    static IntImage decode(InputStream in, long length, long maxPixels, long taskPixels)
            throws BadImageException, TooLargeForTask {
        if (length == 0) {
            throw new BadImageException("empty file (0 bytes)");
        }
        PushbackInputStream head = new PushbackInputStream(in, JPEG_MAGIC.length);
        if (TurboJpeg.available() && length <= Integer.MAX_VALUE - 8) {
            try {
                byte[] magic = head.readNBytes(JPEG_MAGIC.length);
                if (Arrays.equals(magic, JPEG_MAGIC)) {
                    byte[] data = new byte[(int) length];
                    System.arraycopy(magic, 0, data, 0, magic.length);
                    int n = magic.length + head.readNBytes(data, magic.length, data.length - magic.length);
                    return TurboJpeg.decode(data, n, maxPixels, taskPixels);
                }
                head.unread(magic);
            } catch (IOException e) {
                throw new BadImageException("read failed: " + message(e), e);
            }
        }
        return decodeWithImageIo(head, maxPixels, taskPixels);
    }

    /** Start of every JPEG file: SOI, then the first marker's 0xFF. */
    private static final byte[] JPEG_MAGIC = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};

    /** The ImageIO path: every format it reads, JPEG included when TurboJPEG is not installed. */
    static IntImage decodeWithImageIo(InputStream in, long maxPixels) throws BadImageException {
        try {
            return decodeWithImageIo(in, maxPixels, Long.MAX_VALUE);
        } catch (TooLargeForTask e) {
            throw new IllegalStateException("no image exceeds a budget of Long.MAX_VALUE pixels", e);
        }
    }

    private static IntImage decodeWithImageIo(InputStream in, long maxPixels, long taskPixels)
            throws BadImageException, TooLargeForTask {
        try (ImageInputStream iis = new MemoryCacheImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(iis);
            if (!readers.hasNext()) {
                throw new BadImageException("unsupported format: no ImageIO reader recognises the content");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(iis, true, true);
                String format = reader.getFormatName().toLowerCase(java.util.Locale.ROOT);
                int width;
                int height;
                try {
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw new BadImageException(format + ": unreadable header: " + message(e), e);
                }
                long pixels = (long) width * height;
                if (pixels > maxPixels) {
                    throw new BadImageException(format + ": " + width + "x" + height + " (" + pixels
                            + " pixels) exceeds max pixels (" + maxPixels + ")");
                }
                if (width < 1 || height < 1) {
                    throw new BadImageException(format + ": header size " + width + "x" + height + " is empty");
                }
                if (pixels > taskPixels) {
                    throw new TooLargeForTask(width, height, taskPixels);
                }
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                    @Override
                    public void warningOccurred(ImageReader source, String warning) {
                        warnings.append(warnings.length() == 0 ? "" : "; ").append(warning);
                    }
                });
                BufferedImage image;
                try {
                    image = reader.read(0);
                } catch (IOException | RuntimeException e) {
                    if (outOfMemory(e)) {
                        // ImageIO's PNG reader wraps the error in an IIOException("Caught exception during read").
                        throw new BadImageException(OUT_OF_MEMORY);
                    }
                    throw new BadImageException(format + ": truncated or corrupt: " + message(e), e);
                }
                if (warnings.length() > 0) {
                    throw new BadImageException(format + ": truncated or corrupt: " + warnings);
                }
                return toSamples(image, format);
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            throw new BadImageException("read failed: " + message(e), e);
        } catch (OutOfMemoryError e) {
            // Decoding stopped, the buffers are garbage again; one huge image is a row, not a dead task.
            throw new BadImageException(OUT_OF_MEMORY);
        }
    }

    private static final String OUT_OF_MEMORY =
            "out of memory while decoding: raise the executor memory, or lower --task-pixels so it is read in bands";

    private static boolean outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The samples of a decoded image, in the documented channel order. */
    static IntImage toSamples(BufferedImage image, String format) throws BadImageException {
        ColorModel cm = image.getColorModel();
        if (cm.isAlphaPremultiplied()) {
            image.coerceData(false);
            cm = image.getColorModel();
        }
        int w = image.getWidth();
        int h = image.getHeight();
        if (cm instanceof IndexColorModel icm) {
            return fromPalette(image.getRaster(), icm, w, h);
        }
        int space = cm.getColorSpace().getType();
        if (space != ColorSpace.TYPE_GRAY && space != ColorSpace.TYPE_RGB) {
            throw new BadImageException(format + ": unsupported colour space (type " + space
                    + "); only gray and RGB, with or without alpha");
        }
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        int expected = (space == ColorSpace.TYPE_GRAY ? 1 : 3) + (cm.hasAlpha() ? 1 : 0);
        if (bands != expected || bands != cm.getNumComponents()) {
            throw new BadImageException(format + ": unsupported layout: " + bands + " bands for "
                    + cm.getNumComponents() + " colour components");
        }
        SampleModel sm = raster.getSampleModel();
        int[] sizes = sm.getSampleSize();
        int maxBits = 0;
        for (int s : sizes) {
            maxBits = Math.max(maxBits, s);
        }
        if (maxBits > 16) {
            throw new BadImageException(format + ": unsupported sample size (" + maxBits + " bits); at most 16");
        }
        if (sm.getDataType() == DataBuffer.TYPE_FLOAT || sm.getDataType() == DataBuffer.TYPE_DOUBLE) {
            throw new BadImageException(format + ": unsupported floating-point samples");
        }
        int outBits = maxBits <= 8 ? 8 : 16;
        IntImage samples = allocate(bands, h, w, outBits, format);
        boolean raw = true;
        for (int s : sizes) {
            raw &= s == outBits;
        }
        if (raw && sm instanceof ComponentSampleModel csm && raster.getParent() == null
                && (raster.getDataBuffer() instanceof DataBufferByte || raster.getDataBuffer() instanceof DataBufferUShort)) {
            copyComponents(raster, csm, samples);
        } else {
            copyScaled(raster, sizes, samples);
        }
        return samples;
    }

    private static IntImage allocate(int channels, int h, int w, int bits, String format) throws BadImageException {
        long n = (long) channels * h * w;
        if (n > IntImage.MAX_SAMPLES) {
            throw new BadImageException(format + ": " + w + "x" + h + "x" + channels + " samples exceed one Java array ("
                    + IntImage.MAX_SAMPLES + ")");
        }
        return IntImage.allocate(h, w, channels, bits);
    }

    /** The common case (JPEG, PNG, TIFF at 8 or 16 bits): read the data buffer directly, interleaving. */
    private static void copyComponents(Raster raster, ComponentSampleModel csm, IntImage out) {
        DataBuffer db = raster.getDataBuffer();
        int w = out.width();
        int h = out.height();
        int bands = out.channels();
        int pixelStride = csm.getPixelStride();
        int lineStride = csm.getScanlineStride();
        int[] bandOffsets = csm.getBandOffsets();
        int[] banks = csm.getBankIndices();
        int[] dbOffsets = db.getOffsets();
        int tx = -raster.getSampleModelTranslateX();
        int ty = -raster.getSampleModelTranslateY();
        for (int b = 0; b < bands; b++) {
            int bank = banks[b];
            int start = dbOffsets[bank] + bandOffsets[b] + ty * lineStride + tx * pixelStride;
            if (db instanceof DataBufferByte bytes) {
                byte[] a = bytes.getData(bank);
                byte[] o = out.bytes();
                for (int y = 0; y < h; y++) {
                    int i = start + y * lineStride;
                    int k = y * w * bands + b;
                    for (int x = 0; x < w; x++, i += pixelStride, k += bands) {
                        o[k] = a[i];
                    }
                }
            } else {
                short[] a = ((DataBufferUShort) db).getData(bank);
                short[] o = out.shorts();
                for (int y = 0; y < h; y++) {
                    int i = start + y * lineStride;
                    int k = y * w * bands + b;
                    for (int x = 0; x < w; x++, i += pixelStride, k += bands) {
                        o[k] = a[i];
                    }
                }
            }
        }
    }

    /** Any other sample model; sample sizes that are not 8 or 16 bits are scaled to the output's depth. */
    private static void copyScaled(Raster raster, int[] sizes, IntImage out) {
        int w = out.width();
        int bands = out.channels();
        int[] row = new int[w];
        int outMax = (int) out.maxValue();
        int x0 = raster.getMinX();
        int y0 = raster.getMinY();
        for (int b = 0; b < sizes.length; b++) {
            int inMax = (1 << sizes[b]) - 1;
            boolean same = inMax == outMax;
            for (int y = 0; y < out.height(); y++) {
                raster.getSamples(x0, y0 + y, w, 1, b, row);
                int k = y * w * bands + b;
                for (int x = 0; x < w; x++, k += bands) {
                    int v = same ? row[x] : (int) Math.rint((double) row[x] * outMax / inMax);
                    if (out.bitDepth() == 8) {
                        out.bytes()[k] = (byte) v;
                    } else {
                        out.shorts()[k] = (short) v;
                    }
                }
            }
        }
    }

    /** Palette images: gray when every entry is gray, else RGB; with alpha when the palette has any. */
    private static IntImage fromPalette(Raster raster, IndexColorModel icm, int w, int h) {
        int n = icm.getMapSize();
        boolean gray = true;
        boolean alpha = false;
        for (int i = 0; i < n; i++) {
            gray &= icm.getRed(i) == icm.getGreen(i) && icm.getGreen(i) == icm.getBlue(i);
            alpha |= icm.getAlpha(i) != 255;
        }
        int channels = (gray ? 1 : 3) + (alpha ? 1 : 0);
        byte[][] lut = new byte[channels][n];
        for (int i = 0; i < n; i++) {
            int c = 0;
            lut[c++][i] = (byte) icm.getRed(i);
            if (!gray) {
                lut[c++][i] = (byte) icm.getGreen(i);
                lut[c++][i] = (byte) icm.getBlue(i);
            }
            if (alpha) {
                lut[c][i] = (byte) icm.getAlpha(i);
            }
        }
        byte[] out = new byte[channels * w * h];
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int idx = Math.min(row[x], n - 1);
                int k = (y * w + x) * channels;
                for (int c = 0; c < channels; c++) {
                    out[k + c] = lut[c][idx];
                }
            }
        }
        return IntImage.of8(h, w, channels, out);
    }
}
