package org.sparkpooling.pipeline;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.FSDataInputStream;

/**
 * Positioned reads from a file of known length: what the band readers need of Hadoop's
 * {@link FSDataInputStream} (local files, HDFS), so a reader can jump to a tile without reading
 * what lies before it. Tests wrap one to count the bytes a band reads.
 */
interface ByteSource extends Closeable {

    long length();

    /** Exactly {@code len} bytes from {@code position}; an {@link EOFException} past the end. */
    void readFully(long position, byte[] b, int off, int len) throws IOException;

    /** {@code in} (whose file is {@code length} bytes long); closing the source closes it. */
    static ByteSource of(FSDataInputStream in, long length) {
        return new ByteSource() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void readFully(long position, byte[] b, int off, int len) throws IOException {
                if (position < 0 || position > length - len) {
                    throw new EOFException("read of " + len + " bytes at offset " + position + " is past the end of the file ("
                            + length + " bytes)");
                }
                in.readFully(position, b, off, len);
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        };
    }

    /** A stream of the bytes {@code [start, end)}, read ahead in blocks of at most {@code block} bytes. */
    static InputStream range(ByteSource src, long start, long end, int block) {
        return new InputStream() {
            private final byte[] buf = new byte[(int) Math.max(1, Math.min(block, end - start))];
            private long next = start;
            private int pos;
            private int limit;

            private boolean fill() throws IOException {
                if (pos < limit) {
                    return true;
                }
                if (next >= end) {
                    return false;
                }
                int n = (int) Math.min(buf.length, end - next);
                src.readFully(next, buf, 0, n);
                next += n;
                pos = 0;
                limit = n;
                return true;
            }

            @Override
            public int read() throws IOException {
                return fill() ? buf[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, limit - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public int available() {
                return limit - pos;
            }
        };
    }
}
