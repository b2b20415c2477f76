package org.sparkpooling.pool;

import java.util.Locale;

/**
 * How a downsampling level combines each window of integer samples ({@link ImagePooling}): the
 * pipeline's {@code --mode}. {@code AVG} is the exact mean rounded half to even; {@code MAX} the
 * largest sample. Every site that treats modes differently switches on this enum without a
 * {@code default}, so a new constant makes the compiler list them.
 */
public enum DownsampleMode {
    AVG,
    MAX;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kernel mode that pools float planes the same way (tensor inputs). */
    public PoolMode kernelMode() {
        return switch (this) {
            case AVG -> PoolMode.AVG;
            case MAX -> PoolMode.MAX;
        };
    }

    public static DownsampleMode parse(String text) {
        for (DownsampleMode m : values()) {
            if (m.label().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        java.util.List<String> labels = java.util.Arrays.stream(values()).map(DownsampleMode::label).toList();
        throw new IllegalArgumentException("mode (" + text + ") must be "
                + String.join(", ", labels.subList(0, labels.size() - 1)) + " or " + labels.get(labels.size() - 1));
    }
}
