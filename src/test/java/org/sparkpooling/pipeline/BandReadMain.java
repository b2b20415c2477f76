package org.sparkpooling.pipeline;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sparkpooling.tensor.IntImage;

/**
 * For {@link BandMemoryTest}, in a JVM of its own with a small heap: {@code FILE whole} decodes the
 * file whole with ImageDecoder and prints the result or the reason and its root cause;
 * {@code FILE y0:rows...} opens it with {@link BandReaders} (through Hadoop's local file system, as the pipeline does) and prints one
 * line per band read: its rows, shape and the sum of its samples.
 */
public final class BandReadMain {

    private BandReadMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        if (args[1].equals("whole")) {
            try (InputStream in = Files.newInputStream(file)) {
                System.out.println("whole " + ImageDecoder.decode(in, Files.size(file), Long.MAX_VALUE));
            } catch (BadImageException e) {
                Throwable root = e;
                while (root.getCause() != null) {
                    root = root.getCause();
                }
                System.out.println("whole: " + e.getMessage() + " (root cause " + root.getClass().getSimpleName() + ")");
            }
            return;
        }
        try (BandReader r = BandReaders.open(BandTestSupport.hadoopOpen(file), Files.size(file), Long.MAX_VALUE)) {
            System.out.println("opened " + r.width() + "x" + r.height() + "x" + r.channels() + " " + r.bitDepth()
                    + "-bit, max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
            for (int i = 1; i < args.length; i++) {
                String[] a = args[i].split(":");
                int y0 = Integer.parseInt(a[0]);
                int rows = Integer.parseInt(a[1]);
                IntImage band = r.readRows(y0, rows);
                long sum = 0;
                for (byte b : band.bytes()) {
                    sum += b & 0xff;
                }
                System.out.println("band " + y0 + ":" + rows + " " + band + " sum " + sum);
            }
        }
    }
}
