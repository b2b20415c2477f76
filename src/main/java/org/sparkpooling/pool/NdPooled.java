package org.sparkpooling.pool;

import org.sparkpooling.tensor.NdTensor;

/**
 * A forward result of the pooling family: the output and, where the op has them, its indices, laid
 * out as the output for max and adaptive-max (each a flat position inside its {@code (n, c)} input
 * volume), laid out as the input for unpool (the indices it was given); {@code null} otherwise.
 */
public record NdPooled(NdTensor output, int[] indices) {
}
