package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit command of docs/spark-api.md, run as written: Spark's own {@code SparkSubmit}
 * (spark-submit's main class, from the Maven repository; no Spark distribution is installed) in a
 * JVM whose class path holds Spark alone, so the pooling classes come only from
 * {@code --jars target/spark-pooling.jar}; the application jar holds the docs' Java example. On top
 * of the page's settings, Kryo with the project's registrator and registration required.
 * After {@code mvn package}; no cluster needed ({@code local[2]}).
 */
class SparkSubmitIT {

    @TempDir
    Path dir;

    @Test
    void theDocsSparkSubmitCommandRuns() throws Exception {
        Path home = ClusterSupport.home();
        Path jar = ClusterSupport.appJar();
        Path data = dir.resolve("data");
        TestPhotos.writeSmall(data.resolve("photos"));
        Path app = dir.resolve("your-app.jar");
        writeAppJar(home.resolve("target/test-classes"), "org/sparkpooling/spark/examples/PoolImages.class", app);

        String page = Files.readString(SparkApiDocsTest.docs(), StandardCharsets.UTF_8);
        List<String> bash = SparkApiDocsTest.blocks(page, "bash");
        assertEquals(1, bash.size(), "one spark-submit command on the page");
        List<String> words = words(bash.get(0).replace("\\\n", " "));
        assertEquals("spark-submit", words.get(0));

        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String line : Files.readAllLines(home.resolve("conf/java-module-options"))) {
            if (!line.isBlank()) {
                command.add(line.strip());
            }
        }
        command.add("-cp");
        command.add(sparkOnlyClassPath(home));
        command.add("org.apache.spark.deploy.SparkSubmit");
        for (String w : words.subList(1, words.size())) {
            if (w.equals("--class")) {
                for (String c : new String[] {"spark.serializer=org.apache.spark.serializer.KryoSerializer",
                    "spark.kryo.registrator=org.sparkpooling.spark.PoolingKryoRegistrator",
                    "spark.kryo.registrationRequired=true", "spark.driver.host=127.0.0.1",
                    "spark.driver.bindAddress=127.0.0.1", "spark.ui.enabled=false"}) {
                    command.add("--conf");
                    command.add(c);
                }
            }
            command.add(w.equals("target/spark-pooling.jar") ? jar.toString() : w.equals("your-app.jar")
                    ? app.toString() : w.replace("/data/", data + "/"));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("submit.log").toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "spark-submit finished");
        String log = Files.readString(dir.resolve("submit.log"));
        assertEquals(0, p.exitValue(), log);
        assertTrue(Files.exists(data.resolve("pooled/_SUCCESS")), log);
        assertTrue(log.contains("meadow.png") && log.contains("|origin"), "the example's table:\n" + log);
    }

    /** Shell words: spaces split, single quotes group. */
    private static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char ch : line.toCharArray()) {
            if (ch == '\'') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(ch) && !quoted) {
                if (any) {
                    out.add(w.toString());
                    w.setLength(0);
                    any = false;
                }
            } else {
                w.append(ch);
                any = true;
            }
        }
        if (any) {
            out.add(w.toString());
        }
        return out;
    }

    /** This JVM's class path without the project's own classes: Spark and the rest of Maven's jars. */
    private static String sparkOnlyClassPath(Path home) {
        List<String> keep = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e).toAbsolutePath();
            if (!p.startsWith(home.resolve("target"))) {
                keep.add(e);
            }
        }
        return String.join(File.pathSeparator, keep);
    }

    private static void writeAppJar(Path classes, String entry, Path jar) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry(entry));
            j.write(Files.readAllBytes(classes.resolve(entry)));
            j.closeEntry();
        }
    }
}
