package org.sparkpooling.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The project's version as Maven built it ({@code version.properties}, filtered at build time). */
public final class ProjectVersion {

    private static final String VERSION = load();

    private ProjectVersion() {
    }

    /** e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = ProjectVersion.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("version.properties is missing from the class path: a broken build");
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "");
            if (v.isBlank() || v.startsWith("${")) {
                throw new IllegalStateException("version.properties was not filtered by Maven: " + v);
            }
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
