package org.sparkpooling.spark;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the Spark session every command uses, the same way for embedded local runs, the
 * standalone cluster and spark-submit.
 *
 * <p>Precedence, highest first: settings already in the JVM ({@code -Dspark.*}, or spark-submit's
 * {@code --conf}), the caller's overrides, then {@code conf/spark-defaults.conf} of the project
 * (found through the {@code pooling.home} property the launcher sets). Under spark-submit the
 * master is spark-submit's; {@code --master} given to a command wins only when spark-submit gave none.
 *
 * <p>For a {@code spark://} master the driver's authentication is tried first ({@link MasterAuthCheck}):
 * a missing or wrong secret is an {@link IllegalArgumentException} naming the master, within seconds.
 */
public final class SparkSetup {

    private SparkSetup() {
    }

    /**
     * @param appName   shown in the Spark UI and the master's application list
     * @param master    {@code local[*]}, {@code spark://host:port}, {@code yarn}, {@code k8s://...}, or
     *                  {@code null} to keep the one spark-submit set (default {@code local[*]})
     * @param overrides extra settings, e.g. {@code spark.task.maxFailures}
     */
    public static SparkSession session(String appName, String master, Map<String, String> overrides) {
        SparkConf conf = new SparkConf(true); // loads -Dspark.* system properties
        for (Map.Entry<Object, Object> e : projectDefaults().entrySet()) {
            conf.setIfMissing(e.getKey().toString(), e.getValue().toString().trim());
        }
        overrides.forEach(conf::set);
        if (master != null) {
            conf.setMaster(master);
        } else {
            conf.setIfMissing("spark.master", "local[*]");
        }
        conf.setAppName(appName);
        if (!conf.get("spark.master").startsWith("local")) {
            // Executors on a cluster need the application's own classes.
            appJar().ifPresent(jar -> conf.setIfMissing("spark.jars", jar));
        }
        if (SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty()) {
            // A refused secret fails here in seconds, not after Spark's two minutes of registration retries.
            MasterAuthCheck.requireAccepted(conf);
        }
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** {@code conf/spark-defaults.conf} of the project, or nothing when not run from a checkout. */
    static Properties projectDefaults() {
        Properties props = new Properties();
        String home = System.getProperty("pooling.home");
        Path file = home == null ? Path.of("conf", "spark-defaults.conf") : Path.of(home, "conf", "spark-defaults.conf");
        if (Files.isRegularFile(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r); // whitespace-separated key value pairs parse as Properties do
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        return props;
    }

    /** The jar this class was loaded from, when it was loaded from a jar (not from target/classes). */
    static java.util.Optional<String> appJar() {
        try {
            var source = SparkSetup.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return java.util.Optional.empty();
            }
            Path p = Path.of(source.getLocation().toURI());
            return p.toString().endsWith(".jar") ? java.util.Optional.of(p.toString()) : java.util.Optional.empty();
        } catch (URISyntaxException e) {
            return java.util.Optional.empty();
        }
    }
}
