package org.sparkpooling.tensor;

import java.util.Locale;

/** The element type of a tensor, named as NumPy and PyTorch name it. */
public enum Dtype {
    FLOAT32(4),
    FLOAT64(8);

    private final int bytes;

    Dtype(int bytes) {
        this.bytes = bytes;
    }

    /** {@code float32} or {@code float64}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    public static Dtype parse(String text) {
        for (Dtype d : values()) {
            if (d.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("dtype (" + text + ") must be float32 or float64");
    }
}
