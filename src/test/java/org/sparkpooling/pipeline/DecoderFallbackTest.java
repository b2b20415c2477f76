package org.sparkpooling.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fallback, forced: a JVM where TurboJPEG is turned off ({@code -Dpooling.jpeg=imageio}) or
 * cannot be found (no jar at the configured path) decodes the same photos through ImageIO to the
 * same samples as this JVM through TurboJPEG, and says once in its log what to install.
 */
class DecoderFallbackTest {

    private static List<String> run(List<String> jvmOptions, List<Path> files) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-Dlog4j2.configurationFile=" + System.getProperty("log4j2.configurationFile", ""));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(DecodeMain.class.getName());
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the decoding JVM ends");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private static List<String> results(List<String> lines) {
        return lines.stream().filter(l -> l.matches("\\S+\\.jpg \\d+x\\d+x\\d 8-bit [0-9a-f]{64}")).toList();
    }

    @Test
    void forcedAndMissingFallbacksGiveTheSameSamplesAndSayWhatToInstall() throws Exception {
        assumeTrue(TurboJpeg.available() || !"true".equals(System.getenv("CI")), "CI installs TurboJPEG");
        List<Path> photos = JpegDecodersTest.photos();
        assumeTrue(photos.size() >= 3, "needs real photos under " + JpegDecodersTest.PHOTOS);
        List<Path> some = photos.subList(0, 3);

        List<String> turbo = run(List.of(), some);
        List<String> forced = run(List.of("-Dpooling.jpeg=imageio"), some);
        List<String> missing = run(List.of("-Dpooling.turbojpeg.jar=/nonexistent/turbojpeg.jar"), some);

        assertEquals("decoder " + TurboJpeg.decoderName(), turbo.get(turbo.indexOf("decoder " + TurboJpeg.decoderName())));
        assertTrue(forced.contains("decoder imageio"), String.join("\n", forced));
        assertTrue(missing.contains("decoder imageio"), String.join("\n", missing));
        assertTrue(missing.stream().anyMatch(l -> l.contains("JPEG decoding falls back to ImageIO")
                && l.contains("install Debian's packages libturbojpeg-java and libturbojpeg0-dev")),
                String.join("\n", missing));
        assertEquals(1, missing.stream().filter(l -> l.contains("falls back to ImageIO")).count(), "one log line");
        assertEquals(3, results(turbo).size(), String.join("\n", turbo));
        assertEquals(results(turbo), results(forced));
        assertEquals(results(turbo), results(missing));
    }
}
