package org.sparkpooling.pipeline;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.sparkpooling.spark.BlockInput;

/**
 * The executor side of a run over a Parquet tensor dataset: each row, read by the bench job's
 * {@link org.sparkpooling.spark.BlockSources#parquet} reader, is one record named {@code block-<blockId>}
 * ({@code block-null} without an id), its N images {@code block-<blockId>#n}. A record an earlier
 * run finished ({@code done}) is skipped and counted in {@code skipped}.
 */
public final class TensorPartition implements FlatMapFunction<Iterator<BlockInput>, Row> {

    private static final long serialVersionUID = 1L;

    private final DownsampleSpec spec;
    private final List<OutputSink> sinks;
    private final RunStats stats;
    private final CollectionAccumulator<ErrorRecord> errors;
    private final LongAccumulator skipped;
    private final Set<String> done;
    private final SerializableWritable<Configuration> hadoop;

    public TensorPartition(DownsampleSpec spec, List<OutputSink> sinks, RunStats stats,
            CollectionAccumulator<ErrorRecord> errors, LongAccumulator skipped, Set<String> done, Configuration hadoop) {
        this.spec = spec;
        this.sinks = List.copyOf(sinks);
        this.stats = stats;
        this.errors = errors;
        this.skipped = skipped;
        this.done = done;
        this.hadoop = new SerializableWritable<>(new Configuration(hadoop));
    }

    static String recordPath(BlockInput b) {
        return "block-" + (b.blockId() < 0 ? "null" : Long.toString(b.blockId()));
    }

    @Override
    public Iterator<Row> call(Iterator<BlockInput> blocks) {
        long start = System.nanoTime();
        RunStats.Totals totals = new RunStats.Totals();
        LevelRows.reportOnCompletion(stats, totals, start);
        Iterator<BlockInput> todo = new Iterator<>() {
            private BlockInput next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    // Reading the row and its floats happens in the reader's iterator: decode time.
                    long t0 = System.nanoTime();
                    BlockInput b = blocks.hasNext() ? blocks.next() : null;
                    totals.decodeNanos += System.nanoTime() - t0;
                    if (b == null) {
                        break;
                    }
                    String p = recordPath(b);
                    if (done.contains(p) || done.contains(p + "#0")) {
                        skipped.add(1);
                    } else {
                        next = b;
                    }
                }
                return next != null;
            }

            @Override
            public BlockInput next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                BlockInput b = next;
                next = null;
                return b;
            }
        };
        Configuration conf = hadoop.value();
        return new LevelRows<BlockInput>(todo, totals, new Pyramid(spec, Pyramid.defaultKernel()), spec, sinks,
                conf, errors) {
            @Override
            Source open(BlockInput b) throws BadImageException {
                if (b.error() != null) {
                    throw new BadImageException("tensor row: " + b.error());
                }
                long bytes = b.tensor().shape().bytes();
                return Source.tensor(recordPath(b), bytes, b.tensor(), spec.maxPixels());
            }

            @Override
            String errorPath(BlockInput b) {
                return recordPath(b);
            }
        };
    }
}
