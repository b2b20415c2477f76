package org.sparkpooling.spark;

import org.sparkpooling.tensor.Tensor;

/**
 * One block as the partition runner receives it: a tensor, or the reason a record could not be
 * read (a bad record is reported, never a failed job). Lives only inside a task.
 *
 * @param source where the block came from: {@code synthetic}, a Parquet dataset or a file path
 */
public record BlockInput(long blockId, String source, Tensor tensor, String error) {

    public BlockInput {
        if ((tensor == null) == (error == null)) {
            throw new IllegalArgumentException("a block input has either a tensor or an error, not both or neither");
        }
    }

    public static BlockInput of(long blockId, String source, Tensor tensor) {
        return new BlockInput(blockId, source, tensor, null);
    }

    public static BlockInput failed(long blockId, String source, String error) {
        return new BlockInput(blockId, source, null, error);
    }
}
