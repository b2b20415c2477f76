package org.sparkpooling.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.sparkpooling.report.BarChart;
import org.sparkpooling.report.CsvTable;
import org.sparkpooling.report.JsonReport;

/**
 * {@code --report DIR}: report.json (the summary), report.csv (one row per block and implementation,
 * each naming the run's op, layout and dtype), report.png.
 */
public final class BenchReportFiles {

    public static final String JSON = "report.json";
    public static final String CSV = "report.csv";
    public static final String PNG = "report.png";

    private BenchReportFiles() {
    }

    public static void write(Path dir, BenchReport report) throws IOException {
        JsonReport.write(dir.resolve(JSON), report);
        csv(report).write(dir.resolve(CSV));
        chart(report).writePng(dir.resolve(PNG));
    }

    static CsvTable csv(BenchReport report) {
        CsvTable t = new CsvTable(List.of("blockId", "source", "partition", "attempt", "executorId", "host", "shape",
                "implementation", "iterations", "kernelNanos", "microsPerIteration", "gbPerSecond", "forward",
                "backward", "checksum", "copyGbPerSecond", "error", "op", "layout", "dtype"));
        BenchReport.Config c = report.config();
        for (BlockReport b : report.blockReports()) {
            double copy = b.copyNanos() == 0 ? 0 : b.copyBytes() * (double) b.copyReps() / b.copyNanos();
            if (!b.ok()) {
                t.add(b.blockId(), b.source(), b.partition(), b.attempt(), b.executorId(), b.host(), b.shape(),
                        null, null, null, null, null, null, null, null, null, b.error(), c.op(), c.layout(), c.dtype());
                continue;
            }
            for (ImplTiming i : b.implementations()) {
                t.add(b.blockId(), b.source(), b.partition(), b.attempt(), b.executorId(), b.host(), b.shape(),
                        i.name(), b.iterations(), i.nanos(), fmt(i.nanos() / 1e3 / b.iterations()),
                        fmt(b.bytesPerIteration() * (double) b.iterations() / i.nanos()), i.forward(), i.backward(),
                        b.checksum(), fmt(copy), i.mismatch(), c.op(), c.layout(), c.dtype());
            }
        }
        return t;
    }

    static BarChart chart(BenchReport report) {
        BarChart chart = new BarChart(String.format(Locale.ROOT, "Kernel seconds per implementation and executor"
                + " (%d blocks x %d iterations)", report.blocksProcessed(), report.config().iterations()),
                "kernel seconds");
        for (BenchReport.Implementation total : report.implementations()) {
            for (BenchReport.Executor e : report.executors()) {
                for (BenchReport.Implementation i : e.implementations()) {
                    if (i.name().equals(total.name())) {
                        chart.put(i.name(), "executor " + e.executorId(), i.kernelSeconds());
                    }
                }
            }
        }
        return chart;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
