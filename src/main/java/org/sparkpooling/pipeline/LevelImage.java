package org.sparkpooling.pipeline;

/**
 * One level's pixels as the pipeline carries them: integer samples, channels-last
 * ({@link IntLevel}: every image file), or float planes ({@link Planes}: an image of a float
 * tensor). The sinks see them through this; {@link Pyramid} pools each kind its own way.
 */
public sealed interface LevelImage permits IntLevel, Planes {

    int channels();

    int height();

    int width();

    /** 8 or 16 (32 for label ids) for integer samples; {@link Planes#FLOAT_DEPTH} for floats. */
    int bitDepth();

    /** The dataset's {@code pixels} value: row-major interleaved samples, little-endian. */
    byte[] interleavedBytes();
}
