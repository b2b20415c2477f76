package org.sparkpooling.pipeline;

import java.util.Locale;

/**
 * What {@code --input} holds. {@code IMAGES}: files ImageIO decodes. {@code TENSORS}: a Parquet
 * tensor dataset as {@code scripts/pooling generate} writes it (one N x C x H x W float32 tensor per
 * row). {@code NPY}: {@code .npy} files of rank-4 float32 or float64 arrays. A tensor's N images of
 * C x H x W pool as float planes (bit depth 32), never rounded.
 */
public enum InputKind {
    IMAGES,
    TENSORS,
    NPY;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Tensors hold floats; images hold integer samples. */
    public boolean floats() {
        return this != IMAGES;
    }

    public static InputKind parse(String text) {
        for (InputKind k : values()) {
            if (k.label().equalsIgnoreCase(text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("input format (" + text + ") must be images, tensors or npy");
    }
}
