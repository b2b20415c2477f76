package org.sparkpooling.pipeline;

import java.io.IOException;
import java.util.Arrays;
import org.apache.hadoop.fs.FSDataInputStream;

/**
 * Opens the {@link BandReader} for a file by its first bytes: TIFF and BigTIFF
 * ({@link TiffBandReader}), PNG ({@link PngBandReader}), JPEG ({@link JpegBandReader}). Reads the
 * header only, and checks it (the {@code --max-pixels} guard among the rest) before any pixel data
 * is read or any band-sized buffer allocated. Anything else, and whatever of these formats cannot be
 * read in bands (interlaced PNG, progressive JPEG, JPEG-compressed TIFF, ...), is a
 * {@link BadImageException} whose message is the reason.
 */
public final class BandReaders {

    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private BandReaders() {
    }

    /**
     * A band reader of the file open in {@code in}, {@code length} bytes long. The reader owns the
     * stream from here on (closing it closes the stream), and so does a failure: when this throws,
     * the stream is closed.
     */
    public static BandReader open(FSDataInputStream in, long length, long maxPixels) throws BadImageException {
        return open(ByteSource.of(in, length), maxPixels);
    }

    static BandReader open(ByteSource src, long maxPixels) throws BadImageException {
        boolean opened = false;
        try {
            BandReader r = openUnchecked(src, maxPixels);
            opened = true;
            return r;
        } finally {
            if (!opened) {
                try {
                    src.close();
                } catch (IOException ignored) {
                    // the failure already says why; a close error adds nothing to the errors row
                }
            }
        }
    }

    private static BandReader openUnchecked(ByteSource src, long maxPixels) throws BadImageException {
        long length = src.length();
        if (length == 0) {
            throw new BadImageException("empty file (0 bytes)");
        }
        byte[] head = new byte[(int) Math.min(16, length)];
        try {
            src.readFully(0, head, 0, head.length);
        } catch (IOException e) {
            throw new BadImageException("read failed: " + message(e), e);
        }
        if (isTiff(head)) {
            return TiffBandReader.open(src, head, maxPixels);
        }
        if (head.length >= PNG.length && Arrays.equals(Arrays.copyOf(head, PNG.length), PNG)) {
            return PngBandReader.open(src, maxPixels);
        }
        if (head.length >= 3 && (head[0] & 0xff) == 0xff && (head[1] & 0xff) == 0xd8 && (head[2] & 0xff) == 0xff) {
            return JpegBandReader.open(src, maxPixels);
        }
        String other = otherFormat(head);
        if (other != null) {
            throw new BadImageException(other + ": not read in bands (only TIFF, PNG and JPEG are); decode it whole"
                    + " within the budget");
        }
        throw new BadImageException("unsupported format for band reading: the first bytes are not TIFF, PNG or JPEG");
    }

    /** An exception as a reason's tail, as ImageDecoder writes it: its class, then its message. */
    static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Whether {@code in} starts as a TIFF or BigTIFF does; a positioned read, so {@code in} stays where it was. */
    static boolean isTiff(FSDataInputStream in, long length) throws IOException {
        if (length < 8) {
            return false;
        }
        byte[] head = new byte[8];
        in.readFully(0, head);
        return isTiff(head);
    }

    private static boolean isTiff(byte[] h) {
        if (h.length < 8) {
            return false;
        }
        boolean ii = h[0] == 'I' && h[1] == 'I' && (h[2] == 42 || h[2] == 43) && h[3] == 0;
        boolean mm = h[0] == 'M' && h[1] == 'M' && h[2] == 0 && (h[3] == 42 || h[3] == 43);
        return ii || mm;
    }

    /** Formats ImageDecoder reads whole that have no band reader, by their magic bytes. */
    private static String otherFormat(byte[] h) {
        if (h.length >= 4 && h[0] == 'G' && h[1] == 'I' && h[2] == 'F' && h[3] == '8') {
            return "gif";
        }
        if (h.length >= 2 && h[0] == 'B' && h[1] == 'M') {
            return "bmp";
        }
        if (h.length >= 12 && h[0] == 'R' && h[1] == 'I' && h[2] == 'F' && h[3] == 'F' && h[8] == 'W' && h[9] == 'E'
                && h[10] == 'B' && h[11] == 'P') {
            return "webp";
        }
        return null;
    }
}
