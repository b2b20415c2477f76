package org.sparkpooling.pipeline;

import java.util.Locale;

/** Which outputs a run writes: the Parquet dataset, PNG files per level, or both. */
public enum OutputFormat {
    PARQUET,
    PNG,
    BOTH;

    public boolean parquet() {
        return this != PNG;
    }

    public boolean png() {
        return this != PARQUET;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OutputFormat parse(String text) {
        for (OutputFormat f : values()) {
            if (f.label().equalsIgnoreCase(text.trim())) {
                return f;
            }
        }
        throw new IllegalArgumentException("format (" + text + ") must be parquet, png or both");
    }
}
