package org.sparkpooling.pool;

import org.sparkpooling.tensor.Tensor;

/**
 * A forward result: the pooled output and, for max pooling, the argmax of each output as
 * {@code h * W + w} inside its {@code (n, c)} input plane (PyTorch's indices); {@code null} for avg.
 */
public record Pooled(Tensor output, int[] indices) {
}
