package org.sparkpooling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/**
 * The JVM module flags live in two copies besides Spark's own: conf/java-module-options (read by
 * scripts/pooling) and pom.xml's {@code spark.module.opts} (Surefire's forks). Both must equal what
 * Spark's launcher adds, in the same order, so an upgrade of Spark that changes its list fails
 * here instead of as an InaccessibleObjectException on some executor.
 */
class JavaModuleOptionsTest {

    private static final Path BASE = Path.of(System.getProperty("basedir", "."));

    private static List<String> spark() {
        return Arrays.asList(JavaModuleOptions.defaultModuleOptionArray());
    }

    @Test
    void confFileEqualsSparks() throws IOException {
        List<String> conf = Files.readAllLines(BASE.resolve("conf/java-module-options")).stream()
                .map(String::trim).filter(l -> !l.isEmpty()).toList();
        assertFalse(spark().isEmpty(), "Spark reports no module options");
        assertEquals(spark(), conf, "conf/java-module-options");
    }

    @Test
    void pomPropertyEqualsSparks() throws IOException {
        Matcher m = Pattern.compile("<spark\\.module\\.opts>(.*?)</spark\\.module\\.opts>", Pattern.DOTALL)
                .matcher(Files.readString(BASE.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has no <spark.module.opts> property");
        assertEquals(spark(), List.of(m.group(1).trim().split("\\s+")), "pom.xml <spark.module.opts>");
    }

    @Test
    void surefirePassesThemToThisJvm() {
        // The property is only useful if the argLine really hands it to the forked test JVM.
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String option : spark()) {
            assertTrue(jvmArgs.contains(option), "the test JVM was started without " + option);
        }
    }
}
