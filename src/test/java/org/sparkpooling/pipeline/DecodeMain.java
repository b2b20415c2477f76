package org.sparkpooling.pipeline;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * For {@link DecoderFallbackTest}, in a JVM of its own (the decoder is chosen once per JVM): prints
 * the decoder in use, then a line per file: its name, its size and the SHA-256 of its samples.
 */
public final class DecodeMain {

    private DecodeMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("decoder " + TurboJpeg.decoderName());
        for (String a : args) {
            Path p = Path.of(a);
            try (InputStream in = Files.newInputStream(p)) {
                var img = ImageDecoder.decode(in, Files.size(p), Long.MAX_VALUE);
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(img.interleavedBytes());
                System.out.println(p.getFileName() + " " + img + " " + HexFormat.of().formatHex(digest));
            }
        }
    }
}
