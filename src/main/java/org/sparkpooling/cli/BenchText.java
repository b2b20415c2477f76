package org.sparkpooling.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.sparkpooling.bench.BenchReport;
import org.sparkpooling.spark.TaskMetricsListener;

/** The bench job's console output: the textbook's lines first, then the tables. */
final class BenchText {

    private BenchText() {
    }

    static void print(PrintWriter out, BenchReport r) {
        for (BenchReport.Implementation i : r.implementations()) {
            out.printf(Locale.ROOT, "Elapsed of %s: %.2f%n", i.name(), i.kernelSeconds());
        }
        out.println("forward: " + (r.verification().forward() ? "True" : "False"));
        out.println("backward: " + (r.verification().backward() ? "True" : "False"));
        for (BenchReport.Mismatch m : r.verification().mismatches().stream().limit(10).toList()) {
            out.printf("  mismatch: block %d, %s: %s%n", m.blockId(), m.implementation(), m.detail());
        }
        out.println();
        BenchReport.Config c = r.config();
        // A run of the whole family names what it ran; the runs the job made before (2-D max or
        // avg, channels-first, float32: the textbook's among them) print what they always printed.
        boolean classic = c.mode() != null && c.kernel().length == 2 && c.layout().equals("nchw")
                && c.dtype().equals("float32");
        if (!classic) {
            out.printf("op %s, %d-D, layout %s, dtype %s%n", c.op(),
                    c.kernel() != null ? c.kernel().length : c.outputSize().length, c.layout(), c.dtype());
        }

        String row = "%-10s %-10s %-15s %7s %10s %12s %8s %8s%n";
        out.printf(Locale.ROOT, row, "impl", "executor", "host", "blocks", "kernel s", "us/iter", "GB/s", "of copy");
        for (BenchReport.Executor e : r.executors()) {
            for (BenchReport.Implementation i : e.implementations()) {
                printRow(out, row, i, e.executorId(), e.host());
            }
        }
        if (r.executors().size() > 1) {
            for (BenchReport.Implementation i : r.implementations()) {
                printRow(out, row, i, "all", "");
            }
        }
        for (BenchReport.Executor e : r.executors()) {
            out.printf(Locale.ROOT, "copy bound on executor %s: %.2f GB/s%n", e.executorId(), e.copyGbPerSecond());
        }
        out.printf(Locale.ROOT, "blocks: %d in, %d processed, %d errors; %d partitions; checksum %s%n",
                r.blocks(), r.blocksProcessed(), r.blockErrors(), r.partitions().size(), r.checksum());
        for (BenchReport.BlockError e : r.errors().stream().limit(10).toList()) {
            out.printf("  error: block %d (%s): %s%n", e.blockId(), e.source(), e.error());
        }
        out.printf(Locale.ROOT, "wall: %.2f s on %d cores (Spark session start %.2f s before it);"
                + " kernel %.2f s; efficiency %.3f%n", r.wallSeconds(), r.cores(), r.sessionSeconds(),
                r.kernelSeconds(), r.efficiency());
        TaskMetricsListener.Overhead o = r.sparkOverhead();
        out.printf(Locale.ROOT, "Spark overhead over %d tasks (%d failed): scheduler delay %.3f s,"
                + " executor deserialize %.3f s, GC %.3f s, result serialization %.3f s, getting result %.3f s%n",
                o.tasks(), o.failedTasks(), o.schedulerDelaySeconds(), o.executorDeserializeSeconds(), o.gcSeconds(),
                o.resultSerializationSeconds(), o.gettingResultSeconds());
    }

    private static void printRow(PrintWriter out, String row, BenchReport.Implementation i, String executor,
            String host) {
        out.printf(Locale.ROOT, row, i.name(), executor, host, i.blocks(), String.format(Locale.ROOT, "%.3f",
                i.kernelSeconds()), String.format(Locale.ROOT, "%.2f", i.microsPerIteration()),
                String.format(Locale.ROOT, "%.2f", i.gbPerSecond()),
                String.format(Locale.ROOT, "%.3f", i.copyBoundFraction()));
    }
}
