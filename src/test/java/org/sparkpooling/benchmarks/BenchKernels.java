package org.sparkpooling.benchmarks;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.sparkpooling.pool.PoolKernels;

/**
 * {@code scripts/bench-kernels}: runs {@link KernelBench} and {@link CopyBench} in one JMH run (JMH's
 * own options pass through) and prints, per case, each implementation's time with its ratio to
 * {@code loops} and to the copy bound measured in the same run: absolute times move on a shared
 * machine, ratios from one run much less.
 */
public final class BenchKernels {

    private BenchKernels() {
    }

    public static void main(String[] args) throws Exception {
        List<String> list = List.of(args);
        if (list.contains("-h") || list.contains("-l") || list.contains("-lp")) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        CommandLineOptions cmd = new CommandLineOptions(args);
        ChainedOptionsBuilder b = new OptionsBuilder().parent(cmd);
        if (cmd.getIncludes().isEmpty()) {
            b.include(KernelBench.class.getSimpleName()).include(CopyBench.class.getSimpleName());
        }
        if (!cmd.getParameter("impl").hasValue()) {
            // Every registered implementation, so a new one is benchmarked without editing this list.
            b.param("impl", PoolKernels.names().toArray(new String[0]));
        }
        print(new Runner(b.build()).run());
    }

    static void print(Collection<RunResult> results) {
        Map<String, Map<String, Double>> byCase = new TreeMap<>();
        for (RunResult r : results) {
            String bench = r.getParams().getBenchmark();
            String what = bench.substring(bench.lastIndexOf('.') + 1);
            if (bench.contains("KernelBench")) {
                what = r.getParams().getParam("impl");
            }
            byCase.computeIfAbsent(r.getParams().getParam("kernelCase"), k -> new TreeMap<>())
                    .put(what, r.getPrimaryResult().getScore());
        }
        System.out.println();
        System.out.println("| case | impl | us/op | loops / impl | copyTraffic / impl (share of copy bandwidth) | impl / copyInput |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, Map<String, Double>> e : byCase.entrySet()) {
            Map<String, Double> m = e.getValue();
            Double loops = m.get("loops");
            Double traffic = m.get("copyTraffic");
            Double input = m.get("copyInput");
            for (Map.Entry<String, Double> t : m.entrySet()) {
                double us = t.getValue();
                System.out.println(String.format(Locale.ROOT, "| %s | %s | %.1f | %s | %s | %s |", e.getKey(),
                        t.getKey(), us, ratio(loops, us), ratio(traffic, us), ratio(us, input)));
            }
        }
    }

    private static String ratio(Double a, Double b) {
        return a == null || b == null ? "" : String.format(Locale.ROOT, "%.2f", a / b);
    }
}
