package org.sparkpooling.pipeline;

import java.util.Locale;

/**
 * What happens to the rows and columns left over when a side is not a multiple of the factor.
 * {@code PARTIAL}: an overhanging window pools its in-bounds pixels only (PyTorch's ceil mode with no
 * padding, as TensorStore and igneous downsample); {@code TRIM}: the remainder is dropped (floor mode).
 */
public enum EdgeMode {
    PARTIAL,
    TRIM;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EdgeMode parse(String text) {
        for (EdgeMode m : values()) {
            if (m.label().equalsIgnoreCase(text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("edge (" + text + ") must be partial or trim");
    }
}
