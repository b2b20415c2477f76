package org.sparkpooling.pipeline;

import java.io.IOException;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An ImageIO stream over positioned reads of a {@link ByteSource}: seeking is free and nothing is
 * cached beyond one read-ahead block, unlike {@code MemoryCacheImageInputStream}, which keeps every
 * byte read so far (the whole file, for a reader that decodes to the end).
 */
final class SourceImageInputStream extends ImageInputStreamImpl {

    private final ByteSource src;
    private final byte[] buf = new byte[64 * 1024];
    private long bufStart;
    private int bufLen;

    SourceImageInputStream(ByteSource src) {
        this.src = src;
    }

    @Override
    public long length() {
        return src.length();
    }

    @Override
    public int read() throws IOException {
        checkClosed();
        bitOffset = 0;
        if (streamPos >= src.length()) {
            return -1;
        }
        if (streamPos < bufStart || streamPos >= bufStart + bufLen) {
            fill(streamPos);
        }
        return buf[(int) (streamPos++ - bufStart)] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        checkClosed();
        bitOffset = 0;
        if (len == 0) {
            return 0;
        }
        long left = src.length() - streamPos;
        if (left <= 0) {
            return -1;
        }
        int n = (int) Math.min(len, left);
        if (streamPos >= bufStart && streamPos < bufStart + bufLen) {
            n = Math.min(n, (int) (bufStart + bufLen - streamPos));
            System.arraycopy(buf, (int) (streamPos - bufStart), b, off, n);
        } else if (n >= buf.length) {
            src.readFully(streamPos, b, off, n);
        } else {
            fill(streamPos);
            n = Math.min(n, bufLen);
            System.arraycopy(buf, 0, b, off, n);
        }
        streamPos += n;
        return n;
    }

    private void fill(long at) throws IOException {
        int n = (int) Math.min(buf.length, src.length() - at);
        src.readFully(at, buf, 0, n);
        bufStart = at;
        bufLen = n;
    }

    /** Leaves the source open: the band reader that owns both closes it. */
    @Override
    public void close() throws IOException {
        super.close();
    }
}
