package org.sparkpooling.pipeline;

import java.io.Closeable;
import java.io.IOException;
import org.sparkpooling.tensor.IntImage;

/**
 * An image read band by band: rows {@code [y0, y0 + rows)} of the full width, as interleaved
 * unsigned integer samples (the {@link IntImage} layout: H x W x C), within a memory bound that
 * does not grow with the image's height. Opened by {@link BandReaders#open}, which has checked the
 * header (size, layout, the {@code --max-pixels} guard) before any pixel is read; each band is
 * decoded on request, so a task can read only its own band.
 *
 * <p>Samples are exactly those {@link ImageDecoder} gives for the same file, band for band (the
 * readers are tested against it), in the same channel order: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA;
 * depth 8 or 16, or 32 for integer label TIFFs (which {@link ImageDecoder} refuses). A band whose
 * data is bad or truncated is a {@link BadImageException} naming the reason, as the whole-image
 * decoder's are; an earlier band of the same file may have been read without error (a file is
 * checked as far as it is read).
 *
 * <p>What a band costs depends on the format (see each implementation, and the downsampling page,
 * "Reading images in bands"): a TIFF band reads only the tiles or strips that cover it, in any order;
 * a PNG band is read forward from the last one (an earlier band restarts the file); a JPEG band is
 * decoded from the top of the image each time. A reader is not thread-safe.
 */
public interface BandReader extends Closeable {

    int width();

    int height();

    /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
    int channels();

    /** 8, 16 or 32 (TIFF integer labels only). */
    int bitDepth();

    /**
     * Bands that start at a multiple of this (and are a multiple of it high, but for the last)
     * decode every stored row once: a TIFF's tile height or rows per strip, a JPEG's MCU height
     * (8 or 16), 1 for PNG. Any other band is still right, only dearer: the rows it shares with
     * its neighbour's tiles or strips are decoded by both.
     */
    default int rowAlignment() {
        return 1;
    }

    /**
     * Rows {@code [y0, y0 + rows)}, every column, as a new image {@code rows} high. Any band, in any
     * order.
     *
     * @throws IllegalArgumentException when the rows are not within the image, or the band holds
     *         more samples than one Java array ({@link IntImage#MAX_SAMPLES})
     * @throws BadImageException when the file's data for these rows is bad, truncated or cannot be
     *         read; the message is the reason for the errors dataset
     */
    IntImage readRows(int y0, int rows) throws BadImageException;

    /** Closes the stream the reader was opened on. */
    @Override
    void close() throws IOException;

    /** The check every implementation starts {@link #readRows} with. */
    static void checkBand(BandReader r, int y0, int rows) {
        if (y0 < 0 || rows < 1 || y0 > r.height() - rows) {
            throw new IllegalArgumentException("band rows [" + y0 + ", " + ((long) y0 + rows) + ") must be a non-empty"
                    + " range within the image's " + r.height() + " rows");
        }
        long n = (long) rows * r.width() * r.channels();
        if (n > IntImage.MAX_SAMPLES) {
            throw new IllegalArgumentException("band of " + rows + " rows (" + n + " samples) exceeds one Java array ("
                    + IntImage.MAX_SAMPLES + "); read fewer rows");
        }
    }
}
