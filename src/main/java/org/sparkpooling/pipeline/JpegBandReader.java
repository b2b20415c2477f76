package org.sparkpooling.pipeline;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import org.sparkpooling.tensor.IntImage;

/**
 * Baseline (sequential) JPEG read in bands through ImageIO's JPEG reader with a source region: the
 * reader decodes scanline by scanline with libjpeg and keeps only the region's rows, so a band costs
 * its own samples plus libjpeg's few MCU rows of working memory, whatever the image's size. The
 * price is time: a JPEG's entropy-coded data can only be decoded from the start, so every band is
 * decoded from the top of the image to its last row; B bands of an image cost about B(B+1)/2 bands'
 * decoding, in any order (reading them top to bottom does not help). The samples are ImageIO's,
 * which are TurboJPEG's (the libjpeg-turbo ImageDecoder uses when installed; JpegDecodersTest holds
 * them equal) for the same file.
 *
 * <p>Refused, with the reason: progressive and other multi-scan JPEGs (libjpeg holds every
 * coefficient of the image to decode them, about two bytes a sample: no band bound), lossless and
 * 12-bit JPEGs, CMYK/YCCK (4 components) and 2-component files, a height left to a DNL marker. A
 * truncated or corrupt file fails the first band that reaches the bad data (ImageIO's warnings,
 * which it would otherwise paper over with gray, are errors, as in ImageDecoder); bands above it
 * read without error.
 */
final class JpegBandReader implements BandReader {

    static final String FORMAT = "jpeg";

    private final ByteSource src;
    private final SourceImageInputStream iis;
    private final ImageReader reader;
    private final StringBuilder warnings = new StringBuilder();
    private final int width;
    private final int height;
    private final int channels;
    private final int mcuHeight;

    /** What the frame header (SOF) says. */
    private record Frame(int marker, int precision, int height, int width, int components, int maxVertical) {
    }

    private JpegBandReader(ByteSource src, Frame f, long maxPixels) throws BadImageException, IOException {
        this.src = src;
        long pixels = (long) f.width() * f.height();
        if (f.height() == 0) {
            throw new BadImageException(FORMAT + ": height 0 in the frame header (given later by a DNL marker) is not"
                    + " read in bands");
        }
        if (pixels > maxPixels) {
            throw new BadImageException(FORMAT + ": " + f.width() + "x" + f.height() + " (" + pixels
                    + " pixels) exceeds max pixels (" + maxPixels + ")");
        }
        if (f.width() < 1) {
            throw new BadImageException(FORMAT + ": header size " + f.width() + "x" + f.height() + " is empty");
        }
        int m = f.marker();
        if (m == 0xc3 || m == 0xc7 || m == 0xcb || m == 0xcf) {
            throw new BadImageException(FORMAT + ": lossless JPEG (SOF" + (m - 0xc0) + ") is not read; only baseline"
                    + " and extended sequential");
        }
        if (m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce) {
            throw new BadImageException(FORMAT + ": progressive JPEG (SOF" + (m - 0xc0) + ") cannot be read in bands:"
                    + " libjpeg keeps every coefficient of the image to decode it (about 2 bytes a sample); decode it"
                    + " whole (within the budget) or re-save it as baseline");
        }
        if (f.precision() != 8) {
            throw new BadImageException(FORMAT + ": " + f.precision() + "-bit samples are not read; only 8-bit");
        }
        if (f.components() == 4) {
            throw new BadImageException(FORMAT + ": unsupported colour space (CMYK); only gray and RGB");
        }
        if (f.components() != 1 && f.components() != 3) {
            throw new BadImageException(FORMAT + ": unsupported colour space (" + f.components()
                    + " components); only gray and RGB");
        }
        if ((long) f.width() * f.components() > IntImage.MAX_SAMPLES) {
            throw new BadImageException(FORMAT + ": a row of " + f.width() + "x" + f.components()
                    + " samples exceeds one Java array");
        }
        width = f.width();
        height = f.height();
        channels = f.components();
        mcuHeight = 8 * f.maxVertical();
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName("jpeg");
        if (!readers.hasNext()) {
            throw new BadImageException(FORMAT + ": no ImageIO JPEG reader in this JVM");
        }
        reader = readers.next();
        iis = new SourceImageInputStream(src);
        // Not seek-forward-only (each band seeks back to the start); metadata ignored, as ImageDecoder reads.
        reader.setInput(iis, false, true);
        reader.addIIOReadWarningListener(new IIOReadWarningListener() {
            @Override
            public void warningOccurred(ImageReader source, String warning) {
                warnings.append(warnings.length() == 0 ? "" : "; ").append(warning);
            }
        });
    }

