package org.sparkpooling.pipeline;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sparkpooling.tensor.IntImage;

/**
 * For {@link BandMemoryTest}, in a JVM of its own with a small heap: {@code FILE y0:rows...} opens
 * the file with {@link BandReaders} (through Hadoop's local file system, as the pipeline does) and prints one
 * line per band read: its rows, shape and the sum of its samples; an argument {@code whole} instead
 * decodes the file whole with ImageDecoder and prints the result, or the reason and its root cause.
 */
public final class BandReadMain {

    private BandReadMain() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        try (BandReader r = BandReaders.open(BandTestSupport.hadoopOpen(file), Files.size(file), Long.MAX_VALUE)) {
            System.out.println("opened " + r.width() + "x" + r.height() + "x" + r.channels() + " " + r.bitDepth()
                    + "-bit, max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
            for (int i = 1; i < args.length; i++) {
                if (args[i].equals("whole")) {
                    whole(file);
                    continue;
                }
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

    private static void whole(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            System.out.println("whole " + ImageDecoder.decode(in, Files.size(file), Long.MAX_VALUE));
        } catch (BadImageException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            System.out.println("whole: " + e.getMessage() + " (root cause " + root.getClass().getSimpleName() + ")");
        }
    }
}
