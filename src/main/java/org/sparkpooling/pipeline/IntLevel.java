package org.sparkpooling.pipeline;

import org.sparkpooling.tensor.IntImage;

/** A level of integer samples: an {@link IntImage} as the pipeline carries it. */
public record IntLevel(IntImage image) implements LevelImage {

    public IntLevel {
        if (image == null) {
            throw new IllegalArgumentException("image must not be null");
        }
    }

    @Override
    public int channels() {
        return image.channels();
    }

    @Override
    public int height() {
        return image.height();
    }

    @Override
    public int width() {
        return image.width();
    }

    @Override
    public int bitDepth() {
        return image.bitDepth();
    }

    @Override
    public byte[] interleavedBytes() {
        return image.interleavedBytes();
    }
}