    /** Opens the JPEG in {@code src} (its SOI already checked): reads the markers up to the frame header. */
    static JpegBandReader open(ByteSource src, long maxPixels) throws BadImageException {
        try {
            return new JpegBandReader(src, frame(src), maxPixels);
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(FORMAT + ": unreadable header: " + BandReaders.message(e), e);
        }
    }

    /** The frame header: the first SOFn segment, found by skipping the segments before it. */
    private static Frame frame(ByteSource src) throws IOException, BadImageException {
        long at = 2;
        long length = src.length();
        byte[] b = new byte[4];
        while (at <= length - 4) {
            src.readFully(at, b, 0, 4);
            if ((b[0] & 0xff) != 0xff) {
                throw new BadImageException(FORMAT + ": unreadable header: no marker at offset " + at);
            }
            int marker = b[1] & 0xff;
            if (marker == 0xff) {
                at++; // fill byte
                continue;
            }
            if (marker == 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker == 0x01) {
                at += 2; // no length
                continue;
            }
            if (marker == 0xd9 || marker == 0xda) {
                break; // EOI or SOS before any frame header
            }
            int len = (b[2] & 0xff) << 8 | (b[3] & 0xff);
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                if (len < 8 || at + 2 + len > length) {
                    break;
                }
                byte[] s = new byte[len - 2];
                src.readFully(at + 4, s, 0, s.length);
                int components = s[5] & 0xff;
                int maxV = 1;
                for (int c = 0; c < components && 6 + 3 * c + 1 < s.length; c++) {
                    maxV = Math.max(maxV, s[6 + 3 * c + 1] & 0x0f);
                }
                return new Frame(marker, s[0] & 0xff, (s[1] & 0xff) << 8 | (s[2] & 0xff),
                        (s[3] & 0xff) << 8 | (s[4] & 0xff), components, maxV);
            }
            at += 2 + len;
        }
        throw new BadImageException(FORMAT + ": unreadable header: no frame header (SOF) before the image data or the"
                + " end of the file");
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int bitDepth() {
        return 8;
    }

    @Override
    public int rowAlignment() {
        return mcuHeight;
    }

    @Override
    public IntImage readRows(int y0, int rows) throws BadImageException {
        BandReader.checkBand(this, y0, rows);
        ImageReadParam param = reader.getDefaultReadParam();
        param.setSourceRegion(new Rectangle(0, y0, width, rows));
        warnings.setLength(0);
        BufferedImage image;
        try {
            image = reader.read(0, param);
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(FORMAT + ": truncated or corrupt: " + BandReaders.message(e), e);
        } catch (OutOfMemoryError e) {
            throw new BadImageException("out of memory while decoding: raise the executor memory or lower the band height");
        }
        if (warnings.length() > 0) {
            throw new BadImageException(FORMAT + ": truncated or corrupt: " + warnings);
        }
        if (image.getWidth() != width || image.getHeight() != rows) {
            throw new BadImageException(FORMAT + ": ImageIO gave " + image.getWidth() + "x" + image.getHeight()
                    + " for a band of " + width + "x" + rows);
        }
        return ImageDecoder.toSamples(image, FORMAT);
    }

    @Override
    public void close() throws IOException {
        try {
            reader.dispose();
            iis.close();
        } finally {
            src.close();
        }
    }

    @Override
    public String toString() {
        return "JPEG " + width + "x" + height + "x" + channels + ", MCU height " + mcuHeight;
    }
}
