package org.sparkpooling.cli;

import java.util.regex.Pattern;

/**
 * {@code --master} checked before a Spark session is made: Spark itself fails a bad URL inside
 * {@code SparkContext}'s constructor, with a long trace and exit code 1.
 */
final class MasterOption {

    /** The forms Spark 4 understands (SparkContext.createTaskScheduler), plus external cluster managers' schemes. */
    private static final Pattern MASTER = Pattern.compile(
            "local|local\\[(\\*|[1-9][0-9]*)(,[0-9]+)?]|local-cluster\\[[0-9]+, *[0-9]+, *[0-9]+]"
                    + "|spark://[^/\\s]+(:[0-9]+)?(,[^/\\s]+(:[0-9]+)?)*|yarn|k8s://\\S+|[a-z][a-z0-9+.-]*://\\S+");

    private MasterOption() {
    }

    /**
     * {@code master} unchanged ({@code null} keeps spark-submit's or the default).
     *
     * @throws IllegalArgumentException naming the value when it is no Spark master URL
     */
    static String check(String master) {
        if (master == null || MASTER.matcher(master.trim()).matches()) {
            return master == null ? null : master.trim();
        }
        throw new IllegalArgumentException("--master (" + master + ") is not a Spark master URL: give local[*],"
                + " local[N], spark://HOST:PORT, yarn or k8s://URL");
    }
}
