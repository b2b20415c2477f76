package org.sparkpooling.spark;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * What the integration tests need from the standalone cluster {@code scripts/cluster} started: its
 * master URL (the {@code pooling.cluster.master} property {@code scripts/test} passes), the driver
 * settings with its authentication secret, the app jar, and the worker and executor processes.
 */
public final class ClusterSupport {

    public static final String MASTER_PROPERTY = "pooling.cluster.master";

    private ClusterSupport() {
    }

    /** The master URL; skips the calling test when no cluster was given, so a plain mvn verify passes. */
    public static String assumeCluster() {
        String master = System.getProperty(MASTER_PROPERTY, "").trim();
        assumeTrue(!master.isEmpty(), () -> "no standalone cluster: start one with scripts/cluster start and pass -D"
                + MASTER_PROPERTY + "=spark://127.0.0.1:7077 (scripts/test does both)");
        return master;
    }

    public static Path home() {
        return Path.of(System.getProperty("pooling.home", ".")).toAbsolutePath();
    }

    public static Path clusterDir() {
        return home().resolve("target/cluster");
    }

    /** target/spark-pooling.jar, built by the package phase that runs before the integration tests. */
    public static Path appJar() {
        Path jar = home().resolve("target/spark-pooling.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("app jar " + jar + " is missing: run the tests through mvn verify");
        }
        return jar;
    }

    /**
     * spark.* settings of the driver: the cluster's secret (from the @argfile scripts/cluster writes
     * for drivers) and the app jar, which SparkSetup cannot find when classes come from target/classes.
     */
    public static Map<String, String> driverSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        Path args = clusterDir().resolve("driver.args");
        try {
            for (String line : Files.readAllLines(args, StandardCharsets.UTF_8)) {
                line = line.trim();
                int eq = line.indexOf('=');
                if (line.startsWith("-D") && eq > 2) {
                    settings.put(line.substring(2, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster's driver settings " + args
                    + " (is the cluster started by scripts/cluster in this checkout?)", e);
        }
        settings.put("spark.jars", appJar().toString());
        return settings;
    }

    /** The daemons' settings scripts/cluster wrote (target/cluster/cluster.conf, mode 600: it holds the secret). */
    public static Properties clusterConf() {
        Path conf = clusterDir().resolve("cluster.conf");
        Properties props = new Properties();
        try (var r = Files.newBufferedReader(conf, StandardCharsets.UTF_8)) {
            props.load(r); // "key value" lines parse as Properties do
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster's settings " + conf, e);
        }
        return props;
    }

    /** The master web UI's URL, from target/cluster/ui-url (so POOLING_MASTER_UI_PORT is followed). */
    public static URI uiUrl() {
        Path file = clusterDir().resolve("ui-url");
        try {
            return URI.create(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the master UI's URL " + file + " (written by scripts/cluster start)", e);
        }
    }

    /** The Authorization header value the UIs' filter accepts: Basic, the cluster owner and its secret. */
    public static String uiAuthorization() {
        Properties conf = clusterConf();
        String prefix = "spark." + UiBasicAuthFilter.class.getName() + ".param.";
        String user = conf.getProperty(prefix + UiBasicAuthFilter.USER_PARAM);
        String secret = conf.getProperty(prefix + UiBasicAuthFilter.SECRET_PARAM);
        if (user == null || secret == null) {
            throw new IllegalStateException("the cluster's settings name no UI user and secret (" + prefix + "*): "
                    + "a cluster started by an older scripts/cluster? scripts/cluster stop, then start");
        }
        return "Basic " + Base64.getEncoder().encodeToString((user.trim() + ":" + secret.trim()).getBytes(StandardCharsets.UTF_8));
    }

    /** Sets {@link #driverSettings()} as system properties, for commands that build their own session. */
    public static void setDriverProperties() {
        driverSettings().forEach(System::setProperty);
    }

    public static void clearDriverProperties() {
        driverSettings().keySet().forEach(System::clearProperty);
    }

    /**
     * For a bench run in this JVM as the driver: skips the test without a cluster, else sets the
     * driver's properties and those that make the job wait for both executors. Returns the master.
     */
    public static String enterBenchDriver() {
        String master = assumeCluster();
        setDriverProperties();
        ClusterSettings.waitForBothExecutors().forEach(System::setProperty);
        return master;
    }

    /** Undoes {@link #enterBenchDriver()}. */
    public static void leaveBenchDriver() {
        clearDriverProperties();
        ClusterSettings.waitForBothExecutors().keySet().forEach(System::clearProperty);
    }

    /** The worker JVMs scripts/cluster started, from its pid files. */
    public static List<ProcessHandle> workers() {
        List<ProcessHandle> workers = new ArrayList<>();
        try (Stream<Path> files = Files.list(clusterDir())) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("worker-\\d+\\.pid")).sorted().toList()) {
                long pid = Long.parseLong(Files.readString(f).trim());
                ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(workers::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + clusterDir(), e);
        }
        return workers;
    }

    /** Executor JVMs of one application: children of the workers whose command line names the app id. */
    public static List<ProcessHandle> executors(String appId) {
        return workers().stream()
                .flatMap(ProcessHandle::children)
                .filter(p -> p.info().commandLine()
                        .map(c -> c.contains("CoarseGrainedExecutorBackend") && c.contains(appId))
                        .orElse(false))
                .toList();
    }

    /** A jar of target/test-classes, for test jobs whose functions are test classes. */
    public static Path testClassesJar() {
        Path classes = home().resolve("target/test-classes");
        Path jar = home().resolve("target/it-test-classes.jar");
        try (OutputStream out = Files.newOutputStream(jar);
             JarOutputStream jos = new JarOutputStream(out);
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                jos.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jos);
                jos.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + jar, e);
        }
        return jar;
    }
}
