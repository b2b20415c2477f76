package org.sparkpooling.pipeline;

import org.apache.spark.util.AccumulatorV2;

/**
 * Counts and executor-side times of a run, summed over successful tasks only (a failed attempt's
 * updates are dropped by Spark, so retried images are not counted twice). Times are nanoseconds of
 * {@link System#nanoTime} on the executors, summed over tasks, so on N cores they add up to about
 * N times the wall time.
 */
public final class RunStats extends AccumulatorV2<RunStats.Totals, RunStats.Totals> {

    private static final long serialVersionUID = 1L;

    /** More levels than any image within {@code Shape.MAX_ELEMENTS} can have at factor 2. */
    public static final int MAX_LEVELS = 64;

    private Totals totals = new Totals();

    /** The mutable sums; also what one task collects before adding it once. */
    public static final class Totals implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        public long pooled;
        public long errors;
        public long inputPixels;
        public long inputBytes;
        public long decodeNanos;
        public long poolNanos;
        public long writeNanos;
        public final long[] levelImages = new long[MAX_LEVELS + 1];
        public final long[] levelPixels = new long[MAX_LEVELS + 1];

        void add(Totals o) {
            pooled += o.pooled;
            errors += o.errors;
            inputPixels += o.inputPixels;
            inputBytes += o.inputBytes;
            decodeNanos += o.decodeNanos;
            poolNanos += o.poolNanos;
            writeNanos += o.writeNanos;
            for (int i = 0; i <= MAX_LEVELS; i++) {
                levelImages[i] += o.levelImages[i];
                levelPixels[i] += o.levelPixels[i];
            }
        }
    }

    @Override
    public boolean isZero() {
        return totals.pooled == 0 && totals.errors == 0 && totals.inputPixels == 0 && totals.inputBytes == 0
                && totals.decodeNanos == 0 && totals.poolNanos == 0 && totals.writeNanos == 0;
    }

    @Override
    public RunStats copy() {
        RunStats r = new RunStats();
        r.totals.add(totals);
        return r;
    }

    @Override
    public void reset() {
        totals = new Totals();
    }

    @Override
    public void add(Totals v) {
        totals.add(v);
    }

    @Override
    public void merge(AccumulatorV2<Totals, Totals> other) {
        totals.add(other.value());
    }

    @Override
    public Totals value() {
        return totals;
    }
}
