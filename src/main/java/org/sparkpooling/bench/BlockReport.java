package org.sparkpooling.bench;

import java.io.Serializable;
import java.util.List;

/**
 * What a task sends back for one block: small, whatever the block's size. Tensors stay on the
 * executor; only timings, verification and checksums travel.
 *
 * @param attempt           the task attempt that produced it ({@code TaskContext.attemptNumber})
 * @param shape             the block's shape, {@code NxCxHxW}, or {@code null} for a bad record
 * @param bytesPerIteration bytes one forward+backward reads and writes (see README)
 * @param copyNanos         time of {@code copyReps} plain copies of the block's floats
 * @param copyBytes         bytes one copy reads and writes (twice the block)
 * @param checksum          CRC32 of the reference's output, indices and input gradient, as hex
 * @param error             why the record could not be used, or {@code null}
 */
public record BlockReport(
        long blockId,
        String source,
        int partition,
        int attempt,
        String executorId,
        String host,
        String shape,
        int iterations,
        long bytesPerIteration,
        long copyNanos,
        int copyReps,
        long copyBytes,
        String checksum,
        List<ImplTiming> implementations,
        String error) implements Serializable {

    public BlockReport {
        implementations = implementations == null ? List.of() : List.copyOf(implementations);
    }

    public boolean ok() {
        return error == null;
    }
}
